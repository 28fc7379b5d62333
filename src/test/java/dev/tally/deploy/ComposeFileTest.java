package dev.tally.deploy;

import static dev.tally.deploy.DeployFiles.IMAGE_TEMPLATE_DIR;
import static dev.tally.deploy.DeployFiles.IMAGE_TEMPLATE_SUFFIX;
import static dev.tally.deploy.DeployFiles.PLACEHOLDER;
import static dev.tally.deploy.DeployFiles.ROOT;
import static dev.tally.deploy.DeployFiles.TEMPLATE;
import static dev.tally.deploy.DeployFiles.applicationProperties;
import static dev.tally.deploy.DeployFiles.bytes;
import static dev.tally.deploy.DeployFiles.deleteTree;
import static dev.tally.deploy.DeployFiles.dockerInstructions;
import static dev.tally.deploy.DeployFiles.duration;
import static dev.tally.deploy.DeployFiles.findOnPath;
import static dev.tally.deploy.DeployFiles.lastDockerInstruction;
import static dev.tally.deploy.DeployFiles.nginxCheck;
import static dev.tally.deploy.DeployFiles.nginxVariables;
import static dev.tally.deploy.DeployFiles.read;
import static dev.tally.deploy.DeployFiles.renderLikeTheImage;
import static dev.tally.deploy.DeployFiles.requireTool;
import static dev.tally.deploy.DeployFiles.run;
import static dev.tally.deploy.DeployFiles.selfSignedCertificate;
import static dev.tally.deploy.DeployFiles.templatePlaceholders;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.tally.deploy.DeployFiles.Result;
import dev.tally.testsupport.OpsToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Guards the container deployment: {@code Dockerfile} and {@code deploy/compose.yaml}.
 *
 * <p>The compose file is read the way Compose itself reads it: the real {@code docker-compose -f deploy/compose.yaml
 * config} (Debian's docker-compose 1.29 needs no Docker engine for this) normalizes it (anchors merged, paths made
 * absolute, variables interpolated), and the assertions run on that output. Its Nginx environment is then used to
 * render nginx/tally.conf.template exactly as the official nginx image's entrypoint does (envsubst over the
 * variables that pass NGINX_ENVSUBST_FILTER), and the result is checked by the local {@code nginx -t}.
 *
 * <p>Values that exist elsewhere in the project (the launcher's replica count, upstream parameters and rate
 * defaults; the ports and shutdown budget in application.properties; the template's placeholders) are read from
 * those files, never repeated here, so the compose file cannot drift from them unnoticed.
 *
 * <p>A missing tool fails the test with the package to install; it is never a skip.
 */
class ComposeFileTest {

    private static final Path COMPOSE_FILE = ROOT.resolve("deploy/compose.yaml");
    private static final Path LAUNCHER = ROOT.resolve("deploy/local/up");
    /** The launcher's Redis part (sourced by deploy/local/up): how it starts every redis-server. */
    private static final Path LAUNCHER_REDIS = ROOT.resolve("deploy/local/redis.sh");
    private static final Path DOCKERIGNORE = ROOT.resolve(".dockerignore");

    private static final Pattern UPSTREAM_SERVER = Pattern.compile("server\\s+([^\\s;]+)([^;]*);");

    private static Map<String, Object> defaultConfig;
    /** The ops token every run of {@code config} gets (generated: a real one lives only in an ignored deploy/.env). */
    private static final String OPS_TOKEN = OpsToken.generate();

    // ---------------------------------------------------------------------------------------------------------
    // Topology, as in deploy/local/up

    @Test
    void topologyIsOneRedisTheLaunchersReplicaCountAndOneNginx() {
        Map<String, Map<String, Object>> services = services(defaultConfig());
        int launcherReplicas = Integer.parseInt(launcherDefault("replicas=\\$\\{TALLY_REPLICAS:-(\\d+)}"));

        List<String> replicas = replicaNames();
        assertEquals(launcherReplicas, replicas.size(),
                "deploy/local/up starts " + launcherReplicas + " replicas by default; compose has " + replicas);
        for (int n = 1; n <= launcherReplicas; n++) {
            assertTrue(replicas.contains("tally-" + n), "replica services must be tally-1..N, got " + replicas);
        }
        assertEquals(new TreeSet<>(concat(replicas, List.of("redis", "nginx"))), new TreeSet<>(withoutProfile(services)),
                "services started without a profile: exactly redis, the replicas and nginx");
        assertTrue(str(services.get("redis").get("image")).startsWith("redis:7"), "redis runs the redis:7 image");
        assertTrue(str(services.get("nginx").get("image")).startsWith("nginx:"), "nginx runs the official image");

        Set<String> images = new LinkedHashSet<>();
        for (String name : replicas) {
            Map<String, Object> replica = services.get(name);
            Map<String, Object> build = map(replica.get("build"), name + ".build");
            assertEquals(ROOT, Path.of(str(build.get("context"))).toAbsolutePath().normalize(),
                    name + " is built from the repository root");
            assertEquals("Dockerfile", str(build.getOrDefault("dockerfile", "Dockerfile")), name + " dockerfile");
            images.add(str(replica.get("image")));
            Map<String, String> env = environment(replica);
            assertEquals(name, env.get("TALLY_INSTANCE_ID"), name + " names itself in TALLY_INSTANCE_ID");
            assertEquals("redis://redis:6379", env.get("QUARKUS_REDIS_HOSTS"), name + " uses the redis service");
        }
        assertEquals(1, images.size(), "all replicas run one image (one artifact), got " + images);
    }

    @Test
    void redisPersistsAppendOnlyOnANamedVolumeAndHasAHealthcheck() {
        Map<String, Object> config = defaultConfig();
        Map<String, Object> redis = services(config).get("redis");
        List<String> command = strings(redis.get("command"), "redis.command");
        assertEquals("redis-server", command.get(0), "explicit command: " + command);
        int aof = command.indexOf("--appendonly");
        assertTrue(aof >= 0 && "yes".equals(command.get(aof + 1)), "append-only persistence: " + command);

        List<Mount> mounts = mounts(redis);
        Mount data = mounts.stream().filter(m -> m.target().equals("/data")).findFirst()
                .orElseThrow(() -> new AssertionError("redis mounts nothing at /data: " + mounts));
        assertTrue(map(config.get("volumes"), "volumes").containsKey(data.source()),
                "redis /data is a named volume declared under volumes:, got " + data.source());

        List<String> test = strings(healthcheck(redis, "redis").get("test"), "redis.healthcheck.test");
        assertEquals(List.of("CMD", "redis-cli", "ping"), test, "redis healthcheck");
    }

    /**
     * Every replica gets the one ops token from Compose's interpolation (deploy/.env, which git ignores); without
     * it, Compose refuses to start and says how to make it.
     */
    @Test
    void everyReplicaGetsTheOpsTokenFromAnUncommittedFileAndNoneMeansNoStart() throws Exception {
        Map<String, Map<String, Object>> services = services(defaultConfig());
        for (String name : replicaNames()) {
            assertEquals(OPS_TOKEN, environment(services.get(name)).get("TALLY_OPS_TOKEN"), name + " has the token");
        }
        assertTrue(Files.readAllLines(ROOT.resolve(".gitignore")).contains("deploy/.env"),
                "deploy/.env (where the token lives) is never committed");
        Result refused = compose(Map.of(), "config");
        assertNotEquals(0, refused.exit(), "Compose starts nothing without the token:\n" + refused.output());
        assertTrue(refused.output().contains("openssl rand -hex 32") && refused.output().contains("deploy/.env"),
                "the error says how to make the token:\n" + refused.output());
    }

    /**
     * As shipped, Compose's replicas authenticate as the application does by default: anonymous callers may only
     * read counters, with the application's quotas (the same values as application.properties).
     */
    @Test
    void everyReplicaHasTheApplicationsAuthenticationDefaults() throws Exception {
        Map<String, String> defaults = ConfigKeys.tallyDefaults();
        Map<String, Map<String, Object>> services = services(defaultConfig());
        for (String name : replicaNames()) {
            Map<String, String> environment = environment(services.get(name));
            assertEquals(defaults.get("tally.auth.anonymous-scopes"), environment.get("TALLY_AUTH_ANONYMOUS_SCOPES"),
                    name);
            assertEquals(defaults.get("tally.auth.quota.key-rate"), environment.get("TALLY_AUTH_QUOTA_KEY_RATE"), name);
            assertEquals(defaults.get("tally.auth.quota.anonymous-rate"),
                    environment.get("TALLY_AUTH_QUOTA_ANONYMOUS_RATE"), name);
        }
    }

    /** Without a bound Redis grows until the kernel kills it, then replays the same append-only file, and again. */
    @Test
    void redisAndTheLaunchersRedisHaveAMemoryBoundThatRefusesWrites() {
        List<String> command = strings(services(defaultConfig()).get("redis").get("command"), "redis.command");
        assertTrue(DeployFiles.redisMaxmemory(command, "compose") >= 64L << 20, "room for a real workload: " + command);

        String launcher = read(LAUNCHER);
        Matcher setting = Pattern.compile("redis_maxmemory=\\$\\{TALLY_REDIS_MAXMEMORY:-([^}]+)}").matcher(launcher);
        assertTrue(setting.find(), "the launcher's bound is TALLY_REDIS_MAXMEMORY, with a default");
        Matcher start = Pattern.compile("(?m)^\\s*redis-server [^&]*&").matcher(read(LAUNCHER_REDIS));
        assertTrue(start.find(), "the launcher starts redis-server");
        List<String> launched = List.of(start.group().replace("\\\n", " ").replace("\"", "").split("\\s+"));
        String bound = launched.get(launched.indexOf("--maxmemory") + 1);
        assertEquals("$redis_maxmemory", bound, "the launcher passes TALLY_REDIS_MAXMEMORY: " + launched);
        assertTrue(DeployFiles.redisMaxmemory(
                launched.stream().map(arg -> arg.equals(bound) ? setting.group(1) : arg).toList(), "launcher") > 0);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Redis topologies: --profile cluster|sentinel with TALLY_REDIS_MODE, as the launcher's TALLY_REDIS_MODE

    @Test
    void withoutAModeTheReplicasUseTheStandaloneRedisAndAnUnknownModeIsRefused() {
        for (String name : replicaNames()) {
            Map<String, String> env = environment(services(defaultConfig()).get(name));
            assertEquals("standalone", env.get("QUARKUS_REDIS_CLIENT_TYPE"), name);
            assertEquals("redis://redis:6379", env.get("QUARKUS_REDIS_HOSTS"), name);
        }
        Result unknown = compose(Map.of("TALLY_OPS_TOKEN", OPS_TOKEN, "TALLY_REDIS_MODE", "galaxy"), "config");
        assertNotEquals(0, unknown.exit(), "no env file for an unknown mode:\n" + unknown.output());
    }

    @Test
    void clusterProfileIsSixBoundedClusterNodesJoinedAsThreeMastersWithAReplicaEachAndTheReplicasUseThemAll() {
        Map<String, Map<String, Object>> services = services(composeConfig(Map.of("TALLY_REDIS_MODE", "cluster")));
        List<String> nodes = inProfile(services, "cluster").stream().filter(name -> name.startsWith("redis-node-"))
                .sorted().toList();
        assertEquals(List.of("redis-node-1", "redis-node-2", "redis-node-3", "redis-node-4", "redis-node-5",
                "redis-node-6"), nodes);
        for (String node : nodes) {
            List<String> command = strings(services.get(node).get("command"), node + ".command");
            assertEquals("yes", command.get(command.indexOf("--cluster-enabled") + 1), node + ": " + command);
            DeployFiles.redisMaxmemory(command, node);
            assertTrue(services.get(node).containsKey("healthcheck"), node + " has a healthcheck");
        }
        Map<String, Object> create = services.get("redis-cluster-create");
        assertEquals(new TreeSet<>(nodes), new TreeSet<>(dependsOn(create, "redis-cluster-create").keySet()),
                "the cluster is created once every node is up");
        String script = String.join(" ", strings(create.get("command"), "redis-cluster-create.command"));
        assertTrue(script.contains("--cluster create") && script.contains("--cluster-replicas 1")
                && script.contains("for n in 1 2 3 4 5 6"), script);
        for (String name : replicaNames()) {
            Map<String, String> env = environment(services.get(name));
            assertEquals("cluster", env.get("QUARKUS_REDIS_CLIENT_TYPE"), name);
            assertEquals(nodes.stream().map(node -> "redis://" + node + ":6379").toList(),
                    List.of(env.get("QUARKUS_REDIS_HOSTS").split(",")), name + " knows every node");
        }
    }

    @Test
    void sentinelProfileIsAMasterTwoReplicasAndThreeSentinelsWithAQuorumOfTwoAndTheReplicasAskTheSentinels() {
        Map<String, Map<String, Object>> services = services(composeConfig(Map.of("TALLY_REDIS_MODE", "sentinel")));
        List<String> sentinels = inProfile(services, "sentinel").stream()
                .filter(name -> name.startsWith("redis-sentinel-")).sorted().toList();
        assertEquals(3, sentinels.size(), sentinels.toString());
        for (String replica : List.of("redis-replica-1", "redis-replica-2")) {
            List<String> command = strings(services.get(replica).get("command"), replica + ".command");
            assertEquals(List.of("redis-primary", "6379"), command.subList(command.indexOf("--replicaof") + 1,
                    command.indexOf("--replicaof") + 3), replica + ": " + command);
            DeployFiles.redisMaxmemory(command, replica);
        }
        DeployFiles.redisMaxmemory(strings(services.get("redis-primary").get("command"), "primary"), "redis-primary");
        for (String sentinel : sentinels) {
            String script = String.join(" ", strings(services.get(sentinel).get("command"), sentinel + ".command"));
            assertTrue(script.contains("'sentinel monitor tally redis-primary 6379 2'")
                    && script.contains("--sentinel"), sentinel + ": " + script);
        }
        for (String name : replicaNames()) {
            Map<String, String> env = environment(services.get(name));
            assertEquals("sentinel", env.get("QUARKUS_REDIS_CLIENT_TYPE"), name);
            assertEquals("tally", env.get("QUARKUS_REDIS_MASTER_NAME"), name + ": the monitored master set");
            assertEquals(sentinels.stream().map(sentinel -> "redis://" + sentinel + ":26379").toList(),
                    List.of(env.get("QUARKUS_REDIS_HOSTS").split(",")), name + " asks every sentinel");
        }
    }

    @Test
    void startupIsHealthGatedAndReplicasDrainBeforeTheyAreKilled() {
        Map<String, Map<String, Object>> services = services(defaultConfig());
        Properties app = applicationProperties();
        Duration drain = duration(app.getProperty("quarkus.shutdown.delay"))
                .plus(duration(app.getProperty("quarkus.shutdown.timeout")));
        String managementPort = app.getProperty("quarkus.management.port");

        for (String name : replicaNames()) {
            Map<String, Object> replica = services.get(name);
            assertEquals(Map.of("redis", "service_healthy"), dependsOn(replica, name), name + " waits for Redis");
            String test = String.join(" ", strings(healthcheck(replica, name).get("test"), name + ".healthcheck"));
            assertTrue(test.contains("/q/health/ready") && test.contains("/" + managementPort),
                    name + " is healthy only when ready, checked on the management port: " + test);
            Duration grace = duration(str(replica.get("stop_grace_period")));
            assertTrue(grace.compareTo(drain) > 0, name + " stop_grace_period " + grace
                    + " must exceed quarkus.shutdown.delay + timeout = " + drain);
        }
        Map<String, String> expected = new HashMap<>();
        replicaNames().forEach(n -> expected.put(n, "service_healthy"));
        assertEquals(expected, dependsOn(services.get("nginx"), "nginx"), "nginx waits for every replica");
        assertEquals("SIGQUIT", str(services.get("nginx").get("stop_signal")),
                "nginx stops gracefully (SIGQUIT finishes the requests it holds)");
    }

    // ---------------------------------------------------------------------------------------------------------
    // The one Nginx configuration

    @Test
    void nginxMountsTheRepositoryTemplateItselfAndNoCopyExists() throws IOException {
        Map<String, Object> nginx = services(defaultConfig()).get("nginx");
        List<Mount> templates = mounts(nginx).stream()
                .filter(m -> m.target().startsWith(IMAGE_TEMPLATE_DIR)).toList();
        assertEquals(1, templates.size(), "exactly one template mounted into " + IMAGE_TEMPLATE_DIR + ": " + templates);
        Mount template = templates.get(0);
        assertEquals(IMAGE_TEMPLATE_DIR + "tally.conf" + IMAGE_TEMPLATE_SUFFIX, template.target());
        assertTrue(template.readOnly(), "the template is mounted read-only");
        assertEquals(TEMPLATE.toRealPath(), Path.of(template.source()).toRealPath(),
                "the mounted template must be the repository's nginx/tally.conf.template");

        Map<String, String> env = environment(nginx);
        for (String key : List.of("NGINX_ENVSUBST_TEMPLATE_DIR", "NGINX_ENVSUBST_TEMPLATE_SUFFIX",
                "NGINX_ENVSUBST_OUTPUT_DIR")) {
            assertFalse(env.containsKey(key), key + " must keep the image default that this test relies on");
        }
        // The image's own default.conf would also answer on port 80 (server_name localhost); it is blanked.
        assertTrue(mounts(nginx).stream().anyMatch(m -> m.source().equals("/dev/null")
                && m.target().equals("/etc/nginx/conf.d/default.conf") && m.readOnly()),
                "nginx must mount /dev/null over /etc/nginx/conf.d/default.conf");
        assertTrue(mounts(nginx).stream().noneMatch(m -> m.target().equals("/etc/nginx/nginx.conf")),
                "the image's main nginx.conf is used as is");

        // Drift guard: no copy (or variant) of the configuration lives under deploy/. Generated run dirs excluded.
        String marker = "upstream tally_app";
        try (Stream<Path> files = Files.walk(ROOT.resolve("deploy"))) {
            List<Path> copies = files.filter(Files::isRegularFile)
                    .filter(p -> Stream.of(ROOT.resolve("deploy").relativize(p).toString().split("/"))
                            .noneMatch(".run"::equals))
                    .filter(p -> p.getFileName().toString().endsWith(".template") || readLenient(p).contains(marker))
                    .toList();
            assertEquals(List.of(), copies, "copies of the Nginx configuration under deploy/; mount "
                    + "nginx/tally.conf.template instead");
        }
    }

    @Test
    void everyTemplatePlaceholderIsSetAndOnlyThoseAreSubstituted() {
        Map<String, String> env = environment(services(defaultConfig()).get("nginx"));
        Set<String> placeholders = templatePlaceholders();
        assertFalse(placeholders.isEmpty(), "no ${TALLY_*} placeholder found in " + TEMPLATE);
        for (String name : placeholders) {
            assertTrue(env.containsKey(name), name + " (a placeholder of nginx/tally.conf.template) is not set in "
                    + "the nginx service's environment; the image would leave it unreplaced");
            // The template's header documents TALLY_RESOLVER as "else empty"; every other value is needed.
            if (!name.equals("TALLY_RESOLVER")) {
                assertFalse(env.get(name).isBlank(), name + " is empty");
            }
        }
        Set<String> stale = env.keySet().stream().filter(k -> k.startsWith("TALLY_"))
                .filter(k -> !placeholders.contains(k)).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(Set.of(), stale, "TALLY_* variables set for nginx that the template does not use");

        String filter = env.get("NGINX_ENVSUBST_FILTER");
        assertNotNull(filter, "set NGINX_ENVSUBST_FILTER so only TALLY_* variables are substituted");
        Pattern pattern = Pattern.compile(filter);
        placeholders.forEach(p -> assertTrue(pattern.matcher(p).find(), "the filter excludes " + p));
        for (String other : List.of("PATH", "HOSTNAME", "HOME", "NGINX_VERSION", "host", "request_id")) {
            assertFalse(pattern.matcher(other).find(), "the filter lets " + other + " through");
        }
    }

    @Test
    void upstreamNamesEveryReplicaOnTheAppPortInTheLaunchersForm() {
        Map<String, String> env = environment(services(defaultConfig()).get("nginx"));
        Properties app = applicationProperties();
        String appPort = app.getProperty("quarkus.http.port");
        String managementPort = app.getProperty("quarkus.management.port");
        String upstream = env.get("TALLY_UPSTREAM_SERVERS");
        assertNotNull(upstream, "TALLY_UPSTREAM_SERVERS");

        List<String> addresses = new ArrayList<>();
        Matcher m = UPSTREAM_SERVER.matcher(upstream);
        while (m.find()) {
            addresses.add(m.group(1));
        }
        List<String> expected = replicaNames().stream().map(n -> n + ":" + appPort).toList();
        assertEquals(expected, addresses, "upstream servers must be every replica on the app port " + appPort);
        addresses.forEach(a -> assertFalse(a.endsWith(":" + managementPort),
                "the management port " + managementPort + " is never proxied: " + a));

        // deploy/local/up builds: upstream+="server 127.0.0.1:$((app_port + i)) max_fails=1 fail_timeout=10s; "
        String launcherParameters = launcherDefault("upstream\\+=\"server [^\"]*?\\)\\) ([^\"]*)\"");
        String launcherForm = replicaNames().stream().map(n -> "server " + n + ":" + appPort + " " + launcherParameters)
                .collect(Collectors.joining());
        assertEquals(launcherForm, upstream, "TALLY_UPSTREAM_SERVERS in the launcher's form");

        for (String name : List.of("TALLY_RATE_LIMIT", "TALLY_RATE_BURST", "TALLY_WRITE_RATE_LIMIT",
                "TALLY_WRITE_RATE_BURST", "TALLY_CONN_LIMIT", "TALLY_LIVE_CONN_LIMIT", "TALLY_SERVER_NAMES")) {
            assertEquals(launcherDefault(name + "=\\$\\{" + name + ":-([^}]+)}"), env.get(name),
                    name + ": the default as in the launcher");
        }
        assertEquals("/dev/stdout", env.get("TALLY_ACCESS_LOG"), "containers log to stdout");
    }

    @Test
    void onlyNginxPublishesAndOnlyOnLoopback() {
        Map<String, Map<String, Object>> services = services(defaultConfig());
        String managementPort = applicationProperties().getProperty("quarkus.management.port");
        services.forEach((name, service) -> {
            for (Port port : ports(service)) {
                assertEquals("127.0.0.1", port.hostIp(), name + " publishes " + port + " beyond loopback");
                assertNotEquals(managementPort, port.target(), name + " publishes the management port");
            }
            if (!name.equals("nginx")) {
                assertEquals(List.of(), ports(service), name + " must not publish ports");
            }
            strings(service.getOrDefault("expose", List.of()), name + ".expose").forEach(p ->
                    assertNotEquals(managementPort, p.replace("/tcp", ""), name + " exposes the management port"));
        });

        Map<String, Object> nginx = services.get("nginx");
        Map<String, String> env = environment(nginx);
        Map<String, String> published = new HashMap<>();
        ports(nginx).forEach(p -> published.put(p.target(), p.published()));
        assertEquals(Set.of(env.get("TALLY_HTTPS_PORT"), env.get("TALLY_HTTP_PORT")), published.keySet(),
                "nginx publishes exactly its HTTPS and HTTP listeners");
        assertEquals("443", env.get("TALLY_HTTPS_PORT"));
        assertEquals("80", env.get("TALLY_HTTP_PORT"));
        assertEquals(published.get("443"), env.get("TALLY_PUBLIC_HTTPS_PORT"),
                "the redirect must name the HTTPS port clients reach");
        assertEquals("8443", published.get("443"), "default HTTPS port as in the launcher");
        assertEquals("8000", published.get("80"), "default HTTP port as in the launcher");
    }

    @Test
    void movingThePublishedHttpsPortMovesTheRedirectWithIt() {
        Map<String, Object> nginx = services(composeConfig(Map.of("TALLY_HTTPS_PORT", "9443"))).get("nginx");
        assertEquals("9443", environment(nginx).get("TALLY_PUBLIC_HTTPS_PORT"));
        assertTrue(ports(nginx).contains(new Port("127.0.0.1", "9443", "443")), "ports: " + ports(nginx));
    }

    @Test
    void tlsMaterialComesFromAMountedDirectoryAndKeysStayOutOfGit() throws IOException {
        Map<String, Object> nginx = services(defaultConfig()).get("nginx");
        Map<String, String> env = environment(nginx);
        Mount tls = mounts(nginx).stream().filter(m -> m.target().equals("/etc/nginx/tls")).findFirst()
                .orElseThrow(() -> new AssertionError("nginx must mount the TLS directory at /etc/nginx/tls"));
        assertTrue(tls.readOnly(), "TLS directory mounted read-only");
        assertTrue(env.get("TALLY_TLS_CERT").startsWith("/etc/nginx/tls/"), "certificate from the mounted dir");
        assertTrue(env.get("TALLY_TLS_KEY").startsWith("/etc/nginx/tls/"), "key from the mounted dir");
        List<String> ignored = Files.readAllLines(ROOT.resolve(".gitignore"));
        assertTrue(ignored.contains("*.pem"), ".gitignore must keep *.pem (TLS keys) out of the repository");
    }

    /**
     * Renders the template as the nginx image would for this compose file and proves the result with nginx -t.
     * The image's entrypoint (20-envsubst-on-templates.sh) runs {@code envsubst "$defined_envs"} where
     * defined_envs lists every environment variable whose name matches NGINX_ENVSUBST_FILTER. The environment
     * here is the service's, plus what the image itself defines and a few hostile names that equal Nginx
     * variables, to prove the filter keeps Nginx's own $variables intact.
     */
    @Test
    void composeRenderedConfigurationPassesNginxCheck() throws Exception {
        Map<String, String> serviceEnv = environment(services(defaultConfig()).get("nginx"));

        Map<String, String> containerEnv = new LinkedHashMap<>(serviceEnv);
        containerEnv.put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        containerEnv.put("HOSTNAME", "nginx");
        containerEnv.put("HOME", "/root");
        containerEnv.put("NGINX_VERSION", "1.27.5");
        for (String hostile : List.of("host", "request_id", "remote_addr", "http_upgrade", "status")) {
            containerEnv.put(hostile, "LEAKED-FROM-ENVIRONMENT");
        }
        String rendered = renderLikeTheImage(containerEnv);

        assertFalse(PLACEHOLDER.matcher(rendered).find() || Pattern.compile("\\$TALLY_").matcher(rendered).find(),
                "placeholders left unreplaced:\n" + rendered);
        assertFalse(rendered.contains("LEAKED"), "an Nginx variable was replaced from the environment");
        assertEquals(nginxVariables(read(TEMPLATE)), nginxVariables(rendered), "Nginx's own $variables must survive");

        Path dir = Files.createTempDirectory("tally-compose-nginx-");
        try {
            // The command of deploy/local/nginx.sh (make_dev_cert), which the compose file documents.
            Path[] tls = selfSignedCertificate(dir);

            // The only edits to the rendered file: the two TLS paths (to the throwaway certificate) and the
            // replica host names, which only Docker's DNS resolves and nginx -t looks up (each becomes a distinct
            // loopback address; ports and parameters stay).
            String checked = rendered.replace(serviceEnv.get("TALLY_TLS_CERT"), tls[0].toString())
                    .replace(serviceEnv.get("TALLY_TLS_KEY"), tls[1].toString());
            List<String> replicas = replicaNames();
            for (int i = 0; i < replicas.size(); i++) {
                checked = checked.replace("server " + replicas.get(i) + ":", "server 127.0.0." + (i + 2) + ":");
            }
            Path confD = Files.createDirectories(dir.resolve("conf.d"));
            Files.writeString(confD.resolve("default.conf"), ""); // what the /dev/null mount leaves
            String templateName = TEMPLATE.getFileName().toString();
            Result check = nginxCheck(dir, templateName.substring(0, templateName.length()
                    - IMAGE_TEMPLATE_SUFFIX.length()), checked);
            assertEquals(0, check.exit(), "nginx -t rejects the compose-rendered configuration:\n"
                    + check.output() + "\n--- rendered ---\n" + checked);
            assertFalse(check.output().contains("[emerg]"), check.output());
        } finally {
            deleteTree(dir);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Dockerfile

    @Test
    void dockerfileRunsAsNonRootWithExecEntrypointPortsAndHealthcheck() throws IOException {
        List<String[]> instructions = dockerInstructions();
        Properties app = applicationProperties();
        String appPort = app.getProperty("quarkus.http.port");
        String managementPort = app.getProperty("quarkus.management.port");

        String user = lastDockerInstruction("USER");
        assertNotNull(user, "the Dockerfile must set USER");
        String uid = user.split(":")[0];
        assertTrue(uid.matches("\\d+"), "USER must be a numeric UID (so runAsNonRoot can verify it): " + user);
        assertNotEquals(0, Integer.parseInt(uid), "USER must not be root");

        String entrypoint = lastDockerInstruction("ENTRYPOINT");
        assertNotNull(entrypoint, "the Dockerfile must set ENTRYPOINT");
        List<String> exec = execForm(entrypoint, "ENTRYPOINT");
        assertEquals("java", exec.get(0), "java is PID 1 and gets SIGTERM itself: " + exec);
        assertTrue(exec.stream().anyMatch(a -> a.startsWith("-XX:MaxRAMPercentage=")), "heap sized from the container");
        assertTrue(exec.get(exec.size() - 1).endsWith("/quarkus-run.jar"), "runs the fast-jar: " + exec);

        Set<String> exposed = instructions.stream().filter(i -> i[0].equals("EXPOSE"))
                .flatMap(i -> Stream.of(i[1].trim().split("\\s+"))).map(p -> p.replace("/tcp", ""))
                .collect(Collectors.toSet());
        assertTrue(exposed.containsAll(Set.of(appPort, managementPort)), "EXPOSE " + appPort + " " + managementPort
                + ", got " + exposed);

        List<String> healthcheck = healthcheckCommand(lastDockerInstruction("HEALTHCHECK"));
        String command = String.join(" ", healthcheck);
        assertTrue(command.contains("/" + managementPort) && command.contains("/q/health/live"),
                "HEALTHCHECK probes liveness on the management port: " + command);

        // The fast-jar layout, copied from target/quarkus-app.
        String copies = instructions.stream().filter(i -> i[0].equals("COPY")).map(i -> i[1])
                .collect(Collectors.joining("\n"));
        for (String part : List.of("lib/", "app/", "quarkus/", "quarkus-run.jar")) {
            assertTrue(copies.contains("target/quarkus-app/" + part), "COPY target/quarkus-app/" + part);
        }
        List<String> ignore = Files.readAllLines(DOCKERIGNORE).stream().map(String::trim)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        assertEquals("*", ignore.get(0), ".dockerignore sends nothing by default (no .git, no keys)");
        assertTrue(ignore.contains("!target/quarkus-app/") || ignore.contains("!target/quarkus-app"),
                ".dockerignore lets target/quarkus-app through: " + ignore);
    }

    /**
     * Runs the image's and the compose file's health checks for real (bash /dev/tcp, no curl in the image)
     * against a stand-in management endpoint on a free port: 200 passes, 503 and a closed port fail.
     */
    @Test
    void healthchecksReallyDistinguishUpFromDownWithBashAlone() throws Exception {
        requireTool("bash", "install it with: apt-get install bash");
        String managementPort = applicationProperties().getProperty("quarkus.management.port");
        String live = checkScript(healthcheckCommand(lastDockerInstruction("HEALTHCHECK")));
        // docker-compose config prints "$" escaped as "$$" (its output is itself a compose file).
        String ready = checkScript(strings(healthcheck(services(defaultConfig()).get("tally-1"), "tally-1")
                .get("test"), "tally-1.healthcheck.test")).replace("$$", "$");

        Map<String, Integer> status = new HashMap<>(Map.of("/q/health/live", 200, "/q/health/ready", 200));
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            int code = status.getOrDefault(exchange.getRequestURI().getPath(), 404);
            byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(code, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            String port = Integer.toString(server.getAddress().getPort());
            String liveHere = onPort(live, managementPort, port);
            String readyHere = onPort(ready, managementPort, port);
            Result liveUp = bash(liveHere);
            assertEquals(0, liveUp.exit(), "live check on a 200: " + liveUp.output());
            Result readyUp = bash(readyHere);
            assertEquals(0, readyUp.exit(), "ready check on a 200: " + readyUp.output());
            status.put("/q/health/ready", 503);
            status.put("/q/health/live", 503);
            assertNotEquals(0, bash(liveHere).exit(), "live check must fail on a 503");
            assertNotEquals(0, bash(readyHere).exit(), "ready check must fail on a 503");
        } finally {
            server.stop(0);
        }
        String closed = Integer.toString(freePort());
        assertNotEquals(0, bash(onPort(ready, managementPort, closed)).exit(), "ready check on a closed port");
        assertNotEquals(0, bash(onPort(live, managementPort, closed)).exit(), "live check on a closed port");
    }

    // ---------------------------------------------------------------------------------------------------------
    // docker-compose

    private static synchronized Map<String, Object> defaultConfig() {
        if (defaultConfig == null) {
            defaultConfig = composeConfig(Map.of());
        }
        return defaultConfig;
    }

    /** {@code docker-compose -f deploy/compose.yaml config}, with the host's TALLY_* and COMPOSE_* settings removed. */
    private static Map<String, Object> composeConfig(Map<String, String> overrides) {
        Map<String, String> settings = new HashMap<>(overrides);
        settings.putIfAbsent("TALLY_OPS_TOKEN", OPS_TOKEN);
        Result result = compose(settings, "config");
        assertEquals(0, result.exit(), "docker-compose config rejects deploy/compose.yaml:\n" + result.output());
        Object parsed = new Yaml().load(result.stdout());
        return map(parsed, "docker-compose config output");
    }

    /**
     * {@code docker-compose -f deploy/compose.yaml ARGS} with the host's TALLY_* and COMPOSE_* settings removed and
     * an empty env file in place of a developer's deploy/.env: only {@code settings} reach the file.
     */
    private static Result compose(Map<String, String> settings, String... args) {
        Path compose = findOnPath("docker-compose");
        if (compose == null) {
            fail("docker-compose is not installed (it validates deploy/compose.yaml, no engine needed); "
                    + "install it with: apt-get install docker-compose");
        }
        Map<String, String> env = new HashMap<>(System.getenv());
        env.keySet().removeIf(k -> k.startsWith("TALLY_") || k.startsWith("COMPOSE_"));
        env.putAll(settings);
        try {
            Path noEnvFile = Files.createTempFile("compose-", ".env");
            try {
                List<String> command = new ArrayList<>(List.of(compose.toString(), "--env-file", noEnvFile.toString(),
                        "-f", COMPOSE_FILE.toString()));
                command.addAll(List.of(args));
                return run(command, env, "", Duration.ofSeconds(60));
            } finally {
                Files.deleteIfExists(noEnvFile);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, Map<String, Object>> services(Map<String, Object> config) {
        Map<String, Map<String, Object>> services = new LinkedHashMap<>();
        map(config.get("services"), "services").forEach((k, v) -> services.put(k, map(v, "services." + k)));
        return services;
    }

    /** The services that start without a profile. */
    private static Set<String> withoutProfile(Map<String, Map<String, Object>> services) {
        Set<String> names = new TreeSet<>(services.keySet());
        names.removeIf(name -> services.get(name).containsKey("profiles"));
        return names;
    }

    /** The services of one profile. */
    private static List<String> inProfile(Map<String, Map<String, Object>> services, String profile) {
        return services.keySet().stream().filter(name -> strings(services.get(name).getOrDefault("profiles",
                List.of()), name + ".profiles").contains(profile)).toList();
    }

    /** Services built from the project (the Tally replicas), in name order. */
    private static List<String> replicaNames() {
        return services(defaultConfig()).entrySet().stream().filter(e -> e.getValue().containsKey("build"))
                .map(Map.Entry::getKey).sorted(Comparator.comparingInt(ComposeFileTest::replicaNumber)
                        .thenComparing(Comparator.naturalOrder()))
                .toList();
    }

    private static int replicaNumber(String name) {
        Matcher m = Pattern.compile("(\\d+)$").matcher(name);
        return m.find() ? Integer.parseInt(m.group(1)) : Integer.MAX_VALUE;
    }

    private static Map<String, String> environment(Map<String, Object> service) {
        Object env = service.get("environment");
        Map<String, String> result = new LinkedHashMap<>();
        if (env instanceof Map<?, ?> m) {
            m.forEach((k, v) -> result.put(String.valueOf(k), v == null ? "" : String.valueOf(v)));
        } else if (env instanceof List<?> list) {
            for (Object item : list) {
                String s = String.valueOf(item);
                int eq = s.indexOf('=');
                result.put(eq < 0 ? s : s.substring(0, eq), eq < 0 ? "" : s.substring(eq + 1));
            }
        }
        return result;
    }

    private static Map<String, Object> healthcheck(Map<String, Object> service, String name) {
        return map(service.get("healthcheck"), name + ".healthcheck");
    }

    private static Map<String, String> dependsOn(Map<String, Object> service, String name) {
        Object dependsOn = service.get("depends_on");
        if (!(dependsOn instanceof Map<?, ?> m)) {
            throw new AssertionError(name + ".depends_on must be a map with conditions, got " + dependsOn);
        }
        Map<String, String> result = new HashMap<>();
        m.forEach((k, v) -> result.put(String.valueOf(k), str(map(v, name + ".depends_on." + k).get("condition"))));
        return result;
    }

    record Port(String hostIp, String published, String target) {
    }

    /** Published ports, from the short form ("127.0.0.1:8443:443/tcp", Compose 1.x) or the long form (2.x). */
    private static List<Port> ports(Map<String, Object> service) {
        List<Port> result = new ArrayList<>();
        for (Object entry : (List<?>) service.getOrDefault("ports", List.of())) {
            if (entry instanceof Map<?, ?> m) {
                result.add(new Port(str(m.get("host_ip")), str(m.get("published")), str(m.get("target"))));
            } else {
                String spec = String.valueOf(entry).replaceAll("/(tcp|udp)$", "");
                String[] parts = spec.split(":");
                switch (parts.length) {
                    case 3 -> result.add(new Port(parts[0], parts[1], parts[2]));
                    case 2 -> result.add(new Port("", parts[0], parts[1]));
                    default -> result.add(new Port("", "", parts[0]));
                }
            }
        }
        return result;
    }

    record Mount(String source, String target, boolean readOnly) {
    }

    /** Volumes, from the short form ("src:target:ro", Compose 1.x) or the long form (2.x). */
    private static List<Mount> mounts(Map<String, Object> service) {
        List<Mount> result = new ArrayList<>();
        for (Object entry : (List<?>) service.getOrDefault("volumes", List.of())) {
            if (entry instanceof Map<?, ?> m) {
                result.add(new Mount(str(m.get("source")), str(m.get("target")),
                        Boolean.TRUE.equals(m.get("read_only"))));
            } else {
                String[] parts = String.valueOf(entry).split(":");
                boolean ro = parts.length > 2 && List.of(parts[2].split(",")).contains("ro");
                result.add(parts.length == 1 ? new Mount("", parts[0], false) : new Mount(parts[0], parts[1], ro));
            }
        }
        return result;
    }

    private static String launcherDefault(String regex) {
        Matcher m = Pattern.compile(regex).matcher(read(LAUNCHER));
        if (!m.find()) {
            fail("deploy/local/up no longer matches /" + regex + "/; update ComposeFileTest to read the launcher");
        }
        return m.group(1);
    }

    private static List<String> execForm(String arguments, String what) {
        String json = arguments.trim();
        assertTrue(json.startsWith("["), what + " must use the exec (JSON array) form, got: " + json);
        try {
            return List.of(new ObjectMapper().readValue(json, String[].class));
        } catch (IOException e) {
            throw new AssertionError(what + " is not a valid JSON array: " + json, e);
        }
    }

    /** HEALTHCHECK [options] CMD [...] → the command. */
    private static List<String> healthcheckCommand(String arguments) {
        assertNotNull(arguments, "the Dockerfile must have a HEALTHCHECK");
        int cmd = arguments.indexOf("CMD ");
        assertTrue(cmd >= 0, "HEALTHCHECK must have a CMD: " + arguments);
        return execForm(arguments.substring(cmd + 4), "HEALTHCHECK CMD");
    }

    /** The script of a ["CMD", "bash", "-c", script] (or Dockerfile ["bash", "-c", script]) health check. */
    private static String checkScript(List<String> command) {
        List<String> c = command.get(0).equals("CMD") ? command.subList(1, command.size()) : command;
        assertEquals(List.of("bash", "-c"), c.subList(0, 2), "health check is a bash -c script: " + command);
        return c.get(2);
    }

    private static String onPort(String script, String managementPort, String port) {
        String target = "/127.0.0.1/" + managementPort;
        assertTrue(script.contains(target), "health check must target " + target + ": " + script);
        return script.replace(target, "/127.0.0.1/" + port);
    }

    private static Result bash(String script) {
        return run(List.of(requireTool("bash", "install it with: apt-get install bash").toString(), "-c", script),
                System.getenv(), "", Duration.ofSeconds(15));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Small helpers

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value, String what) {
        if (!(value instanceof Map<?, ?>)) {
            throw new AssertionError(what + " must be a mapping, got " + value);
        }
        return (Map<String, Object>) value;
    }

    private static List<String> strings(Object value, String what) {
        if (value instanceof String s) {
            return List.of(s.split("\\s+"));
        }
        if (!(value instanceof List<?> list)) {
            throw new AssertionError(what + " must be a list, got " + value);
        }
        return list.stream().map(String::valueOf).toList();
    }

    private static String str(Object value) {
        return value == null ? "" : String.valueOf(value);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** File text for a content search; bytes that are not UTF-8 (a Redis dump, a DER key) cannot match anyway. */
    private static String readLenient(Path file) {
        return new String(bytes(file), StandardCharsets.UTF_8);
    }
}
