package dev.nestlet.shift;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import dev.nestlet.idmap.IdRange;
import dev.nestlet.sys.Fd;
import dev.nestlet.sys.FileCalls;

/**
 * User namespaces that carry a container's mapping before the container
 * exists, for MOUNT_ATTR_IDMAP. A multithreaded JVM cannot unshare a user
 * namespace itself, so a tiny helper (nestlet-userns) does and waits; nestletd
 * writes its uid_map and gid_map, keeps an fd of the namespace and lets the
 * helper exit. The fd keeps the namespace alive as long as it is open.
 */
public final class UserNamespaces {
    private final Path helper;

    public UserNamespaces(Path helper) {
        this.helper = helper;
    }

    /** A user namespace mapping 0..size-1 onto the range. */
    public Fd withMapping(IdRange range) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(helper.toString()).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            if (!"ready".equals(line)) {
                throw new IOException(helper + " did not make a user namespace: " + line);
            }
            Path proc = Path.of("/proc/" + p.pid());
            Files.writeString(proc.resolve("uid_map"), "0 " + range.uidBase() + " " + range.size() + "\n");
            Files.writeString(proc.resolve("gid_map"), "0 " + range.gidBase() + " " + range.size() + "\n");
            return FileCalls.open(proc.resolve("ns/user").toString(), FileCalls.O_RDONLY, 0);
        } finally {
            p.getOutputStream().close();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }
}
