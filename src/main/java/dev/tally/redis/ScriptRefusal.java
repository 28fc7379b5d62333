package dev.tally.redis;

import java.util.Optional;
import java.util.function.Function;

/**
 * A script's deliberate "no": an error reply made by {@code redis.error_reply('CODE ' .. detail)}, such as
 * {@code MISMATCH 5} or {@code LIMIT 12}. The code says which refusal it is, the detail carries its data. Features
 * turn a refusal into their own answer; any other failure stays what it was.
 */
public record ScriptRefusal(String code, String detail) {

    /** The refusal coded {@code code} that {@code failure} is, if it is one. */
    public static Optional<ScriptRefusal> of(Throwable failure, String code) {
        if (failure instanceof RedisReplyException reply && reply.hasCode(code)) {
            return Optional.of(new ScriptRefusal(code, reply.getMessage().substring(code.length() + 1)));
        }
        return Optional.empty();
    }

    /**
     * For {@code Uni.onFailure().transform(...)}: the refusal coded {@code code} becomes the exception
     * {@code answer} makes of it; every other failure passes unchanged.
     */
    public static Function<Throwable, Throwable> becomes(String code,
            Function<ScriptRefusal, ? extends RuntimeException> answer) {
        return failure -> of(failure, code).<Throwable>map(answer).orElse(failure);
    }
}
