package dev.nestlet.pod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.nestlet.netlink.Address;
import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SavedAddressesTest {
    @Test
    void readsWhatNestletdWroteWhenItRanIp() throws Exception {
        // STATE/pods/ID.addresses of a pod moved by a nestletd that used `ip -batch`
        Map<String, List<Address>> saved =
                SavedAddresses.parse(
                        List.of(
                                "addr add 10.88.0.7/16 dev eth0",
                                "addr add fd00:88::7/64 dev eth0",
                                "link set dev eth0 up",
                                "link set dev eth1 up",
                                ""));
        assertEquals(List.of("eth0", "eth1"), List.copyOf(saved.keySet()));
        assertEquals(
                List.of(
                        new Address(InetAddress.getByName("10.88.0.7"), 16, 0, 0),
                        new Address(InetAddress.getByName("fd00:88::7"), 64, 0, 0)),
                saved.get("eth0"));
        assertEquals(List.of(), saved.get("eth1"));
    }

    @Test
    void formatThenParseGivesTheSameAddresses() throws Exception {
        Map<String, List<Address>> in = new LinkedHashMap<>();
        in.put("eth0", List.of(new Address(InetAddress.getByName("10.88.0.7"), 16, 0, 3)));
        in.put("net1", List.of());
        String text = SavedAddresses.format(in);
        assertEquals(
                "addr add 10.88.0.7/16 dev eth0\nlink set dev eth0 up\nlink set dev net1 up\n",
                text);
        Map<String, List<Address>> out = SavedAddresses.parse(text.lines().toList());
        assertEquals(in.keySet(), out.keySet());
        assertEquals(in.get("eth0").get(0).cidr(), out.get("eth0").get(0).cidr());
    }

    @Test
    void aHostNameIsNotLookedUp() {
        assertThrows(
                IllegalArgumentException.class,
                () -> SavedAddresses.parse(List.of("addr add example.org/16 dev eth0")));
        assertThrows(
                IllegalArgumentException.class,
                () -> SavedAddresses.parse(List.of("route add default via 10.0.0.1")));
    }
}
