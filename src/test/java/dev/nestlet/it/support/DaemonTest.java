package dev.nestlet.it.support;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * Base of integration tests that run containers against one nestletd of their own: a per-class test
 * dir and daemon, started before the first test and stopped (then the dir removed) after the last,
 * whatever happened.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class DaemonTest {
    protected TestDir dir;
    protected Daemon daemon;

    /** Names the test dir. */
    protected abstract String name();

    /** Extra nestletd arguments (an id pool...); {@code dir} is the test dir, to write files in. */
    protected String[] daemonArgs(java.nio.file.Path testDir) throws Exception {
        return new String[0];
    }

    @BeforeAll
    void startDaemon() throws Exception {
        Root.require();
        dir = new TestDir(name());
        daemon = new Daemon(dir.path(), daemonArgs(dir.path())).start();
    }

    @AfterAll
    void stopDaemon() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
        if (dir != null) {
            dir.close();
        }
    }
}
