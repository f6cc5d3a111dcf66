package dev.nestlet.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ListenAddressTest {
    private static String refused(String text) {
        return assertThrows(IllegalArgumentException.class, () -> ListenAddress.parse(text))
                .getMessage();
    }

    @Test
    void loopbackInEverySpelling() {
        for (String s : new String[] {"127.0.0.1:9464", "localhost:9464", "[::1]:9464"}) {
            ListenAddress a = ListenAddress.parse(s);
            assertTrue(a.loopback(), s);
            assertEquals(9464, a.port(), s);
            assertEquals(s, a.text());
        }
    }

    @Test
    void otherAddressesAreTakenButAreNotLoopback() {
        assertFalse(ListenAddress.parse("0.0.0.0:9464").loopback());
        assertFalse(ListenAddress.parse("[::]:9464").loopback());
        assertFalse(ListenAddress.parse("192.0.2.7:80").loopback());
    }

    @Test
    void mistakesAreNamed() {
        assertEquals("--metrics-listen '9464' is not HOST:PORT: no port", refused("9464"));
        assertEquals(
                "--metrics-listen ':9464' is not HOST:PORT: no host (127.0.0.1 for loopback,"
                        + " 0.0.0.0 for every address)",
                refused(":9464"));
        assertEquals(
                "--metrics-listen '127.0.0.1:http' is not HOST:PORT: port 'http' is not a number",
                refused("127.0.0.1:http"));
        assertEquals(
                "--metrics-listen '127.0.0.1:0' is not HOST:PORT: port 0 is not between 1 and"
                        + " 65535",
                refused("127.0.0.1:0"));
        assertEquals(
                "--metrics-listen '127.0.0.1:65536' is not HOST:PORT: port 65536 is not between 1"
                        + " and 65535",
                refused("127.0.0.1:65536"));
        assertEquals(
                "--metrics-listen '::1:9464' is not HOST:PORT: an IPv6 address is written"
                        + " [ADDRESS]:PORT",
                refused("::1:9464"));
        assertEquals(
                "--metrics-listen '[::1]9464' is not HOST:PORT: an IPv6 address is written"
                        + " [ADDRESS]:PORT",
                refused("[::1]9464"));
        assertEquals(
                "--metrics-listen 'no-such-host.invalid:9464' is not HOST:PORT: unknown host"
                        + " 'no-such-host.invalid'",
                refused("no-such-host.invalid:9464"));
    }
}
