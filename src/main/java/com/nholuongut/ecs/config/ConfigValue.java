package com.nholuongut.ecs.config;

/**
 * A key's raw value and where it came from: {@code /etc/nholuongut/scope.config line 4}, {@code environment
 * NHOLUONGUT_PEERS}, or a flag such as {@code --peers}; errors name the origin, never a secret value.
 */
public record ConfigValue(String value, String origin) {
}
