package dev.tally.job;

import java.time.Duration;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.tally.redis.RedisUnavailableException;
import dev.tally.runtime.FailureEpisode;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.CompositeException;

/**
 * Every replica (api ones too, so the ops console and the cluster view see the queue anywhere) samples the queue
 * every {@code tally.job.stats-interval} into the {@link JobMetrics} gauges: a handful of O(1)/O(log n) Redis
 * reads per shard, instead of one per scrape. Each sample first learns the shards in use ({@link JobShards#discover}),
 * which is how a worker finds shards other replicas' layouts added.
 */
@Singleton
public class QueueSampler {

    private static final Logger LOG = Logger.getLogger(QueueSampler.class);

    private final JobShards shards;
    private final QueueReads reads;
    private final JobMetrics metrics;
    private final Duration interval;
    private final FailureEpisode trouble;
    private volatile boolean running;

    QueueSampler(JobShards shards, QueueReads reads, JobMetrics metrics, JobSettings settings) {
        this.shards = shards;
        this.reads = reads;
        this.metrics = metrics;
        this.interval = settings.statsInterval();
        this.trouble = new FailureEpisode(LOG, "Job queue sample (the gauges keep the last one)", interval);
    }

    void start(@Observes StartupEvent event) {
        running = true;
        Thread.ofVirtual().name("tally-job-stats").start(this::loop);
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
    }

    private void loop() {
        while (running) {
            try {
                metrics.sampled(shards.discover().flatMap(known -> reads.stats())
                        .await().atMost(interval.plusSeconds(5)));
                trouble.succeeded();
            } catch (RuntimeException e) {
                // The reads fail together when Redis is down or refusing: one episode, told by the first.
                Throwable first = e;
                while (first instanceof CompositeException all) { // per shard, then per read
                    first = all.getCauses().get(0);
                }
                if (first instanceof RedisUnavailableException) {
                    trouble.failed(first);
                } else {
                    // a reply Redis refused for good: no trouble of Redis', keep the last sample
                    LOG.debugf("Job queue sample failed (keeping the last one): %s", e.getMessage());
                }
            }
            try {
                Thread.sleep(interval);
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
