package dev.nestlet.metrics;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Where the metrics endpoint listens: {@code HOST:PORT} as an operator writes it ({@code
 * 127.0.0.1:9464}, {@code localhost:9464}, {@code [::1]:9464}), resolved once, when nestletd reads
 * its options, so that a typo stops it before anything starts.
 *
 * @param text what the operator wrote, for messages
 */
public record ListenAddress(InetAddress address, int port, String text) {

    /**
     * Reads {@code HOST:PORT}; the message of the exception says what is wrong and what to write.
     */
    public static ListenAddress parse(String text) {
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':') {
                throw bad(text, "an IPv6 address is written [ADDRESS]:PORT");
            }
            host = text.substring(1, close);
            port = text.substring(close + 2);
        } else {
            int colon = text.lastIndexOf(':');
            if (colon < 0) {
                throw bad(text, "no port");
            }
            host = text.substring(0, colon);
            port = text.substring(colon + 1);
            if (host.indexOf(':') >= 0) {
                throw bad(text, "an IPv6 address is written [ADDRESS]:PORT");
            }
        }
        if (host.isEmpty()) {
            // An empty host would mean every address to the JDK: a choice the operator must spell.
            throw bad(text, "no host (127.0.0.1 for loopback, 0.0.0.0 for every address)");
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw bad(text, "port '" + port + "' is not a number");
        }
        if (p < 1 || p > 65535) {
            throw bad(text, "port " + p + " is not between 1 and 65535");
        }
        try {
            return new ListenAddress(InetAddress.getByName(host), p, text);
        } catch (UnknownHostException e) {
            throw bad(text, "unknown host '" + host + "'");
        }
    }

    /** Whether only this machine can reach it. */
    public boolean loopback() {
        return address.isLoopbackAddress();
    }

    private static IllegalArgumentException bad(String text, String why) {
        return new IllegalArgumentException(
                "--metrics-listen '" + text + "' is not HOST:PORT: " + why);
    }
}
