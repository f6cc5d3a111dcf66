package dev.nestlet.proc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The text of /proc/PID/status, "Name:\tvalue" lines, and the fields nestlet reads from it. */
public record ProcStatus(String text) {

    /** Reads /proc/{@code pidOrSelf}/status ("self" for nestletd). */
    public static ProcStatus of(String pidOrSelf) throws IOException {
        return new ProcStatus(Files.readString(Path.of("/proc/" + pidOrSelf + "/status")));
    }

    public static ProcStatus of(int pid) throws IOException {
        return of(Integer.toString(pid));
    }

    /** The value of the field {@code name}, trimmed; null when the kernel does not show it. */
    public String field(String name) {
        String key = name + ":";
        int at = text.startsWith(key) ? 0 : text.indexOf("\n" + key);
        if (at < 0) {
            return null;
        }
        int start = at == 0 ? key.length() : at + 1 + key.length();
        int end = text.indexOf('\n', start);
        return text.substring(start, end < 0 ? text.length() : end).trim();
    }

    /** The effective capabilities (CapEff), or {@code otherwise}. */
    public long capEff(long otherwise) {
        String v = field("CapEff");
        return v == null ? otherwise : Long.parseUnsignedLong(v, 16);
    }

    /** The thread group (process) id (Tgid), or {@code otherwise}. */
    public int tgid(int otherwise) {
        String v = field("Tgid");
        return v == null ? otherwise : Integer.parseInt(v);
    }

    /**
     * The resident set size in kB (VmRSS), or -1 for a process without memory (a kernel thread).
     */
    public long vmRssKb() {
        String v = field("VmRSS");
        return v == null ? -1 : Long.parseLong(v.replaceAll("[^0-9]", ""));
    }

    /**
     * The supplementary groups (Groups) as " g1 g2 ... ", spaces around each; "" when there are
     * none.
     */
    public String groups() {
        String v = field("Groups");
        return v == null ? "" : " " + v.replaceAll("\\s+", " ") + " ";
    }

    /** The last id of NSpid: the process's id in its innermost pid namespace; 0 when not shown. */
    public int innermostNsPid() {
        String v = field("NSpid");
        return v == null ? 0 : Integer.parseInt(v.substring(v.lastIndexOf('\t') + 1).trim());
    }
}
