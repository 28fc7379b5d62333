package dev.tally.live;

/** The one message shape a live socket receives: {@code {"name":"...","value":n}}. */
final class LiveMessage {

    private LiveMessage() {
    }

    /** Names are already validated ({@code [A-Za-z0-9._:-]}): nothing in them needs JSON escaping. */
    static String json(String name, long value) {
        return "{\"name\":\"" + name + "\",\"value\":" + value + "}";
    }
}
