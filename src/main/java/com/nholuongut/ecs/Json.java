package com.nholuongut.ecs;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.PrettyPrinter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The agent's JSON, through jackson-jr: documents are maps and lists, written with every string escaped
 * (tag values and names are anyone's text) and read without trusting their shape.
 */
public final class Json {

    /**
     * One line, a space after each colon and comma ({@code {"kind": "tag", "peers": ["10.0.0.2"]}}): what
     * scripts have been grepping, {@code grep '"kind": "asg"'}, keeps working.
     */
    private static final JSON ONE_LINE = JSON.std.with(JSON.Feature.WRITE_NULL_PROPERTIES).with(oneLine());

    private Json() {
    }

    /** {@code value} (maps, lists, strings, numbers, booleans, null) as JSON text, on one line. */
    public static String write(Object value) {
        try {
            return ONE_LINE.asString(value);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
        }
    }

    /** @throws IllegalArgumentException when {@code text} is not a JSON object */
    public static Map<String, Object> object(String text) {
        Object value;
        try {
            value = JSON.std.anyFrom(text);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not JSON: " + firstLine(e.getMessage()), e);
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("not a JSON object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> object = (Map<String, Object>) map;
        return object;
    }

    /** The field as a string, or null when absent or not a string. */
    public static String string(Map<String, Object> object, String field) {
        return object.get(field) instanceof String s ? s : null;
    }

    /** The field as an object, or an empty map when absent or not an object. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> objectField(Map<String, Object> object, String field) {
        return object.get(field) instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    /** The field's elements that are objects; none when absent or not an array. */
    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> objects(Map<String, Object> object, String field) {
        if (!(object.get(field) instanceof List<?> list)) {
            return List.of();
        }
        return list.stream().filter(Map.class::isInstance).map(e -> (Map<String, Object>) e).toList();
    }

    private static PrettyPrinter oneLine() {
        return new OneLine();
    }

    /** Jackson's printer without indentation or line breaks, and {@code []}/{@code {}} for empty ones. */
    private static final class OneLine extends DefaultPrettyPrinter {
        OneLine() {
            super(Separators.createDefaultInstance()
                    .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                    .withObjectEntrySpacing(Separators.Spacing.AFTER)
                    .withArrayValueSpacing(Separators.Spacing.AFTER)
                    .withRootSeparator(""));
            indentObjectsWith(new NopIndenter());
            indentArraysWith(new NopIndenter());
        }

        @Override
        public DefaultPrettyPrinter createInstance() {
            return new OneLine();
        }

        @Override
        public void writeEndArray(JsonGenerator g, int values) throws IOException {
            if (values == 0) {
                g.writeRaw(']');
            } else {
                super.writeEndArray(g, values);
            }
        }

        @Override
        public void writeEndObject(JsonGenerator g, int entries) throws IOException {
            if (entries == 0) {
                g.writeRaw('}');
            } else {
                super.writeEndObject(g, entries);
            }
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "no detail";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
