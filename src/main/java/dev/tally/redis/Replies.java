package dev.tally.redis;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.vertx.mutiny.redis.client.Response;

/**
 * The one reader of Redis replies whose shape depends on the protocol: a hash or a stream entry's fields come as a
 * map in RESP3 and as a flat name/value array in RESP2 (and always flat from a Lua script, whatever the
 * protocol). Callers read values by name and never count positions. Only generic Redis shapes live here; what a
 * field means is the feature's business.
 */
public final class Replies {

    private Replies() {
    }

    /** A reply's text, or null for nil. */
    public static String text(Response value) {
        return value == null ? null : value.toString();
    }

    /** One field of a map (RESP3) or a flat name/value array (RESP2); null when absent. */
    public static Response field(Response reply, String name) {
        if (reply.isMap()) {
            return reply.get(name);
        }
        for (int i = 0; i + 1 < reply.size(); i += 2) {
            if (name.equals(reply.get(i).toString())) {
                return reply.get(i + 1);
            }
        }
        return null;
    }

    /** Every field as text, by name ({@code HGETALL}, a stream entry's fields); empty for nil. */
    public static Map<String, String> fields(Response reply) {
        if (reply == null) {
            return Map.of();
        }
        Map<String, String> fields = HashMap.newHashMap(reply.isMap() ? reply.size() : reply.size() / 2);
        if (reply.isMap()) {
            for (String name : reply.getKeys()) {
                fields.put(name, text(reply.get(name)));
            }
            return fields;
        }
        for (int i = 0; i + 1 < reply.size(); i += 2) {
            fields.put(reply.get(i).toString(), text(reply.get(i + 1)));
        }
        return fields;
    }

    /**
     * The entries of an {@code XRANGE}/{@code XREVRANGE} reply, or of the entry list inside {@code XAUTOCLAIM}'s.
     * Entries deleted after they were claimed come back as nil (or with nil fields) and are skipped.
     */
    public static List<StreamItem> streamItems(Response entries) {
        if (entries == null) {
            return List.of();
        }
        List<StreamItem> items = new ArrayList<>(entries.size());
        for (Response entry : entries) {
            if (entry != null && entry.get(1) != null) {
                items.add(new StreamItem(entry.get(0).toString(), fields(entry.get(1))));
            }
        }
        return items;
    }

    /**
     * The entries of an {@code XREADGROUP} (or {@code XREAD}) of one stream: a map keyed by the stream in RESP3,
     * an array of {@code [stream, entries]} pairs in RESP2; nil (a block that timed out) is no entry.
     */
    public static List<StreamItem> streamItemsOfOneStream(Response reply) {
        if (reply == null || reply.size() == 0) {
            return List.of();
        }
        return streamItems(reply.isMap() ? reply.get(reply.getKeys().iterator().next()) : reply.get(0).get(1));
    }
}
