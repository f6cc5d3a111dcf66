package dev.nestlet.kernel;

import dev.nestlet.sys.Fd;
import java.io.IOException;

/**
 * The user namespace the ID-mapping probes map through; its owner keeps the fd open (callers must
 * not close it).
 */
@FunctionalInterface
public interface ProbeNamespace {
    Fd userns() throws IOException, InterruptedException;
}
