package dev.tally.work;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Carries "stop" from a request to its computation. Needed because the bulkhead's wrapper turns the {@code Uni}
 * into a CompletionStage and back, which does not carry cancellation through: the caller cancels this instead,
 * and the computation registered what stopping means.
 */
public final class Cancellation {

    private final AtomicBoolean cancelled = new AtomicBoolean();
    private volatile Runnable onCancel = () -> {
    };

    /** Registers how to stop; runs it at once if the cancellation came first. */
    void onCancel(Runnable stop) {
        onCancel = stop;
        if (cancelled.get()) {
            stop.run();
        }
    }

    public void cancel() {
        if (cancelled.compareAndSet(false, true)) {
            onCancel.run();
        }
    }
}
