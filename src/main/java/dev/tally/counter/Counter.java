package dev.tally.counter;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A counter as the API shows it. */
public record Counter(@Schema(example = "page.views") String name, @Schema(example = "42") long value) {
}
