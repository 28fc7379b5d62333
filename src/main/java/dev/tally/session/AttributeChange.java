package dev.tally.session;

/** One attribute to set ({@code json} is its value as JSON text) or, when {@code json} is null, to delete. */
record AttributeChange(String name, String json) {

    boolean deletes() {
        return json == null;
    }
}
