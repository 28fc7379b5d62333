package dev.tally.live;

import java.util.HashSet;
import java.util.Set;

import dev.tally.counter.CounterState;

/**
 * One watched counter on this replica: its newest known state and the sockets watching it. Only the change hub's
 * thread touches it. States are taken only when newer (higher version) than the one held, so a late or repeated
 * message can never move a socket back to an older value; sockets therefore see versions in increasing order.
 */
final class Feed {

    private final String name;
    private final Set<LatestValueSender> watchers = new HashSet<>();
    private CounterState latest; // null: unknown (never read, or forgotten when the subscription was lost)

    Feed(String name) {
        this.name = name;
    }

    /** A new socket gets the current value at once when it is known, else when the feed is next brought up to date. */
    void add(LatestValueSender watcher) {
        watchers.add(watcher);
        if (latest != null) {
            watcher.offer(message(latest));
        }
    }

    /** Returns true when no socket watches any more. */
    boolean remove(LatestValueSender watcher) {
        watchers.remove(watcher);
        return watchers.isEmpty();
    }

    void offer(CounterState state) {
        if (state.newerThan(latest)) {
            latest = state;
            String message = message(state);
            watchers.forEach(watcher -> watcher.offer(message));
        }
    }

    /**
     * While the subscription is down changes go unseen, and a Redis that restarted without its data starts
     * versions again from zero: forget what we hold, so the state read after resubscribing is taken whatever its
     * version, and sent to every socket.
     */
    void forget() {
        latest = null;
    }

    boolean known() {
        return latest != null;
    }

    String name() {
        return name;
    }

    private String message(CounterState state) {
        return LiveMessage.json(name, state.value());
    }
}
