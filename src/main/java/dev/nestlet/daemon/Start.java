package dev.nestlet.daemon;

/** How nestletd starts: alone, taking over from the serving one, or as a standby behind it. */
enum Start {
    /** Serves at once; refused while another nestletd serves the state dir. */
    PLAIN(""),
    /** {@code --take-over}: warm beside the serving nestletd, then has it hand over. */
    TAKE_OVER("take-over"),
    /** {@code --standby}: warm beside the serving nestletd, then serves once it exits. */
    STANDBY("standby");

    /** The option that asks for it. */
    final String option;

    Start(String option) {
        this.option = option;
    }
}
