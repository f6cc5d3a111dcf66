package dev.nestlet.lsm;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Predicate;

/**
 * The host's SELinux as selinuxfs tells it: whether it is there, its mode, and whether the loaded
 * policy takes a security context. No libselinux and no policy tools: the kernel's answers are the
 * ones that count when the runtime sets a label.
 */
public final class Selinux {
    /** What a container engine in a container runs as (container-selinux). */
    public static final String ENGINE_TYPE = "container_engine_t";

    private final Path fs;
    private final Predicate<String> accepts;

    /**
     * @param fs where selinuxfs is mounted
     * @param accepts whether the loaded policy takes a context
     */
    public Selinux(Path fs, Predicate<String> accepts) {
        this.fs = fs;
        this.accepts = accepts;
    }

    /** The host's, at /sys/fs/selinux. */
    public static Selinux host() {
        Path fs = Path.of("/sys/fs/selinux");
        return new Selinux(fs, context -> kernelAccepts(fs, context));
    }

    /**
     * The kernel's own validity check, the one libselinux's security_check_context makes: writing a
     * context to selinuxfs's {@code context} file fails (EINVAL) when the policy has no such user,
     * role, type or level, or does not let them go together.
     */
    static boolean kernelAccepts(Path fs, String context) {
        try (FileChannel c = FileChannel.open(fs.resolve("context"), StandardOpenOption.WRITE)) {
            c.write(ByteBuffer.wrap(context.getBytes(StandardCharsets.UTF_8)));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether SELinux is enabled (selinuxfs mounted with its enforce file). */
    public boolean present() {
        return Files.exists(fs.resolve("enforce"));
    }

    /** Enforcing, rather than permissive; only meaningful when {@link #present}. */
    public boolean enforcing() throws IOException {
        return Files.readString(fs.resolve("enforce")).trim().equals("1");
    }

    /** Whether the policy takes {@code context} as a label. */
    public boolean accepts(String context) {
        return accepts.test(context);
    }

    /**
     * Whether the policy has process type {@code type}: checked as {@code system_u:system_r:TYPE},
     * with level s0 where the policy is MLS/MCS (selinuxfs's {@code mls} says 1), which is how the
     * engines label containers.
     */
    public boolean hasProcessType(String type) throws IOException {
        Path mls = fs.resolve("mls");
        boolean levels = Files.exists(mls) && Files.readString(mls).trim().equals("1");
        return accepts("system_u:system_r:" + type + (levels ? ":s0" : ""));
    }
}
