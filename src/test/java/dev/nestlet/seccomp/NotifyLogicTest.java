package dev.nestlet.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nestlet.proc.MountInfo;
import dev.nestlet.sys.MountCalls;
import dev.nestlet.sys.SeccompCalls;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The pure parts of the agent: flags, protected-mount identity, the runtime's message, call
 * numbers.
 */
class NotifyLogicTest {
    @Test
    void newMountFlagsMapToMountAttributes() {
        assertEquals(
                MountCalls.MOUNT_ATTR_NOSUID
                        | MountCalls.MOUNT_ATTR_NODEV
                        | MountCalls.MOUNT_ATTR_NOEXEC
                        | MountCalls.MOUNT_ATTR_RDONLY,
                MountFlags.attributes(MountCalls.MS_MGC_VAL | 15).getAsLong());
        assertTrue(MountFlags.attributes(16 /* MS_SYNCHRONOUS */).isEmpty());
        assertTrue(MountFlags.isNewMount(MountCalls.MS_NOSUID));
        assertFalse(MountFlags.isNewMount(MountCalls.MS_REMOUNT | MountCalls.MS_BIND));
        assertFalse(MountFlags.isNewMount(MountCalls.MS_PRIVATE | MountCalls.MS_REC));
    }

    @Test
    void mountAttributesReadAsMountinfoOptions() {
        assertEquals("rw,relatime", MountFlags.optionsOf(0));
        assertEquals(
                "ro,nosuid,nodev,noexec,noatime,nodiratime",
                MountFlags.optionsOf(
                        MountCalls.MOUNT_ATTR_RDONLY
                                | MountCalls.MOUNT_ATTR_NOSUID
                                | MountCalls.MOUNT_ATTR_NODEV
                                | MountCalls.MOUNT_ATTR_NOEXEC
                                | MountCalls.MOUNT_ATTR_NOATIME
                                | MountCalls.MOUNT_ATTR_NODIRATIME));
        assertEquals("rw", MountFlags.optionsOf(MountCalls.MOUNT_ATTR_STRICTATIME));
        assertEquals(
                "rw,nodiratime,relatime,idmapped",
                MountFlags.optionsOf(
                        MountCalls.MOUNT_ATTR_NODIRATIME | MountCalls.MOUNT_ATTR_IDMAP));
    }

    @Test
    void protectedMountIsTheFirstAtItsPathAndSurvivesNamespaceCopies() {
        String init =
                """
                30 20 8:1 /state/data/c1/docker /var/lib/docker rw - ext4 /dev/vda1 rw
                25 30 0:50 / /var/lib/docker rw - tmpfs tmpfs rw
                """;
        ProtectedMounts p =
                ProtectedMounts.capture(MountInfo.parse(init), List.of("/var/lib/docker"));
        // mount ids are reused: the tmpfs has the lower id but was mounted later
        List<MountInfo> copy =
                MountInfo.parse(
                        """
                71 60 8:1 /state/data/c1/docker /var/lib/docker rw - ext4 /dev/vda1 rw
                72 71 0:50 / /var/lib/docker rw - tmpfs tmpfs rw
                73 60 8:1 /state/data/c1/docker /elsewhere rw - ext4 /dev/vda1 rw
                """);
        assertTrue(p.covers(copy.get(0)), "nestlet's mount, also in a copied namespace");
        assertFalse(p.covers(copy.get(1)), "the container's own mount on top");
        assertFalse(p.covers(copy.get(2)), "a bind of the same dir elsewhere");
        assertTrue(ProtectedMounts.capture(MountInfo.parse(init), List.of("/nope")).isEmpty());
    }

    @Test
    void runtimeMessageIsParsedAndChecked() {
        String msg =
                "{\"ociVersion\":\"0.2.0\",\"fds\":[\"seccompFd\"],\"pid\":42,\"metadata\":\"\","
                        + "\"state\":{\"id\":\"c1\",\"pid\":40,\"bundle\":\"/b\",\"annotations\":{\"a\":\"}\"}}}";
        byte[] b = msg.getBytes(StandardCharsets.UTF_8);
        assertTrue(ProcessState.isComplete(b, b.length));
        assertFalse(
                ProcessState.isComplete(b, b.length - 1), "a '}' inside a string does not end it");
        ProcessState s = ProcessState.parse(b);
        assertEquals("c1", s.containerId());
        assertEquals(42, s.pid());
        assertEquals(40, s.initPid());
        assertEquals(0, s.fdIndex());
        assertThrows(
                IllegalArgumentException.class,
                () -> ProcessState.parse("{\"fds\":[]}".getBytes(StandardCharsets.UTF_8)));
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        ProcessState.parse(
                                "{\"fds\":[\"seccompFd\"],\"state\":{}}"
                                        .getBytes(StandardCharsets.UTF_8)));
        assertThrows(
                IllegalArgumentException.class,
                () -> ProcessState.parse("[1]".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void callNumbersOfEachAbi() {
        assertEquals(TrappedCall.MOUNT, TrappedCall.of(SeccompCalls.AUDIT_ARCH_X86_64, 165));
        assertEquals(
                TrappedCall.UMOUNT2,
                TrappedCall.of(SeccompCalls.AUDIT_ARCH_X86_64, 166 | 0x40000000));
        assertEquals(TrappedCall.UMOUNT, TrappedCall.of(SeccompCalls.AUDIT_ARCH_I386, 22));
        assertEquals(TrappedCall.MOVE_MOUNT, TrappedCall.of(SeccompCalls.AUDIT_ARCH_I386, 429));
        assertEquals(TrappedCall.OTHER, TrappedCall.of(SeccompCalls.AUDIT_ARCH_X86_64, 0));
        assertEquals(TrappedCall.OTHER, TrappedCall.of(0xc00000b7 /* aarch64 */, 40));
        for (TrappedCall c : TrappedCall.values()) {
            assertEquals(
                    c != TrappedCall.OTHER,
                    c.syscallName() != null && SeccompProfiles.NOTIFIED.contains(c.syscallName()),
                    "the profile notifies exactly the calls the handler knows: " + c);
        }
    }
}
