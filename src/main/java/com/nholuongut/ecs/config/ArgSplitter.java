package com.nholuongut.ecs.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a User Data argument string the way a POSIX shell would split words, without running one:
 * quotes group, backslash escapes, and {@code $(...)} or {@code ;} stay literal text.
 */
public final class ArgSplitter {

    private ArgSplitter() {
    }

    /**
     * Splits {@code text} into words.
     *
     * @throws IllegalArgumentException on an unterminated quote or a trailing backslash
     */
    public static List<String> split(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
                i++;
            } else if (c == '\'') {
                int end = text.indexOf('\'', i + 1);
                if (end < 0) {
                    throw new IllegalArgumentException("unterminated single quote");
                }
                word.append(text, i + 1, end);
                inWord = true;
                i = end + 1;
            } else if (c == '"') {
                i = readDoubleQuoted(text, i + 1, word);
                inWord = true;
            } else if (c == '\\') {
                if (i + 1 >= text.length()) {
                    throw new IllegalArgumentException("trailing backslash");
                }
                word.append(text.charAt(i + 1));
                inWord = true;
                i += 2;
            } else {
                word.append(c);
                inWord = true;
                i++;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return List.copyOf(words);
    }

    private static int readDoubleQuoted(String text, int start, StringBuilder word) {
        int i = start;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '"') {
                return i + 1;
            }
            // Inside double quotes a backslash only escapes the characters a shell treats specially there.
            if (c == '\\' && i + 1 < text.length() && "\"\\$`".indexOf(text.charAt(i + 1)) >= 0) {
                word.append(text.charAt(i + 1));
                i += 2;
            } else {
                word.append(c);
                i++;
            }
        }
        throw new IllegalArgumentException("unterminated double quote");
    }
}
