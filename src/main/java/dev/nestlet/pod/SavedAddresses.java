package dev.nestlet.pod;

import dev.nestlet.netlink.Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a pod's interfaces had in the CNI namespace (STATE/pods/ID.addresses), to give it back at
 * release: one `ip -batch` line per address ({@code addr add A/P dev NAME}) and per interface
 * ({@code link set dev NAME up}). The syntax is the one nestletd wrote when it ran `ip`, so the
 * pods it moved then are still moved back.
 */
final class SavedAddresses {
    private SavedAddresses() {}

    /** The file's text for {@code byInterface} (interface name -> its global addresses). */
    static String format(Map<String, List<Address>> byInterface) {
        StringBuilder s = new StringBuilder();
        byInterface.forEach(
                (name, addresses) -> {
                    for (Address a : addresses) {
                        s.append("addr add ")
                                .append(a.cidr())
                                .append(" dev ")
                                .append(name)
                                .append('\n');
                    }
                    s.append("link set dev ").append(name).append(" up\n");
                });
        return s.toString();
    }

    /**
     * Interface name -> its addresses (index 0: the interface is looked up by name where they are
     * added), in the order of {@code lines}.
     */
    static Map<String, List<Address>> parse(List<String> lines) throws UnknownHostException {
        Map<String, List<Address>> out = new LinkedHashMap<>();
        for (String line : lines) {
            String[] w = line.trim().split("\\s+");
            if (w.length == 5 && w[0].equals("addr") && w[1].equals("add") && w[3].equals("dev")) {
                int slash = w[2].indexOf('/');
                if (slash < 0) {
                    throw new IllegalArgumentException("no prefix length in: " + line);
                }
                InetAddress ip = literal(w[2].substring(0, slash));
                out.computeIfAbsent(w[4], n -> new ArrayList<>())
                        .add(
                                new Address(
                                        ip,
                                        Integer.parseInt(w[2].substring(slash + 1)),
                                        Address.SCOPE_GLOBAL,
                                        0));
            } else if (w.length == 5 && w[0].equals("link") && w[4].equals("up")) {
                out.computeIfAbsent(w[3], n -> new ArrayList<>());
            } else if (!line.isBlank()) {
                throw new IllegalArgumentException("not an address line: " + line);
            }
        }
        return out;
    }

    /**
     * An IP literal (dotted IPv4, or IPv6 with its colons: getByName parses both without a lookup);
     * anything else is refused, not looked up as a host name.
     */
    private static InetAddress literal(String ip) throws UnknownHostException {
        if (!ip.matches("\\d{1,3}(\\.\\d{1,3}){3}|[0-9a-fA-F.:]*:[0-9a-fA-F.:]*")) {
            throw new IllegalArgumentException("not an IP address: " + ip);
        }
        return InetAddress.getByName(ip);
    }
}
