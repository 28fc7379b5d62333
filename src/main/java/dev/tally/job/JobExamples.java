package dev.tally.job;

/**
 * The OpenAPI document's examples of a job ({@link JobView} as JSON), one per stage of its life, for
 * {@link JobResource}'s answers. Annotation values must be constants, so they are built from constant fragments;
 * {@code OpenApiDocumentTest} checks that every successful JSON answer has an example.
 */
final class JobExamples {

    private static final String JOB = "{\"id\":\"8u2wQk3xT0aZC1f9l5mNbA\",\"type\":\"sleep\",\"status\":";
    private static final String NOT_STARTED = "\"attempts\":0,\"progress\":0,\"createdAt\":\"2026-12-01T14:00:00Z\",";
    private static final String STARTED = "\"attempts\":1,\"createdAt\":\"2026-12-01T14:00:00Z\","
            + "\"startedAt\":\"2026-12-01T14:00:00.012Z\",";
    private static final String AT_40 = "\"progress\":40,\"updatedAt\":\"2026-12-01T14:00:01.212Z\",";
    private static final String WORKER = "\"worker\":\"local-2\"}";

    static final String QUEUED = JOB + "\"queued\"," + NOT_STARTED + "\"updatedAt\":\"2026-12-01T14:00:00Z\"}";
    static final String RUNNING = JOB + "\"running\"," + STARTED + AT_40 + WORKER;
    static final String CANCEL_REQUESTED = JOB + "\"running\"," + STARTED + AT_40 + "\"cancelRequested\":true,"
            + WORKER;
    static final String SUCCEEDED = JOB + "\"succeeded\"," + STARTED + "\"progress\":100,"
            + "\"finishedAt\":\"2026-12-01T14:00:03.015Z\",\"updatedAt\":\"2026-12-01T14:00:03.015Z\","
            + "\"result\":{\"sleptMs\":3000}," + WORKER;
    static final String CANCELLED = JOB + "\"cancelled\"," + NOT_STARTED + "\"finishedAt\":\"2026-12-01T14:00:02Z\","
            + "\"updatedAt\":\"2026-12-01T14:00:02Z\"}";

    private JobExamples() {
    }
}
