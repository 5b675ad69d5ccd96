package com.nholuongut.ecs.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ArgSplitterTest {

    @Test
    void split_wordsQuotesAndEscapes_likeAShell() {
        assertThat(ArgSplitter.split("  a  'b c'  \"d \\\"e\\\" $f\"  g\\ h  "))
                .containsExactly("a", "b c", "d \"e\" $f", "g h");
    }

    @Test
    void split_shellSyntax_staysLiteral() {
        assertThat(ArgSplitter.split("--x=$(reboot); rm -rf / `id` | cat > /tmp/x"))
                .containsExactly("--x=$(reboot);", "rm", "-rf", "/", "`id`", "|", "cat", ">", "/tmp/x");
    }

    @Test
    void split_emptyQuotes_areAnEmptyWord() {
        assertThat(ArgSplitter.split("--label '' x")).containsExactly("--label", "", "x");
    }

    @Test
    void split_unterminatedQuoteOrTrailingBackslash_isAnError() {
        assertThatThrownBy(() -> ArgSplitter.split("'abc")).hasMessageContaining("single quote");
        assertThatThrownBy(() -> ArgSplitter.split("\"abc")).hasMessageContaining("double quote");
        assertThatThrownBy(() -> ArgSplitter.split("abc\\")).hasMessageContaining("backslash");
    }
}
