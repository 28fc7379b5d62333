package dev.tally.job;

/** What a running handler can see of its job and tell the service. */
public interface JobContext {

    String jobId();

    /** 1 for the first attempt; higher after retries, take-overs and re-drives. */
    int attempt();

    /** 0-100, stored with the job at the worker's next renewal (a few times per visibility timeout). */
    void progress(int percent);

    /** True once a client cancelled the job or the worker is releasing it; the thread is interrupted too. */
    boolean cancelled();
}
