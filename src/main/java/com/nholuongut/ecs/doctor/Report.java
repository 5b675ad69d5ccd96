package com.nholuongut.ecs.doctor;

import com.nholuongut.ecs.doctor.Check.Status;
import java.util.ArrayList;
import java.util.List;

/** The checks so far, in order: what each check class adds its lines to. */
final class Report {

    private final List<Check> checks = new ArrayList<>();

    void pass(String name, String detail) {
        add(new Check(name, Status.PASS, detail));
    }

    void fail(String name, String detail) {
        add(new Check(name, Status.FAIL, detail));
    }

    void warn(String name, String detail) {
        add(new Check(name, Status.WARN, detail));
    }

    void skip(String name, String detail) {
        add(new Check(name, Status.SKIP, detail));
    }

    void add(Check check) {
        checks.add(check);
    }

    List<Check> checks() {
        return List.copyOf(checks);
    }
}
