package dev.nestlet.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nestlet.idmap.IdRange;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pool rules: present, one range at least, clear of other entries and the kubelet's ids. */
class SubIdPoolCheckTest {
    private static final long KUBELET_END = 65536L * 111;

    @TempDir Path dir;

    private CheckResult check(String subuid, String subgid) throws Exception {
        return check(subuid, subgid, 65536);
    }

    private CheckResult check(String subuid, String subgid, long rangeSize) throws Exception {
        Files.writeString(dir.resolve("subuid"), subuid);
        Files.writeString(dir.resolve("subgid"), subgid);
        DoctorSettings s =
                new DoctorSettings(
                        dir,
                        dir.resolve("sock"),
                        dir.resolve("subuid"),
                        dir.resolve("subgid"),
                        "nestlet",
                        rangeSize,
                        dir.resolve("fuse"),
                        dir,
                        dir.resolve("nestlet-userns"),
                        Optional.empty());
        // Through Doctor: a check that throws (IdPool refusing an overlap) is reported as FAIL.
        return new Doctor(List.of(new SubIdPoolCheck(s))).run().get(0);
    }

    /**
     * The .deb's postinst picks its pool with packaging/deb/subid-pool, a shell script with its own
     * copy of the kubelet's ranges: on empty subid files it must start where doctor's end.
     */
    @Test
    void theDebsPoolStartsWhereDoctorsKubeletRangesEnd() throws Exception {
        Process p =
                new ProcessBuilder("sh", "packaging/deb/subid-pool")
                        .redirectErrorStream(true)
                        .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        IdRange kubelet = SubIdPoolCheck.KUBELET;
        assertEquals(kubelet.uidBase() + kubelet.size(), Long.parseLong(out.split(" ")[0]), out);
        assertEquals(KUBELET_END, kubelet.uidBase() + kubelet.size());
    }

    @Test
    void aPoolAboveTheKubeletsIdsAndClearOfOthersPasses() throws Exception {
        String f = "alice:100000:65536\nnestlet:" + KUBELET_END + ":131072\n";
        CheckResult r = check(f, f);
        assertEquals(Status.OK, r.status(), r.toString());
        assertTrue(r.detail().startsWith("2 ranges of 65536 from " + KUBELET_END), r.detail());
    }

    @Test
    void aPoolTouchingAnotherEntryWithoutOverlapPasses() throws Exception {
        long other = KUBELET_END + 65536;
        String f = "alice:" + other + ":1000\nnestlet:" + (other + 1000) + ":65536\n";
        assertEquals(Status.OK, check(f, f).status());
    }

    @Test
    void aPoolOverlappingAnotherUsersEntryFailsWithIt() throws Exception {
        long start = KUBELET_END;
        String f = "alice:" + (start + 65535) + ":10\nnestlet:" + start + ":131072\n";
        CheckResult r = check(f, f);
        assertEquals(Status.FAIL, r.status(), r.toString());
        assertTrue(r.detail().contains("belongs to another user"), r.detail());
        assertTrue(r.fix().contains("covering no other line"), r.fix());
    }

    @Test
    void anOverlapInTheGidFileAloneIsFoundToo() throws Exception {
        long start = KUBELET_END;
        String uid = "nestlet:" + start + ":65536\n";
        String gid = "bob:" + start + ":1\n" + uid;
        CheckResult r = check(uid, gid);
        assertEquals(Status.FAIL, r.status(), r.toString());
        assertTrue(r.detail().contains("overlaps"), r.detail());
    }

    @Test
    void aPoolInTheKubeletsRangeFails() throws Exception {
        String f = "nestlet:" + (KUBELET_END - 65536) + ":131072\n";
        CheckResult r = check(f, f);
        assertEquals(Status.FAIL, r.status(), r.toString());
        assertTrue(r.detail().contains("kubelet"), r.detail());
        assertTrue(r.fix().contains("at or above " + KUBELET_END), r.fix());
    }

    @Test
    void theKubeletsRangeStartsAt65536() throws Exception {
        String below = "nestlet:64536:1000\n";
        assertEquals(Status.OK, check(below, below, 1000).status(), "64536..65535 is below");
        String touching = "nestlet:64537:1000\n";
        assertEquals(Status.FAIL, check(touching, touching, 1000).status(), "reaches 65536");
        String small = "nestlet:" + KUBELET_END + ":65535\n";
        assertEquals(Status.FAIL, check(small, small).status(), "smaller than one range");
    }

    @Test
    void noEntryFailsAndSaysWhatToAdd() throws Exception {
        CheckResult r = check("alice:100000:65536\n", "alice:100000:65536\n");
        assertEquals(Status.FAIL, r.status());
        assertTrue(r.detail().contains("no entry of nestlet"), r.detail());
        assertTrue(r.fix().contains("'nestlet:START:COUNT'"), r.fix());
    }
}
