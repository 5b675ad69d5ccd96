package com.nholuongut.ecs.discovery;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Comparator;
import java.util.regex.Pattern;

/**
 * IP address literals: validation without DNS and the numeric order peers are printed in.
 */
public final class Addresses {

    private static final Pattern IPV4 =
            Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+");

    /** Orders IPv4 before IPv6, each by numeric value (so 10.0.0.9 sorts before 10.0.0.10). */
    public static final Comparator<String> NUMERIC = Comparator.comparing(Addresses::sortKey);

    private Addresses() {
    }

    /** True for an IPv4 dotted quad or an IPv6 literal; never resolves a name. */
    public static boolean isLiteral(String text) {
        if (text == null || text.isEmpty()) {
            return false;
        }
        if (IPV4.matcher(text).matches()) {
            return true;
        }
        // Only strings made of hex digits, colons and dots get near InetAddress, and they hold a colon,
        // which makes the JDK parse them as IPv6 literals instead of looking them up in DNS.
        if (text.indexOf(':') < 0 || !IPV6_CHARS.matcher(text).matches()) {
            return false;
        }
        try {
            // An IPv4-mapped literal (::ffff:10.0.0.1) comes back as an Inet4Address: still a literal.
            InetAddress parsed = InetAddress.getByName(text);
            return parsed instanceof Inet6Address || parsed instanceof Inet4Address;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static String sortKey(String address) {
        try {
            if (IPV4.matcher(address).matches()) {
                return "4" + hex(InetAddress.getByName(address).getAddress());
            }
            if (isLiteral(address)) {
                return "6" + hex(InetAddress.getByName(address).getAddress());
            }
        } catch (UnknownHostException e) {
            // not reached for literals; fall through to text order
        }
        return "9" + address;
    }

    private static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length * 2);
        for (byte b : bytes) {
            sb.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return sb.toString();
    }
}
