package dev.tally.web;

import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;
import static org.quicktheories.generators.SourceDSL.strings;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.tally.runtime.InstanceId;
import dev.tally.runtime.Role;
import dev.tally.runtime.TallySettings;

/**
 * The timing line, written by hand for speed, is byte for byte what Jackson's ObjectMapper wrote for the same
 * fields before, whatever the strings hold (quotes, backslashes, control characters, any Unicode).
 */
class AccessLogLineTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void equalsWhatTheObjectMapperWrote() {
        qt().withExamples(3_000).forAll(strings().allPossible().ofLengthBetween(0, 40), integers().between(100, 599),
                longs().between(0, 120_000_000_000L), longs().between(0, Long.MAX_VALUE))
                .check((text, status, nanos, bytes) -> {
                    AccessLog log = new AccessLog(instance("replica \"" + text + "\""));
                    InFlightRequest request = new InFlightRequest("PO\"ST" + text, "/p", "id-" + text, Thread.currentThread());
                    String route = "/api/v1/counters/{name}" + text;
                    return log.line(request, nanos, route, status, bytes, text)
                            .equals(mapped(request, nanos, route, status, bytes, text, "replica \"" + text + "\""))
                            && log.line(request, nanos, route, status, bytes, null)
                                    .equals(mapped(request, nanos, route, status, bytes, null, "replica \"" + text + "\""));
                });
    }

    @Test
    void writesInstantsAsInstantToStringDoes() {
        // Any second from year 1 to 9999 (the same second repeatedly too), any nanosecond, and the round ones.
        qt().withExamples(20_000).forAll(longs().between(-62_135_596_800L, 253_402_300_799L),
                integers().between(0, 999_999_999), integers().between(0, 3)).check((second, nano, round) -> {
                    int n = switch (round) {
                        case 0 -> 0;
                        case 1 -> nano / 1_000_000 * 1_000_000;
                        case 2 -> nano / 1000 * 1000;
                        default -> nano;
                    };
                    Instant time = Instant.ofEpochSecond(second, n);
                    StringBuilder first = new StringBuilder();
                    StringBuilder again = new StringBuilder();
                    AccessLog.instant(first, time);
                    AccessLog.instant(again, time.plusNanos(1).minusNanos(1));
                    return first.toString().equals(time.toString()) && again.toString().equals(time.toString());
                });
    }

    /** The line as the ObjectMapper wrote it from an ordered map (the previous implementation). */
    private static String mapped(InFlightRequest request, long nanos, String route, int status, long bytes, String caller,
            String instance) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", request.startedAt().toString());
        line.put("type", "access");
        line.put("method", request.method());
        line.put("route", route);
        line.put("status", status);
        line.put("durationMs", Math.round(nanos / 1e3) / 1e3);
        line.put("redisMs", Math.round(request.redisTime().toNanos() / 1e3) / 1e3);
        line.put("bytes", bytes);
        line.put("requestId", request.requestId());
        line.put("caller", caller == null ? "anonymous" : caller);
        line.put("instance", instance);
        line.put("thread", request.threadKind().label());
        try {
            return JSON.writeValueAsString(line);
        } catch (JsonProcessingException e) {
            throw new AssertionError(e);
        }
    }

    private static InstanceId instance(String name) {
        return new InstanceId(new TallySettings() {
            @Override
            public Optional<String> instanceId() {
                return Optional.of(name);
            }

            @Override
            public Role role() {
                return Role.all;
            }
        });
    }
}
