package dev.tally.job;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Where a job is in its life, with the moves allowed between states. The Lua scripts ({@code job_*.lua}) make the
 * moves atomically in Redis and store the wire name in the record's {@code status} field; this table is what
 * they implement (see each entry's script), and {@code JobStatusTest} checks that the scripts use no other name.
 */
public enum JobStatus {
    QUEUED("queued"),
    RUNNING("running"),
    SUCCEEDED("succeeded"),
    FAILED("failed"),
    CANCELLED("cancelled"),
    DEAD("dead");

    private static final Map<JobStatus, Set<JobStatus>> NEXT = new EnumMap<>(JobStatus.class);

    static {
        // job_start runs it (or, with its attempts used up by workers that died, gives up); job_cancel cancels it.
        NEXT.put(QUEUED, EnumSet.of(RUNNING, CANCELLED, DEAD));
        // job_start again after a take-over; job_finish; job_retry (backoff, or dead with no attempt left);
        // job_requeue when a stopping worker releases it.
        NEXT.put(RUNNING, EnumSet.of(RUNNING, SUCCEEDED, FAILED, CANCELLED, QUEUED, DEAD));
        // job_requeue: an operator re-drives it with fresh attempts.
        NEXT.put(DEAD, EnumSet.of(QUEUED));
        NEXT.put(SUCCEEDED, EnumSet.noneOf(JobStatus.class));
        NEXT.put(FAILED, EnumSet.noneOf(JobStatus.class));
        NEXT.put(CANCELLED, EnumSet.noneOf(JobStatus.class));
    }

    private final String wireName;

    JobStatus(String wireName) {
        this.wireName = wireName;
    }

    /** The name in JSON and in the Redis record. */
    @JsonValue
    public String wireName() {
        return wireName;
    }

    public static JobStatus fromWire(String name) {
        for (JobStatus status : values()) {
            if (status.wireName.equals(name)) {
                return status;
            }
        }
        throw new IllegalArgumentException("no job status '" + name + "'");
    }

    public boolean canBecome(JobStatus next) {
        return NEXT.get(this).contains(next);
    }

    /** Nothing ever changes it again: the outcome a run records with {@code job_finish}. */
    public boolean isTerminal() {
        return NEXT.get(this).isEmpty();
    }
}
