package com.nholuongut.ecs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void write_oneLineWithASpaceAfterColonsAndCommas_nullsKept_hostileTextEscaped() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("kind", "tag");
        json.put("value", "a\"b\\c\n$(reboot)\u2028");
        json.put("id", null);
        json.put("peers", List.of("10.0.0.2", "10.0.0.3"));
        json.put("empty", Arrays.asList());

        String text = Json.write(json);

        assertThat(text).isEqualTo("{\"kind\": \"tag\", \"value\": \"a\\\"b\\\\c\\n$(reboot)\u2028\", \"id\": null,"
                + " \"peers\": [\"10.0.0.2\", \"10.0.0.3\"], \"empty\": []}");
        assertThat(Json.object(text)).isEqualTo(json);
    }

    @Test
    void object_refusesWhatIsNotAJsonObject() {
        assertThatThrownBy(() -> Json.object("[1]")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Json.object("{\"a\": ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("not JSON");
    }
}
