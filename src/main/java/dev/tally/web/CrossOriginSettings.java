package dev.tally.web;

import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;

/** Which browser origins may call the app API ({@code tally.cors.*}, see {@link CrossOrigin}). */
@ConfigMapping(prefix = "tally.cors")
public interface CrossOriginSettings {

    /**
     * {@code tally.cors.origins} ({@code TALLY_CORS_ORIGINS}): exact origins, comma-separated (for example the
     * management port's Swagger UI, {@code http://127.0.0.1:9000}). No default on purpose: unset, no origin is
     * allowed and the app port answers no CORS at all.
     */
    Optional<List<String>> origins();
}
