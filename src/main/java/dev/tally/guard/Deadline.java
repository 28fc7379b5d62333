package dev.tally.guard;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import jakarta.enterprise.util.Nonbinding;
import jakarta.interceptor.InterceptorBinding;

/**
 * Gives every request handled by the annotated resource a deadline: the route's budget, shortened by the client's
 * {@code X-Request-Timeout} (milliseconds). Past it the client gets a 504 problem and the work is stopped.
 */
@InterceptorBinding
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ ElementType.TYPE, ElementType.METHOD })
public @interface Deadline {

    /** Which configured budget applies. */
    @Nonbinding
    Budget value() default Budget.DEFAULT;

    enum Budget {
        /** {@code tally.deadline.default}: Redis-backed API calls. */
        DEFAULT,
        /** {@code tally.deadline.work}: the work endpoints, which may legitimately run for up to 30 s. */
        WORK
    }
}
