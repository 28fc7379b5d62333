package dev.tally.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;

/**
 * A change the API answers for is not made after its caller was told it failed. When a write gets no answer within
 * its budget the request is answered 503, yet the command may still be on its way: waiting for a pooled connection,
 * or sent to a Redis that is stalled. Arriving later, it would land behind the caller's back, after the retry or the
 * next change the caller made meanwhile (a session patch overwritten by an older one, a reset that wipes the
 * increments that followed it, a job submitted twice). So every write script gets a prologue that takes one more
 * argument, the time after which nobody waits for it (the budget plus {@code tally.redis.clock-tolerance}, in
 * milliseconds since the epoch), and refuses with {@code LATE} when Redis' own clock is past it.
 *
 * <p>The two clocks are different hosts': the tolerance is how far they may disagree (NTP keeps them within
 * milliseconds). A write that reaches Redis within the tolerance after its caller gave up still lands; a client that
 * waits the 503's {@code Retry-After} (2 s) before it tries again is past that. A Tally clock behind Redis' by more
 * than the budget plus the tolerance would have every write refused, loudly (503s, counted as {@code late}).
 */
final class WriteDeadline {

    // The script's body reads its arguments as before: the deadline is taken off the end, into a local ARGV that
    // shadows the global one for the rest of the chunk (the global table itself is not changed).
    private static final String PROLOGUE = """
            -- Prepended by WriteDeadline: refuse a write that reaches Redis after its caller stopped waiting.
            local tally_not_after = tonumber(ARGV[#ARGV])
            local ARGV = {unpack(ARGV, 1, #ARGV - 1)}
            local tally_time = redis.call('TIME')
            if tonumber(tally_time[1]) * 1000 + math.floor(tonumber(tally_time[2]) / 1000) > tally_not_after then
              return redis.error_reply('LATE the write reached Redis after its caller had stopped waiting for it')
            end
            """;

    private final long slackMillis;
    private final LongSupplier clock;
    private final ConcurrentMap<LuaScript, LuaScript> fenced = new ConcurrentHashMap<>();

    WriteDeadline(Duration budget, Duration clockTolerance, LongSupplier clock) {
        if (clockTolerance.isNegative()) {
            throw new IllegalArgumentException("tally.redis.clock-tolerance must not be negative: " + clockTolerance);
        }
        this.slackMillis = budget.plus(clockTolerance).toMillis();
        this.clock = clock;
    }

    /** The script with the deadline's prologue, made once per script. */
    LuaScript script(LuaScript script) {
        return fenced.computeIfAbsent(script, plain -> plain.withPrologue(PROLOGUE));
    }

    /** The script's arguments followed by the deadline of a write sent now. */
    List<String> args(List<String> args) {
        List<String> all = new ArrayList<>(args.size() + 1);
        all.addAll(args);
        all.add(Long.toString(clock.getAsLong() + slackMillis));
        return all;
    }
}
