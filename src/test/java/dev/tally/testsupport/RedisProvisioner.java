package dev.tally.testsupport;

import java.util.Locale;
import java.util.Optional;

import org.jboss.logging.Logger;

/**
 * Finds a real Redis for tests, in the order the design sets: an explicit address ({@code TALLY_TEST_REDIS_URL}),
 * then Testcontainers when a Docker engine answers, then {@code redis-server} from the PATH on a free port, else a
 * failure that names all three. {@code TALLY_TEST_ROUTE=auto|containers|binaries} forces a route, so CI can run
 * both; a forced route that is not available fails instead of falling back.
 */
public final class RedisProvisioner {

    public static final String URL_VARIABLE = "TALLY_TEST_REDIS_URL";
    public static final String ROUTE_VARIABLE = "TALLY_TEST_ROUTE";
    private static final Logger LOG = Logger.getLogger(RedisProvisioner.class);

    private RedisProvisioner() {
    }

    /** Any real Redis: an explicit address is fine. */
    public static RealRedis provide() {
        Optional<String> url = setting(URL_VARIABLE);
        if (url.isPresent()) {
            return announce(new ExternalRedis(url.get()));
        }
        return controllable();
    }

    /** A Redis the test may stop and restart: never the explicit address, which is not ours to stop. */
    public static RealRedis controllable() {
        return route(setting(ROUTE_VARIABLE).orElse("auto"));
    }

    /**
     * A Redis from the named route, whatever {@code TALLY_TEST_ROUTE} says: for the tests that prove one route
     * (the container tests take {@code containers} while CI runs the main suite on {@code binaries}).
     */
    public static RealRedis route(String name) {
        String route = name.toLowerCase(Locale.ROOT);
        return announce(switch (route) {
            case "containers" -> {
                if (!ContainerRedis.engineAnswers()) {
                    throw new IllegalStateException("the containers route (" + ROUTE_VARIABLE
                            + "=containers, or a container test) needs a Docker engine, and none answers");
                }
                yield new ContainerRedis();
            }
            case "binaries" -> new BinaryRedis(BinaryRedis.findOnPath().orElseThrow(() -> new IllegalStateException(
                    ROUTE_VARIABLE + "=binaries but redis-server is not on the PATH (apt-get install redis-server)")));
            case "auto" -> auto();
            default -> throw new IllegalStateException(
                    ROUTE_VARIABLE + " must be auto, containers or binaries, not '" + route + "'");
        });
    }

    private static RealRedis auto() {
        if (ContainerRedis.engineAnswers()) {
            return new ContainerRedis();
        }
        return BinaryRedis.findOnPath().<RealRedis>map(BinaryRedis::new).orElseThrow(() -> new IllegalStateException(
                "No real Redis for the tests. Provide one of: " + URL_VARIABLE + "=redis://host:port; a Docker "
                        + "engine for Testcontainers; or redis-server on the PATH (apt-get install redis-server)."));
    }

    private static RealRedis announce(RealRedis redis) {
        LOG.infof("Test Redis via %s", redis.route());
        return redis;
    }

    private static Optional<String> setting(String name) {
        return Optional.ofNullable(System.getenv(name)).filter(value -> !value.isBlank());
    }
}
