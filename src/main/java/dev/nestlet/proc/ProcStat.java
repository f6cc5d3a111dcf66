package dev.nestlet.proc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** The fields of /proc/PID/stat nestlet needs: parent pid and start time (to tell a reused pid). */
public record ProcStat(int pid, int ppid, long startTime) {

    /** Reads /proc/PID/stat; empty when the process does not exist. */
    public static java.util.Optional<ProcStat> of(int pid) {
        try {
            return java.util.Optional.of(
                    parse(pid, Files.readString(Path.of("/proc/" + pid + "/stat"))));
        } catch (NoSuchFileException e) {
            return java.util.Optional.empty();
        } catch (IOException e) {
            // ESRCH while reading: the process exited between open and read.
            return java.util.Optional.empty();
        }
    }

    /**
     * Parses a stat line; the command name may contain spaces and ')' so fields count from the last
     * ')'.
     */
    static ProcStat parse(int pid, String line) {
        String rest = line.substring(line.lastIndexOf(')') + 2);
        String[] f = rest.split(" ");
        // f[0] is field 3 (state): ppid is field 4, starttime field 22.
        return new ProcStat(pid, Integer.parseInt(f[1]), Long.parseLong(f[19]));
    }
}
