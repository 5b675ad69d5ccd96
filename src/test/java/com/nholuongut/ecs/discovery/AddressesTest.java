package com.nholuongut.ecs.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AddressesTest {

    @Test
    void isLiteral_acceptsIpv4AndIpv6Only() {
        assertThat(List.of("10.0.0.1", "0.0.0.0", "255.255.255.255", "::1", "fd00::1", "2001:db8::1:2",
                "::ffff:10.0.0.1")).allMatch(Addresses::isLiteral);
        assertThat(List.of("", "10.0.0", "10.0.0.1.2", "256.0.0.1", "01.0.0.1", "localhost", "a.b.c.d",
                "fe80::1%eth0", "[::1]", "1:2:3:4:5:6:7:8:9", "10.0.0.1 ", "::g")).noneMatch(Addresses::isLiteral);
    }

    @Test
    void numeric_sortsByValueNotText() {
        List<String> list = new ArrayList<>(List.of("10.0.0.10", "fd00::1", "9.255.0.1", "10.0.0.9", "10.0.1.0"));
        list.sort(Addresses.NUMERIC);
        assertThat(list).containsExactly("9.255.0.1", "10.0.0.9", "10.0.0.10", "10.0.1.0", "fd00::1");
    }

    @Test
    void filterValue_escapesWildcards() {
        assertThat(Ec2Discovery.filterValue("a*b?c\\d")).isEqualTo("a\\*b\\?c?d");
    }
}
