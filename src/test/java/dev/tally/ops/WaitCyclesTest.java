package dev.tally.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class WaitCyclesTest {

    private static Map<Long, LockWait> graph(long[][] edges) {
        Map<Long, LockWait> waits = new HashMap<>();
        for (long[] edge : edges) {
            waits.put(edge[0], new LockWait(edge[0], edge[1], "lock@" + edge[1], LockWait.LOCK));
        }
        return waits;
    }

    private static List<List<Long>> waiters(Map<Long, LockWait> waits) {
        return WaitCycles.of(waits).stream().map(cycle -> cycle.stream().map(LockWait::waiter).toList()).toList();
    }

    @Test
    void chainsEndingAtARunningThreadAreNoCycle() {
        // many waiters on one owner, and a chain 5 -> 4 -> 1 -> 9 (9 runs)
        assertEquals(List.of(), waiters(graph(new long[][] { { 1, 9 }, { 2, 9 }, { 3, 9 }, { 4, 1 }, { 5, 4 } })));
    }

    @Test
    void findsEachCycleOnceWithoutTheThreadsThatOnlyWaitForIt() {
        // 1 -> 2 -> 3 -> 1 is a cycle; 4 -> 1 and 5 -> 4 wait for it; 6 <-> 7 is another
        List<List<Long>> cycles = waiters(graph(new long[][] { { 5, 4 }, { 4, 1 }, { 1, 2 }, { 2, 3 }, { 3, 1 },
                { 7, 6 }, { 6, 7 } }));
        assertEquals(List.of(List.of(1L, 2L, 3L), List.of(6L, 7L)), cycles);
    }
}
