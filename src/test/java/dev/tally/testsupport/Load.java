package dev.tally.testsupport;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/** Clients looping on one call until stopped; tallies statuses (-1: no HTTP answer). */
public final class Load {

    public interface Call {
        int status();
    }

    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
    private final ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();

    private Load() {
    }

    public static Load start(int clients, Call call) {
        Load load = new Load();
        for (int c = 0; c < clients; c++) {
            load.clients.submit(() -> {
                while (load.running.get()) {
                    int status;
                    try {
                        status = call.status();
                    } catch (RuntimeException noAnswer) {
                        status = -1;
                    }
                    load.statuses.computeIfAbsent(status, s -> new AtomicLong()).incrementAndGet();
                }
            });
        }
        return load;
    }

    public Map<Integer, Long> stop() {
        running.set(false);
        clients.shutdown();
        try {
            if (!clients.awaitTermination(30, TimeUnit.SECONDS)) {
                throw new AssertionError("load clients did not stop");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Map<Integer, Long> counts = new TreeMap<>();
        statuses.forEach((status, count) -> counts.put(status, count.get()));
        return counts;
    }
}
