package dev.tally.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.tally.testsupport.HeadlessChromium;
import dev.tally.testsupport.LocalLauncher;
import dev.tally.testsupport.Ports;
import dev.tally.testsupport.Unique;

/**
 * "Try it out" from Swagger UI, as a newcomer does it (docs/api.md, Trying it from the browser): the README's
 * launcher as shipped, Nginx in front, a headless Chromium on the management port's Swagger UI, Authorize with the
 * launcher's API key, then an increment sent through Nginx (a cross-origin call with a preflight) answers 200 with
 * the new value, and the same without the key is the 401 problem, readable by the page; and a session created
 * there is the one the next calls use, through the replica's own server (the page's site, which keeps the cookie).
 */
class SwaggerUiIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static LocalLauncher launcher;
    private static int management;
    private static int https;
    private static int app;
    private static String swaggerUi;

    @BeforeAll
    static void startBehindNginx() {
        management = Ports.free();
        app = Ports.free();
        https = Ports.free();
        launcher = LocalLauncher.startAsShipped(Map.of("TALLY_REPLICAS", "1", "TALLY_PORT",
                Integer.toString(app), "TALLY_MANAGEMENT_PORT", Integer.toString(management),
                "TALLY_REDIS_PORT", Integer.toString(Ports.free()), "TALLY_HTTPS_PORT", Integer.toString(https),
                "TALLY_HTTP_PORT", Integer.toString(Ports.free()), "TALLY_INSTANCE_PREFIX", "swagger"));
        launcher.awaitReady(Duration.ofSeconds(120));
        swaggerUi = "http://127.0.0.1:" + management + "/q/swagger-ui/";
    }

    @AfterAll
    static void stop() {
        if (launcher != null) {
            launcher.close();
        }
    }

    @Test
    void anIncrementTriedFromSwaggerUiThroughNginxAnswers200() throws Exception {
        String key = Files.readString(launcher.runDir().resolve("api-key")).trim();
        String counter = Unique.name("swagger");
        WebDriver browser = openSwaggerUi("https://localhost:" + https);
        try {
            WebDriverWait wait = waitIn(browser);
            WebElement increment = tryOut(wait, "post", "/api/v1/counters/{name}/increment");
            increment.findElement(By.cssSelector("tr[data-param-name='name'] input")).sendKeys(counter);

            // Without the key: the 401 problem, whose body the page can read (CORS headers on the refusal too).
            increment.findElement(By.cssSelector(".execute")).click();
            assertEquals(401, status(wait, increment));
            assertTrue(body(increment).contains("api-key-required"), body(increment));

            authorize(browser, wait, key);
            increment.findElement(By.cssSelector(".btn-clear")).click();
            increment.findElement(By.cssSelector(".execute")).click();
            assertEquals(200, status(wait, increment));
            JsonNode answer = JSON.readTree(body(increment));
            assertEquals(counter, answer.path("name").asText(), answer.toString());
            assertEquals(10, answer.path("value").asLong(), "the request body example, {\"by\": 10}: " + answer);
            HeadlessChromium.screenshot(browser, Path.of("target", "swagger-ui.png"));
        } finally {
            keepForTheReader(browser, "swagger-ui.html");
        }
    }

    /**
     * The session lives in an HttpOnly cookie that the page never sees: the browser must store it from the create's
     * answer and send it with the next call. That takes CORS with credentials (web/CrossOrigin) and Swagger UI's
     * fetch with credentials ({@code quarkus.swagger-ui.with-credentials}); without either, the read is a 404.
     */
    @Test
    void aSessionCreatedFromSwaggerUiIsTheOneTheNextCallReads() throws Exception {
        String key = Files.readString(launcher.runDir().resolve("api-key")).trim();
        WebDriver browser = openSwaggerUi("http://127.0.0.1:" + app);
        try {
            WebDriverWait wait = waitIn(browser);
            authorize(browser, wait, key);
            WebElement create = tryOut(wait, "post", "/api/v1/sessions");
            create.findElement(By.cssSelector(".execute")).click();
            assertEquals(201, status(wait, create), body(create));
            JsonNode created = JSON.readTree(body(create));

            WebElement visit = tryOut(wait, "post", "/api/v1/sessions/current/visits");
            visit.findElement(By.cssSelector(".execute")).click();
            assertEquals(200, status(wait, visit), body(visit));
            WebElement read = tryOut(wait, "get", "/api/v1/sessions/current");
            read.findElement(By.cssSelector(".execute")).click();
            assertEquals(200, status(wait, read), "the cookie went with the read: " + body(read));
            JsonNode session = JSON.readTree(body(read));
            assertEquals(1, session.path("visits").asLong(), session.toString());
            // The very session the create made (a session has no id in its body: its birth time and attributes).
            assertEquals(created.path("createdAt"), session.path("createdAt"), session.toString());
            assertEquals(created.path("attributes"), session.path("attributes"), session.toString());
        } finally {
            keepForTheReader(browser, "swagger-ui-session.html");
        }
    }

    /** Swagger UI on the management port, with Nginx chosen as the server, as the launcher prints it. */
    private static WebDriver openSwaggerUi(String server) {
        // The development certificate is self-signed: a person accepts it once, the test tells the browser to.
        WebDriver browser = HeadlessChromium.open("--ignore-certificate-errors");
        browser.get(swaggerUi);
        WebElement servers = waitIn(browser).until(page -> page.findElement(By.cssSelector(".servers select")));
        new Select(servers).selectByValue(server);
        return browser;
    }

    private static WebDriverWait waitIn(WebDriver browser) {
        return new WebDriverWait(browser, Duration.ofSeconds(30), Duration.ofMillis(200));
    }

    /** Opens an operation and presses "Try it out". */
    private static WebElement tryOut(WebDriverWait wait, String method, String path) {
        WebElement operation = wait.until(page -> page.findElement(By.cssSelector(
                ".opblock-" + method + ":has([data-path='" + path + "'])")));
        operation.findElement(By.cssSelector(".opblock-summary")).click();
        wait.until(page -> operation.findElement(By.cssSelector(".try-out__btn"))).click();
        return operation;
    }

    /** What the page showed, for whoever reads a failure of this test. */
    private static void keepForTheReader(WebDriver browser, String file) throws Exception {
        try {
            Files.writeString(Path.of("target", file), browser.getPageSource());
        } finally {
            browser.quit();
        }
    }

    private static void authorize(WebDriver browser, WebDriverWait wait, String key) {
        browser.findElement(By.cssSelector("button.authorize")).click();
        WebElement field = wait.until(page -> page.findElement(By.cssSelector(".modal-ux input[type='text']")));
        field.sendKeys(key);
        browser.findElement(By.cssSelector(".modal-ux button.modal-btn.authorize")).click();
        wait.until(page -> page.findElement(By.cssSelector(".modal-ux button.modal-btn.btn-done"))).click();
    }

    private static int status(WebDriverWait wait, WebElement operation) {
        String text = wait.until(page -> {
            List<WebElement> cells = operation.findElements(
                    By.cssSelector(".live-responses-table tr.response .response-col_status"));
            return cells.isEmpty() || cells.get(0).getText().isBlank() ? null : cells.get(0).getText();
        });
        String code = text.trim().split("\\s+")[0];
        if (!code.matches("\\d{3}")) {
            // "Undocumented" with "Failed to fetch": no answer the page may read (CORS refused, or no connection).
            throw new AssertionError("Swagger UI got no readable answer: " + text);
        }
        return Integer.parseInt(code);
    }

    private static String body(WebElement operation) {
        return operation.findElement(By.cssSelector(".live-responses-table .highlight-code pre")).getText();
    }
}
