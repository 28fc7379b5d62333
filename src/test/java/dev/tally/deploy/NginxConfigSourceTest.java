package dev.tally.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import dev.tally.web.Problem;
import dev.tally.web.ProblemWriter;

/**
 * Guards the "one Nginx config" rule: the server configuration exists once, as nginx/tally.conf.template, and
 * every environment renders that file rather than carrying a copy that could drift. Also pins the template's
 * hardening facts that hold for every environment (their behaviour is proven on real Nginx by NginxHardeningIT).
 */
class NginxConfigSourceTest {

    private static final Path ROOT = Path.of(System.getProperty("user.dir"));
    private static final Path TEMPLATE = ROOT.resolve("nginx/tally.conf.template");
    // Directives that only a copy of the server configuration would contain.
    private static final List<String> FINGERPRINTS = List.of("upstream tally_app", "limit_req_zone",
            "ssl_protocols", "proxy_next_upstream");

    @Test
    void theServerConfigurationExistsOnlyInTheTemplate() throws IOException {
        List<Path> copies;
        try (Stream<Path> files = Files.walk(ROOT)) {
            copies = files.filter(Files::isRegularFile)
                    .filter(file -> !file.startsWith(ROOT.resolve(".git")) && !file.startsWith(ROOT.resolve("target")))
                    .filter(file -> !file.equals(TEMPLATE))
                    .filter(file -> !file.toString().endsWith(".java") && !file.toString().endsWith(".md"))
                    .filter(NginxConfigSourceTest::looksLikeServerConfig)
                    .toList();
        }
        assertEquals(List.of(), copies, "Nginx server configuration outside nginx/tally.conf.template");
    }

    @Test
    void theTemplateCarriesEveryFingerprint() throws IOException {
        String template = Files.readString(TEMPLATE);
        FINGERPRINTS.forEach(fingerprint -> assertTrue(template.contains(fingerprint), fingerprint));
    }

    @Test
    void theTemplateNeverPointsAtTheManagementPort() throws IOException {
        assertTrue(!Files.readString(TEMPLATE).contains("9000"), "the management port is never proxied");
    }

    @Test
    void noVersionAndTheSecurityHeadersAtTheHttpLevelOnly() throws IOException {
        String template = Files.readString(TEMPLATE);
        assertTrue(template.contains("\nserver_tokens off;"), "server_tokens off, for every server");
        // add_header in a server or location would replace every inherited one there: all of them sit above the
        // first server block, so every answer of every server carries all of them.
        int firstServer = template.indexOf("\nserver {");
        Matcher addHeader = Pattern.compile("(?m)^\\s*add_header\\s+(\\S+)\\s+(.+?)\\s+always;$").matcher(template);
        Map<String, String> headers = new LinkedHashMap<>();
        while (addHeader.find()) {
            assertTrue(addHeader.start() < firstServer, "add_header inside a server block: " + addHeader.group());
            assertTrue(addHeader.group().startsWith("add_header"), "add_header indented (nested): " + addHeader.group());
            headers.put(addHeader.group(1), addHeader.group(2));
        }
        assertEquals("nosniff", headers.get("X-Content-Type-Options"));
        assertEquals("DENY", headers.get("X-Frame-Options"));
        assertTrue(headers.containsKey("Referrer-Policy"), headers.toString());
        assertTrue(headers.get("Content-Security-Policy").contains("frame-ancestors 'none'"), headers.toString());
        assertEquals("$tally_hsts", headers.get("Strict-Transport-Security"), "HSTS only over TLS: " + headers);
        assertTrue(template.contains("https   \"max-age=63072000\";"), "the HSTS value for https");
    }

    /** A replica's 503 (load shed) must reach the client: retrying it counted it toward max_fails=1. */
    @Test
    void aReplicasAnswerIsNeverARetryCondition() throws IOException {
        Matcher next = Pattern.compile("(?m)^\\s*proxy_next_upstream\\s+([^;]+);").matcher(Files.readString(TEMPLATE));
        assertTrue(next.find(), "proxy_next_upstream");
        List<String> conditions = List.of(next.group(1).trim().split("\\s+"));
        assertTrue(conditions.contains("error"), "a connection error (the drain hand-back) is retried: " + conditions);
        assertFalse(conditions.contains("http_503") || conditions.contains("non_idempotent"), conditions.toString());
        assertFalse(next.find(), "one proxy_next_upstream");
    }

    /**
     * A busy HTTP/2 connection is not ended every 1,000 requests (Nginx's default; clients that do not reconnect
     * lose what they queued, proven on real Nginx by NginxTopologyIT), and a replica connection is not reopened
     * that often either. Both in the template, so every environment gets them.
     */
    @Test
    void connectionsServeFarMoreThanAThousandRequests() throws IOException {
        String template = Files.readString(TEMPLATE);
        String upstream = template.substring(template.indexOf("upstream tally_app {"));
        upstream = upstream.substring(0, upstream.indexOf("\n}"));
        String tlsServer = template.substring(template.indexOf("listen ${TALLY_HTTPS_PORT} ssl http2 default_server;"));
        for (String block : List.of(upstream, tlsServer)) {
            Matcher requests = Pattern.compile("(?m)^\\s*keepalive_requests (\\d+);").matcher(block);
            assertTrue(requests.find(), "keepalive_requests in " + block.lines().findFirst().orElseThrow());
            assertTrue(Integer.parseInt(requests.group(1)) >= 100_000, requests.group());
        }
        Matcher idle = Pattern.compile("(?m)^\\s*keepalive (\\d+);").matcher(upstream);
        assertTrue(idle.find() && Integer.parseInt(idle.group(1)) >= 128,
                "an idle cache of at least one client connection's streams (http2_max_concurrent_streams 128)");
    }

