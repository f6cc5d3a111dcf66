package dev.nestlet.engine;

/**
 * Where nestlet is installed on the node, as written into engine configs: {@code
 * PREFIX/lib/nestlet} ({@code make install}: /usr/local; the .deb: /usr).
 */
record Layout(String prefix) {
    static final String DEFAULT_PREFIX = "/usr/local";

    Layout {
        if (!prefix.startsWith("/")
                || !prefix.chars().allMatch(c -> c > ' ' && c < 127 && c != '"' && c != '\\')) {
            throw new IllegalArgumentException(
                    "--prefix must be an absolute path of printable ASCII without quotes: "
                            + prefix);
        }
        prefix =
                prefix.length() > 1 && prefix.endsWith("/")
                        ? prefix.substring(0, prefix.length() - 1)
                        : prefix;
    }

    /** The runtime shim engines run in runc's place. */
    String runtime() {
        return base() + "/lib/nestlet/bin/nestlet-runtime";
    }

    /** The OCI hooks dir {@code make install} fills (nestlet-hook, gated on the annotation). */
    String hooksDir() {
        return base() + "/share/containers/oci/hooks.d";
    }

    private String base() {
        return prefix.equals("/") ? "" : prefix;
    }
}
