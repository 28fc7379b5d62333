package dev.tally.deploy;

import static dev.tally.deploy.DeployFiles.ROOT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The Redis ACL rule for Tally's user (deploy/redis/tally-user.acl) is one source: docs/security.md shows it as it
 * is, and every command a Lua script runs is in it (Redis checks a script's commands against its caller's rule), so
 * a new script command fails here at once rather than as a refusal in production. {@code it/RedisAclIT} proves the
 * rest on a real Redis: nothing Tally does is refused and nothing the rule allows goes unused.
 */
class RedisAclRuleTest {

    private static final Path RULE = ROOT.resolve("deploy/redis/tally-user.acl");
    private static final Pattern SCRIPT_CALL = Pattern.compile("redis\\.p?call\\('([A-Za-z]+)'");

    @Test
    void theDocsShowTheRuleAsItIs() {
        String rule = DeployFiles.read(RULE).strip();
        assertTrue(DeployFiles.read(ROOT.resolve("docs/security.md")).contains("```\n" + rule + "\n```"),
                "docs/security.md shows deploy/redis/tally-user.acl verbatim in a code block");
    }

    @Test
    void everyCommandOfTheScriptsIsAllowed() {
        Set<String> allowed = Arrays.stream(DeployFiles.read(RULE).strip().split("\\s+"))
                .filter(word -> word.startsWith("+")).map(word -> word.substring(1))
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> used = new TreeSet<>();
        try (Stream<Path> scripts = Files.list(ROOT.resolve("src/main/resources/lua"))) {
            for (Path script : scripts.filter(path -> path.toString().endsWith(".lua")).toList()) {
                Matcher call = SCRIPT_CALL.matcher(DeployFiles.read(script));
                while (call.find()) {
                    used.add(call.group(1).toLowerCase(Locale.ROOT));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertTrue(used.size() > 10, "the scripts' commands were found: " + used);
        used.removeAll(allowed);
        assertEquals(Set.of(), used, "commands the scripts run that deploy/redis/tally-user.acl does not allow");
    }
}
