package dev.tally.testsupport;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.jboss.logmanager.ExtLogRecord;

/**
 * Collects the formatted messages of one logger category in the test JVM (where {@code @QuarkusTest} apps log),
 * for as long as it is open.
 */
public final class LogCapture implements AutoCloseable {

    private final Logger logger;
    private final ConcurrentLinkedQueue<String> messages = new ConcurrentLinkedQueue<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            messages.add(record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private LogCapture(String category) {
        this.logger = Logger.getLogger(category);
        logger.addHandler(handler);
    }

    public static LogCapture of(String category) {
        return new LogCapture(category);
    }

    public List<String> messages() {
        return List.copyOf(messages);
    }

    /** Polls until a message matches; fails after {@code within}. */
    public String await(Predicate<String> match, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            for (String message : messages) {
                if (match.test(message)) {
                    return message;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no matching log message within " + within + "; got: " + messages);
            }
            Pause.of(Duration.ofMillis(20));
        }
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
    }
}
