package dev.nestlet.doctor;

/** How a check came out; only {@link #FAIL} makes {@code nestletctl doctor} exit non-zero. */
public enum Status {
    OK("ok"),
    WARN("warn"),
    FAIL("FAIL");

    private final String word;

    Status(String word) {
        this.word = word;
    }

    /** As printed, in text and JSON. */
    public String word() {
        return word;
    }
}
