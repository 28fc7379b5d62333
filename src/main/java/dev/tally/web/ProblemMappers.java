package dev.tally.web;

import java.util.List;
import java.util.stream.Collectors;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.faulttolerance.exceptions.BulkheadException;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

import dev.tally.redis.RedisUnavailableException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.vertx.core.http.HttpServerRequest;

/**
 * Maps every exception that reaches the REST layer to a problem response; nothing else leaves the service.
 * Created at startup, so that its shed counter is exported (as 0) before the first shed, as dashboards expect.
 */
@Startup
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    private final ProblemWriter problems;
    private final ExpectedFailures expected;
    private final AllowedMethods allowedMethods;

    private final Counter shed;

    public ProblemMappers(ProblemWriter problems, ExpectedFailures expected, AllowedMethods allowedMethods,
            MeterRegistry metrics) {
        this.problems = problems;
        this.expected = expected;
        this.allowedMethods = allowedMethods;
        this.shed = Counter.builder("tally.requests.shed")
                .description("Requests refused at once because a bulkhead was full")
                .register(metrics);
    }

    @ServerExceptionMapper
    public Response problem(ProblemException e, HttpServerRequest request) {
        Response.ResponseBuilder response = problems.response(problems.of(e, request.path(), requestId(request)));
        e.headers().forEach(response::header);
        return response.build();
    }

    @ServerExceptionMapper
    public Response redisUnavailable(RedisUnavailableException e, HttpServerRequest request) {
        return problem(expected.asProblem(e, request).orElseThrow(), request);
    }

    /** A bulkhead is full: shed at once, so an overload never becomes a queue that grows until timeouts. */
    @ServerExceptionMapper
    public Response shed(BulkheadException e, HttpServerRequest request) {
        shed.increment();
        return problem(ProblemException.unavailable("overloaded",
                "Too much of this work is in progress; retry shortly", 1), request);
    }

    @ServerExceptionMapper
    public Response http(WebApplicationException e, HttpServerRequest request) {
        if (e.getCause() instanceof JsonProcessingException unreadable) {
            // The JSON reader wraps syntax errors in a plain 400; unwrap to say what is wrong.
            return unreadableJson(unreadable, request);
        }
        int status = e.getResponse().getStatus();
        if (status >= 500) {
            LOG.errorf(e, "HTTP %d for %s %s", status, request.method(), request.path());
        }
        Response.ResponseBuilder response = problems.response(
                problems.generic(status, detailFor(status, request), request.path(), requestId(request)));
        if (status == 405) {
            // RFC 9110: a 405 must tell the client what it may use instead.
            allowedMethods.forPath(request.path()).ifPresent(allow -> response.header(HttpHeaders.ALLOW, allow));
        }
        return response.build();
    }

    @ServerExceptionMapper
    public Response unreadableJson(JsonProcessingException e, HttpServerRequest request) {
        return problem(ProblemException.badRequest("malformed-json", describe(e)), request);
    }

    /** Declared apart because the JSON extension ships a mapper for exactly this type that would win. */
    @ServerExceptionMapper
    public Response mismatchedJson(MismatchedInputException e, HttpServerRequest request) {
        return unreadableJson(e, request);
    }

    @ServerExceptionMapper
    public Response invalid(ConstraintViolationException e, HttpServerRequest request) {
        List<String> errors = e.getConstraintViolations().stream()
                .map(ProblemMappers::describe)
                .sorted()
                .collect(Collectors.toList());
        return problem(ProblemException.invalidInput("The request has invalid parameters", errors), request);
    }

    @ServerExceptionMapper(priority = Integer.MAX_VALUE)
    public Response unexpected(Throwable e, HttpServerRequest request) {
        LOG.errorf(e, "Unexpected failure for %s %s", request.method(), request.path());
        return problems.response(problems.generic(500,
                "An unexpected error occurred; quote the request id when reporting it", request.path(),
                requestId(request))).build();
    }

    private static String requestId(HttpServerRequest request) {
        return RequestIds.of(request);
    }

    private static String detailFor(int status, HttpServerRequest request) {
        return switch (status) {
            case 404 -> "No resource at " + request.method() + " " + request.path();
            case 405 -> "Method " + request.method() + " is not allowed on " + request.path();
            case 406 -> "None of the accepted media types can be produced";
            case 415 -> "Unsupported media type " + request.getHeader(HttpHeaders.CONTENT_TYPE);
            default -> null;
        };
    }

    /** Says what is wrong with the body without echoing Java type names or parser internals. */
    private static String describe(JsonProcessingException e) {
        if (e instanceof JsonParseException parse) {
            return "The body is not valid JSON (line " + parse.getLocation().getLineNr() + ", column "
                    + parse.getLocation().getColumnNr() + ")";
        }
        if (e instanceof UnrecognizedPropertyException unknown) {
            return "Unknown field '" + unknown.getPropertyName() + "'";
        }
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            String field = mapping.getPath().stream()
                    .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                    .collect(Collectors.joining("."));
            return "Field '" + field + "' has the wrong type or an out-of-range value";
        }
        return "The body does not have the expected JSON shape";
    }

    private static String describe(ConstraintViolation<?> violation) {
        // Paths look like "list.limit" (method.parameter); the client only knows the parameter.
        String path = violation.getPropertyPath().toString();
        String field = path.substring(path.lastIndexOf('.') + 1);
        return field + ": " + violation.getMessage();
    }
}
