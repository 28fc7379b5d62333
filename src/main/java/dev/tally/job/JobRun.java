package dev.tally.job;

import com.fasterxml.jackson.databind.JsonNode;

/** One attempt of one job on this worker: the handler's context, and the levers to stop it. */
final class JobRun implements JobContext {

    private final StreamEntry entry;
    private final int attempt;
    private volatile int progress = -1;
    private volatile boolean cancelled;
    private volatile boolean released;
    private Thread runner; // guarded by this: the thread inside the handler, to interrupt

    JobRun(StreamEntry entry, int attempt) {
        this.entry = entry;
        this.attempt = attempt;
    }

    StreamEntry entry() {
        return entry;
    }

    /** Runs the handler on the calling thread (a virtual thread, or a CPU pool thread), interruptibly. */
    JsonNode execute(JobHandler handler, JsonNode payload) throws Exception {
        synchronized (this) {
            if (cancelled) {
                throw new InterruptedException("stopped before it started");
            }
            runner = Thread.currentThread();
        }
        try {
            return handler.run(payload, this);
        } finally {
            synchronized (this) {
                runner = null;
                Thread.interrupted(); // an interrupt that arrived late must not hit the pool thread's next job
            }
        }
    }

    /** Tells the handler to stop: a client cancelled the job, or ({@code release}) this worker is shutting down. */
    void stop(boolean release) {
        synchronized (this) {
            released |= release;
            cancelled = true;
            if (runner != null) {
                runner.interrupt();
            }
        }
    }

    /** The thread inside the handler now, or null before it starts and after it returns. */
    synchronized Thread runner() {
        return runner;
    }

    boolean released() {
        return released;
    }

    int reportedProgress() {
        return progress;
    }

    @Override
    public String jobId() {
        return entry.jobId();
    }

    @Override
    public int attempt() {
        return attempt;
    }

    @Override
    public void progress(int percent) {
        progress = Math.max(0, Math.min(100, percent));
    }

    @Override
    public boolean cancelled() {
        return cancelled;
    }
}
