package dev.nestlet.fdstore;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** Picks the fd store for `--fd-store` (auto, systemd, keeper, none). */
public final class FdStores {
    private FdStores() {}

    public static FdStore open(
            String mode, Path stateDir, Path keeperBinary, Map<String, String> env, int pid)
            throws IOException {
        return switch (mode) {
            case "none" -> FdStore.none();
            case "systemd" -> new SystemdFdStore(env, pid);
            case "keeper" -> KeeperFdStore.open(stateDir, keeperBinary);
            case "auto" ->
                    SystemdFdStore.available(env)
                            ? new SystemdFdStore(env, pid)
                            : KeeperFdStore.open(stateDir, keeperBinary);
            default ->
                    throw new IllegalArgumentException(
                            "--fd-store must be auto, systemd, keeper or none");
        };
    }
}
