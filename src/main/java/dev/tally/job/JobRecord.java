package dev.tally.job;

import java.util.Map;

/**
 * A job's record as stored in its hash, read field by field by name; absent fields are null. {@code owner} is the
 * identity of the caller that submitted it ({@code auth/Caller#identity}); a job submitted before jobs had owners
 * has none and is visible to {@code jobs:admin} callers only.
 */
record JobRecord(String type, String payload, JobStatus status, long attempts, int progress, Long createdAt,
        Long startedAt, Long finishedAt, Long updatedAt, Long retryAt, String result, String error,
        boolean cancelRequested, String worker, String owner) {

    /** From the record's fields ({@code HGETALL}); null when the job does not exist (or expired). */
    static JobRecord from(Map<String, String> fields) {
        String status = fields.get("status");
        if (status == null) {
            return null;
        }
        return new JobRecord(fields.get("type"), fields.get("payload"), JobStatus.fromWire(status),
                number(fields.get("attempts")), (int) number(fields.get("progress")), time(fields.get("createdAt")),
                time(fields.get("startedAt")), time(fields.get("finishedAt")), time(fields.get("updatedAt")),
                time(fields.get("retryAt")), fields.get("result"), fields.get("error"),
                "1".equals(fields.get("cancelRequested")), fields.get("worker"), fields.get("owner"));
    }

    private static long number(String value) {
        return value == null ? 0 : Long.parseLong(value);
    }

    private static Long time(String value) {
        return value == null || value.isEmpty() ? null : Long.valueOf(value);
    }
}