    /** Every error_page leads to an internal location answering that status as a problem document. */
    @Test
    void everyErrorNginxMakesIsAProblemDocument() throws IOException {
        String template = Files.readString(TEMPLATE);
        Matcher errorPage = Pattern.compile("(?m)^\\s*error_page\\s+([\\d ]+?)\\s+(?:=(\\d*)\\s+)?(\\S+);").matcher(template);
        Set<String> covered = new TreeSet<>();
        int pages = 0;
        while (errorPage.find()) {
            pages++;
            covered.addAll(List.of(errorPage.group(1).trim().split("\\s+")));
            String uri = errorPage.group(3);
            // "=NNN" sets the status, a bare "=" takes the location's, none keeps the (single) original one.
            String forced = errorPage.group(2);
            Integer status = forced == null ? Integer.valueOf(errorPage.group(1).trim())
                    : forced.isEmpty() ? null : Integer.valueOf(forced);
            Matcher location = Pattern.compile("location = " + Pattern.quote(uri) + " \\{\\n\\s*internal;\\n"
                    + "\\s*default_type application/problem\\+json;\\n((?:.*\\n)*?)\\s*}").matcher(template);
            assertTrue(location.find(), "an internal problem location for " + uri);
            Matcher body = Pattern.compile("return (\\d+) '\\{\"type\":\"([^\"]+)\",\"title\":\"([^\"]+)\","
                    + "\"status\":(\\d+),\"detail\":\"[^\"]+\",\"requestId\":\"\\$request_id\"}\\\\n';")
                    .matcher(location.group(1));
            int bodies = 0;
            while (body.find()) {
                bodies++;
                int returned = Integer.parseInt(body.group(1));
                if (status != null) {
                    assertEquals(status, returned, uri);
                }
                assertEquals(returned, Integer.parseInt(body.group(4)), uri + ": status member");
                String type = body.group(2);
                if (type.startsWith("urn:tally:problem:")) {
                    assertEquals(Problem.title(type.substring("urn:tally:problem:".length())), body.group(3),
                            uri + ": the title web/Problem gives the slug");
                } else {
                    assertEquals("about:blank", type, uri);
                    assertEquals(ProblemWriter.reasonPhrase(returned), body.group(3), uri);
                }
            }
            assertTrue(bodies > 0, uri + ": returns a problem document");
        }
        assertTrue(pages > 0, "error_page");
        assertTrue(covered.containsAll(List.of("400", "404", "405", "413", "414", "421", "429", "494", "500", "502",
                "503", "504")), "statuses Nginx makes itself: " + covered);
    }

    @Test
    void limitsComeFromTheEnvironmentAndTheLiveLocationKeepsTheOverallOne() throws IOException {
        String template = Files.readString(TEMPLATE);
        for (String placeholder : List.of("${TALLY_RATE_LIMIT}", "${TALLY_RATE_BURST}", "${TALLY_WRITE_RATE_LIMIT}",
                "${TALLY_WRITE_RATE_BURST}", "${TALLY_CONN_LIMIT}", "${TALLY_LIVE_CONN_LIMIT}",
                "${TALLY_SERVER_NAMES}")) {
            assertTrue(template.contains(placeholder), placeholder);
        }
        assertTrue(template.contains("~^(POST|PUT|PATCH|DELETE):     $binary_remote_addr;"), "writes are costly");
        assertTrue(template.contains("~*^GET:websocket$              $binary_remote_addr;"), "handshakes are costly");
        String live = template.substring(template.indexOf("location ~ ^/api/v1/counters/"));
        live = live.substring(0, live.indexOf("\n        }"));
        // limit_conn in a location replaces the server's: the overall cap must be repeated there.
        assertTrue(live.contains("limit_conn tally_conn_per_client ${TALLY_CONN_LIMIT};"), live);
        assertTrue(live.contains("limit_conn tally_live_per_client ${TALLY_LIVE_CONN_LIMIT};"), live);
        assertFalse(live.contains("limit_req "), "the live location inherits both limit_req lines: " + live);
        assertTrue(template.contains("limit_req_status 429;") && template.contains("limit_conn_status 429;"));
    }

    /** Tally's names in the default server; every other Host lands in the 421 server, on both ports. */
    @Test
    void onlyTheConfiguredServerNamesAreServed() throws IOException {
        String template = Files.readString(TEMPLATE);
        assertEquals(2, count(template, "server_name ${TALLY_SERVER_NAMES};"), "the redirect and the TLS server");
        String misdirected = template.substring(template.indexOf("server_name ~.;") - 400);
        misdirected = misdirected.substring(0, misdirected.indexOf("\n}\n"));
        assertTrue(misdirected.contains("listen ${TALLY_HTTP_PORT};")
                && misdirected.contains("listen ${TALLY_HTTPS_PORT} ssl http2;"), misdirected);
        assertFalse(misdirected.contains("default_server") || misdirected.contains("proxy_pass"), misdirected);
    }

    private static int count(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            count++;
        }
        return count;
    }

    private static boolean looksLikeServerConfig(Path file) {
        try {
            String text = Files.readString(file);
            return FINGERPRINTS.stream().filter(text::contains).count() >= 2;
        } catch (MalformedInputException binary) {
            return false;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
