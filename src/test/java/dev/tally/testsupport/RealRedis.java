package dev.tally.testsupport;

/**
 * A real Redis server for tests. {@link #stop()} and {@link #start()} simulate an outage and a recovery at the
 * same address, so the service under test can prove it reconnects on its own.
 */
public interface RealRedis extends AutoCloseable {

    /** A {@code redis://host:port} address, as {@code quarkus.redis.hosts} takes it. */
    String url();

    /** Which provisioning route produced this server, for test logs. */
    String route();

    void stop();

    void start();

    /** Freezes the server without closing its sockets: Redis "hangs", the worst case for a client. */
    void pause();

    void resume();

    @Override
    void close();
}
