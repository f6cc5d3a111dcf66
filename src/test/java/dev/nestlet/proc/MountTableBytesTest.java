package dev.nestlet.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11: a container's mount table with any bytes, or a huge one, never breaks nestletd's
 * parsing.
 */
class MountTableBytesTest {

    @Test
    void nonUtf8MountPointsDoNotBreakTheTable(@TempDir Path dir) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes("22 1 0:21 / / rw - ext4 /dev/sda1 rw\n".getBytes(StandardCharsets.US_ASCII));
        b.writeBytes("23 22 0:22 / /bad".getBytes(StandardCharsets.US_ASCII));
        b.writeBytes(new byte[] {(byte) 0xff, (byte) 0xfe, (byte) 0xc3});
        b.writeBytes(" rw - tmpfs t rw\n".getBytes(StandardCharsets.US_ASCII));
        b.writeBytes(
                "24 22 0:23 / /proc/meminfo ro - fuse.nestlet nestlet rw\n"
                        .getBytes(StandardCharsets.US_ASCII));
        Path file = Files.write(dir.resolve("mountinfo"), b.toByteArray());
        assertThrows(
                java.nio.charset.MalformedInputException.class,
                () -> Files.readString(file),
                "what the strict read did before");
        List<MountInfo> mounts =
                MountInfo.parse(MountInfo.decode(MountInfo.readBounded(file, 1 << 20)));
        assertEquals(3, mounts.size());
        assertEquals("/proc/meminfo", mounts.get(2).mountPoint(), "the other lines are intact");
        assertEquals("tmpfs", mounts.get(1).fsType());
    }

    @Test
    void tablesBeyondTheLimitAreRefused(@TempDir Path dir) throws IOException {
        Path file = Files.write(dir.resolve("big"), new byte[4097]);
        assertThrows(IOException.class, () -> MountInfo.readBounded(file, 4096));
        assertEquals(
                4096,
                MountInfo.readBounded(Files.write(dir.resolve("ok"), new byte[4096]), 4096).length);
    }

    /**
     * Coverage-guided ({@code make fuzz}): a container names its mount points with any bytes but
     * NUL; the kernel escapes space, tab, newline and backslash as octal. The table still parses,
     * its other lines are intact, and the name comes back as {@link MountInfo#decode} makes it.
     */
    @FuzzTest(maxDuration = "2m")
    void anyMountPointNameParsesBack(byte[] name) {
        ByteArrayOutputStream point = new ByteArrayOutputStream();
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        point.write('/');
        raw.write('/');
        for (byte c : name) {
            if (c == 0) {
                continue;
            }
            raw.write(c);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\\') {
                point.writeBytes(String.format("\\%03o", c).getBytes(StandardCharsets.US_ASCII));
            } else {
                point.write(c);
            }
        }
        ByteArrayOutputStream table = new ByteArrayOutputStream();
        table.writeBytes(
                "22 1 0:21 / / rw - ext4 /dev/sda1 rw\n".getBytes(StandardCharsets.US_ASCII));
        table.writeBytes("23 22 0:22 / ".getBytes(StandardCharsets.US_ASCII));
        table.writeBytes(point.toByteArray());
        table.writeBytes(" rw,nosuid - tmpfs t rw\n".getBytes(StandardCharsets.US_ASCII));
        table.writeBytes(
                "24 23 0:23 / /proc/meminfo ro - fuse.nestlet nestlet rw\n"
                        .getBytes(StandardCharsets.US_ASCII));
        List<MountInfo> mounts = MountInfo.parse(MountInfo.decode(table.toByteArray()));
        assertEquals(3, mounts.size(), table.toString(StandardCharsets.UTF_8));
        assertEquals(MountInfo.decode(raw.toByteArray()), mounts.get(1).mountPoint());
        assertEquals("tmpfs", mounts.get(1).fsType());
        assertEquals("/proc/meminfo", mounts.get(2).mountPoint());
        assertEquals(23, mounts.get(2).parent());
    }
}
