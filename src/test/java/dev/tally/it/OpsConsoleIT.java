package dev.tally.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.tally.testsupport.HeadlessChromium;
import dev.tally.testsupport.Http;
import dev.tally.testsupport.LocalLauncher;
import dev.tally.testsupport.Pause;
import dev.tally.testsupport.Ports;

/**
 * The ops console of a real 2-replica local run (the README's launcher, without Nginx), opened in Debian's
 * headless Chromium through its chromedriver (no browser or driver download): it shows both replicas, and the
 * in-flight figure of the replica serving blocking requests rises while they run and falls when they end, its hangs
 * panel lists them with their stacks once they pass the stuck threshold, and its recording control gives a summary
 * and a {@code .jfr} link. Also checks, on a real process's stdout, that the timing line carries the request id the client got.
 */
class OpsConsoleIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BLOCKED = 6;

    private static LocalLauncher launcher;
    private static int app;
    private static int management;
    private final Http http = new Http();

    @BeforeAll
    static void startTwoReplicas() {
        app = Ports.freeRange(2);
        management = Ports.freeRange(2);
        launcher = LocalLauncher.start(Map.of("TALLY_REPLICAS", "2", "TALLY_NGINX", "off",
                "TALLY_INSTANCE_PREFIX", "console", "TALLY_PORT", Integer.toString(app),
                "TALLY_MANAGEMENT_PORT", Integer.toString(management),
                "TALLY_REDIS_PORT", Integer.toString(Ports.free())));
        launcher.awaitReady(Duration.ofSeconds(120));
    }

    @AfterAll
    static void stop() {
        if (launcher != null) {
            launcher.close();
        }
    }

    private static String appUrl(int replica, String path) {
        return "http://127.0.0.1:" + (app + replica - 1) + path;
    }

    private static String managementUrl(int replica, String path) {
        return "http://127.0.0.1:" + (management + replica - 1) + path;
    }

    @Test
    void everyReplicaListsBothInTheClusterView() throws Exception {
        for (int replica = 1; replica <= 2; replica++) {
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            List<String> listed;
            do {
                HttpResponse<String> response = http.withBearer(launcher.opsToken())
                        .get(managementUrl(replica, "/ops/cluster"));
                assertEquals(200, response.statusCode());
                listed = JSON.readTree(response.body()).path("replicas").findValuesAsText("instance");
                if (listed.containsAll(List.of("console-1", "console-2"))) {
                    break;
                }
                Pause.of(Duration.ofMillis(200));
            } while (System.nanoTime() < deadline);
            assertEquals(List.of("console-1", "console-2"), listed, "as seen from replica " + replica);
        }
    }

    @Test
    void theTimingLineOnStdoutCarriesTheRequestIdTheClientGot() throws Exception {
        HttpResponse<String> response = http.post(appUrl(1, "/api/v1/counters/console-it/increment"), null);
        assertEquals(200, response.statusCode());
        String requestId = response.headers().firstValue("X-Request-Id").orElseThrow();
        Path log = launcher.runDir().resolve("replica-1.log");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            for (String line : Files.readAllLines(log)) {
                JsonNode envelope = line.startsWith("{") ? JSON.readTree(line) : null;
                if (envelope != null && envelope.path("loggerName").asText().equals("tally.access")
                        && line.contains(requestId)) {
                    JsonNode access = JSON.readTree(envelope.path("message").asText());
                    assertEquals(requestId, access.path("requestId").asText());
                    assertEquals("/api/v1/counters/{name}/increment", access.path("route").asText());
                    assertEquals("console-1", access.path("instance").asText());
                    assertEquals(200, access.path("status").asInt());
                    return;
                }
            }
            Pause.of(Duration.ofMillis(200));
        }
        throw new AssertionError("no access line with " + requestId + " in " + log);
    }

    @Test
    void theConsoleShowsBothReplicasAndItsInFlightFigureFollowsBlockingRequests() throws Exception {
        WebDriver browser = HeadlessChromium.open();
        ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
        try {
            browser.get(managementUrl(1, "/ops/"));
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30), Duration.ofMillis(200));
            // The shell loads without the token and asks for it; a wrong one is refused (401) and asked again.
            signIn(browser, wait, "0".repeat(64));
            wait.until(page -> page.findElement(By.id("login-error")).getText().contains("not this replica's"));
            assertTrue(browser.findElements(By.cssSelector("#replicas tbody tr")).isEmpty(), "no data without it");
            signIn(browser, wait, launcher.opsToken());
            wait.until(page -> page.findElements(By.cssSelector("#replicas tbody tr")).size() == 2);
            assertEquals(List.of("console-1", "console-2"), browser.findElements(By.cssSelector("#replicas td.instance"))
                    .stream().map(WebElement::getText).toList());
            assertEquals("live", browser.findElement(By.id("status")).getText());
            assertEquals(0, inFlight(browser, "console-1"), "the control: nothing in flight before the load");

            List<CompletableFuture<Integer>> blocked = new ArrayList<>();
            for (int i = 0; i < BLOCKED; i++) {
                blocked.add(CompletableFuture.supplyAsync(
                        () -> http.get(appUrl(1, "/api/v1/work/blocking?ms=12000")).statusCode(), clients));
            }
            wait.until(page -> inFlight(page, "console-1") >= BLOCKED);
            assertEquals(0, inFlight(browser, "console-2"), "the other replica serves none of them");
            // Past tally.ops.stuck-threshold (5 s) the panel lists each with its serving thread's stack.
            wait.until(page -> page.findElements(By.cssSelector("#stuck .hang")).size() >= BLOCKED);
            assertTrue(browser.findElement(By.cssSelector("#stuck .hang pre")).getText()
                    .contains("dev.tally.work.BlockingWork.block("), "a stuck request's stack");
            assertEquals("no deadlock", browser.findElement(By.id("deadlock")).getText());
            // docs/ops-console.png is this picture: replicas, in-flight figures and the hangs panel, all live.
            HeadlessChromium.screenshot(browser, Path.of("target", "ops-console.png"));

            for (CompletableFuture<Integer> request : blocked) {
                assertEquals(200, request.join());
            }
            wait.until(page -> inFlight(page, "console-1") == 0);
            wait.until(page -> page.findElement(By.id("stuck")).getText().equals("no stuck request"));

            // Asked once per tab: a reload keeps the token (sessionStorage) and goes live without asking.
            browser.navigate().refresh();
            wait.until(page -> page.findElements(By.cssSelector("#replicas tbody tr")).size() == 2);
            assertTrue(!browser.findElement(By.id("login")).isDisplayed(), "not asked again after a reload");
            // The header's links fetch with the token too.
            browser.findElement(By.cssSelector("button[data-view='/ops/threads']")).click();
            wait.until(page -> page.findElement(By.id("view")).getText().contains("/ops/threads (200)"));

            // A flight recording, as a summary and as a .jfr kept in a Blob (fetched with the token).
            WebElement seconds = browser.findElement(By.id("recording-seconds"));
            seconds.clear();
            seconds.sendKeys("1");
            browser.findElement(By.id("record-summary")).click();
            wait.until(page -> page.findElement(By.id("recording-summary")).getText().contains("GC"));
            browser.findElement(By.id("record-file")).click();
            wait.until(page -> page.findElement(By.id("recording-file")).getText().endsWith("KiB)"));
            WebElement file = browser.findElement(By.id("recording-file"));
            assertTrue(file.getAttribute("href").startsWith("blob:"), file.getAttribute("href"));
            assertTrue(file.getText().matches("tally-console-1-.*\\.jfr \\([1-9]\\d* KiB\\)"), file.getText());
        } finally {
            browser.quit();
            clients.shutdownNow();
        }
    }

    private static void signIn(WebDriver browser, WebDriverWait wait, String token) {
        wait.until(page -> page.findElement(By.id("login")).isDisplayed());
        WebElement field = browser.findElement(By.id("token"));
        field.clear();
        field.sendKeys(token);
        browser.findElement(By.cssSelector("#login button[type=submit]")).click();
    }

    private static int inFlight(WebDriver page, String instance) {
        List<WebElement> cells = page.findElements(
                By.cssSelector("#replicas tr[data-instance='" + instance + "'] td.in-flight"));
        if (cells.isEmpty()) {
            return -1;
        }
        try {
            return Integer.parseInt(cells.get(0).getText().trim());
        } catch (NumberFormatException | org.openqa.selenium.StaleElementReferenceException e) {
            return -1; // the table is redrawn every second; ask again
        }
    }
}
