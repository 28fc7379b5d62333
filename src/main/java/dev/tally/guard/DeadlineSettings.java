package dev.tally.guard;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

@ConfigMapping(prefix = "tally.deadline")
public interface DeadlineSettings {

    /** {@code tally.deadline.default}: budget of API requests (counters, sessions). */
    @WithName("default")
    @WithDefault("5s")
    Duration defaultBudget();

    /** {@code tally.deadline.work}: budget of the work endpoints (longer than their 30 s maximum). */
    @WithDefault("35s")
    Duration work();

    default Duration budget(Deadline.Budget budget) {
        return budget == Deadline.Budget.WORK ? work() : defaultBudget();
    }
}
