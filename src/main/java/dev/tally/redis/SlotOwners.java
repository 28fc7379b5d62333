package dev.tally.redis;

import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.vertx.mutiny.redis.client.Response;

/**
 * Which master serves each hash slot of a Redis Cluster, as one {@code CLUSTER SLOTS} reply said: ranges of slots,
 * each with its master's {@code host:port}. A snapshot: after a failover or a resharding it is read again.
 */
public final class SlotOwners {

    // "MOVED 3999 127.0.0.1:6381" or "ASK 3999 127.0.0.1:6381": the slot is served elsewhere (for now).
    private static final Pattern REDIRECT = Pattern.compile("^(?:ERR )?(?:MOVED|ASK) (\\d+) ");

    private final String[] owners = new String[HashSlots.COUNT]; // null: no master known for the slot

    private SlotOwners() {
    }

    /** From a {@code CLUSTER SLOTS} reply: entries {@code [first, last, [host, port, id, ...], replicas...]}. */
    static SlotOwners of(Response slots) {
        SlotOwners map = new SlotOwners();
        for (Response range : slots) {
            Response master = range.get(2);
            String host = master.get(0).toString();
            if (host.isEmpty() || "?".equals(host)) {
                continue; // Redis does not know how to reach that master: as if unserved
            }
            Arrays.fill(map.owners, range.get(0).toInteger(), range.get(1).toInteger() + 1,
                    host + ":" + master.get(1).toInteger());
        }
        return map;
    }

    /** The {@code host:port} of the master serving {@code key}'s slot, or empty while none is known. */
    public Optional<String> ownerOf(String key) {
        return Optional.ofNullable(owners[slotOf(key)]);
    }

    /** The slot of a key or a shard channel, as Redis computes it. */
    public static int slotOf(String key) {
        return HashSlots.slot(key);
    }

    /** The slot a {@code MOVED} or {@code ASK} error reply redirects, or empty for any other error. */
    public static OptionalInt redirectedSlot(String error) {
        Matcher redirect = REDIRECT.matcher(error);
        return redirect.find() ? OptionalInt.of(Integer.parseInt(redirect.group(1))) : OptionalInt.empty();
    }
}
