package dev.nestlet.engine;

import java.util.Locale;

/** The engines nestlet registers itself with, their default config and how they pick it up. */
public enum Engine {
    CONTAINERD(
            "/etc/containerd/config.toml",
            "containerd reads its config at start: restart it when you choose (systemctl restart containerd); running containers keep running"),
    CRIO(
            "/etc/crio/crio.conf.d/50-nestlet.conf",
            "CRI-O reads its config at start: restart it when you choose (systemctl restart crio)"),
    PODMAN(
            "/etc/containers/containers.conf",
            "podman reads containers.conf at each command: nothing to restart (a podman API service picks it up when restarted: systemctl restart podman)"),
    DOCKER(
            "/etc/docker/daemon.json",
            "dockerd reads runtimes at start or on SIGHUP: reload or restart it when you choose (systemctl reload docker)");

    private final String defaultConfig;
    private final String restart;

    Engine(String defaultConfig, String restart) {
        this.defaultConfig = defaultConfig;
        this.restart = restart;
    }

    /** The name on the command line: containerd, crio, podman, docker. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The node path written when no --config is given. */
    public String defaultConfig() {
        return defaultConfig;
    }

    /** What the operator does for the change to take effect. */
    public String restart() {
        return restart;
    }

    EngineConfig config() {
        return switch (this) {
            case CONTAINERD -> new ContainerdConfig();
            case CRIO -> new CrioConfig();
            case PODMAN -> new PodmanConfig();
            case DOCKER -> new DockerConfig();
        };
    }
}
