package dev.tally.ops;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The cycles of a wait-for graph. A thread waits for at most one lock and a lock it can wait for has at most one
 * owner, so each thread has at most one outgoing edge: following the edges from any thread either ends at a thread
 * that does not wait (no deadlock) or runs into a cycle. Every thread is visited once.
 */
final class WaitCycles {

    private WaitCycles() {
    }

    /** Each cycle as its edges in wait order; threads on no cycle are left out. */
    static List<List<LockWait>> of(Map<Long, LockWait> waitsByWaiter) {
        Map<Long, LockWait> waits = new TreeMap<>(waitsByWaiter); // a stable order, so the same graph reads the same
        Map<Long, Boolean> onPath = new HashMap<>(); // visited threads: true while on the walk in progress
        List<List<LockWait>> cycles = new ArrayList<>();
        for (Long start : waits.keySet()) {
            List<Long> path = new ArrayList<>();
            Long at = start;
            while (at != null && !onPath.containsKey(at)) {
                onPath.put(at, true);
                path.add(at);
                LockWait wait = waits.get(at);
                at = wait == null ? null : wait.owner();
            }
            if (at != null && onPath.get(at)) {
                cycles.add(path.subList(path.indexOf(at), path.size()).stream().map(waits::get).toList());
            }
            path.forEach(id -> onPath.put(id, false));
        }
        return cycles;
    }
}
