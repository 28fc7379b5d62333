package peer;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import reactor.core.publisher.Mono;

/**
 * What a Java user would write instead of Tally, all defaults: {@code GET /} and
 * {@code POST /api/v1/counters/{name}/increment} with {@code {"by":N}} (optional), one INCRBY, answering
 * {@code {"name":..,"value":..}}. Port and Redis come from the command line (bench/peer.sh).
 */
@SpringBootApplication
@RestController
public class SpringPeer {

    record IncrementRequest(Long by) {
    }

    record Counter(String name, long value) {
    }

    private final ReactiveStringRedisTemplate redis;

    SpringPeer(ReactiveStringRedisTemplate redis) {
        this.redis = redis;
    }

    @GetMapping(value = "/", produces = MediaType.TEXT_PLAIN_VALUE)
    String hello() {
        return "Hello World";
    }

    @PostMapping("/api/v1/counters/{name}/increment")
    Mono<Counter> increment(@PathVariable String name, @RequestBody(required = false) Mono<IncrementRequest> body) {
        return body.map(request -> request.by() == null ? 1L : request.by()).defaultIfEmpty(1L)
                .flatMap(by -> redis.opsForValue().increment("peer:spring:" + name, by))
                .map(value -> new Counter(name, value));
    }

    public static void main(String[] args) {
        SpringApplication.run(SpringPeer.class, args);
    }
}
