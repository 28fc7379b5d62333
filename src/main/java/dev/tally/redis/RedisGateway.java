package dev.tally.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Singleton;

import dev.tally.runtime.Timeout;
import io.quarkus.arc.ClientProxy;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.RedisConnection;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import io.vertx.redis.client.impl.types.ErrorType;

import dev.tally.runtime.FailureReasons;

/**
 * The one door to Redis. Every call is non-blocking, bounded in time, and fails with exactly one of two
 * exceptions: {@link RedisReplyException} when Redis rejected the command for good (a wrong command, an overflow,
 * a script's own refusal), {@link RedisUnavailableException} when Redis could not be asked (refused connection,
 * closed socket, pool exhausted, timeout) or refused it only for now ({@link RedisRefusal}: full, read-only,
 * loading, busy; counted in {@link RedisRefusalMetrics}). Callers never see driver exceptions, so the HTTP layer
 * can tell "your request is wrong" from "retry later". The driver raises every error reply as its
 * {@link ErrorType}, whose message is the reply's text; this class is the only place that reads it.
 */
@Singleton
public class RedisGateway {

    // The driver reports a connection dropped mid-command as if Redis had replied with this error code; it is
    // an outage, not a refusal.
    private static final String CLIENT_SIDE_CLOSED = "CONNECTION_CLOSED";

    private final ReactiveRedisDataSource redis;
    private final Duration timeout;
    private final RedisRefusalMetrics refusals;
    private final ReplicaAcknowledgement acknowledgement;
    private final WriteDeadline deadline;

    public RedisGateway(ReactiveRedisDataSource redis, RedisSettings settings, RedisRefusalMetrics refusals) {
        // The extension's data source is application-scoped, so what is injected is its client proxy, which looks
        // the instance up again on every call (0.8 % of a job submit's CPU samples); it lives as long as the
        // application, like this bean, so the instance itself is kept (design-notes: bean scopes).
        this.redis = ClientProxy.unwrap(redis);
        this.timeout = settings.commandTimeout();
        this.refusals = refusals;
        this.acknowledgement = new ReplicaAcknowledgement(settings.minReplicasAcked(), timeout);
        this.deadline = new WriteDeadline(timeout, settings.clockTolerance(), System::currentTimeMillis);
    }

    /** Runs one command; the item is {@code null} when Redis answers nil. */
    public Uni<Response> command(String command, String... args) {
        return bounded(redis.execute(command, args), command, timeout);
    }

    /** Runs a script by its SHA-1, loading it on the first {@code NOSCRIPT} (e.g. after a Redis restart). */
    public Uni<Response> script(LuaScript script, List<String> keys, List<String> args) {
        return script(script, keys, args, timeout);
    }

    /** The same with its own budget, for a check that must give up sooner than a command does. */
    public Uni<Response> script(LuaScript script, List<String> keys, List<String> args, Duration budget) {
        Uni<Response> call = redis.execute("EVALSHA", evalArgs(script.sha1(), keys, args))
                .onFailure(RedisGateway::isNoScript)
                .recoverWithUni(() -> redis.execute("EVAL", evalArgs(script.source(), keys, args)));
        return bounded(call, "script " + script.name(), budget);
    }

    /**
     * A change the API answers for (an increment, a reset, a session write, a job submit or cancel, an API key created
     * or revoked): {@link #script} with a deadline, after which Redis refuses it ({@link WriteDeadline}), and with
     * {@code tally.redis.min-replicas-acked} above 0 followed on its own connection by {@code WAIT} for that many
     * replicas ({@link ReplicaAcknowledgement}); fewer in time fail it with a
     * {@link RedisUnavailableException#writeUnconfirmed()}. Both within the one command budget.
     */
    public Uni<Response> write(LuaScript script, List<String> keys, List<String> args) {
        LuaScript fenced = deadline.script(script);
        String what = "script " + fenced.name();
        // Deferred: the deadline is taken when the budget starts, at subscription.
        Uni<Response> call = Uni.createFrom().deferred(() -> {
            String[] shaArgs = evalArgs(fenced.sha1(), keys, deadline.args(args));
            if (!acknowledgement.wanted()) {
                return redis.execute("EVALSHA", shaArgs).onFailure(RedisGateway::isNoScript).recoverWithUni(
                        () -> redis.execute("EVAL", withScript(shaArgs, fenced.source())));
            }
            return acknowledged(request("EVALSHA", shaArgs), what).onFailure(RedisGateway::isNoScript).recoverWithUni(
                    () -> acknowledged(request("EVAL", withScript(shaArgs, fenced.source())), what));
        });
        return bounded(call, what, timeout);
    }

