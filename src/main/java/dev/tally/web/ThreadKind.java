package dev.tally.web;

/** Which kind of thread serves a request: what tells an operator which pool a stuck request is starving. */
public enum ThreadKind {
    EVENT_LOOP("event-loop"), WORKER("worker"), VIRTUAL("virtual");

    private final String label;

    ThreadKind(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public static ThreadKind of(Thread thread) {
        if (thread.isVirtual()) {
            return VIRTUAL;
        }
        // Vert.x names its event-loop threads this way; everything else that serves requests is a worker pool.
        return thread.getName().startsWith("vert.x-eventloop-thread") ? EVENT_LOOP : WORKER;
    }
}
