package dev.nestlet.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ProcParsersTest {
    @Test
    void statWithSpacesAndParensInTheCommand() {
        String line =
                "4242 (we ird) (x) S 17 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10 "
                        + "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";
        ProcStat s = ProcStat.parse(4242, line);
        assertEquals(17, s.ppid());
        assertEquals(987654L, s.startTime());
    }

    @Test
    void ownStatIsReadable() {
        ProcStat s = ProcStat.of((int) ProcessHandle.current().pid()).orElseThrow();
        assertTrue(s.startTime() > 0);
        assertFalse(ProcStat.of(Integer.MAX_VALUE).isPresent());
    }

    @Test
    void idMappings() {
        List<IdMapping> m =
                IdMapping.parse(
                        "         0     200000      65536\n     65536    1000000         10\n");
        assertEquals(200000, IdMapping.toHost(m, 0));
        assertEquals(265535, IdMapping.toHost(m, 65535));
        assertEquals(1000009, IdMapping.toHost(m, 65545));
        assertEquals(-1, IdMapping.toHost(m, 65546));
        assertEquals(0, IdMapping.toHost(IdMapping.parse("0 0 4294967295"), 0));
    }

    @Test
    void mountInfoWithOptionalFieldsAndEscapes() {
        String text =
                "36 35 98:0 /mnt1 /mnt/with\\040space rw,noatime master:1 shared:2 - ext3 /dev/root rw,errors=continue\n"
                        + "37 35 0:5 / /proc rw - proc proc rw\n";
        List<MountInfo> m = MountInfo.parse(text);
        assertEquals(2, m.size());
        assertEquals("/mnt/with space", m.get(0).mountPoint());
        assertEquals("ext3", m.get(0).fsType());
        assertEquals("/dev/root", m.get(0).source());
        assertEquals("rw,errors=continue", m.get(0).superOptions());
        assertEquals("proc", m.get(1).fsType());
        assertTrue(m.get(0).isAtOrBelow("/mnt"));
        assertFalse(m.get(0).isAtOrBelow("/mn"));
    }
}
