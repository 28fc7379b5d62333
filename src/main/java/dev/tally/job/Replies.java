package dev.tally.job;

import io.vertx.mutiny.redis.client.Response;

/** Reading Redis replies that are maps in RESP3 and flat name/value arrays in RESP2. */
final class Replies {

    private Replies() {
    }

    static Response field(Response reply, String name) {
        if (reply.getDelegate().isMap()) {
            return reply.get(name);
        }
        for (int i = 0; i + 1 < reply.size(); i += 2) {
            if (name.equals(reply.get(i).toString())) {
                return reply.get(i + 1);
            }
        }
        return null;
    }

    /** The time part (ms) of a stream entry id such as {@code 1700000000000-3}. */
    static long entryMillis(String entryId) {
        int dash = entryId.indexOf('-');
        return Long.parseLong(dash < 0 ? entryId : entryId.substring(0, dash));
    }
}
