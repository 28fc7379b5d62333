package dev.tally.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.OptionalInt;

import org.junit.jupiter.api.Test;

/** Slots as Redis computes them, and the slot a redirect names (a live subscription follows it). */
class SlotOwnersTest {

    @Test
    void aKeyAndItsShardChannelShareTheSlotOfTheirHashTag() {
        assertEquals(12182, SlotOwners.slotOf("foo"), "CLUSTER KEYSLOT foo, from the Redis documentation");
        assertEquals(SlotOwners.slotOf("c:page.views"), SlotOwners.slotOf("tally:{c:page.views}:changes"));
        assertEquals(SlotOwners.slotOf("tally:{c:page.views}:value"), SlotOwners.slotOf("tally:{c:page.views}:changes"));
    }

    @Test
    void aRedirectNamesItsSlotAndNoOtherErrorDoes() {
        assertEquals(OptionalInt.of(3999), SlotOwners.redirectedSlot("MOVED 3999 127.0.0.1:6381"));
        assertEquals(OptionalInt.of(12), SlotOwners.redirectedSlot("ASK 12 10.0.0.7:7000"));
        assertEquals(OptionalInt.empty(), SlotOwners.redirectedSlot("CLUSTERDOWN The cluster is down"));
        assertEquals(OptionalInt.empty(), SlotOwners.redirectedSlot("NOPERM this user has no permissions"));
    }
}
