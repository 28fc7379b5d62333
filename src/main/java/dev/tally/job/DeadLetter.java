package dev.tally.job;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.vertx.mutiny.redis.client.Response;

/** One entry of the dead-letter list, as {@code GET /ops/jobs/dead} shows it. */
public record DeadLetter(String id, String type, long attempts, String error, Instant deadAt) {

    static List<DeadLetter> fromRange(Response entries) {
        List<DeadLetter> letters = new ArrayList<>();
        for (Response entry : entries) {
            Response fields = entry.get(1);
            String id = null;
            String type = null;
            String error = null;
            long attempts = 0;
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                String value = fields.get(i + 1).toString();
                switch (fields.get(i).toString()) {
                    case "id" -> id = value;
                    case "type" -> type = value;
                    case "error" -> error = value;
                    case "attempts" -> attempts = Long.parseLong(value);
                    default -> {
                    }
                }
            }
            letters.add(new DeadLetter(id, type, attempts, error,
                    Instant.ofEpochMilli(Replies.entryMillis(entry.get(0).toString()))));
        }
        return letters;
    }
}
