package dev.nestlet.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** A unified diff (3 lines of context) of two versions of a file, as --dry-run prints it. */
final class UnifiedDiff {
    private static final int CONTEXT = 3;

    private UnifiedDiff() {}

    /** The diff from {@code before} to {@code after} of node path {@code path}; "" if equal. */
    static String of(String path, Optional<String> before, Optional<String> after) {
        List<String> a = lines(before.orElse(""));
        List<String> b = lines(after.orElse(""));
        // Longest common subsequence by lines: config files are small.
        int[][] lcs = new int[a.size() + 1][b.size() + 1];
        for (int i = a.size() - 1; i >= 0; i--) {
            for (int j = b.size() - 1; j >= 0; j--) {
                lcs[i][j] =
                        a.get(i).equals(b.get(j))
                                ? lcs[i + 1][j + 1] + 1
                                : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        List<String> ops = new ArrayList<>(); // ' ', '-', '+' followed by the line
        int i = 0;
        int j = 0;
        while (i < a.size() || j < b.size()) {
            if (i < a.size() && j < b.size() && a.get(i).equals(b.get(j))) {
                ops.add(" " + a.get(i++));
                j++;
            } else if (j < b.size() && (i == a.size() || lcs[i][j + 1] >= lcs[i + 1][j])) {
                ops.add("+" + b.get(j++));
            } else {
                ops.add("-" + a.get(i++));
            }
        }
        StringBuilder out = new StringBuilder();
        int k = 0;
        int[] line = {1, 1};
        while (k < ops.size()) {
            if (ops.get(k).charAt(0) == ' ') {
                k++;
                line[0]++;
                line[1]++;
                continue;
            }
            int start = Math.max(0, k - CONTEXT);
            int end = k;
            // Extend the hunk while the next change is within twice the context.
            while (end < ops.size()) {
                int next = end;
                while (next < ops.size() && ops.get(next).charAt(0) == ' ') {
                    next++;
                }
                if (next == ops.size() || next - end > 2 * CONTEXT) {
                    end = Math.min(ops.size(), end + CONTEXT);
                    break;
                }
                end = next + 1;
                while (end < ops.size() && ops.get(end).charAt(0) != ' ') {
                    end++;
                }
            }
            int oldStart = line[0] - (k - start);
            int newStart = line[1] - (k - start);
            int oldLen = 0;
            int newLen = 0;
            StringBuilder hunk = new StringBuilder();
            for (int h = start; h < end; h++) {
                String op = ops.get(h);
                char c = op.charAt(0);
                oldLen += c != '+' ? 1 : 0;
                newLen += c != '-' ? 1 : 0;
                hunk.append(op.endsWith("\n") ? op : op + "\n\\ No newline at end of file\n");
            }
            for (int h = k; h < end; h++) {
                char c = ops.get(h).charAt(0);
                line[0] += c != '+' ? 1 : 0;
                line[1] += c != '-' ? 1 : 0;
            }
            out.append("@@ -")
                    .append(range(oldStart, oldLen))
                    .append(" +")
                    .append(range(newStart, newLen))
                    .append(" @@\n")
                    .append(hunk);
            k = end;
        }
        if (out.isEmpty()) {
            return "";
        }
        return "--- "
                + (before.isPresent() ? "a" + path : "/dev/null")
                + "\n+++ "
                + (after.isPresent() ? "b" + path : "/dev/null")
                + "\n"
                + out;
    }

    private static String range(int start, int len) {
        return len == 0 ? (start - 1) + ",0" : len == 1 ? String.valueOf(start) : start + "," + len;
    }

    /** Lines with their newline (the last may lack one). */
    private static List<String> lines(String text) {
        List<String> out = new ArrayList<>(Arrays.asList(text.split("(?<=\n)")));
        if (text.isEmpty()) {
            out.clear();
        }
        return out;
    }
}
