package dev.tally.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Guards the "one Nginx config" rule: the server configuration exists once, as nginx/tally.conf.template, and
 * every environment renders that file rather than carrying a copy that could drift.
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
