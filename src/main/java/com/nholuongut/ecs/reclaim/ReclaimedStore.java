package com.nholuongut.ecs.reclaim;

import com.nholuongut.ecs.AgentException;
import com.nholuongut.ecs.state.JsonStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The peers whose address space this agent took back, {@code STATE_DIR/reclaimed.json}: never twice. */
final class ReclaimedStore {

    static final String FILE = "reclaimed.json";
    private static final Logger log = LoggerFactory.getLogger(ReclaimedStore.class);

    private final JsonStore store;
    /** Peer name to host name. */
    private final Map<String, String> reclaimed = new LinkedHashMap<>();

    ReclaimedStore(Path stateDir) {
        this.store = new JsonStore(stateDir.resolve(FILE));
        try {
            store.read().ifPresent(json -> {
                if (!(json.get("reclaimed") instanceof Map<?, ?> done)) {
                    throw new IllegalArgumentException("no reclaimed object");
                }
                done.forEach((name, host) -> reclaimed.put(String.valueOf(name), host instanceof String s ? s : ""));
            });
        } catch (IOException | RuntimeException e) {
            log.warn("ignoring unreadable {}: {}", store.file(), AgentException.oneLine(String.valueOf(e.getMessage())));
        }
    }

    boolean contains(String peerName) {
        return reclaimed.containsKey(peerName);
    }

    /** Remembers a reclaim; a failure to write only means a restart may run a harmless rmpeer again. */
    void add(String peerName, String host) {
        reclaimed.put(peerName, host);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("version", 1);
        json.put("reclaimed", reclaimed);
        try {
            store.write(json);
        } catch (IOException e) {
            log.warn("cannot write {}: {}; a restart may run rmpeer for {} again (harmless)", store.file(),
                    e.getMessage(), peerName);
        }
    }
}
