package dev.nestlet.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class DaemonOptionsTest {
    private static DaemonOptions parse(String... args) throws OptionException {
        return DaemonOptions.parse(List.of(args));
    }

    private static String refused(String... args) {
        return assertThrows(OptionException.class, () -> parse(args)).getMessage();
    }

    @Test
    void defaultsWhenNothingIsGiven() throws Exception {
        DaemonOptions o = parse();
        assertEquals(Path.of("/var/lib/nestlet"), o.path("state-dir"));
        assertEquals(4, o.integer("workers"));
        assertEquals(120, o.number("request-timeout"));
        assertFalse(o.flag("keep-data-dirs"));
        assertTrue(o.optionalInteger("group").isEmpty());
        assertNull(o.text("id-pool"));
        assertNull(o.path("config"));
        assertEquals(List.of(), o.sysctlRaises());
        DaemonConfig c = Nestletd.config(o);
        assertFalse(c.shiftByCopy());
        assertEquals(120_000, c.requestTimeoutMs());
    }

    @Test
    void bothSpellingsTheLaterWinsAndFlagsTakeAValueOrNone() throws Exception {
        DaemonOptions o =
                parse(
                        "--workers",
                        "2",
                        "--workers=6",
                        "--keep-data-dirs",
                        "--group-may-mutate=false",
                        "--group",
                        "997",
                        "--shift=copy");
        assertEquals(6, o.integer("workers"));
        assertTrue(o.flag("keep-data-dirs"));
        assertFalse(o.flag("group-may-mutate"));
        assertEquals(997, o.optionalInteger("group").getAsInt());
        assertTrue(Nestletd.config(o).shiftByCopy());
    }

    @Test
    void mistakesAreNamed() {
        assertEquals("Unknown option: '--colour=blue'", refused("--colour=blue"));
        assertEquals("Unmatched argument: 'serve'", refused("serve"));
        assertEquals(
                "Missing required parameter for option '--socket' (PATH)", refused("--socket"));
        assertEquals(
                "Invalid value for option '--workers': 'many' is not an int",
                refused("--workers", "many"));
        assertEquals(
                "Invalid value for option '--keep-data-dirs': 'yes' is not a boolean",
                refused("--keep-data-dirs=yes"));
        assertEquals("--shift must be idmap or copy", refused("--shift", "sideways"));
        assertEquals("--id-pool must be UID:GID:COUNT, not 1:2", refused("--id-pool", "1:2"));
    }

    @Test
    void metricsEndpointIsOffUnlessGivenAndABadAddressStopsNestletd() throws Exception {
        assertNull(Nestletd.config(parse()).metricsListen());
        assertNull(Nestletd.config(parse("--metrics-listen=")).metricsListen());
        DaemonConfig c = Nestletd.config(parse("--metrics-listen", "127.0.0.1:9464"));
        assertEquals(9464, c.metricsListen().port());
        assertTrue(c.metricsListen().loopback());
        assertEquals(
                "--metrics-listen '127.0.0.1' is not HOST:PORT: no port",
                refused("--metrics-listen=127.0.0.1"));
        assertEquals("metrics-listen has no value", DaemonOptions.check("metrics-listen", ""));
    }

    @Test
    void numbersArePositiveAndPoolsHoldNoHostRoot() {
        assertEquals(
                "Invalid value for option '--range-size': '0' is not a positive number",
                refused("--range-size", "0"));
        assertEquals(
                "Invalid value for option '--workers': '-1' is not a positive number",
                refused("--workers=-1"));
        assertTrue(refused("--id-pool", "0:0:65536").contains("host uid or gid 0"));
    }

    @Test
    void helpAndVersion() throws Exception {
        assertTrue(parse("--help").help());
        assertTrue(parse("-V").version());
        String usage = DaemonOptions.usage();
        for (String option : ConfigFile.options()) {
            assertTrue(usage.contains("--" + option), option);
        }
        assertTrue(usage.contains("--state-dir=PATH"), usage);
        assertTrue(usage.contains("(default: /var/lib/nestlet)"), usage);
    }
}
