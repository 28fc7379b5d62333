package dev.tally.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What the deployment tests share: the project's files (application.properties, the Nginx template and its
 * placeholders, the Dockerfile), the official nginx image's way of rendering that template, and running the real
 * tools they check with ({@code kubectl}, {@code node}, {@code envsubst}, {@code nginx}, {@code openssl}).
 *
 * <p>A missing tool fails the calling test with the way to install it; it is never a skip.
 */
final class DeployFiles {

    static final Path ROOT = projectRoot();
    static final Path TEMPLATE = ROOT.resolve("nginx/tally.conf.template");
    static final Path PROPERTIES = ROOT.resolve("src/main/resources/application.properties");
    static final Path DOCKERFILE = ROOT.resolve("Dockerfile");

    /** Where the official nginx image renders templates from (its default, which every deployment keeps). */
    static final String IMAGE_TEMPLATE_DIR = "/etc/nginx/templates/";
    static final String IMAGE_TEMPLATE_SUFFIX = ".template";

    static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{(TALLY_[A-Z0-9_]+)}");
    private static final Pattern NGINX_VARIABLE = Pattern.compile("\\$([a-z_][a-z0-9_]*)");

    private DeployFiles() {
    }

    // ---------------------------------------------------------------------------------------------------------
    // Project files

