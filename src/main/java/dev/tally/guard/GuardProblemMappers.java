package dev.tally.guard;

import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import dev.tally.web.Problem;
import dev.tally.web.ProblemWriter;
import dev.tally.web.RequestIds;
import io.vertx.core.http.HttpServerRequest;

/** The problems for the guards' own failures: a deadline passed (504), the client went away (499). */
public class GuardProblemMappers {

    private final ProblemWriter problems;

    public GuardProblemMappers(ProblemWriter problems) {
        this.problems = problems;
    }

    @ServerExceptionMapper
    public Response deadline(DeadlineExceeded e, HttpServerRequest request) {
        return problems.response(new Problem(Problem.type("deadline-exceeded"), Problem.title("deadline-exceeded"), 504,
                e.getMessage(), request.path(), RequestIds.of(request), null)).build();
    }

    /** Nobody will read this answer; a short one keeps the log free of a stack trace. */
    @ServerExceptionMapper
    public Response clientGone(ClientGone e, HttpServerRequest request) {
        return problems.response(problems.generic(499, e.getMessage(), request.path(), RequestIds.of(request)))
                .build();
    }
}
