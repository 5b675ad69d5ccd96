package com.nholuongut.ecs.state;

import com.nholuongut.ecs.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * One JSON document in a file, the agent's only kind of state ({@code peers.json}, {@code reclaimed.json}):
 * read as a map (a missing file is no document), replaced atomically and durably.
 */
public final class JsonStore {

    private final Path file;

    public JsonStore(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    /**
     * The document's top-level object, or empty when the file does not exist.
     *
     * @throws IOException              when the file cannot be read
     * @throws IllegalArgumentException when it does not hold a JSON object
     */
    public Optional<Map<String, Object>> read() throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        return Optional.of(Json.object(text));
    }

    /** Replaces the file with {@code document}: temp file, fsync, rename, fsync of the directory. */
    public void write(Map<String, Object> document) throws IOException {
        AtomicFile.write(file, Json.write(document) + "\n");
    }
}
