package dev.tally.testsupport;

import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.redis.client.Response;
import io.vertx.redis.client.impl.types.BulkType;
import io.vertx.redis.client.impl.types.MultiType;
import io.vertx.redis.client.impl.types.NumberType;

/** Redis replies built in memory, in the driver's own types, for unit tests of reply decoding. */
public final class FakeReplies {

    private FakeReplies() {
    }

    public static Response bulk(String text) {
        return Response.newInstance(BulkType.create(Buffer.buffer(text), false));
    }

    public static Response number(long value) {
        return Response.newInstance(NumberType.create(value));
    }

    /** An array; a null element is a nil. */
    public static Response array(Response... items) {
        MultiType multi = MultiType.create(items.length, false);
        for (Response item : items) {
            multi.add(item == null ? null : item.getDelegate());
        }
        return Response.newInstance(multi);
    }

    /** A flat array of bulk strings, as RESP2 (and every Lua script) sends a hash. */
    public static Response flat(String... namesAndValues) {
        Response[] items = new Response[namesAndValues.length];
        for (int i = 0; i < items.length; i++) {
            items[i] = bulk(namesAndValues[i]);
        }
        return array(items);
    }

    /** A RESP3 map of names to values. */
    public static Response map(Object... namesAndValues) {
        MultiType multi = MultiType.create(namesAndValues.length / 2, true);
        for (int i = 0; i < namesAndValues.length; i++) {
            Object item = namesAndValues[i];
            multi.add(item instanceof Response response ? response.getDelegate()
                    : BulkType.create(Buffer.buffer((String) item), false));
        }
        return Response.newInstance(multi);
    }
}
