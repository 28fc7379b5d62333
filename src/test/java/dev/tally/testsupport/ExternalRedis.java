package dev.tally.testsupport;

/** A Redis someone else runs, named by {@code TALLY_TEST_REDIS_URL}; tests may use it but not stop it. */
final class ExternalRedis implements RealRedis {

    private final String url;

    ExternalRedis(String url) {
        this.url = url;
    }

    @Override
    public String url() {
        return url;
    }

    @Override
    public String route() {
        return "explicit address (TALLY_TEST_REDIS_URL=" + url + ")";
    }

    @Override
    public void stop() {
        throw new UnsupportedOperationException("an external Redis cannot be stopped by tests");
    }

    @Override
    public void start() {
        throw new UnsupportedOperationException("an external Redis cannot be started by tests");
    }

    @Override
    public void pause() {
        throw new UnsupportedOperationException("an external Redis cannot be paused by tests");
    }

    @Override
    public void resume() {
        throw new UnsupportedOperationException("an external Redis cannot be resumed by tests");
    }

    @Override
    public void close() {
        // not ours to stop
    }
}
