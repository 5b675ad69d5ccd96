package com.nholuongut.ecs.cli;

import com.nholuongut.ecs.Json;
import com.nholuongut.ecs.discovery.Discovery;
import com.nholuongut.ecs.discovery.GroupSource;
import com.nholuongut.ecs.discovery.Peer;

/** Writes the {@code discover -o json} object of SPEC.md; every string is escaped (tag values are hostile). */
final class JsonOutput {

    private JsonOutput() {
    }

    static String discovery(Discovery d) {
        StringBuilder sb = new StringBuilder(256);
        sb.append("{\"self\": {\"instanceId\": ").append(Json.str(d.self().instanceId()))
                .append(", \"address\": ").append(Json.str(d.self().address()))
                .append(", \"region\": ").append(Json.str(d.self().region())).append("},\n");
        GroupSource s = d.source();
        sb.append(" \"source\": {\"kind\": ").append(Json.str(s.kind().word()));
        switch (s.kind()) {
            case TAG -> sb.append(", \"tag\": ").append(Json.str(s.key()))
                    .append(", \"value\": ").append(Json.str(s.value()));
            case ASG -> sb.append(", \"name\": ").append(Json.str(s.name()));
            case STATIC -> { }
        }
        sb.append("},\n \"peers\": [");
        String sep = "";
        for (Peer p : d.peers()) {
            sb.append(sep).append("{\"instanceId\": ").append(Json.str(p.instanceId()))
                    .append(", \"address\": ").append(Json.str(p.address()))
                    .append(", \"state\": ").append(Json.str(p.state())).append('}');
            sep = ", ";
        }
        return sb.append("]}").toString();
    }
}
