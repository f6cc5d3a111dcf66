package dev.nestlet.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
}
