package com.nholuongut.ecs.state;

import com.nholuongut.ecs.AgentException;
import com.nholuongut.ecs.discovery.Addresses;
import com.nholuongut.ecs.discovery.Discovery;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last good peer list, {@code STATE_DIR/peers.json}: written atomically after a good discovery that
 * changed it, read at boot when AWS cannot be reached. A broken file is a warning, never a crash.
 */
public final class PeerState {

    /** What was saved: the peers and the group size they came with. */
    public record Saved(List<String> peers, int members) {
    }

    static final String FILE = "peers.json";
    private static final Logger log = LoggerFactory.getLogger(PeerState.class);

    private final JsonStore store;
    private Map<String, Object> written;
    private boolean writeFailed;

    public PeerState(Path stateDir) {
        this.store = new JsonStore(stateDir.resolve(FILE));
    }

    public Path file() {
        return store.file();
    }

    /** The saved list, or empty when there is none or it cannot be used. */
    public Optional<Saved> load() {
        try {
            Optional<Map<String, Object>> json = store.read();
            if (json.isEmpty()) {
                return Optional.empty();
            }
            if (!(json.get().get("peers") instanceof List<?> list)) {
                throw new IllegalArgumentException("no peers list");
            }
            List<String> peers = new ArrayList<>();
            for (Object p : list) {
                if (!(p instanceof String address) || !Addresses.isLiteral(address)) {
                    throw new IllegalArgumentException("not an address: " + p);
                }
                peers.add(address);
            }
            int members = json.get().get("members") instanceof Number n ? n.intValue() : peers.size() + 1;
            peers.sort(Addresses.NUMERIC);
            return Optional.of(new Saved(List.copyOf(peers), Math.max(members, peers.size() + 1)));
        } catch (IOException e) {
            log.warn("cannot read {}: {}; starting without saved peers", file(), e.getMessage());
        } catch (RuntimeException e) {
            log.warn("ignoring corrupt {} ({}); starting without saved peers", file(),
                    AgentException.oneLine(String.valueOf(e.getMessage())));
        }
        return Optional.empty();
    }

    /**
     * Saves a good discovery when it differs from what this process last wrote (a quiet group costs no disk
     * write); a failure to write is logged once per streak and retried at the next discovery.
     */
    public void save(Discovery discovery) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("version", 1);
        json.put("members", discovery.members());
        json.put("source", discovery.source().kind().word());
        json.put("peers", discovery.addresses());
        if (json.equals(written)) {
            return;
        }
        try {
            store.write(json);
            written = json;
            if (writeFailed) {
                log.info("writing {} works again", file());
            }
            writeFailed = false;
        } catch (IOException e) {
            if (!writeFailed) {
                log.warn("cannot write {}: {}; a restart without AWS will not know the last peers", file(),
                        e.getMessage());
            }
            writeFailed = true;
        }
    }
}
