package dev.tally.redis;

import static dev.tally.testsupport.FakeReplies.array;
import static dev.tally.testsupport.FakeReplies.bulk;
import static dev.tally.testsupport.FakeReplies.flat;
import static dev.tally.testsupport.FakeReplies.map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** RESP2 and RESP3 shapes of the same reply read the same, by name. */
class RepliesTest {

    @Test
    void aHashReadsTheSameAsAFlatArrayAndAsAMap() {
        Map<String, String> expected = Map.of("status", "queued", "attempts", "0");
        assertEquals(expected, Replies.fields(flat("status", "queued", "attempts", "0")));
        assertEquals(expected, Replies.fields(map("status", "queued", "attempts", "0")));
        assertEquals(Map.of(), Replies.fields(null), "nil: no fields");
    }

    @Test
    void oneFieldIsFoundByNameInEitherShape() {
        assertEquals("7-0", Replies.field(flat("name", "g", "last-delivered-id", "7-0"), "last-delivered-id")
                .toString());
        assertEquals("7-0", Replies.field(map("name", "g", "last-delivered-id", "7-0"), "last-delivered-id")
                .toString());
        assertNull(Replies.field(flat("name", "g"), "missing"));
    }

    @Test
    void streamEntriesSkipThoseDeletedAfterTheyWereClaimed() {
        var entries = array(array(bulk("1700000000000-1"), flat("id", "a", "type", "noop")), null,
                array(bulk("1700000000001-0"), null));
        List<StreamItem> items = Replies.streamItems(entries);
        assertEquals(1, items.size());
        assertEquals("1700000000000-1", items.get(0).id());
        assertEquals("a", items.get(0).field("id"));
        assertEquals(1700000000000L, items.get(0).addedAtMillis());
    }

    @Test
    void aReadOfOneStreamIsAnArrayOfPairsInResp2AndAMapInResp3() {
        var entries = array(array(bulk("5-0"), flat("id", "j", "type", "sleep")));
        List<StreamItem> resp2 = Replies.streamItemsOfOneStream(array(array(bulk("tally:{jobs}:stream"), entries)));
        List<StreamItem> resp3 = Replies.streamItemsOfOneStream(map("tally:{jobs}:stream", entries));
        assertEquals(resp2, resp3);
        assertEquals("j", resp3.get(0).field("id"));
        assertTrue(Replies.streamItemsOfOneStream(null).isEmpty(), "a block that timed out reads nothing");
    }
}
