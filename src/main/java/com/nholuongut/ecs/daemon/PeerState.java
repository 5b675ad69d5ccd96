package com.nholuongut.ecs.daemon;

import com.nholuongut.ecs.discovery.Addresses;
import com.nholuongut.ecs.discovery.Discovery;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.protocols.jsoncore.JsonNode;

/**
 * The last good peer list, {@code STATE_DIR/peers.json}: written atomically (temp file, fsync, rename) after
 * each good discovery, read at boot when AWS cannot be reached. A broken file is a warning, never a crash.
 */
public final class PeerState {

    /** What was saved: the peers and the group size they came with. */
    public record Saved(List<String> peers, int members) {
    }

    static final String FILE = "peers.json";
    private static final Logger log = LoggerFactory.getLogger(PeerState.class);

    private final Path file;
    private boolean writeFailed;

    public PeerState(Path stateDir) {
        this.file = stateDir.resolve(FILE);
    }

    public Path file() {
        return file;
    }

    /** The saved list, or empty when there is none or it cannot be used. */
    public Optional<Saved> load() {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            log.warn("cannot read {}: {}; starting without saved peers", file, e.getMessage());
            return Optional.empty();
        }
        try {
            JsonNode json = JsonNode.parser().parse(text);
            List<String> peers = new ArrayList<>();
            for (JsonNode p : json.field("peers").orElseThrow().asArray()) {
                String address = p.asString();
                if (!Addresses.isLiteral(address)) {
                    throw new IllegalArgumentException("not an address: " + address);
                }
                peers.add(address);
            }
            int members = json.field("members").map(m -> Integer.parseInt(m.asNumber())).orElse(peers.size() + 1);
            peers.sort(Addresses.NUMERIC);
            return Optional.of(new Saved(List.copyOf(peers), Math.max(members, peers.size() + 1)));
        } catch (RuntimeException e) {
            log.warn("ignoring corrupt {} ({}); starting without saved peers", file,
                    com.nholuongut.ecs.AgentException.oneLine(String.valueOf(e.getMessage())));
            return Optional.empty();
        }
    }

    /** Saves a good discovery; a failure to write is logged once per streak and otherwise ignored. */
    public void save(Discovery discovery) {
        StringBuilder json = new StringBuilder("{\"version\": 1, \"members\": ").append(discovery.members())
                .append(", \"source\": \"").append(discovery.source().kind().word()).append("\", \"peers\": [");
        List<String> peers = discovery.addresses();
        for (int i = 0; i < peers.size(); i++) {
            json.append(i == 0 ? "\"" : ", \"").append(peers.get(i)).append('"');
        }
        json.append("]}\n");
        try {
            write(json.toString());
            if (writeFailed) {
                log.info("writing {} works again", file);
            }
            writeFailed = false;
        } catch (IOException e) {
            if (!writeFailed) {
                log.warn("cannot write {}: {}; a restart without AWS will not know the last peers", file,
                        e.getMessage());
            }
            writeFailed = true;
        }
    }

    private void write(String text) throws IOException {
        AtomicFile.write(file, text);
    }
}
