package dev.tally.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A Lua script shipped as a resource under {@code lua/}, with the SHA-1 that {@code EVALSHA} needs. Scripts are
 * how Tally makes multi-step changes atomic; each one touches keys of a single hash tag, so it also runs on
 * Redis Cluster.
 */
public record LuaScript(String name, String source, String sha1) {

    public static LuaScript load(String name) {
        String source = resource("lua/" + name + ".lua");
        return new LuaScript(name, source, sha1(source));
    }

    /**
     * A script that uses the local functions of {@code lua/lib/<library>.lua}: that file's source goes first, as
     * scripts cannot call one another.
     */
    public static LuaScript load(String name, String library) {
        return load(name).withPrologue(resource("lua/lib/" + library + ".lua"));
    }

    private static String resource(String path) {
        try (InputStream in = LuaScript.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing script resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The same script with {@code prologue} run first, under the same name. */
    LuaScript withPrologue(String prologue) {
        String whole = prologue + source;
        return new LuaScript(name, whole, sha1(whole));
    }

    private static String sha1(String source) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-1", e);
        }
    }
}
