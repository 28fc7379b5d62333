// Load client for bench/live.sh: opens many live sockets on one replica, drives a steady increment rate on the
// counter they watch, and measures deliveries per second and the delay from sending an increment to each socket
// seeing its value. Single file, JDK only: java bench/LiveLoad.java (see bench/live.sh for the arguments).
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

public class LiveLoad {

    // Delays are bucketed by 0.1 ms up to 30 s; slower ones land in the last bucket.
    static final int BUCKETS = 300_000;
    static final AtomicLongArray histogram = new AtomicLongArray(BUCKETS);
    static final AtomicLong delivered = new AtomicLong();
    static final AtomicLong malformed = new AtomicLong();
    static volatile long[] sentAt;            // nanoTime at which the increment producing value v was sent
    static volatile boolean measuring;

    public static void main(String[] args) throws Exception {
        if (args.length != 7) {
            System.err.println("usage: LiveLoad HTTP_BASE MANAGEMENT_BASE REPLICA_PID SOCKETS RATE WARMUP_S MEASURE_S");
            System.exit(2);
        }
        String base = args[0], management = args[1];
        long pid = Long.parseLong(args[2]);
        int sockets = Integer.parseInt(args[3]), rate = Integer.parseInt(args[4]);
        int warmup = Integer.parseInt(args[5]), measure = Integer.parseInt(args[6]);
        String counter = "live-bench-" + ProcessHandle.current().pid() + "-" + System.currentTimeMillis();
        sentAt = new long[rate * (warmup + measure) + 16];

        long rssIdle = rssKb(pid);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        long openStart = System.nanoTime();
        List<WebSocket> open = openSockets(base.replaceFirst("^http", "ws") + "/api/v1/counters/" + counter + "/live",
                sockets);
        double openSeconds = (System.nanoTime() - openStart) / 1e9;
        awaitInitialValues(sockets, Duration.ofSeconds(60));
        System.gc();
        Thread.sleep(2000);
        long rssOpen = rssKb(pid);
        say("opened %d sockets in %.1f s; replica RSS %d MB idle, %d MB with the sockets", open.size(), openSeconds,
                rssIdle >> 10, rssOpen >> 10);

        double coalescedBefore = 0, sentBefore = 0;
        long deliveredAtStart = 0, sentIncrements = 0, measuredIncrements = 0;
        long start = System.nanoTime();
        long measureStart = start;
        long total = (long) rate * (warmup + measure);
        long measureFrom = (long) rate * warmup;
        for (long i = 1; i <= total; i++) {
            if (i == measureFrom + 1) {
                coalescedBefore = metric(http, management, "tally_live_messages_coalesced_total");
                sentBefore = metric(http, management, "tally_live_messages_sent_total");
                deliveredAtStart = delivered.get();
                measureStart = System.nanoTime(); // the warm-up may run late when the replica cannot keep up
                measuring = true;
                say("warm-up done (%d s); measuring %d s", warmup, measure);
            }
            long due = start + (long) (i * 1e9 / rate);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            sentAt[(int) i] = System.nanoTime();
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                    URI.create(base + "/api/v1/counters/" + counter + "/increment"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200 || !response.body().contains("\"value\":" + i + "}")) {
                throw new IllegalStateException("increment " + i + " answered " + response.statusCode() + " "
                        + response.body());
            }
            sentIncrements++;
            if (measuring) {
                measuredIncrements++;
            }
        }
        long measureNanos = System.nanoTime() - measureStart;
        // Let the last messages arrive, then stop counting.
        Thread.sleep(2000);
        measuring = false;
        long deliveredMeasured = delivered.get() - deliveredAtStart;
        double coalesced = metric(http, management, "tally_live_messages_coalesced_total") - coalescedBefore;
        double sent = metric(http, management, "tally_live_messages_sent_total") - sentBefore;
        long rssLoaded = rssKb(pid);
        double seconds = measureNanos / 1e9;
        double achievedRate = measuredIncrements / seconds;
        System.out.printf(java.util.Locale.ROOT, "bench: sockets=%d open_s=%.1f rss_idle_mb=%d rss_open_mb=%d "
                + "rss_loaded_mb=%d kb_per_socket=%.1f increments_per_s=%.1f deliveries_per_s=%.0f "
                + "possible_per_s=%.0f coalesced=%.0f sent=%.0f p50_ms=%.1f p99_ms=%.1f max_ms=%.1f malformed=%d%n",
                open.size(), openSeconds, rssIdle >> 10, rssOpen >> 10, rssLoaded >> 10,
                (rssOpen - rssIdle) / (double) sockets, achievedRate, deliveredMeasured / seconds,
                achievedRate * sockets, coalesced, sent, percentile(0.50), percentile(0.99), percentile(1.0),
                malformed.get());
        open.forEach(WebSocket::abort);
        System.exit(0);
    }

    static List<WebSocket> openSockets(String url, int count) throws Exception {
        List<HttpClient> clients = new ArrayList<>();
        for (int c = 0; c < 4; c++) { // a few selector threads share the sockets
            clients.add(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build());
        }
        Semaphore inFlight = new Semaphore(200);
        List<CompletableFuture<WebSocket>> futures = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            inFlight.acquire();
            CompletableFuture<WebSocket> socket = clients.get(i % clients.size()).newWebSocketBuilder()
                    .buildAsync(URI.create(url), new Listener());
            socket.whenComplete((ok, failed) -> inFlight.release());
            futures.add(socket);
        }
        List<WebSocket> open = new ArrayList<>();
        for (CompletableFuture<WebSocket> future : futures) {
            open.add(future.get(60, TimeUnit.SECONDS));
        }
        return open;
    }

    static void awaitInitialValues(int sockets, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (delivered.get() < sockets) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + delivered.get() + " of " + sockets + " got a first value");
            }
            Thread.sleep(50);
        }
    }

    static final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            long now = System.nanoTime();
            partial.append(data);
            if (last) {
                int at = partial.indexOf("\"value\":");
                if (at < 0) {
                    malformed.incrementAndGet();
                } else {
                    long value = Long.parseLong(partial, at + 8, partial.length() - 1, 10);
                    delivered.incrementAndGet();
                    long[] sent = sentAt;
                    if (measuring && value > 0 && value < sent.length && sent[(int) value] != 0) {
                        int bucket = (int) Math.min(BUCKETS - 1, (now - sent[(int) value]) / 100_000);
                        histogram.incrementAndGet(bucket);
                    }
                }
                partial.setLength(0);
            }
            socket.request(1);
            return null;
        }
    }

    static double percentile(double p) {
        long total = 0;
        for (int i = 0; i < BUCKETS; i++) {
            total += histogram.get(i);
        }
        long rank = (long) Math.ceil(p * total), seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += histogram.get(i);
            if (seen >= rank && rank > 0) {
                return (i + 1) / 10.0;
            }
        }
        return 0;
    }

    static long rssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS for pid " + pid);
    }

    static double metric(HttpClient http, String management, String name) throws Exception {
        String text = http.send(HttpRequest.newBuilder(URI.create(management + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return text.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    static void say(String format, Object... args) {
        System.err.printf("bench: " + format + "%n", args);
    }
}
