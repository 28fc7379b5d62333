package dev.tally.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.tally.testsupport.Http;
import dev.tally.testsupport.LocalLauncher;
import dev.tally.testsupport.Ports;
import dev.tally.testsupport.TrustedCertificate;

/**
 * The README's five-minute tour, run as a reader would: the shell lines between its {@code <!-- tour -->} markers,
 * taken from the README itself (so they cannot drift), against a fresh launcher (the README's run command) on free
 * ports. Every {@code curl} must succeed, and every complete JSON object a comment shows must come back, in order.
 * Then the URLs the launcher prints for the first look answer.
 */
class TourIT {

    private static final Path README = Path.of(System.getProperty("tally.project.dir", "."), "README.md");
    /** A JSON object (nested one level deep at most) in a line's comment: what the tour must print there. */
    private static final Pattern SHOWN = Pattern.compile("\\{\"[^{}]*(\\{[^{}]*\\}[^{}]*)*\\}");
    private static LocalLauncher launcher;
    private static int httpsPort;
    private static int managementPort;

    @BeforeAll
    static void launch() {
        int appPort = Ports.freeRange(3);
        managementPort = Ports.freeRange(3);
        httpsPort = Ports.free();
        // As shipped: anonymous callers may only read counters, so the tour's writes need the key the launcher makes.
        launcher = LocalLauncher.startAsShipped(Map.of("TALLY_PORT", Integer.toString(appPort),
                "TALLY_MANAGEMENT_PORT", Integer.toString(managementPort), "TALLY_REDIS_PORT",
                Integer.toString(Ports.free()), "TALLY_HTTPS_PORT", Integer.toString(httpsPort),
                "TALLY_HTTP_PORT", Integer.toString(Ports.free())))
                .awaitReady(Duration.ofSeconds(180));
    }

    @AfterAll
    static void stop() {
        LocalLauncher.stopCleanly(launcher, Duration.ofSeconds(90));
    }

    private static String tour() throws IOException {
        String readme = Files.readString(README);
        int start = readme.indexOf("<!-- tour -->");
        int end = readme.indexOf("<!-- /tour -->");
        assertTrue(start >= 0 && end > start, "README.md has a <!-- tour --> block");
        String block = readme.substring(start, end);
        return block.substring(block.indexOf("```sh\n") + 6, block.lastIndexOf("```"));
    }

    @Test
    void theReadmeTourRunsAsWrittenAndAnswersWhatItShows() throws Exception {
        String tour = tour();
        String origin = "tally=https://localhost:8443\n";
        assertTrue(tour.startsWith(origin), "the tour starts by naming Nginx's address: " + tour);
        Path dir = Files.createTempDirectory("tally-tour-");
        // Every curl must succeed (an HTTP error fails the run) and ends its output with a newline.
        String script = "set -euo pipefail\ncd " + dir + "\n"
                + "curl() { command curl --fail-with-body -sS --max-time 30 \"$@\"; echo; }\n"
                + "tally=https://localhost:" + httpsPort + "\n"
                // The README names the launcher's default run directory; this launcher runs in a directory of its own.
                + tour.substring(origin.length()).replace("deploy/local/.run/", launcher.runDir() + "/");
        Process bash = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true).start();
        assertTrue(bash.waitFor(120, TimeUnit.SECONDS), "the tour finished");
        String output = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, bash.exitValue(), "every line of the tour ran:\n" + output);

        // What the comments show, in order; an object with "..." in it is abridged, so not compared.
        List<String> shown = new ArrayList<>();
        for (String line : tour.lines().toList()) {
            int comment = line.indexOf("# ");
            Matcher json = SHOWN.matcher(comment < 0 ? "" : line.substring(comment));
            while (json.find()) {
                if (!json.group().contains("...")) {
                    shown.add(json.group());
                }
            }
        }
        assertTrue(shown.size() >= 5, "the tour shows its answers: " + shown);
        int from = 0;
        for (String expected : shown) {
            int at = output.indexOf(expected, from);
            assertTrue(at >= 0, "the tour shows " + expected + "; after position " + from + " it printed:\n" + output);
            from = at + expected.length();
        }
        assertTrue(output.startsWith("Hello World"), output);
        assertTrue(output.toLowerCase().contains("idempotent-replayed: true"), output);
        assertTrue(output.contains("\"status\":\"succeeded\",\"attempts\":1"), "the job ran to its end:\n" + output);
    }

    @Test
    void theUrlsTheLauncherPrintsAnswer() throws IOException {
        // They follow the "ready." line that awaitReady returned on; the console's is the last one printed.
        launcher.awaitLine("ops console:", Duration.ofSeconds(30));
        String printed = launcher.output();
        Http http = Http.tls(TrustedCertificate.context(launcher.runDir().resolve("tls/cert.pem")),
                HttpClient.Version.HTTP_2);
        Http plain = new Http();
        String api = "https://localhost:" + httpsPort + "/";
        String swagger = "http://127.0.0.1:" + managementPort + "/q/swagger-ui/";
        String console = "http://127.0.0.1:" + managementPort + "/ops/";
        for (String url : List.of(api, swagger, console)) {
            assertTrue(printed.contains(url), "the launcher prints " + url + ":\n" + printed);
        }
        Path keyFile = launcher.runDir().resolve("api-key");
        assertTrue(printed.contains("curl -k -X POST -H \"Authorization: Bearer $(cat " + keyFile + ")\" " + api
                + "api/v1/counters/hello/increment"), printed);
        assertEquals(200, http.get(api).statusCode());
        String key = Files.readString(keyFile).strip();
        assertTrue(printed.contains("API key:     " + key), "the launcher prints the key it wrote:\n" + printed);
        String increment = api + "api/v1/counters/hello/increment";
        assertEquals(401, http.post(increment, null).statusCode(), "as shipped, an anonymous caller may not write");
        assertEquals(200, http.post(increment, null, "Authorization", "Bearer " + key).statusCode(),
                "the printed key may");
        assertEquals(200, plain.get(swagger).statusCode());
        assertEquals(200, plain.get(console).statusCode(), "the console's shell loads without the token");
        String token = launcher.opsToken();
        assertTrue(printed.contains("ops token:   " + token), "the launcher prints the token it wrote:\n" + printed);
        String cluster = "http://127.0.0.1:" + managementPort + "/ops/cluster";
        assertEquals(401, plain.get(cluster).statusCode(), "the ops routes need the token");
        assertEquals(200, plain.withBearer(token).get(cluster).statusCode(), "the printed token opens them");
    }
}
