package dev.tally.guard;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.annotation.Priority;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;

import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.smallrye.mutiny.Uni;

/**
 * Enforces {@link Deadline}. A handler returning a {@code Uni} gets it cancelled at the deadline (cancellation
 * travels upstream to the work). A blocking handler, which runs on a virtual thread, is interrupted at the
 * deadline, which ends any sleep, lock wait or interruptible I/O it is in.
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
        Duration deadline = RequestTimeoutHeader.apply(
                request.getCurrent().request().getHeader(RequestTimeoutHeader.NAME), budgetOf(invocation));
        if (Uni.class.isAssignableFrom(invocation.getMethod().getReturnType())) {
            return ((Uni<?>) invocation.proceed()).ifNoItem().after(deadline).failWith(() -> alarms.exceeded(deadline));
        }
        return interruptAtDeadline(invocation, deadline);
    }

    private Object interruptAtDeadline(InvocationContext invocation, Duration deadline) throws Exception {
        Thread worker = Thread.currentThread();
        AtomicBoolean fired = new AtomicBoolean();
        ScheduledFuture<?> alarm = alarms.at(deadline, () -> {
            fired.set(true);
            worker.interrupt();
        });
        try {
            return invocation.proceed();
        } catch (InterruptedException e) {
            if (fired.get()) {
                throw alarms.exceeded(deadline);
            }
            throw e;
        } finally {
            alarm.cancel(false);
            if (fired.get()) {
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
