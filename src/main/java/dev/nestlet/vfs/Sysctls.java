package dev.nestlet.vfs;

import dev.nestlet.ns.NetworkNamespaces;
import dev.nestlet.state.ContainerRecord;
import dev.nestlet.sys.Fd;
import dev.nestlet.vfs.sysctl.ContainerSysctls;
import dev.nestlet.vfs.sysctl.HostSysctlRaises;
import dev.nestlet.vfs.sysctl.SysctlCatalog;
import dev.nestlet.vfs.sysctl.SysctlSpec;
import dev.nestlet.vfs.sysctl.SysctlStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Where each system container's sysctl values come from and go to. At createRuntime they are the
 * host's values of the catalog's host-wide sysctls, plus, when the container's network namespace
 * belongs to another user namespace, that namespace's values of the network ones (read from inside
 * it); after that, what the container writes, saved at once ({@link SysctlStore}). A restarted
 * nestletd takes the saved values back.
 */
public final class Sysctls {
    private static final Logger LOG = Logger.getLogger(Sysctls.class.getName());

    private final List<SysctlSpec> catalog;
    private final HostFiles host;
    private final SysctlStore store;
    private final HostSysctlRaises raises;

    private Sysctls(
            List<SysctlSpec> catalog, HostFiles host, SysctlStore store, HostSysctlRaises raises) {
        this.catalog = List.copyOf(catalog);
        this.host = host;
        this.store = store;
        this.raises = raises;
    }

    /**
     * nestletd's: the catalog for the running kernel, values saved under {@code stateDir}, the
     * raises the operator allowed ({@code NAME=CEILING} each).
     *
     * @throws IllegalArgumentException for a raise that is malformed or not allowed
     */
    public static Sysctls onHost(Path stateDir, List<String> raiseOptions) throws IOException {
        Path host = Path.of("/");
        List<SysctlSpec> catalog = SysctlCatalog.all(SysctlCatalog.kernelHz(host));
        return new Sysctls(
                catalog,
                new HostFiles(host),
                new SysctlStore(stateDir),
                HostSysctlRaises.parse(host, raiseOptions, catalog));
    }

    /** One file per catalog entry; each container gets those it keeps a value for. */
    List<VirtualFile> files() {
        return catalog.stream().<VirtualFile>map(SysctlFile::new).toList();
    }

    /**
     * The values of a container: saved ones after a restart, else taken now from the host and its
     * namespace.
     */
    ContainerSysctls of(ContainerRecord rec, Fd pidfd) throws Exception {
        Map<String, long[]> values = store.load(rec.id()).orElse(null);
        if (values == null) {
            values = initial(rec, pidfd);
            store.save(rec.id(), values);
        }
        return new ContainerSysctls(
                rec.rootUid(),
                rec.rootGid(),
                values,
                (spec, v, all) -> {
                    store.save(rec.id(), all);
                    raises.raise(spec, v);
                });
    }

    private Map<String, long[]> initial(ContainerRecord rec, Fd pidfd) throws Exception {
        Map<String, long[]> values = new LinkedHashMap<>();
        for (SysctlSpec s : catalog) {
            if (s.scope() == SysctlSpec.Scope.HOST) {
                put(values, s, host.textOrNull(s.path().substring(1)));
            }
        }
        if (!NetworkNamespaces.ownedByItsUserNamespace(rec.pid())) {
            List<SysctlSpec> net =
                    catalog.stream().filter(s -> s.scope() == SysctlSpec.Scope.NETWORK).toList();
            Map<String, String> texts =
                    NetworkNamespaces.readInside(
                            pidfd, net.stream().map(SysctlSpec::path).toList());
            net.forEach(s -> put(values, s, texts.get(s.path())));
            LOG.info(
                    rec.id()
                            + " joined a network namespace it does not own: its network sysctls are"
                            + " virtual");
        }
        return values;
    }

    /**
     * Keeps the kernel's value of {@code spec} unless the file is missing (module not loaded, IPv6
     * off).
     */
    private static void put(Map<String, long[]> values, SysctlSpec spec, String text) {
        if (text == null || values.containsKey(spec.valueKey())) {
            return;
        }
        try {
            values.put(spec.valueKey(), spec.syntax().parseShown(text));
        } catch (IllegalArgumentException e) {
            LOG.warning(
                    "kernel value of "
                            + spec.name()
                            + " not understood, left to the kernel: "
                            + e.getMessage());
        }
    }

    void release(String id) throws IOException {
        store.remove(id);
    }

    Set<String> savedIds() throws IOException {
        return store.ids();
    }
}
