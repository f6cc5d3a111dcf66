package dev.nestlet.oci;

import dev.nestlet.error.ErrorCode;
import dev.nestlet.error.NestletException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Opening a bundle named in a request, with the protocol's error codes. */
public final class Bundles {
    private Bundles() {}

    public static BundleConfig open(String bundle) {
        if (bundle == null || bundle.isEmpty() || !bundle.startsWith("/")) {
            throw new NestletException(
                    ErrorCode.NO_BUNDLE, "bundle path '" + bundle + "' is not absolute");
        }
        Path p = Path.of(bundle);
        if (!Files.isDirectory(p)) {
            throw new NestletException(ErrorCode.NO_BUNDLE, "bundle " + bundle + " does not exist");
        }
        try {
            return BundleConfig.read(p);
        } catch (BundleException e) {
            throw new NestletException(ErrorCode.BAD_BUNDLE, e.getMessage());
        }
    }

    public static Path rootfsOf(BundleConfig config) {
        try {
            return config.rootfs();
        } catch (BundleException e) {
            throw new NestletException(ErrorCode.BAD_BUNDLE, e.getMessage());
        }
    }
}
