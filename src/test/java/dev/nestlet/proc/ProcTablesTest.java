package dev.nestlet.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The questions nestlet asks of a mount table and of /proc/PID/status. */
class ProcTablesTest {
    private static final MountTable TABLE =
            MountTable.parse(
                    """
            20 1 0:19 / / rw - ext4 /dev/vda1 rw
            21 20 0:20 / /state rw - tmpfs tmpfs rw
            22 21 0:21 / /state/vfs rw - fuse.nestlet nestlet rw
            23 21 0:22 / /state/mounts/c1 rw - overlay overlay rw,lowerdir=/a
            24 23 0:23 / /state/mounts/c1 rw - tmpfs tmpfs rw
            25 24 0:24 / /state/mounts/c1/dev rw - tmpfs tmpfs rw
            26 20 0:25 / /statefull rw - tmpfs tmpfs rw
            """);

    private static List<Integer> ids(List<MountInfo> mounts) {
        return mounts.stream().map(MountInfo::id).toList();
    }

    @Test
    void mountTableQueries() {
        assertEquals(23, TABLE.byId(23).orElseThrow().id());
        assertFalse(TABLE.byId(99).isPresent());
        assertEquals(
                List.of(24, 23), ids(TABLE.stackAt("/state/mounts/c1")), "the one on top first");
        assertEquals(24, TABLE.topAt("/state/mounts/c1").orElseThrow().id());
        assertFalse(TABLE.topAt("/nowhere").isPresent());
        assertEquals(List.of(21, 22, 23, 24, 25), ids(TABLE.atOrBelow("/state")), "not /statefull");
        assertEquals(List.of(25, 24, 23, 22, 21), ids(TABLE.atOrBelowLastFirst("/state")));
        assertEquals(List.of(22), ids(TABLE.ofType("fuse.nestlet")));
    }

    @Test
    void statusFields() {
        ProcStatus s =
                new ProcStatus(
                        "Name:\tjava\nUmask:\t0022\nTgid:\t4242\nPPid:\t1\nTracerPid:\t0\nNSpid:\t4243\t7\n"
                                + "Groups:\t4 24  27 \nVmRSS:\t  123456 kB\nCapEff:\t000001ffffffffff\n");
        assertEquals("java", s.field("Name"));
        assertNull(s.field("Nope"));
        assertNull(s.field("Pid"), "a field is matched at the start of its line");
        assertEquals(4242, s.tgid(0));
        assertEquals(7, s.innermostNsPid());
        assertEquals(" 4 24 27 ", s.groups());
        assertEquals(123456, s.vmRssKb());
        assertEquals(0x1ffffffffffL, s.capEff(0));
        ProcStatus kernelThread = new ProcStatus("Name:\tkthreadd\nTgid:\t2\n");
        assertEquals(-1, kernelThread.vmRssKb());
        assertEquals("", kernelThread.groups());
        assertEquals(5, kernelThread.capEff(5));
        assertEquals(0, kernelThread.innermostNsPid());
    }

    @Test
    void ownStatusIsReadable() throws Exception {
        ProcStatus s = ProcStatus.of("self");
        assertEquals(ProcessHandle.current().pid(), s.tgid(0));
        assertTrue(s.vmRssKb() > 0);
    }
}
