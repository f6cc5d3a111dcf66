package dev.nestlet.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pool the package's postinst gives nestlet (packaging/deb/subid-pool): never over another
 * entry of /etc/subuid or /etc/subgid, host ids 0-65535 or the kubelet's default user-namespace
 * ranges (65536 upwards, 65536 per pod, 110 pods), aligned to 65536, the lowest that fits.
 */
class SubidPoolTest {
    private static final long BLOCK = 65536;
    private static final long KUBELET_END = BLOCK * (1 + 110);
    private static final long POOL = 1024 * BLOCK;

    @TempDir Path dir;

    private record Run(int exit, String out, String err) {}

    private Run choose(Map<String, String> env, String subuid, String subgid) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("sh", "packaging/deb/subid-pool"));
        for (String[] f : new String[][] {{"subuid", subuid}, {"subgid", subgid}}) {
            Path p = dir.resolve(f[0]);
            if (f[1] != null) {
                Files.writeString(p, f[1]);
            }
            cmd.add(p.toString()); // an absent file is allowed: no entries
        }
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        pb.redirectError(dir.resolve("err").toFile());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return new Run(p.exitValue(), out, Files.readString(dir.resolve("err")));
    }

    private String choose(String subuid, String subgid) throws Exception {
        Run r = choose(Map.of(), subuid, subgid);
        assertEquals(0, r.exit(), r.err());
        return r.out();
    }

    private static String pool(long start) {
        return start + " " + POOL;
    }

    @Test
    void noFilesGivesTheFirstBlockAboveTheKubeletsRanges() throws Exception {
        assertEquals(pool(KUBELET_END), choose(null, null));
    }

    @Test
    void entriesInsideTheKubeletsRangesChangeNothing() throws Exception {
        // useradd's usual entries: 100000 upwards, inside the kubelet's default ranges
        assertEquals(
                pool(KUBELET_END),
                choose("alice:100000:65536\nbob:165536:65536\n", "alice:100000:65536\n"));
    }

    @Test
    void anEntryOverlappingTheStartPushesThePoolToTheNextBlockAfterIt() throws Exception {
        // ends one id into the block after the kubelet's ranges: the pool starts a block later
        String other = "other:" + (KUBELET_END - 10) + ":11\n";
        assertEquals(pool(KUBELET_END + BLOCK), choose(other, ""));
    }

    @Test
    void anEntryInOnlyOneFileIsAvoidedInBoth() throws Exception {
        String gidOnly = "ci:" + KUBELET_END + ":" + (2 * BLOCK) + "\n";
        assertEquals(pool(KUBELET_END + 2 * BLOCK), choose("", gidOnly));
    }

    @Test
    void aGapTooSmallIsSkippedForTheFirstThatFits() throws Exception {
        // a gap of half the pool between two entries, then free space
        long a = KUBELET_END;
        long b = a + BLOCK + POOL / 2;
        String s = "a:" + a + ":" + BLOCK + "\n" + "b:" + b + ":" + BLOCK + "\n";
        assertEquals(pool(b + BLOCK), choose(s, s));
    }

    @Test
    void anExistingNestletEntryIsAvoidedToo() throws Exception {
        // postinst adds nothing where a nestlet line exists; an entry of any name is taken
        String s = "nestlet:" + KUBELET_END + ":" + POOL + "\n";
        assertEquals(pool(KUBELET_END + POOL), choose(s, s));
    }

    @Test
    void commentsBlankAndMalformedLinesTakeNothingAndUidEntriesCount() throws Exception {
        String s = "# comment\n\nbroken line\nx:y:z\n1000:" + KUBELET_END + ":1\n";
        assertEquals(pool(KUBELET_END + BLOCK), choose(s, ""));
    }

    @Test
    void moreKubeletPodsMoveThePoolUp() throws Exception {
        Run r = choose(Map.of("NESTLET_KUBELET_MAX_PODS", "250"), null, null);
        assertEquals(0, r.exit(), r.err());
        assertEquals(pool(BLOCK * 251), r.out());
    }

    @Test
    void noRoomBelowTheLastIdFailsWithAMessage() throws Exception {
        // the whole id space above the kubelet's ranges is taken
        String s = "big:" + KUBELET_END + ":" + (4294967295L - KUBELET_END) + "\n";
        Run r = choose(Map.of(), s, "");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("no free run of " + POOL + " ids"), r.err());
    }

    @Test
    void aPoolThatWouldCrossTheLastIdIsRefused() throws Exception {
        Run r = choose(Map.of("NESTLET_POOL_RANGES", "65535"), null, null);
        assertEquals(1, r.exit(), r.out());
    }
}
