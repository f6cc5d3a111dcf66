package dev.nestlet.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nestlet.idmap.Allocation;
import dev.nestlet.idmap.IdRange;
import dev.nestlet.pod.StoppedPod;
import dev.nestlet.state.Stage;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What nestletctl prints for each read-only command, rendered by nestletd ("output": "text"). */
class TextRenderTest {
    @Test
    void psListsLoneContainersThenOnePodAfterAnotherSandboxFirst() {
        List<PsOperation.Row> rows =
                List.of(
                        row("app", 12, null, null, false),
                        row("c2", 14, "ns/web", "sb1", false),
                        row("lone", 11, null, null, false),
                        row("sb1", 13, "ns/web", "sb1", true),
                        row("x", 15, "a/db", "sb0", false));
        assertEquals(
                String.join(
                        "\n",
                        "ID                       PID      RUNTIME STAGE     ALIVE  ROOT UID   CREATED",
                        "app                      12       runc   running   yes    400000     2026-11-28T14:04:28Z",
                        "lone                     11       runc   running   yes    400000     2026-11-28T14:04:28Z",
                        "pod a/db (sandbox sb0)",
                        "  x                      15       runc   running   yes    400000     2026-11-28T14:04:28Z",
                        "pod ns/web (sandbox sb1)",
                        "  sb1 (sandbox)          13       runc   running   yes    400000     2026-11-28T14:04:28Z",
                        "  c2                     14       runc   running   yes    400000     2026-11-28T14:04:28Z",
                        ""),
                new PsOperation(null).text(rows));
    }

    @Test
    void psOfNothingIsItsHeader() {
        assertEquals(
                "ID                       PID      RUNTIME STAGE     ALIVE  ROOT UID   CREATED\n",
                new PsOperation(null).text(List.of()));
    }

    @Test
    void allocations() {
        AllocationsOperation.Result r =
                new AllocationsOperation.Result(
                        "/etc/subuid",
                        65536,
                        List.of(
                                new Allocation("c1", new IdRange(400000, 500000, 65536), false),
                                new Allocation("c2", new IdRange(100000, 100000, 65536), true),
                                new Allocation("sb1", new IdRange(465536, 565536, 65536), false)),
                        List.of(new IdRange(531072, 631072, 65536)),
                        List.of(
                                new StoppedPod(
                                        "sb1",
                                        "ci/runner",
                                        "/var/lib/containerd/sandboxes/sb1",
                                        "2026-11-30T10:00:00Z")));
        assertEquals(
                String.join(
                        "\n",
                        "pool: /etc/subuid (ranges of 65536)",
                        "CONTAINER                UID BASE     GID BASE     SIZE     FROM",
                        "c1                       400000       500000       65536    pool",
                        "c2                       100000       100000       65536    engine",
                        "sb1                      465536       565536       65536    pool, held: pod"
                                + " ci/runner stopped, not removed"
                                + " (/var/lib/containerd/sandboxes/sb1 is there)",
                        "free: 1 range(s), first at uid 531072",
                        ""),
                new AllocationsOperation(null, null).text(r));
        assertEquals(
                "pool: none: why (ranges of 0)\n"
                        + "CONTAINER                UID BASE     GID BASE     SIZE     FROM\n"
                        + "free: 0 range(s)\n",
                new AllocationsOperation(null, null)
                        .text(
                                new AllocationsOperation.Result(
                                        "none: why", 0, List.of(), List.of(), List.of())));
    }

    @Test
    void status() {
        StatusOperation op = new StatusOperation(null, null, null, "", null, List::of);
        String lines =
                String.join(
                        "\n",
                        "nestletd 0.1.0 (protocol 1), pid 42, up 7s",
                        "socket     /run/n.sock (root only)",
                        "state dir  /var/lib/n",
                        "containers 3",
                        "memory     90000 kB RSS, 16 threads",
                        "kernel     Linux 6.18.4, --kernel-compat 6.8: without proc pidns (6.18)",
                        "");
        assertEquals(lines, op.text(status(List.of())));
        assertEquals(
                lines
                        + "LOST       seccomp listener of c1, c2: mount/umount inside fail with"
                        + " ENOSYS until restarted\n",
                op.text(status(List.of("c1", "c2"))),
                "containers whose listener is lost are named");
    }

    private static StatusOperation.Status status(List<String> lost) {
        return new StatusOperation.Status(
                "0.1.0",
                1,
                42,
                "2026-11-28T14:04:28Z",
                7,
                "/run/n.sock",
                "/var/lib/n",
                3,
                90000,
                16,
                "root only",
                "Linux 6.18.4, --kernel-compat 6.8: without proc pidns (6.18)",
                Map.of("proc pidns (6.18)", "off"),
                lost);
    }

    @Test
    void versionIsTheDaemonsLineAndMetricsTheirText() {
        assertEquals(
                "nestletd   1.2 (protocol 1)\n",
                new VersionOperation().text(new VersionOperation.Result("1.2", 1)));
        assertEquals(
                "a 1.0\n",
                new MetricsOperation()
                        .text(new MetricsOperation.Result("prometheus-text-0.0.4", "a 1.0\n")));
    }

    private static PsOperation.Row row(
            String id, int pid, String pod, String sandboxId, boolean sandbox) {
        return new PsOperation.Row(
                id,
                pid,
                "runc",
                Stage.RUNNING,
                true,
                "2026-11-28T14:04:28Z",
                400000,
                "/b/" + id,
                pod,
                sandboxId,
                sandbox);
    }
}
