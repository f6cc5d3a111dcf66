package dev.nestlet.doctor;

/**
 * One line of doctor's report.
 *
 * @param fix what to do about it; empty when there is nothing to do
 */
public record CheckResult(Status status, String name, String detail, String fix) {
    static CheckResult ok(String name, String detail) {
        return new CheckResult(Status.OK, name, detail, "");
    }

    static CheckResult warn(String name, String detail, String fix) {
        return new CheckResult(Status.WARN, name, detail, fix);
    }

    static CheckResult fail(String name, String detail, String fix) {
        return new CheckResult(Status.FAIL, name, detail, fix);
    }
}
