package dev.tally.live;

import io.vertx.core.json.JsonObject;

/** The one message shape a live socket receives: {@code {"name":"...","value":n}}, encoded by Jackson. */
final class LiveMessage {

    private LiveMessage() {
    }

    /**
     * Built by the JSON library, not by concatenation: the gate validates names, but a frame must stay JSON even if
     * a name ever reached here unchecked (one did, through a path spelling the gate's own regex missed).
     */
    static String json(String name, long value) {
        return new JsonObject().put("name", name).put("value", value).encode();
    }
}
