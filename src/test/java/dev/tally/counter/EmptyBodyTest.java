package dev.tally.counter;

import static dev.tally.counter.CounterResourceTest.value;
import static dev.tally.testsupport.Problems.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.tally.testsupport.Http;
import dev.tally.testsupport.Problems;
import dev.tally.testsupport.Unique;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * An increment with no body counts 1 whatever Content-Type the client names (load tools such as hey send
 * {@code text/html} on every request); a body in a type other than JSON is still a 415 problem, and counts nothing.
 */
@QuarkusTest
class EmptyBodyTest {

    @TestHTTPResource("/")
    URI app;

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = { "text/html", "text/plain; charset=utf-8", "application/octet-stream",
            "application/json" })
    void anEmptyIncrementCountsOneWhateverItsType(String type) {
        String name = Unique.name("empty-body");
        HttpResponse<String> response = post(name, type, "");
        assertEquals(200, response.statusCode(), response.body());
        assertEquals(1, value(name));
    }

    @Test
    void aBodyInAnotherTypeIsStill415() {
        String name = Unique.name("html-body");
        assertProblem(post(name, "text/html", "{\"by\":5}"), 415, Problems.GENERIC);
        assertEquals(0, value(name));
    }

    private HttpResponse<String> post(String name, String type, String body) {
        return Http.at(app).send(Http.at(app).request("/api/v1/counters/" + name + "/increment")
                .header("Content-Type", type).POST(HttpRequest.BodyPublishers.ofString(body)));
    }
}
