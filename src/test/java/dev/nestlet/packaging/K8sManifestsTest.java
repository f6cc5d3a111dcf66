package dev.nestlet.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.node.v1.RuntimeClass;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * packaging/k8s against the Kubernetes object model (fabric8's): every document of every manifest
 * reads as its kind with no field the model does not know (a misspelt field fails), the installer's
 * DaemonSet, RBAC and RuntimeClass mean what docs/kubernetes.md says, and the runner pods of the
 * examples (ARC, GitLab) are not privileged.
 */
class K8sManifestsTest {
    private static final Path DIR =
            Path.of(System.getProperty("nestlet.packaging", "packaging")).resolve("k8s");
    private static final ObjectMapper YAML = new YAMLMapper();
    private static final Map<String, Class<? extends HasMetadata>> KINDS =
            Map.of(
                    "Namespace", io.fabric8.kubernetes.api.model.Namespace.class,
                    "ServiceAccount", io.fabric8.kubernetes.api.model.ServiceAccount.class,
                    "ClusterRole", ClusterRole.class,
                    "ClusterRoleBinding", ClusterRoleBinding.class,
                    "DaemonSet", DaemonSet.class,
                    "RuntimeClass", RuntimeClass.class);
    private static final Pattern PRIVILEGED_TRUE =
            Pattern.compile("^\\s*privileged\\s*[:=]\\s*\"?true", Pattern.MULTILINE);

    /** Every document of every manifest under packaging/k8s (examples aside), as its kind. */
    static List<HasMetadata> manifests() throws IOException {
        List<HasMetadata> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(DIR)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                for (JsonNode doc :
                        YAML.readValues(YAML.createParser(f.toFile()), JsonNode.class).readAll()) {
                    String kind = doc.path("kind").asText();
                    Class<? extends HasMetadata> type = KINDS.get(kind);
                    assertNotNull(type, f + ": a kind this test does not know: " + kind);
                    out.add(strict(YAML.treeToValue(doc, type), f + " " + kind));
                }
            }
        }
        return out;
    }

    /**
     * The model keeps fields it does not know in additionalProperties instead of failing: any left
     * there, at any depth, is a misspelt or misplaced field.
     */
    static <T> T strict(T object, String where) {
        List<String> unknown = new ArrayList<>();
        unknownFields(object, where, unknown);
        assertEquals(List.of(), unknown, "fields the Kubernetes model does not know");
        return object;
    }

    private static void unknownFields(Object o, String path, List<String> out) {
        if (o instanceof Collection<?> c) {
            c.forEach(e -> unknownFields(e, path + "[]", out));
        } else if (o instanceof Map<?, ?> m) {
            m.forEach((k, v) -> unknownFields(v, path + "." + k, out));
        } else if (o instanceof KubernetesResource) {
            for (Method g : o.getClass().getMethods()) {
                if (g.getParameterCount() != 0
                        || Modifier.isStatic(g.getModifiers())
                        || !g.getName().startsWith("get")
                        || g.getName().equals("getClass")) {
                    continue;
                }
                Object v = invoke(g, o);
                if (g.getName().equals("getAdditionalProperties")) {
                    ((Map<?, ?>) v).keySet().forEach(k -> out.add(path + "." + k));
                } else {
                    unknownFields(v, path + "." + g.getName().substring(3), out);
                }
            }
        }
    }

    private static Object invoke(Method g, Object o) {
        try {
            return g.invoke(o);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new LinkageError(g.toString(), e);
        }
    }

    private static <T extends HasMetadata> T only(Class<T> type, String name) throws IOException {
        List<T> found =
                manifests().stream()
                        .filter(type::isInstance)
                        .map(type::cast)
                        .filter(m -> m.getMetadata().getName().equals(name))
                        .toList();
        assertEquals(1, found.size(), type.getSimpleName() + " " + name);
        return found.get(0);
    }

    @Test
    void everyManifestReadsAsItsKind() throws IOException {
        assertEquals(
                List.of(
                        "ClusterRole",
                        "ClusterRoleBinding",
                        "DaemonSet",
                        "DaemonSet",
                        "Namespace",
                        "RuntimeClass",
                        "ServiceAccount"),
                manifests().stream().map(HasMetadata::getKind).sorted().toList());
    }

    @Test
    void aMisspeltFieldIsCaught() throws IOException {
        JsonNode doc =
                YAML.readTree(
                        "kind: RuntimeClass\nmetadata: {name: x}\nhandler: nestlet\n"
                                + "scheduling: {nodeSelektor: {a: b}}\n");
        List<String> unknown = new ArrayList<>();
        unknownFields(YAML.treeToValue(doc, RuntimeClass.class), "x", unknown);
        assertEquals(List.of("x.Scheduling.nodeSelektor"), unknown);
    }

    @Test
    void runtimeClassSchedulesOntoReadyNodes() throws IOException {
        RuntimeClass rc = only(RuntimeClass.class, "nestlet");
        assertEquals("nestlet", rc.getHandler());
        assertEquals(Map.of("nestlet.dev/ready", "true"), rc.getScheduling().getNodeSelector());
    }

    @Test
    void installerRunsOnLabelledNodesWithTheHostAtSlashHost() throws IOException {
        for (String[] ds :
                new String[][] {
                    {"nestlet-installer", "nestlet.dev/install", "install"},
                    {"nestlet-uninstaller", "nestlet.dev/uninstall", "uninstall"}
                }) {
            DaemonSet d = only(DaemonSet.class, ds[0]);
            assertEquals("nestlet-system", d.getMetadata().getNamespace());
            PodSpec pod = d.getSpec().getTemplate().getSpec();
            assertEquals(Map.of(ds[1], "true"), pod.getNodeSelector());
            assertEquals("nestlet-installer", pod.getServiceAccountName());
            assertTrue(pod.getHostPID(), "nsenter into the host's PID 1");
            Container c = pod.getContainers().get(0);
            assertEquals(List.of(ds[2]), c.getArgs());
            assertEquals(
                    "spec.nodeName",
                    c.getEnv().stream()
                            .filter(e -> e.getName().equals("NODE_NAME"))
                            .findFirst()
                            .orElseThrow()
                            .getValueFrom()
                            .getFieldRef()
                            .getFieldPath());
            String volume =
                    c.getVolumeMounts().stream()
                            .filter(m -> m.getMountPath().equals("/host"))
                            .findFirst()
                            .orElseThrow()
                            .getName();
            Volume host =
                    pod.getVolumes().stream()
                            .filter(v -> v.getName().equals(volume))
                            .findFirst()
                            .orElseThrow();
            assertEquals("/", host.getHostPath().getPath());
        }
    }

    @Test
    void rbacGrantsGetAndPatchOnNodesOnly() throws IOException {
        ClusterRole role = only(ClusterRole.class, "nestlet-installer");
        assertEquals(1, role.getRules().size());
        PolicyRule r = role.getRules().get(0);
        assertEquals(List.of(""), r.getApiGroups());
        assertEquals(List.of("nodes"), r.getResources());
        assertEquals(List.of("get", "patch"), r.getVerbs());
        ClusterRoleBinding b = only(ClusterRoleBinding.class, "nestlet-installer");
        assertEquals("nestlet-installer", b.getRoleRef().getName());
        assertEquals("ServiceAccount", b.getSubjects().get(0).getKind());
        assertEquals("nestlet-installer", b.getSubjects().get(0).getName());
        assertEquals("nestlet-system", b.getSubjects().get(0).getNamespace());
        assertEquals(
                "nestlet-system",
                only(io.fabric8.kubernetes.api.model.ServiceAccount.class, "nestlet-installer")
                        .getMetadata()
                        .getNamespace());
    }

    @Test
    void arcRunnerPodRunsThroughNestletUnprivileged() throws IOException {
        Path f = DIR.resolve("examples/arc-runner-scale-set-dind.yaml");
        JsonNode values = YAML.readTree(f.toFile());
        assertTrue(values.path("containerMode").isMissingNode(), "the chart's dind is privileged");
        PodSpec pod =
                strict(YAML.treeToValue(values.path("template"), PodTemplateSpec.class), f + "")
                        .getSpec();
        assertEquals("nestlet", pod.getRuntimeClassName());
        List<Container> all = new ArrayList<>(pod.getContainers());
        all.addAll(pod.getInitContainers());
        assertEquals(
                List.of("runner", "dind", "init-dind-externals"),
                all.stream().map(Container::getName).toList());
        for (Container c : all) {
            assertTrue(
                    c.getSecurityContext() == null
                            || !Boolean.TRUE.equals(c.getSecurityContext().getPrivileged()),
                    c.getName());
        }
        assertFalse(PRIVILEGED_TRUE.matcher(Files.readString(f)).find());
    }

    @Test
    void gitlabJobPodsRunThroughNestletUnprivileged() throws IOException {
        Path f = DIR.resolve("examples/gitlab-runner-config.toml");
        Map<String, String> k = RegistrationFilesTest.keys(f);
        assertEquals("\"kubernetes\"", k.get("[[runners]] executor"));
        assertEquals("\"nestlet\"", k.get("[runners.kubernetes] runtime_class_name"));
        assertFalse(
                k.keySet().stream().anyMatch(key -> key.endsWith(" privileged")),
                "no privileged anywhere: " + k.keySet());
        assertFalse(PRIVILEGED_TRUE.matcher(Files.readString(f)).find());
    }
}
