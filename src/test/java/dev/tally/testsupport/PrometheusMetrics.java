package dev.tally.testsupport;

import java.net.URISyntaxException;
import java.net.URL;
import java.time.Duration;

import org.junit.jupiter.api.Assertions;

/** Reads a replica's Prometheus metrics from its management interface, as a scraper would. */
public final class PrometheusMetrics {

    private final Http management;

    /**
     * {@code managementRoot} as injected by {@code @TestHTTPResource(value = "/", management = true)}; the token is
     * the test application's.
     */
    public PrometheusMetrics(URL managementRoot) {
        this(managementRoot, OpsToken.ofTestApplication());
    }

    /** A replica started outside the test application (a launcher's, a process's), with its ops token. */
    public PrometheusMetrics(URL managementRoot, String opsToken) {
        try {
            this.management = Http.at(managementRoot.toURI()).withBearer(opsToken);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** The sum of every series of {@code name} (0 when there is none). */
    public double value(String name) {
        String text = management.get("metrics").body();
        return text.lines().filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }

    /** The sum of the series of {@code name} whose labels contain {@code label} (e.g. {@code area="heap"}). */
    public double value(String name, String label) {
        String text = management.get("metrics").body();
        return text.lines().filter(line -> line.startsWith(name + "{") && line.contains(label))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }

    /** Polls until {@code name} equals {@code expected}; fails after {@code within}. */
    public void await(String name, double expected, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (value(name) != expected) {
            Assertions.assertTrue(System.nanoTime() < deadline,
                    name + " did not reach " + expected + " within " + within);
            Pause.of(Duration.ofMillis(20));
        }
    }

    /** Polls until {@code name} is at least {@code minimum}; fails after {@code within}. */
    public void awaitAtLeast(String name, double minimum, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (value(name) < minimum) {
            Assertions.assertTrue(System.nanoTime() < deadline,
                    name + " did not reach " + minimum + " within " + within);
            Pause.of(Duration.ofMillis(20));
        }
    }
}
