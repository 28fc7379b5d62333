package dev.tally.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/** Retry waits double from the initial backoff and stop growing at the maximum, even for huge attempt counts. */
class BackoffTest {

    private static final Duration INITIAL = Duration.ofSeconds(1);
    private static final Duration MAX = Duration.ofMinutes(5);

    @Test
    void doublesFromTheInitialWaitAndIsCappedAtTheMaximum() {
        assertEquals(Duration.ofSeconds(1), JobExecutor.backoff(1, INITIAL, MAX));
        assertEquals(Duration.ofSeconds(2), JobExecutor.backoff(2, INITIAL, MAX));
        assertEquals(Duration.ofSeconds(4), JobExecutor.backoff(3, INITIAL, MAX));
        assertEquals(Duration.ofSeconds(256), JobExecutor.backoff(9, INITIAL, MAX));
        assertEquals(MAX, JobExecutor.backoff(10, INITIAL, MAX));
        assertEquals(MAX, JobExecutor.backoff(1_000, INITIAL, MAX));
    }
}
