package dev.tally.runtime;

import java.util.List;

/**
 * A source of the threads that run Tally's work right now (a request's serving thread, a job's runner). The
 * deadlock detector ({@code ops/LockWaitGraph}) asks every such bean: virtual threads cannot be listed through
 * any public JDK API, so the ones Tally starts are known only to the code that starts them.
 */
public interface WorkThreads {

    /** The threads running this source's work at this moment (a snapshot; it may include ended threads). */
    List<Thread> threads();
}
