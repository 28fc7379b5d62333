package dev.tally.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import org.junit.jupiter.api.Test;

/** A script's "CODE detail" error reply becomes a typed refusal; anything else passes unchanged. */
class ScriptRefusalTest {

    @Test
    void theCodeNamesTheRefusalAndTheRestIsItsDetail() {
        assertEquals(Optional.of(new ScriptRefusal("MISMATCH", "5")),
                ScriptRefusal.of(new RedisReplyException("MISMATCH 5"), "MISMATCH"));
        assertEquals("100 jobs outstanding",
                ScriptRefusal.of(new RedisReplyException("FULL 100 jobs outstanding"), "FULL").orElseThrow().detail());
    }

    @Test
    void otherCodesAndOtherFailuresAreNotThatRefusal() {
        assertTrue(ScriptRefusal.of(new RedisReplyException("LIMITED 3"), "LIMIT").isEmpty());
        assertTrue(ScriptRefusal.of(new RedisReplyException("ERR increment would overflow"), "MISMATCH").isEmpty());
        assertTrue(ScriptRefusal.of(new RedisUnavailableException("down", null), "LIMIT").isEmpty());
    }

    @Test
    void becomesTurnsOnlyItsRefusalIntoTheFeaturesException() {
        var limit = ScriptRefusal.becomes("LIMIT", refusal -> new IllegalStateException("at most " + refusal.detail()));
        assertEquals("at most 12", limit.apply(new RedisReplyException("LIMIT 12")).getMessage());
        RedisReplyException other = new RedisReplyException("NOGROUP no such group");
        assertSame(other, limit.apply(other));
    }
}
