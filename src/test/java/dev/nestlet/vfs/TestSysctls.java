package dev.nestlet.vfs;

import dev.nestlet.vfs.sysctl.ContainerSysctls;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Sysctl values for views in unit tests, recording what their listener was told. */
final class TestSysctls {
    /** The host uid and gid of the test container's root: the owner of its sysctl files. */
    static final int ROOT = 400000;

    private TestSysctls() {}

    static ContainerSysctls none() {
        return new ContainerSysctls(0, 0, Map.of(), (spec, v, all) -> {});
    }

    /** Values by key; every accepted write is appended to {@code changes} as "name=v1,v2". */
    static ContainerSysctls of(Map<String, long[]> values, List<String> changes) {
        return new ContainerSysctls(
                ROOT,
                ROOT,
                values,
                (spec, v, all) -> {
                    List<String> parts = new ArrayList<>();
                    for (long x : v) {
                        parts.add(Long.toString(x));
                    }
                    changes.add(spec.name() + "=" + String.join(",", parts));
                });
    }
}
