package dev.tally.live;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import io.vertx.core.json.JsonObject;

/** A frame is JSON whatever the name holds: quotes, braces and control characters are escaped, not pasted. */
class LiveMessageTest {

    @Test
    void aNameThatIsNotValidStillMakesJson() {
        String hostile = "\"x},\"value\":1,\u0000\n";
        JsonObject message = new JsonObject(LiveMessage.json(hostile, -7));
        assertEquals(hostile, message.getString("name"));
        assertEquals(-7L, message.getLong("value"));
        assertEquals(2, message.size());
    }
}
