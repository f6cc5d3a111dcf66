package dev.nestlet.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * The user's own case, run by the Docker-in-Docker tests inside a system container against its
 * inner dockerd (never on the host: its name matches neither surefire's nor failsafe's patterns).
 * Ryuk is off and the busybox image was imported from a tar: nothing is pulled.
 */
class InnerTestcontainersCheck {
    @Test
    void startsAContainerRunsACommandAndReadsItsOutput() throws Exception {
        try (GenericContainer<?> c =
                new GenericContainer<>(DockerImageName.parse("busybox:latest"))
                        .withCommand("sh", "-c", "echo started-by-testcontainers; sleep 300")
                        .waitingFor(Wait.forLogMessage(".*started-by-testcontainers.*", 1))) {
            c.start();
            ExecResult r = c.execInContainer("sh", "-c", "echo exec-says-$((6*7))");
            assertEquals(0, r.getExitCode(), r.getStderr());
            assertEquals("exec-says-42", r.getStdout().trim());
            assertTrue(c.getLogs().contains("started-by-testcontainers"));
        }
    }
}