    private static Path projectRoot() {
        String configured = System.getProperty("tally.project.dir");
        Path root = Path.of(configured != null ? configured : System.getProperty("user.dir")).toAbsolutePath()
                .normalize();
        if (!Files.isRegularFile(root.resolve("pom.xml"))) {
            throw new IllegalStateException("run from the project directory (no pom.xml in " + root + ")");
        }
        return root;
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] bytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** src/main/resources/application.properties as the prod profile sees it (profile-prefixed keys left as they are). */
    static Properties applicationProperties() {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(PROPERTIES)) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }

    static String property(String key) {
        String value = applicationProperties().getProperty(key);
        assertNotNull(value, key + " is not set in " + PROPERTIES);
        return value;
    }

    static int intProperty(String key) {
        return Integer.parseInt(property(key).trim());
    }

    /** The ${TALLY_*} placeholders of nginx/tally.conf.template. */
    static Set<String> templatePlaceholders() {
        Set<String> names = new TreeSet<>();
        Matcher m = PLACEHOLDER.matcher(read(TEMPLATE));
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** Nginx's own variables of a configuration ($host, $request_id, ...), with their counts. */
    static Map<String, Long> nginxVariables(String config) {
        Map<String, Long> counts = new java.util.TreeMap<>();
        Matcher m = NGINX_VARIABLE.matcher(config);
        while (m.find()) {
            counts.merge(m.group(1), 1L, Long::sum);
        }
        return counts;
    }

    /** A Quarkus/Compose duration: "30s", "1m30s", "1500ms", "5" (seconds). */
    static Duration duration(String text) {
        assertNotNull(text, "missing duration");
        if (text.matches("\\d+")) {
            return Duration.ofSeconds(Long.parseLong(text));
        }
        Matcher m = Pattern.compile("(\\d+)(ms|h|m|s)").matcher(text);
        Duration total = Duration.ZERO;
        int consumed = 0;
        while (m.find()) {
            long n = Long.parseLong(m.group(1));
            total = total.plus(switch (m.group(2)) {
                case "h" -> Duration.ofHours(n);
                case "m" -> Duration.ofMinutes(n);
                case "s" -> Duration.ofSeconds(n);
                default -> Duration.ofMillis(n);
            });
            consumed += m.group().length();
        }
        assertEquals(text.length(), consumed, "unparsable duration: " + text);
        return total;
    }

    /**
     * The memory bound of a {@code redis-server} command line, in bytes, after checking that a full Redis refuses
     * writes ({@code --maxmemory-policy noeviction}) rather than evicting Tally's keys (counters, sessions, jobs).
     */
    static long redisMaxmemory(List<?> command, String where) {
        List<String> args = command.stream().map(String::valueOf).toList();
        int bound = args.indexOf("--maxmemory");
        int policy = args.indexOf("--maxmemory-policy");
        assertTrue(bound >= 0 && bound + 1 < args.size(), where + ": Redis has a --maxmemory bound: " + args);
        assertTrue(policy >= 0 && policy + 1 < args.size() && args.get(policy + 1).equals("noeviction"),
                where + ": a full Redis refuses writes (--maxmemory-policy noeviction): " + args);
        long bytes = redisBytes(args.get(bound + 1));
        assertTrue(bytes > 0, where + ": --maxmemory 0 means no bound: " + args);
        return bytes;
    }

    /** A Redis memory size as redis.conf reads it: {@code 1k} = 1000, {@code 1kb} = 1024, and so on up to g/gb. */
    static long redisBytes(String text) {
        Matcher m = Pattern.compile("(\\d+)(|k|kb|m|mb|g|gb)").matcher(text.toLowerCase());
        assertTrue(m.matches(), "a Redis memory size: " + text);
        long n = Long.parseLong(m.group(1));
        return n * switch (m.group(2)) {
            case "k" -> 1_000L;
            case "kb" -> 1L << 10;
            case "m" -> 1_000_000L;
            case "mb" -> 1L << 20;
            case "g" -> 1_000_000_000L;
            case "gb" -> 1L << 30;
            default -> 1L;
        };
    }

    /** Dockerfile instructions as {KEYWORD, arguments}, continuation lines joined, comments dropped. */
    static List<String[]> dockerInstructions() {
        List<String[]> result = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : read(DOCKERFILE).split("\n")) {
            String trimmed = line.trim();
            if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.isEmpty())) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                current.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            current.append(trimmed);
            String text = current.toString().trim();
            current.setLength(0);
            if (!text.isEmpty()) {
                String[] parts = text.split("\\s+", 2);
                result.add(new String[] {parts[0].toUpperCase(), parts.length > 1 ? parts[1] : ""});
            }
        }
        return result;
    }

    /** The arguments of the Dockerfile's last instruction of this kind, or null. */
    static String lastDockerInstruction(String keyword) {
        String value = null;
        for (String[] instruction : dockerInstructions()) {
            if (instruction[0].equals(keyword)) {
                value = instruction[1];
            }
        }
        return value;
    }

    // ---------------------------------------------------------------------------------------------------------
    // The official nginx image

    /**
     * The template rendered as the official nginx image's entrypoint (20-envsubst-on-templates.sh) does it:
     * {@code envsubst "$defined_envs"}, where defined_envs lists every environment variable whose name matches
     * NGINX_ENVSUBST_FILTER. Uses the real envsubst.
     */
    static String renderLikeTheImage(Map<String, String> containerEnv) {
        Path envsubst = requireTool("envsubst", "apt-get install gettext-base");
        Pattern filter = Pattern.compile(containerEnv.getOrDefault("NGINX_ENVSUBST_FILTER", ""));
        String definedEnvs = containerEnv.keySet().stream().filter(k -> filter.matcher(k).find())
                .map(k -> "${" + k + "} ").collect(Collectors.joining());
        Result render = run(List.of(envsubst.toString(), definedEnvs), containerEnv, read(TEMPLATE),
                Duration.ofSeconds(20));
        assertEquals(0, render.exit(), "envsubst failed: " + render.output());
        return render.stdout();
    }

    /**
     * A main nginx.conf like the official image's /etc/nginx/nginx.conf (its http block includes conf.d/*.conf),
     * with the files it writes moved into {@code dir}; "user nginx" is left out (nginx -t needs no workers).
     */
    static String imageLikeMainConfig(Path dir) {
        Path mime = Path.of("/etc/nginx/mime.types");
        return """
                worker_processes auto;
                error_log %1$s/error.log notice;
                pid %1$s/nginx.pid;
                events { worker_connections 1024; }
                http {
                    %2$s
                    default_type application/octet-stream;
                    log_format main '$remote_addr - $remote_user [$time_local] "$request" '
                                    '$status $body_bytes_sent "$http_referer" '
                                    '"$http_user_agent" "$http_x_forwarded_for"';
                    access_log %1$s/access.log main;
                    sendfile on;
                    keepalive_timeout 65;
                    client_body_temp_path %1$s/body;
                    proxy_temp_path %1$s/proxy;
                    fastcgi_temp_path %1$s/fastcgi;
                    uwsgi_temp_path %1$s/uwsgi;
                    scgi_temp_path %1$s/scgi;
                    include %1$s/conf.d/*.conf;
                }
                """.formatted(dir, Files.isRegularFile(mime) ? "include " + mime + ";" : "");
    }

    /** A throwaway self-signed certificate (the command deploy/local/nginx.sh runs), as {cert, key}. */
    static Path[] selfSignedCertificate(Path dir) throws IOException {
        Path openssl = requireTool("openssl", "apt-get install openssl");
        Path cert = dir.resolve("tls/cert.pem");
        Path key = dir.resolve("tls/key.pem");
        Files.createDirectories(cert.getParent());
        Result certificate = run(List.of(openssl.toString(), "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=localhost", "-addext",
                "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key.toString(), "-out", cert.toString()),
                System.getenv(), "", Duration.ofSeconds(30));
        assertEquals(0, certificate.exit(), "openssl failed: " + certificate.output());
        return new Path[] {cert, key};
    }

    /** nginx -t on a conf.d file inside an image-like main configuration; returns nginx's output. */
    static Result nginxCheck(Path dir, String confName, String config) throws IOException {
        Path nginx = requireTool("nginx", "apt-get install nginx");
        Path confD = Files.createDirectories(dir.resolve("conf.d"));
        Files.writeString(confD.resolve(confName), config);
        Files.writeString(dir.resolve("nginx.conf"), imageLikeMainConfig(dir));
        return run(List.of(nginx.toString(), "-t", "-p", dir + "/", "-c", dir.resolve("nginx.conf").toString()),
                System.getenv(), "", Duration.ofSeconds(30));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Processes

    record Result(int exit, String stdout, String stderr) {
        String output() {
            return (stdout + "\n" + stderr).trim();
        }
    }

    static Result run(List<String> command, Map<String, String> env, String stdin, Duration timeout) {
        return run(command, env, stdin, timeout, ROOT);
    }

    static Result run(List<String> command, Map<String, String> env, String stdin, Duration timeout, Path workDir) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("tally-deploy-test-");
            ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
                    .redirectOutput(dir.resolve("out").toFile()).redirectError(dir.resolve("err").toFile());
            builder.environment().clear();
            builder.environment().putAll(env);
            Process process = builder.start();
            try (var in = process.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                fail(String.join(" ", command) + " did not finish within " + timeout);
            }
            return new Result(process.exitValue(), Files.readString(dir.resolve("out")),
                    Files.readString(dir.resolve("err")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            deleteTree(dir);
        }
    }

    /**
     * {@code npm ci} in {@code dir} (a validator's package with its lockfile), unless {@code node_modules} was
     * installed from the current lockfile already: the validators' dependencies come from npm, never from the repo.
     */
    static synchronized void npmCi(Path dir) {
        Path lock = dir.resolve("package-lock.json");
        Path installed = dir.resolve("node_modules/.package-lock.json");
        try {
            if (Files.isRegularFile(installed)
                    && Files.getLastModifiedTime(installed).compareTo(Files.getLastModifiedTime(lock)) >= 0) {
                return;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path npm = requireTool("npm", "install npm (apt-get install npm, or with Node.js)");
        Result install = run(List.of(npm.toString(), "ci", "--no-audit", "--no-fund", "--prefer-offline"),
                System.getenv(), "", Duration.ofMinutes(5), dir);
        assertEquals(0, install.exit(), "npm ci in " + ROOT.relativize(dir) + " failed:\n" + install.output());
    }

    static Path findOnPath(String name) {
        String path = System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/sbin:/usr/bin:/sbin:/bin";
        for (String entry : path.split(File.pathSeparator)) {
            if (!entry.isEmpty() && Files.isExecutable(Path.of(entry, name))) {
                return Path.of(entry, name);
            }
        }
        return null;
    }

    /** The tool's path; fails the test with {@code howToInstall} when it is not on the PATH. */
    static Path requireTool(String name, String howToInstall) {
        Path tool = findOnPath(name);
        if (tool == null) {
            fail("'" + name + "' is not installed; " + howToInstall);
        }
        return tool;
    }

    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void assertContains(String haystack, String needle, String message) {
        assertTrue(haystack.contains(needle), message + ": expected '" + needle + "' in:\n" + haystack);
    }
}
