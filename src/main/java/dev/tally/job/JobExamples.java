package dev.tally.job;

/**
 * The OpenAPI document's examples of a job ({@link JobView} as JSON), one per stage of its life, for
 * {@link JobResource}'s answers. Annotation values, so constants; {@code OpenApiDocumentTest} checks that every
 * successful JSON answer has one.
 */
final class JobExamples {

    private static final String ID = "\"id\":\"8u2wQk3xT0aZC1f9l5mNbA\",\"type\":\"sleep\",";

    static final String QUEUED = "{" + ID + "\"status\":\"queued\",\"attempts\":0,\"progress\":0,"
            + "\"createdAt\":\"2026-12-01T14:00:00Z\",\"updatedAt\":\"2026-12-01T14:00:00Z\"}";

    static final String RUNNING = "{" + ID + "\"status\":\"running\",\"attempts\":1,\"progress\":40,"
            + "\"createdAt\":\"2026-12-01T14:00:00Z\",\"startedAt\":\"2026-12-01T14:00:00.012Z\","
            + "\"updatedAt\":\"2026-12-01T14:00:01.212Z\",\"worker\":\"local-2\"}";

    static final String SUCCEEDED = "{" + ID + "\"status\":\"succeeded\",\"attempts\":1,\"progress\":100,"
            + "\"createdAt\":\"2026-12-01T14:00:00Z\",\"startedAt\":\"2026-12-01T14:00:00.012Z\","
            + "\"finishedAt\":\"2026-12-01T14:00:03.015Z\",\"updatedAt\":\"2026-12-01T14:00:03.015Z\","
            + "\"result\":{\"sleptMs\":3000},\"worker\":\"local-2\"}";

    static final String CANCELLED = "{" + ID + "\"status\":\"cancelled\",\"attempts\":0,\"progress\":0,"
            + "\"createdAt\":\"2026-12-01T14:00:00Z\",\"finishedAt\":\"2026-12-01T14:00:02Z\","
            + "\"updatedAt\":\"2026-12-01T14:00:02Z\"}";

    static final String CANCEL_REQUESTED = "{" + ID + "\"status\":\"running\",\"attempts\":1,\"progress\":40,"
            + "\"createdAt\":\"2026-12-01T14:00:00Z\",\"startedAt\":\"2026-12-01T14:00:00.012Z\","
            + "\"updatedAt\":\"2026-12-01T14:00:01.212Z\",\"cancelRequested\":true,\"worker\":\"local-2\"}";

    private JobExamples() {
    }
}
