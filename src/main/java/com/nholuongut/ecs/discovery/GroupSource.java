package com.nholuongut.ecs.discovery;

import java.util.Locale;
import java.util.Objects;

/**
 * Where the peer group came from: a tag key and value, an Auto Scaling Group, or the static list.
 *
 * @param kind  tag, asg or static
 * @param key   tag key (tag kind only)
 * @param value tag value (tag kind only)
 * @param name  Auto Scaling Group name (asg kind only)
 */
public record GroupSource(Kind kind, String key, String value, String name) {

    /** The three kinds of SPEC's {@code source.kind}. */
    public enum Kind {
        TAG, ASG, STATIC;

        /** The word used in JSON and logs. */
        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public GroupSource {
        Objects.requireNonNull(kind, "kind");
    }

    public static GroupSource tag(String key, String value) {
        return new GroupSource(Kind.TAG, Objects.requireNonNull(key), Objects.requireNonNull(value), null);
    }

    public static GroupSource asg(String name) {
        return new GroupSource(Kind.ASG, null, null, Objects.requireNonNull(name));
    }

    public static GroupSource staticList() {
        return new GroupSource(Kind.STATIC, null, null, null);
    }

    /** The tag that marks members: the group's own tag, or the one Auto Scaling puts on its instances. */
    String memberTagKey() {
        return kind == Kind.ASG ? Ec2Discovery.ASG_TAG : key;
    }

    String memberTagValue() {
        return kind == Kind.ASG ? name : value;
    }

    /** For logs: {@code tag nholuongut:peerGroupName=foo} or {@code asg my-asg}. */
    public String describe() {
        return switch (kind) {
            case TAG -> "tag " + printable(key) + "=" + printable(value);
            case ASG -> "Auto Scaling Group " + printable(name);
            case STATIC -> "static PEERS";
        };
    }

    /** Tag values and group names are anyone's text: keep log lines one line. */
    private static String printable(String text) {
        return text.replaceAll("\\p{Cntrl}", "?");
    }
}
