package dev.tally.job;

/**
 * What the {@link JobIntake} tells the {@link JobExecutor}: whether this worker still takes jobs, and whether the
 * intake's next take-over is due (it runs only when a slot is free, so a run that would take its slot's next job
 * leaves the slot to the intake instead).
 */
final class IntakeState {

    private volatile boolean taking;
    private volatile long nextTakeOverNanos = System.nanoTime(); // the first take-over is due at once

    boolean taking() {
        return taking;
    }

    void taking(boolean taking) {
        this.taking = taking;
    }

    boolean takeOverDue() {
        return System.nanoTime() - nextTakeOverNanos >= 0;
    }

    void takeOverDoneUntil(long nextTakeOverNanos) {
        this.nextTakeOverNanos = nextTakeOverNanos;
    }
}
