package dev.tally.redis;

import java.util.Map;

/** One stream entry as Redis returns it: its id ({@code <ms>-<seq>}) and its fields by name. */
public record StreamItem(String id, Map<String, String> fields) {

    public String field(String name) {
        return fields.get(name);
    }

    /** When the entry was added: the time part (ms) of its id. */
    public long addedAtMillis() {
        return millisOf(id);
    }

    /** The time part (ms) of a stream entry id such as {@code 1700000000000-3}. */
    public static long millisOf(String entryId) {
        int dash = entryId.indexOf('-');
        return Long.parseLong(dash < 0 ? entryId : entryId.substring(0, dash));
    }
}
