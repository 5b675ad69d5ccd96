package com.nholuongut.ecs.cli;

import com.nholuongut.ecs.Json;
import com.nholuongut.ecs.discovery.Discovery;
import com.nholuongut.ecs.discovery.GroupSource;
import com.nholuongut.ecs.discovery.Peer;
import com.nholuongut.ecs.doctor.Check;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The JSON documents of {@code discover -o json} (SPEC.md) and {@code doctor -o json}. */
final class JsonOutput {

    private JsonOutput() {
    }

    /** @param scopeApps the Scope app members' addresses (none when Scope runs no app: cloud mode, disabled) */
    static String discovery(Discovery d, List<String> scopeApps) {
        Map<String, Object> self = new LinkedHashMap<>();
        self.put("instanceId", d.self().instanceId());
        self.put("address", d.self().address());
        self.put("region", d.self().region());
        GroupSource s = d.source();
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("kind", s.kind().word());
        switch (s.kind()) {
            case TAG -> {
                source.put("tag", s.key());
                source.put("value", s.value());
            }
            case ASG -> source.put("name", s.name());
            case STATIC -> { }
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("self", self);
        json.put("source", source);
        json.put("peers", d.peers().stream().map(JsonOutput::peer).toList());
        json.put("scopeApps", scopeApps);
        return Json.write(json);
    }

    private static Map<String, Object> peer(Peer p) {
        Map<String, Object> peer = new LinkedHashMap<>();
        peer.put("instanceId", p.instanceId());
        peer.put("address", p.address());
        peer.put("state", p.state());
        return peer;
    }

    static String doctor(List<Check> checks, boolean passed) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("passed", passed);
        json.put("checks", checks.stream().map(c -> {
            Map<String, Object> check = new LinkedHashMap<>();
            check.put("name", c.name());
            check.put("status", c.status().name().toLowerCase(Locale.ROOT));
            check.put("detail", c.detail());
            return check;
        }).toList());
        return Json.write(json);
    }
}
