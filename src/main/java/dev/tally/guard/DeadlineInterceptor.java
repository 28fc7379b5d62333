package dev.tally.guard;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.annotation.Priority;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;

import dev.tally.runtime.Timeout;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerResponse;

/**
 * Enforces {@link Deadline}, and stops work nobody waits for any more. A handler returning a {@code Uni} gets it
 * cancelled at the deadline, or by the REST layer when the client's connection closes (cancellation travels
 * upstream to the work). A blocking handler, which runs on a virtual thread, is interrupted in both cases, which
 * ends any sleep, lock wait or interruptible I/O it is in.
 */
@Deadline
@Interceptor
@Priority(Interceptor.Priority.PLATFORM_BEFORE)
public class DeadlineInterceptor {

    private final DeadlineSettings settings;
    private final CurrentVertxRequest request;
    private final DeadlineAlarms alarms;

    public DeadlineInterceptor(DeadlineSettings settings, CurrentVertxRequest request, DeadlineAlarms alarms) {
        this.settings = settings;
        this.request = request;
        this.alarms = alarms;
    }

    @AroundInvoke
    Object enforce(InvocationContext invocation) throws Exception {
        HttpServerResponse response = request.getCurrent().response();
        Duration deadline = RequestTimeoutHeader.apply(
                request.getCurrent().request().getHeader(RequestTimeoutHeader.NAME), budgetOf(invocation));
        if (Uni.class.isAssignableFrom(invocation.getMethod().getReturnType())) {
            // The REST layer cancels the returned Uni when the client goes away (resources are @Cancellable);
            // counted here, downstream of the deadline, so that a deadline's own cancellation is not.
            // The deadline is one of the request's timeout slots, swept by web/InFlightRequests: no timer each.
            return Timeout.within((Uni<?>) invocation.proceed(), deadline, () -> alarms.exceeded(deadline))
                    .onCancellation().invoke(alarms::clientGone);
        }
        return interruptible(invocation, deadline, response);
    }

    private Object interruptible(InvocationContext invocation, Duration deadline, HttpServerResponse response)
            throws Exception {
        Thread worker = Thread.currentThread();
        AtomicBoolean deadlinePassed = new AtomicBoolean();
        AtomicBoolean clientGone = new AtomicBoolean();
        ScheduledFuture<?> alarm = alarms.at(deadline, () -> {
            deadlinePassed.set(true);
            worker.interrupt();
        });
        response.closeHandler(closed -> {
            clientGone.set(true);
            alarms.clientGone();
            worker.interrupt();
        });
        try {
            return invocation.proceed();
        } catch (InterruptedException e) {
            if (deadlinePassed.get()) {
                throw alarms.exceeded(deadline);
            }
            if (clientGone.get()) {
                throw new ClientGone();
            }
            throw e;
        } finally {
            alarm.cancel(false);
            if (deadlinePassed.get() || clientGone.get()) {
                Thread.interrupted(); // never leave our interrupt behind on a thread that lives on
            }
        }
    }

    private Duration budgetOf(InvocationContext invocation) {
        Deadline onMethod = invocation.getMethod().getAnnotation(Deadline.class);
        Deadline onClass = invocation.getMethod().getDeclaringClass().getAnnotation(Deadline.class);
        Deadline binding = onMethod != null ? onMethod : onClass;
        return settings.budget(binding == null ? Deadline.Budget.DEFAULT : binding.value());
    }
}
