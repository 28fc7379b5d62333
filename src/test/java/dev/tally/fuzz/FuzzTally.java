package dev.tally.fuzz;

import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/** What the run sent and got: requests per operation, answers per status, known bugs seen, bytes accepted. */
final class FuzzTally {

    private final Map<String, Integer> perOperation = new TreeMap<>();
    private final Map<Integer, Integer> perStatus = new TreeMap<>();
    private final Map<KnownBug, Integer> knownBugs = new TreeMap<>();
    /** Counter names (as sent, percent-encoded) that an increment changed, to bound permanent keys. */
    private final Set<String> incremented = new HashSet<>();
    private int requests;
    private int sessionsMade;
    private long acceptedBodyBytes;

    synchronized void operations(Iterable<ApiOperation> operations) {
        operations.forEach(operation -> perOperation.putIfAbsent(operation.key(), 0));
    }

    synchronized void sessionMade() {
        sessionsMade++;
    }

    /** A session made with attributes: its body is state Redis may rightly hold. */
    synchronized void sessionMade(int attributeBytes) {
        sessionsMade++;
        acceptedBodyBytes += attributeBytes;
    }

    synchronized void record(FuzzRequest request, RawHttp.Answer answer) {
        requests++;
        perOperation.merge(request.operation(), 1, Integer::sum);
        perStatus.merge(answer.status(), 1, Integer::sum);
        if (answer.status() < 300 && request.body() != null) {
            acceptedBodyBytes += request.body().length;
        }
        if (answer.status() < 300 && request.operation().equals("POST /api/v1/counters/{name}/increment")) {
            incremented.add(counterName(request));
        }
    }

    private static String counterName(FuzzRequest request) {
        return request.target().split("[/?]")[4];
    }

    synchronized int countersIncremented() {
        return incremented.size();
    }

    synchronized void knownBug(Optional<KnownBug> bug) {
        bug.ifPresent(b -> knownBugs.merge(b, 1, Integer::sum));
    }

    synchronized int requests() {
        return requests;
    }

    /** Requests sent in all, the fuzzed ones and the session creations that some of them needed. */
    synchronized int allRequests() {
        return requests + sessionsMade;
    }

    synchronized long acceptedBodyBytes() {
        return acceptedBodyBytes;
    }

    synchronized String summary(String seed, Duration elapsed) {
        return String.format("OpenAPI fuzz (seed %s): %d requests over %d operations in %d s, plus %d sessions "
                + "made for them; per operation %s; per status %s; known bugs seen %s", seed, requests,
                perOperation.size(), elapsed.toSeconds(), sessionsMade, perOperation, perStatus, knownBugs);
    }
}
