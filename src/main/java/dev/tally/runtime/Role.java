package dev.tally.runtime;

/**
 * What a replica does ({@code tally.role}). One artifact, two roles: Kubernetes runs an {@code api} Deployment
 * and a {@code worker} Deployment from the same image; a local run is {@code all}.
 */
public enum Role {
    /** Serves the app API and accepts jobs, but runs none. */
    api,
    /** Runs jobs from the stream. Its app API still answers (no Service routes to it), which helps debugging. */
    worker,
    /** Both: the default for local runs and tests. */
    all;

    public boolean runsJobs() {
        return this != api;
    }
}
