package dev.nestlet.doctor;

import dev.nestlet.idmap.IdRange;
import dev.nestlet.shift.UserNamespaces;
import dev.nestlet.sys.Fd;
import java.io.IOException;

/**
 * The user namespace the ID-mapping probes map through, made by nestlet-userns as nestletd makes
 * its own. Which ids it maps does not matter: nothing is written through a probe's mount.
 */
final class ProbeUserns {
    private static final IdRange RANGE = new IdRange(1 << 20, 1 << 20, 65536);

    private final UserNamespaces namespaces;

    ProbeUserns(UserNamespaces namespaces) {
        this.namespaces = namespaces;
    }

    /** Owned by the cache behind it: callers must not close it. */
    Fd fd() throws IOException, InterruptedException {
        return namespaces.withMapping(RANGE);
    }
}