    /**
     * {@link #write(LuaScript, List, List)} for a single command, without a deadline: only a session's {@code DEL},
     * which arriving late cannot make wrong.
     */
    public Uni<Response> write(String command, String... args) {
        if (!acknowledgement.wanted()) {
            return command(command, args);
        }
        return bounded(acknowledged(request(command, args), command), command, timeout);
    }

    private Uni<Response> acknowledged(Request write, String what) {
        return redis.getRedis().batch(acknowledgement.batch(write))
                .onFailure().transform(failure -> acknowledgement.ofFailedBatch(failure, what).orElse(failure))
                .map(replies -> acknowledgement.confirmed(replies, what));
    }

    /** A PING with its own, usually shorter, budget: what readiness needs. */
    public Uni<Void> ping(Duration budget) {
        return command(budget, "PING").replaceWithVoid();
    }

    /** One command with its own, usually shorter, budget. */
    public Uni<Response> command(Duration budget, String command, String... args) {
        return bounded(redis.execute(command, args), command, budget);
    }

    /**
     * A connection taken out of the pool for one caller, who holds it until it closes it: for commands that wait
     * inside Redis ({@code XREADGROUP ... BLOCK}) and would otherwise pin a pooled connection between requests.
     * It counts against {@code quarkus.redis.max-pool-size}.
     */
    public Uni<RedisConnection> dedicatedConnection() {
        return redis.getRedis().connect()
                .ifNoItem().after(timeout)
                .failWith(() -> new RedisUnavailableException("no connection within " + timeout, null))
                .onFailure().transform(failure -> translate(failure, "connect"));
    }

    /** One command on a dedicated connection, with its own budget (a blocking read's wait plus a round trip). */
    public Uni<Response> command(RedisConnection connection, Duration budget, String command, String... args) {
        return bounded(connection.send(request(command, args)), command, budget);
    }

    private static Request request(String command, String... args) {
        Request request = Request.cmd(Command.create(command));
        for (String arg : args) {
            request.arg(arg);
        }
        return request;
    }

    private Uni<Response> bounded(Uni<Response> call, String what, Duration budget) {
        // Within a request the budget is one of its timeout slots (runtime/TimeoutSlots), not a timer per call.
        return Timeout.within(timed(call), budget,
                () -> new RedisUnavailableException(what + " got no answer within " + budget, null))
                .onFailure().transform(failure -> translate(failure, what));
    }

    /** Adds the call's duration, from subscription to answer or failure, to the calling request's Redis time. */
    private static Uni<Response> timed(Uni<Response> call) {
        return Uni.createFrom().deferred(() -> {
            RedisTime account = RedisTime.current();
            if (account == null) {
                return call;
            }
            long started = System.nanoTime();
            return call.onTermination().invoke(() -> account.add(System.nanoTime() - started));
        });
    }

    private RuntimeException translate(Throwable failure, String what) {
        if (failure instanceof RedisUnavailableException unavailable) {
            if (unavailable.writeUnconfirmed()) {
                refusals.unconfirmedWrite();
            }
            return unavailable;
        }
        if (failure instanceof ErrorType reply && !reply.is(CLIENT_SIDE_CLOSED)) {
            return RedisRefusal.of(reply.getMessage()).<RuntimeException>map(refusal -> {
                refusals.counted(refusal);
                return new RedisUnavailableException(refusal, what + " refused: " + reply.getMessage());
            }).orElseGet(() -> new RedisReplyException(reply.getMessage()));
        }
        return new RedisUnavailableException(what + " failed: " + FailureReasons.of(failure), failure);
    }

    private static boolean isNoScript(Throwable failure) {
        return failure instanceof ErrorType reply && reply.is("NOSCRIPT");
    }

    /** {@code EVALSHA}'s arguments with the script's source in the SHA-1's place, for {@code EVAL}. */
    private static String[] withScript(String[] shaArgs, String source) {
        String[] evalArgs = shaArgs.clone();
        evalArgs[0] = source;
        return evalArgs;
    }

    private static String[] evalArgs(String scriptOrSha, List<String> keys, List<String> args) {
        List<String> all = new ArrayList<>(2 + keys.size() + args.size());
        all.add(scriptOrSha);
        all.add(Integer.toString(keys.size()));
        all.addAll(keys);
        all.addAll(args);
        return all.toArray(String[]::new);
    }
}
