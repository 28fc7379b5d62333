package dev.tally.job;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;

/** Every {@link JobHandler} bean, by type; two beans claiming one type stop the start. */
@Singleton
public class JobHandlers {

    private final Map<String, JobHandler> byType = new TreeMap<>();

    public JobHandlers(Instance<JobHandler> handlers) {
        for (JobHandler handler : handlers) {
            JobHandler other = byType.put(handler.type(), handler);
            if (other != null) {
                throw new IllegalStateException("two job handlers for type '" + handler.type() + "': "
                        + other.getClass().getName() + " and " + handler.getClass().getName());
            }
        }
    }

    public Optional<JobHandler> forType(String type) {
        return Optional.ofNullable(byType.get(type));
    }

    public Set<String> types() {
        return byType.keySet();
    }
}
