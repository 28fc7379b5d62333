package dev.tally.ops;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.tally.web.ProblemException;
import dev.tally.web.ProblemWriter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/**
 * Pipeline stage "ops token" (management port): every request but the {@link OpenManagementPaths} must carry
 * {@code Authorization: Bearer <tally.ops.token>}. No token or a wrong one: 401 problem with
 * {@code WWW-Authenticate: Bearer}; no token configured on this replica: every such request is refused with a 403
 * problem that says so (the port never opens up for want of configuration). The presented and the configured
 * token are compared as SHA-256 digests with {@link MessageDigest#isEqual}: constant time, and the digests' equal
 * length hides the token's.
 */
@Singleton
public class OpsAccess {

    /** 128 bits as hex; {@code openssl rand -hex 32} (what the launcher generates) gives 64 characters. */
    public static final int MIN_TOKEN_LENGTH = 32;
    static final String CHALLENGE = "Bearer realm=\"tally-ops\"";
    private static final String SCHEME = "Bearer ";
    private static final Logger LOG = Logger.getLogger(OpsAccess.class);

    /** Why a request was refused: the {@code reason} tag of {@code tally_ops_refused_total}. */
    enum Refusal {
        MISSING, WRONG, UNCONFIGURED
    }

    private final Optional<byte[]> expected;
    private final OpenManagementPaths open;
    private final ProblemWriter problems;
    private final Map<Refusal, Counter> refused = new EnumMap<>(Refusal.class);

    public OpsAccess(OpsSettings settings, ProblemWriter problems, MeterRegistry metrics) {
        this.expected = settings.token().map(String::strip).filter(token -> token.length() >= MIN_TOKEN_LENGTH)
                .map(OpsAccess::digest);
        this.open = new OpenManagementPaths(settings.metricsOpen());
        this.problems = problems;
        for (Refusal refusal : Refusal.values()) {
            String reason = refusal.name().toLowerCase(Locale.ROOT);
            refused.put(refusal, Counter.builder("tally.ops.refused").tag("reason", reason)
                    .description("Management-port requests refused for want of the right ops token")
                    .register(metrics));
        }
    }

    /** Once per start, so that an operator who finds /ops closed finds the reason in the log too. */
    void announce(@Observes StartupEvent started, OpsSettings settings) {
        if (expected.isEmpty()) {
            LOG.warnf("No ops token (TALLY_OPS_TOKEN unset, or shorter than %d characters): every /ops route of the "
                    + "management port refuses requests until one is configured (docs/operations.md)",
                    MIN_TOKEN_LENGTH);
        }
        if (settings.metricsOpen()) {
            LOG.info("/q/metrics answers without the ops token (tally.ops.metrics-open=true)");
        }
    }

    public void check(RoutingContext ctx) {
        if (open.isOpen(ctx.request().method(), ctx.normalizedPath())) {
            ctx.next();
            return;
        }
        if (expected.isEmpty()) {
            refuse(ctx, Refusal.UNCONFIGURED, ProblemException.forbidden("ops-token-not-configured",
                    "This replica has no ops token (TALLY_OPS_TOKEN), so its operator routes refuse every request; "
                            + "configure one and restart it (docs/operations.md)"));
            return;
        }
        String authorization = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
        if (authorization == null || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            refuse(ctx, Refusal.MISSING, ProblemException.unauthorized("ops-token-required",
                    "This route needs Authorization: Bearer <ops token> (docs/operations.md)", CHALLENGE));
            return;
        }
        byte[] presented = digest(authorization.substring(SCHEME.length()).strip());
        if (!MessageDigest.isEqual(presented, expected.get())) {
            refuse(ctx, Refusal.WRONG, ProblemException.unauthorized("ops-token-invalid",
                    "The ops token is not this replica's", CHALLENGE + ", error=\"invalid_token\""));
            return;
        }
        ctx.next();
    }

    private void refuse(RoutingContext ctx, Refusal refusal, ProblemException problem) {
        refused.get(refusal).increment();
        problems.send(ctx, problem);
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
