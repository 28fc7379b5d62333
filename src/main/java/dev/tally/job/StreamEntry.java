package dev.tally.job;

import java.util.ArrayList;
import java.util.List;

import io.vertx.mutiny.redis.client.Response;

/** One delivery from the job stream: the entry's id and the job it points at. */
record StreamEntry(String entryId, String jobId, String type) {

    /** Entries of an {@code XREADGROUP} reply for one stream (RESP2 array or RESP3 map), empty on a timeout. */
    static List<StreamEntry> fromRead(Response reply) {
        if (reply == null || reply.size() == 0) {
            return List.of();
        }
        Response entries = reply.getDelegate().isMap() ? reply.get(reply.getKeys().iterator().next())
                : reply.get(0).get(1);
        return parse(entries);
    }

    /** Entries of an {@code XAUTOCLAIM} reply; entries deleted meanwhile come back as nil and are skipped. */
    static List<StreamEntry> fromAutoClaim(Response reply) {
        return parse(reply.get(1));
    }

    private static List<StreamEntry> parse(Response entries) {
        List<StreamEntry> parsed = new ArrayList<>();
        if (entries == null) {
            return parsed;
        }
        for (Response entry : entries) {
            if (entry == null || entry.get(1) == null) {
                continue;
            }
            String jobId = null;
            String type = null;
            Response fields = entry.get(1);
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                switch (fields.get(i).toString()) {
                    case "id" -> jobId = fields.get(i + 1).toString();
                    case "type" -> type = fields.get(i + 1).toString();
                    default -> {
                    }
                }
            }
            parsed.add(new StreamEntry(entry.get(0).toString(), jobId, type));
        }
        return parsed;
    }
}
