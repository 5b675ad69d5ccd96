package com.nholuongut.ecs.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The list of every key is complete and cannot be changed. */
class ConfigKeyTest {

    @Test
    void all_holdsEveryKeyDefined_once() throws IllegalAccessException {
        List<Object> defined = new ArrayList<>();
        for (Field f : ConfigKey.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == ConfigKey.class) {
                defined.add(f.get(null));
            }
        }

        assertThat(defined).isNotEmpty();
        assertThat(ConfigKey.all()).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(
                defined.stream().map(k -> (ConfigKey<?>) k).toList());
    }

    @Test
    void all_cannotBeChanged() {
        assertThatThrownBy(() -> ConfigKey.all().add(ConfigKey.PEERS))
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
