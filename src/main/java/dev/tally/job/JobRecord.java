package dev.tally.job;

import java.util.List;

import io.vertx.mutiny.redis.client.Response;

/** A job's record as stored in its hash; absent fields are null. */
record JobRecord(String type, String payload, String status, long attempts, int progress, Long createdAt,
        Long startedAt, Long finishedAt, Long updatedAt, Long retryAt, String result, String error,
        boolean cancelRequested, String worker) {

    /** The hash fields, in the order {@link #from} reads them. */
    static final List<String> FIELDS = List.of("type", "payload", "status", "attempts", "progress", "createdAt",
            "startedAt", "finishedAt", "updatedAt", "retryAt", "result", "error", "cancelRequested", "worker");

    /** From an {@code HMGET} of {@link #FIELDS}; null when the job does not exist (or expired). */
    static JobRecord from(Response values) {
        if (values == null || values.get(2) == null) {
            return null;
        }
        return new JobRecord(text(values, 0), text(values, 1), text(values, 2), number(values, 3),
                (int) number(values, 4), time(values, 5), time(values, 6), time(values, 7), time(values, 8),
                time(values, 9), text(values, 10), text(values, 11), "1".equals(text(values, 12)), text(values, 13));
    }

    private static String text(Response values, int i) {
        Response value = values.get(i);
        return value == null ? null : value.toString();
    }

    private static long number(Response values, int i) {
        String value = text(values, i);
        return value == null ? 0 : Long.parseLong(value);
    }

    private static Long time(Response values, int i) {
        String value = text(values, i);
        return value == null || value.isEmpty() ? null : Long.valueOf(value);
    }
}
