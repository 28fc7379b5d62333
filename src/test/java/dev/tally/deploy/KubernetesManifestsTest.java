package dev.tally.deploy;

import static dev.tally.deploy.YamlValues.list;
import static dev.tally.deploy.YamlValues.map;
import static dev.tally.deploy.YamlValues.str;
import static dev.tally.deploy.DeployFiles.ROOT;
import static dev.tally.deploy.DeployFiles.TEMPLATE;
import static dev.tally.deploy.DeployFiles.intProperty;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.deploy.DeployFiles.Result;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Guards the Kubernetes manifests in k8s/ without a cluster: what can be proven offline is proven with the real
 * tools and the project's own files.
 *
 * <ul>
 * <li>Every overlay is rendered by the real {@code kubectl kustomize}; all assertions run on that output, so they
 * see exactly what {@code kubectl apply -k} would send.</li>
 * <li>Every rendered object is validated against the Kubernetes schemas by k8s/validate/validate.mjs (npm
 * kubernetes-models, run with node; installed with {@code npm ci} from the checked-in lockfile when missing), and
 * the validator is shown to refuse a wrong type, an unknown field and an unknown kind.</li>
 * <li>Cross-checks with the code: ports, probe and metrics paths, the shutdown budget and the heap share come from
 * application.properties, Quarkus' own configuration model and the Dockerfile; every environment variable must be
 * a key of a {@code @ConfigMapping} interface or a documented run-time Quarkus key; the Nginx upstream must name
 * the rendered headless Service on the app port; the Nginx ConfigMap must be nginx/tally.conf.template byte for
 * byte, and its rendering must pass {@code nginx -t}.</li>
 * </ul>
 * A missing tool fails with the way to install it; nothing is skipped.
 */
class KubernetesManifestsTest {

    private static final Path K8S = ROOT.resolve("k8s");
    private static final Path OVERLAYS = K8S.resolve("overlays");
    private static final Path VALIDATOR = K8S.resolve("validate");
    private static final Path COMPOSE_FILE = ROOT.resolve("deploy/compose.yaml");

    /** The overlays docs/deploying.md documents; a new one must be added here (and to the docs) deliberately. */
    private static final Set<String> OVERLAY_NAMES = Set.of("dev", "dev-cluster", "prod");

    /** Nginx's upstream "resolve" parameter arrived in open-source Nginx 1.27.3. */
    private static final int[] NGINX_WITH_RESOLVE = {1, 27, 3};

    /**
     * Memory the JVM needs beside the heap (metaspace, code cache, thread stacks, direct buffers). A replica was
     * measured at ≈ 150 MB resident idle and ≈ 300 MB after load, heap included; 192 Mi beside the heap covers the
     * non-heap part with room to spare.
     */
    private static final long MIN_NON_HEAP_BYTES = 192L << 20;

    /** tally.* keys the manifests set before the service reads them, and why. A key that becomes real must leave. */
    private static final Map<String, String> PENDING_TALLY_KEYS = Map.of();

    private static final Map<String, Overlay> rendered = new HashMap<>();

    // ---------------------------------------------------------------------------------------------------------
    // Rendering and schemas

    @Test
    void everyOverlayRendersWithKubectlKustomize() throws IOException {
        try (Stream<Path> dirs = Files.list(OVERLAYS)) {
            Set<String> found = dirs.filter(d -> Files.isRegularFile(d.resolve("kustomization.yaml")))
                    .map(d -> d.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
            assertEquals(new TreeSet<>(OVERLAY_NAMES), found, "overlays under k8s/overlays");
        }
        for (String name : OVERLAY_NAMES) {
            Overlay overlay = overlay(name);
            assertFalse(overlay.objects().isEmpty(), name + " renders no object");
            Map<String, Object> namespace = overlay.one("Namespace", null);
            String ns = str(meta(namespace).get("name"));
            for (Map<String, Object> object : overlay.objects()) {
                if (!kind(object).equals("Namespace")) {
                    assertEquals(ns, str(meta(object).get("namespace")),
                            name + ": every object lives in the overlay's namespace: " + id(object));
                }
            }
            for (String kind : List.of("Deployment", "Service", "ConfigMap", "PodDisruptionBudget", "NetworkPolicy",
                    "ServiceAccount")) {
                assertFalse(overlay.all(kind).isEmpty(), name + " renders no " + kind);
            }
        }
    }

    @Test
    void everyRenderedObjectIsValidAgainstTheKubernetesSchemas() {
        for (String name : OVERLAY_NAMES) {
            Overlay overlay = overlay(name);
            JsonNode report = validate(overlay.yaml());
            assertEquals(overlay.objects().size(), report.get("validated").asInt(),
                    name + ": the validator must see every rendered object");
            List<String> invalid = new ArrayList<>();
            report.get("results").forEach(r -> {
                if (!r.get("ok").asBoolean()) {
                    invalid.add(r.get("object").asText() + ": " + r.get("errors"));
                }
            });
            assertEquals(List.of(), invalid, name + ": objects refused by the Kubernetes schemas");
        }
    }

    /** The validator bites: the same rendered Deployment, broken in three ways, is refused each time. */
    @Test
    void theSchemaValidatorRefusesWrongTypesUnknownFieldsAndUnknownKinds() {
        Map<String, Object> good = overlay("prod").one("Deployment", "tally-nginx");

        Map<String, Object> wrongType = deepCopy(good);
        map(wrongType.get("spec")).put("replicas", "three");
        Map<String, Object> wrongNestedType = deepCopy(good);
        Map<String, Object> container = containers(wrongNestedType).get(0);
        map(map(map(container.get("lifecycle")).get("preStop")).get("sleep")).put("seconds", "5");
        Map<String, Object> unknownField = deepCopy(good);
        Map<String, Object> misspelt = containers(unknownField).get(0);
        misspelt.put("readinesProbe", misspelt.remove("readinessProbe"));
        Map<String, Object> unknownKind = new LinkedHashMap<>(Map.of("apiVersion", "example.com/v1", "kind",
                "Widget", "metadata", Map.of("name", "w")));

        JsonNode results = validate(dump(List.of(good, wrongType, wrongNestedType, unknownField, unknownKind)))
                .get("results");
        assertTrue(results.get(0).get("ok").asBoolean(), "the unchanged Deployment passes: " + results.get(0));
        assertRefused(results.get(1), "/spec/replicas must be integer");
        assertRefused(results.get(2), "/lifecycle/preStop/sleep/seconds must be integer");
        assertRefused(results.get(3), "unknown field /spec/template/spec/containers[0]/readinesProbe");
        assertRefused(results.get(4), "no Kubernetes schema for apiVersion example.com/v1 kind Widget");
    }

    private static void assertRefused(JsonNode result, String expected) {
        assertFalse(result.get("ok").asBoolean(), "must be refused: " + result);
        assertTrue(result.get("errors").toString().contains(expected), "expected '" + expected + "' in " + result);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Nginx: the one configuration

    @Test
    void nginxConfigMapIsTheTemplateByteForByteMountedWhereTheImageRendersTemplates() {
        for (String name : OVERLAY_NAMES) {
            Overlay overlay = overlay(name);
            Map<String, Object> nginx = overlay.one("Deployment", "tally-nginx");
            Map<String, Object> mount = mountAt(nginxContainer(nginx), path -> path.startsWith(
                    DeployFiles.IMAGE_TEMPLATE_DIR), name + " nginx template mount");
            String key = str(mount.get("subPath"));
            assertEquals(DeployFiles.IMAGE_TEMPLATE_DIR + key, str(mount.get("mountPath")),
                    name + ": the template is mounted as one file in " + DeployFiles.IMAGE_TEMPLATE_DIR);
            assertEquals(TEMPLATE.getFileName().toString(), key, name + ": the file keeps the template's name");
            assertEquals(true, mount.get("readOnly"), name + ": template mounted read-only");

            Map<String, Object> volume = volume(nginx, str(mount.get("name")));
            String configMapName = str(map(volume.get("configMap")).get("name"));
            assertTrue(configMapName.matches("tally-nginx-template-[a-z0-9]{10}"), name
                    + ": the ConfigMap is kustomize-generated (its hash suffix rolls Nginx when the template changes): "
                    + configMapName);
            Map<String, Object> configMap = overlay.one("ConfigMap", configMapName);
            Map<String, Object> data = map(configMap.get("data"));
            assertEquals(Set.of(key), data.keySet(), name + ": the ConfigMap holds the template only");
            assertArrayEquals(DeployFiles.bytes(TEMPLATE), str(data.get(key)).getBytes(StandardCharsets.UTF_8),
                    name + ": the ConfigMap must be nginx/tally.conf.template byte for byte");
        }
        // ...and it comes from the file itself, not a copy: the generator beside the template names it.
        String generator = DeployFiles.read(ROOT.resolve("nginx/kustomization.yaml"));
        DeployFiles.assertContains(generator, "- " + TEMPLATE.getFileName(), "nginx/kustomization.yaml");
        DeployFiles.assertContains(DeployFiles.read(K8S.resolve("base/kustomization.yaml")), "- ../../nginx",
                "k8s/base/kustomization.yaml includes the generator");
    }

    @Test
    void nginxSetsEveryPlaceholderAndItsRenderingPassesNginxCheck() throws Exception {
        Set<String> placeholders = DeployFiles.templatePlaceholders();
        assertFalse(placeholders.isEmpty(), "no ${TALLY_*} placeholder in " + TEMPLATE);
        for (String name : OVERLAY_NAMES) {
            Map<String, String> env = env(nginxContainer(overlay(name).one("Deployment", "tally-nginx")));
            Set<String> tally = env.keySet().stream().filter(k -> k.startsWith("TALLY_"))
                    .collect(Collectors.toCollection(TreeSet::new));
            assertEquals(placeholders, tally, name + ": nginx sets exactly the template's placeholders");
            tally.forEach(k -> assertFalse(env.get(k).isBlank(), name + ": " + k + " is empty"));

            Pattern filter = Pattern.compile(Objects.requireNonNull(env.get("NGINX_ENVSUBST_FILTER"),
                    name + ": set NGINX_ENVSUBST_FILTER so only TALLY_* variables are substituted"));
            placeholders.forEach(p -> assertTrue(filter.matcher(p).find(), name + ": the filter excludes " + p));
            for (String other : List.of("PATH", "HOSTNAME", "NGINX_VERSION", "host", "request_id")) {
                assertFalse(filter.matcher(other).find(), name + ": the filter lets " + other + " through");
            }

            // The container's environment as the image sees it, plus hostile names equal to Nginx variables.
            Map<String, String> containerEnv = new LinkedHashMap<>(env);
            containerEnv.put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
            containerEnv.put("HOSTNAME", "tally-nginx-0");
            containerEnv.put("NGINX_VERSION", "1.29.0");
            for (String hostile : List.of("host", "request_id", "remote_addr", "http_upgrade", "status")) {
                containerEnv.put(hostile, "LEAKED-FROM-ENVIRONMENT");
            }
            String rendered = DeployFiles.renderLikeTheImage(containerEnv);
            assertFalse(DeployFiles.PLACEHOLDER.matcher(rendered).find() || rendered.contains("$TALLY_"),
                    name + ": placeholders left unreplaced");
            assertFalse(rendered.contains("LEAKED"), name + ": an Nginx variable was replaced from the environment");
            assertEquals(DeployFiles.nginxVariables(DeployFiles.read(TEMPLATE)), DeployFiles.nginxVariables(rendered),
                    name + ": Nginx's own $variables must survive");

            checkWithLocalNginx(name, env, rendered);
        }
    }

    /**
     * nginx -t on the Kubernetes rendering. Edits, all outside what is checked: the TLS paths point at a throwaway
     * certificate; cluster DNS names (which only the cluster resolves, and which nginx -t looks up) become loopback
     * addresses; and where the local Nginx predates 1.27.3 (Debian 12 has 1.22) the upstream's "resolve" parameter
     * is dropped -- its support is asserted from the image tag instead.
     */
    private static void checkWithLocalNginx(String overlay, Map<String, String> env, String rendered) throws Exception {
        Path dir = Files.createTempDirectory("tally-k8s-nginx-");
        try {
            Path[] tls = DeployFiles.selfSignedCertificate(dir);
            String checked = rendered.replace(env.get("TALLY_TLS_CERT"), tls[0].toString())
                    .replace(env.get("TALLY_TLS_KEY"), tls[1].toString())
                    .replaceAll("resolver\\s+[^\\s;]+", "resolver 127.0.0.1")
                    .replaceAll("(server\\s+)[a-z0-9.-]+\\.svc\\.cluster\\.local(:\\d+)", "$1127.0.0.2$2");
            if (compareVersions(localNginxVersion(), NGINX_WITH_RESOLVE) < 0) {
                checked = checked.replaceAll("(server\\s+\\S+)\\s+resolve\\b", "$1");
            }
            String confName = TEMPLATE.getFileName().toString().replace(DeployFiles.IMAGE_TEMPLATE_SUFFIX, "");
            Result check = DeployFiles.nginxCheck(dir, confName, checked);
            assertEquals(0, check.exit(), overlay + ": nginx -t rejects the Kubernetes rendering:\n" + check.output()
                    + "\n--- rendered ---\n" + checked);
            assertFalse(check.output().contains("[emerg]"), check.output());
        } finally {
            DeployFiles.deleteTree(dir);
        }
    }

    @Test
    void nginxUpstreamIsTheHeadlessApiServiceOnTheAppPortReResolved() {
        int appPort = intProperty("quarkus.http.port");
        int managementPort = intProperty("quarkus.management.port");
        for (String name : OVERLAY_NAMES) {
            Overlay overlay = overlay(name);
            Map<String, String> env = env(nginxContainer(overlay.one("Deployment", "tally-nginx")));
            String upstream = env.get("TALLY_UPSTREAM_SERVERS");
            Matcher m = Pattern.compile("server\\s+([a-z0-9-]+)\\.([a-z0-9-]+)\\.svc\\.cluster\\.local:(\\d+)([^;]*);")
                    .matcher(upstream);
            assertTrue(m.matches(), name + ": one server line naming a Service by its cluster DNS name: " + upstream);
            String serviceName = m.group(1);
            String serviceNamespace = m.group(2);
            int port = Integer.parseInt(m.group(3));
            List<String> parameters = List.of(m.group(4).trim().split("\\s+"));

            Map<String, Object> service = overlay.one("Service", serviceName);
            assertEquals(str(meta(service).get("namespace")), serviceNamespace,
                    name + ": the upstream names the overlay's namespace");
            Map<String, Object> spec = map(service.get("spec"));
            assertEquals("None", str(spec.get("clusterIP")), name + ": " + serviceName + " must be headless "
                    + "(one address per pod, balanced by Nginx)");
            assertNotEquals(true, spec.get("publishNotReadyAddresses"), name + ": only ready pods in DNS");
            assertEquals(appPort, port, name + ": the upstream port is quarkus.http.port");
            assertNotEquals(managementPort, port, name + ": the management port is never proxied");
            Map<String, Object> servicePort = list(spec.get("ports")).stream().map(YamlValues::map)
                    .filter(p -> intValue(p.get("port")) == port).findFirst()
                    .orElseThrow(() -> new AssertionError(name + ": " + serviceName + " has no port " + port));
            List<Map<String, Object>> pods = overlay.podsSelectedBy(map(spec.get("selector")));
            assertEquals(List.of("tally-api"), pods.stream().map(w -> str(meta(w).get("name"))).toList(),
                    name + ": " + serviceName + " selects the api pods only");
            Map<String, Object> apiContainer = containers(pods.get(0)).get(0);
            assertEquals(appPort, containerPort(apiContainer, servicePort.get("targetPort")),
                    name + ": the Service's targetPort is the api container's app port");

            assertTrue(parameters.contains("resolve"), name + ": the upstream re-resolves the name (resolve)");
            assertTrue(parameters.contains("max_fails=1") && parameters.contains("fail_timeout=10s"),
                    name + ": same failure parameters as deploy/local/up: " + parameters);
            assertTrue(env.get("TALLY_RESOLVER").matches("resolver\\s+\\S+.*\\bvalid=\\d+s;"),
                    name + ": \"resolve\" needs a resolver with a short validity: " + env.get("TALLY_RESOLVER"));
        }
    }

    @Test
    void nginxImageHasResolveAndRunsUnprivilegedBehindTheLoadBalancer() {
        for (String name : OVERLAY_NAMES) {
            Overlay overlay = overlay(name);
            Map<String, Object> deployment = overlay.one("Deployment", "tally-nginx");
            Map<String, Object> container = nginxContainer(deployment);
            Matcher tag = Pattern.compile("nginx:(\\d+)\\.(\\d+)(?:\\.(\\d+))?(-[a-z0-9.-]+)?")
                    .matcher(str(container.get("image")));
            assertTrue(tag.matches(), name + ": the official nginx image with a version tag: " + container.get("image"));
            // A tag without a patch number ("1.29") is the newest release of that line.
            int[] version = {Integer.parseInt(tag.group(1)), Integer.parseInt(tag.group(2)),
                    tag.group(3) == null ? Integer.MAX_VALUE : Integer.parseInt(tag.group(3))};
            assertTrue(compareVersions(version, NGINX_WITH_RESOLVE) >= 0,
                    name + ": upstream \"resolve\" needs nginx >= 1.27.3, got " + container.get("image"));

            Map<String, String> env = env(container);
            int https = Integer.parseInt(env.get("TALLY_HTTPS_PORT"));
            int http = Integer.parseInt(env.get("TALLY_HTTP_PORT"));
            assertTrue(https > 1024 && http > 1024, name + ": unprivileged listeners (no NET_BIND_SERVICE)");
            Map<String, Object> service = overlay.one("Service", "tally-nginx");
            Map<String, Object> spec = map(service.get("spec"));
            assertEquals("LoadBalancer", str(spec.get("type")), name + ": the public Service is a LoadBalancer");
            assertEquals("Local", str(spec.get("externalTrafficPolicy")),
                    name + ": keep client addresses (per-client rate limit, X-Forwarded-For)");
            assertEquals(List.of(deployment), overlay.podsSelectedBy(map(spec.get("selector"))),
                    name + ": tally-nginx selects the Nginx pods only");
            Map<Integer, Integer> ports = new TreeMap<>();
            for (Object p : list(spec.get("ports"))) {
                ports.put(intValue(map(p).get("port")), containerPort(container, map(p).get("targetPort")));
            }
            assertEquals(Map.of(443, https, 80, http), ports, name + ": Service 443/80 -> the TLS/plain listeners");
            assertEquals("443", env.get("TALLY_PUBLIC_HTTPS_PORT"), name + ": the redirect names the public port");

            // TLS from the Secret, mounted where the certificate variables point.
            Map<String, Object> tlsMount = mountAt(container, p -> env.get("TALLY_TLS_CERT").startsWith(p + "/"),
                    name + " TLS mount");
            assertEquals(true, tlsMount.get("readOnly"), name + ": TLS mounted read-only");
            assertTrue(env.get("TALLY_TLS_KEY").startsWith(tlsMount.get("mountPath") + "/"), name + ": key path");
            Map<String, Object> secret = map(volume(deployment, str(tlsMount.get("name"))).get("secret"));
            assertEquals("tally-tls", str(secret.get("secretName")), name + ": TLS from the Secret tally-tls");
            assertEquals(Set.of("tls.crt", "tls.key"), Set.of(fileName(env.get("TALLY_TLS_CERT")),
                    fileName(env.get("TALLY_TLS_KEY"))), name + ": the kubernetes.io/tls Secret's keys");

            // What the image writes, on a read-only root filesystem (the entrypoint's output dir, temp paths, pid).
            for (String writable : List.of("/etc/nginx/conf.d", "/var/cache/nginx", "/run")) {
                Map<String, Object> mount = mountAt(container, writable::equals, name + " nginx " + writable);
                assertTrue(volume(deployment, str(mount.get("name"))).containsKey("emptyDir"),
                        name + ": " + writable + " is a writable emptyDir");
            }
            Map<String, Object> probe = map(container.get("readinessProbe"));
            Map<String, Object> get = map(probe.get("httpGet"));
            assertEquals("/nginx-health", str(get.get("path")), name + ": Nginx's own health location");
            DeployFiles.assertContains(DeployFiles.read(TEMPLATE), "location = /nginx-health", "the template");
            assertEquals(https, containerPort(container, get.get("port")), name + ": probed on the TLS listener");
            assertEquals("HTTPS", str(get.get("scheme")), name + ": probe speaks TLS");
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // The service's pods, cross-checked with the code

    @Test
    void probesUseTheManagementPortAndPathsTheServiceServes() {
        int managementPort = intProperty("quarkus.management.port");
        assertEquals("true", DeployFiles.property("quarkus.management.enabled"), "the management interface is on");
        String health = managementPath(ConfigKeys.effective("quarkus.smallrye-health.root-path"));
        Map<String, String> expected = Map.of(
                "startupProbe", health + "/" + ConfigKeys.effective("quarkus.smallrye-health.startup-path"),
                "livenessProbe", health + "/" + ConfigKeys.effective("quarkus.smallrye-health.liveness-path"),
                "readinessProbe", health + "/" + ConfigKeys.effective("quarkus.smallrye-health.readiness-path"));
        assertEquals("/q/health/live", expected.get("livenessProbe"), "sanity: the documented liveness path");
        Duration pingTimeout = DeployFiles.duration(ConfigKeys.effective("tally.redis.ping-timeout"));

        forEachTallyContainer((where, workload, container) -> {
            expected.forEach((probeName, path) -> {
                Map<String, Object> probe = map(container.get(probeName));
                Map<String, Object> get = map(probe.get("httpGet"));
                assertEquals(path, str(get.get("path")), where + " " + probeName + " path");
                assertEquals(managementPort, containerPort(container, get.get("port")),
                        where + " " + probeName + " on the management port");
                assertEquals("HTTP", str(get.getOrDefault("scheme", "HTTP")), where + " " + probeName + " scheme");
            });
            Map<String, Object> readiness = map(container.get("readinessProbe"));
            assertTrue(Duration.ofSeconds(intValue(readiness.get("timeoutSeconds"))).compareTo(pingTimeout) > 0,
                    where + ": readiness timeoutSeconds must exceed tally.redis.ping-timeout " + pingTimeout);
            Map<String, Object> startup = map(container.get("startupProbe"));
            assertTrue(intValue(startup.get("periodSeconds")) * intValue(startup.get("failureThreshold")) >= 60,
                    where + ": at least a minute to start");
        });
    }

    /** Liveness must not depend on Redis (an outage would restart every pod); readiness must. */
    @Test
    void livenessHasNoRedisCheckAndReadinessHasOne() throws IOException {
        List<Path> liveness = new ArrayList<>();
        List<Path> readiness = new ArrayList<>();
        try (Stream<Path> files = Files.walk(ROOT.resolve("src/main/java"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String source = DeployFiles.read(file);
                if (source.contains("@Liveness")) {
                    liveness.add(file);
                }
                if (source.contains("@Readiness") && source.toLowerCase().contains("redis")) {
                    readiness.add(file);
                }
            }
        }
        for (Path file : liveness) {
            assertFalse(DeployFiles.read(file).toLowerCase().contains("redis"),
                    file + " is a liveness check that touches Redis");
        }
        assertFalse(readiness.isEmpty(), "no @Readiness check pings Redis under src/main/java");
        assertNotEquals("true", DeployFiles.applicationProperties().getProperty("quarkus.redis.health.enabled"),
                "Quarkus' own Redis check stays off (Tally's readiness check has a short ping budget)");
    }

    @Test
    void everyEnvironmentVariableIsARealConfigurationKey() {
        Map<String, String> tallyEnv = new TreeMap<>();
        ConfigKeys.tallyKeys().forEach(k -> tallyEnv.put(ConfigKeys.environmentName(k), k));
        PENDING_TALLY_KEYS.forEach((key, why) -> {
            assertFalse(tallyEnv.containsValue(key), key + " is now a real @ConfigMapping key: remove it from "
                    + "PENDING_TALLY_KEYS (" + why + ")");
            tallyEnv.put(ConfigKeys.environmentName(key), key);
        });
        Map<String, ConfigKeys.QuarkusProperty> quarkusEnv = new TreeMap<>();
        ConfigKeys.quarkusProperties().values().forEach(p -> quarkusEnv.put(p.environmentVariable(), p));

        forEachTallyContainer((where, workload, container) -> {
            assertNull(container.get("envFrom"), where + ": explicit env only (each variable is checked)");
            for (String variable : env(container).keySet()) {
                if (variable.startsWith("TALLY_")) {
                    assertTrue(tallyEnv.containsKey(variable), where + ": " + variable + " maps to no key of a "
                            + "@ConfigMapping interface in src/main/java; known: " + tallyEnv);
                } else if (variable.startsWith("QUARKUS_")) {
                    ConfigKeys.QuarkusProperty property = quarkusEnv.get(variable);
                    assertNotNull(property, where + ": " + variable + " is not a documented Quarkus key");
                    assertTrue(property.settableAtRunTime(), where + ": " + variable + " (" + property.name()
                            + ") is fixed at build time (" + property.phase() + "); setting it in a pod does nothing");
                } else {
                    fail(where + ": " + variable + " is neither a tally.* nor a quarkus.* key");
                }
            }
            Map<String, Object> instanceId = envEntry(container, "TALLY_INSTANCE_ID");
            assertEquals("metadata.name", str(map(map(instanceId.get("valueFrom")).get("fieldRef")).get("fieldPath")),
                    where + ": tally.instance-id is the pod name");
            Map<String, Object> hosts = envEntry(container, "QUARKUS_REDIS_HOSTS");
            Map<String, Object> ref = map(map(hosts.get("valueFrom")).get("secretKeyRef"));
            assertTrue(str(ref.get("name")).startsWith("tally-redis") && str(ref.get("key")).equals("hosts"),
                    where + ": quarkus.redis.hosts from the Secret tally-redis, key hosts: " + ref);
            assertNotEquals(true, ref.get("optional"), where + ": the Redis address is required");
        });
    }

    /**
     * The ops token reaches every Tally pod from the Secret tally-ops (required), which no overlay renders: it is
     * created by the one command docs/deploying.md gives, never committed.
     */
    @Test
    void everyPodReadsTheOpsTokenFromASecretThatIsNeverCommitted() {
        forEachTallyContainer((where, workload, container) -> {
            Map<String, Object> token = envEntry(container, "TALLY_OPS_TOKEN");
            assertNull(token.get("value"), where + ": the ops token is never written in a manifest");
            Map<String, Object> ref = map(map(token.get("valueFrom")).get("secretKeyRef"));
            assertEquals("tally-ops", str(ref.get("name")), where + ": from the Secret tally-ops");
            assertEquals("token", str(ref.get("key")), where + ": its key token");
            assertNotEquals(true, ref.get("optional"), where + ": required (no pod runs without an ops token)");
        });
        for (String name : OVERLAY_NAMES) {
            assertNull(overlay(name).find("Secret", "tally-ops"), name + " renders no tally-ops Secret");
        }
        String docs = DeployFiles.read(DeployFiles.ROOT.resolve("docs/deploying.md"));
        for (String namespace : List.of("tally-dev", "tally")) {
            assertTrue(docs.contains("kubectl -n " + namespace
                    + " create secret generic tally-ops --from-literal=token=\"$(openssl rand -hex 32)\""),
                    "docs/deploying.md gives the command that creates the Secret in " + namespace);
        }
    }

    @Test
    void rolesAreSetAndApiAndWorkerPodsHaveTheSameShape() {
        for (String name : OVERLAY_NAMES) {
            Overlay overlay = overlay(name);
            Map<String, Object> api = overlay.one("Deployment", "tally-api");
            Map<String, Object> worker = overlay.one("Deployment", "tally-worker");
            for (Map<String, Object> deployment : List.of(api, worker)) {
                String component = str(podLabels(deployment).get("app.kubernetes.io/component"));
                assertEquals(component, env(containers(deployment).get(0)).get("TALLY_ROLE"),
                        name + " " + id(deployment) + ": TALLY_ROLE is the Deployment's component");
            }
            assertEquals(Set.of("api", "worker"), Set.of(env(containers(api).get(0)).get("TALLY_ROLE"),
                    env(containers(worker).get(0)).get("TALLY_ROLE")), name + ": one api, one worker Deployment");
            assertEquals(comparable(api), comparable(worker),
                    name + ": api and worker pods differ only in name, role and labels");
        }
    }

    /** The pod spec with what may differ between api and worker blanked out. */
    private static Map<String, Object> comparable(Map<String, Object> deployment) {
        Map<String, Object> spec = deepCopy(map(map(map(deployment.get("spec")).get("template")).get("spec")));
        for (Object constraint : list(spec.getOrDefault("topologySpreadConstraints", List.of()))) {
            map(constraint).remove("labelSelector");
        }
        for (Map<String, Object> container : containersOf(spec)) {
            List<Object> env = list(container.get("env"));
            env.removeIf(e -> "TALLY_ROLE".equals(map(e).get("name")));
        }
        return spec;
    }

    @Test
    void podsDrainBeforeTheyAreKilledAndRolloutsKeepCapacity() {
        Duration delay = DeployFiles.duration(DeployFiles.property("quarkus.shutdown.delay"));
        Duration timeout = DeployFiles.duration(DeployFiles.property("quarkus.shutdown.timeout"));
        assertEquals("true", DeployFiles.property("quarkus.shutdown.delay-enabled"), "the shutdown delay is on");
        for (String name : OVERLAY_NAMES) {
            Overlay overlay = overlay(name);
            String resolver = env(nginxContainer(overlay.one("Deployment", "tally-nginx"))).get("TALLY_RESOLVER");
            Matcher valid = Pattern.compile("valid=(\\d+)s").matcher(resolver);
            assertTrue(valid.find(), name + ": resolver validity: " + resolver);
            Duration reResolve = Duration.ofSeconds(Long.parseLong(valid.group(1)));

            forEachTallyContainer(overlay, (where, workload, container) -> {
                Map<String, Object> preStop = map(map(container.get("lifecycle")).get("preStop"));
                assertEquals(Set.of("sleep"), preStop.keySet(), where + ": preStop is the native sleep action "
                        + "(no shell or sleep binary needed in the image)");
                Duration sleep = Duration.ofSeconds(intValue(map(preStop.get("sleep")).get("seconds")));
                Duration grace = Duration.ofSeconds(intValue(pod(workload).get("terminationGracePeriodSeconds")));
                Duration drain = sleep.plus(delay).plus(timeout);
                assertTrue(grace.compareTo(drain) > 0, where + ": terminationGracePeriodSeconds " + grace
                        + " must exceed preStop " + sleep + " + quarkus.shutdown.delay " + delay
                        + " + quarkus.shutdown.timeout " + timeout + " = " + drain);
                assertTrue(sleep.compareTo(reResolve) >= 0, where + ": preStop " + sleep + " must outlast Nginx's "
                        + "re-resolution interval " + reResolve + ", so Nginx drops the pod before SIGTERM");
            });
            for (Map<String, Object> deployment : overlay.all("Deployment")) {
                Map<String, Object> strategy = map(map(deployment.get("spec")).get("strategy"));
                assertEquals("RollingUpdate", str(strategy.get("type")), name + " " + id(deployment));
                assertEquals(0, intValue(map(strategy.get("rollingUpdate")).get("maxUnavailable")),
                        name + " " + id(deployment) + ": maxUnavailable 0");
                for (Map<String, Object> container : containers(deployment)) {
                    assertNotNull(map(map(container.get("lifecycle")).get("preStop")).get("sleep"),
                            name + " " + id(deployment) + ": every container sleeps in preStop before SIGTERM");
                }
            }
        }
    }

    @Test
    void everyPodIsHardenedAndTheNamespaceEnforcesRestricted() {
        String imageUser = Objects.requireNonNull(DeployFiles.lastDockerInstruction("USER"), "Dockerfile USER");
        long imageUid = Long.parseLong(imageUser.split(":")[0]);
        for (String name : OVERLAY_NAMES) {
            Overlay overlay = overlay(name);
            Map<String, Object> labels = map(meta(overlay.one("Namespace", null)).get("labels"));
            assertEquals("restricted", str(labels.get("pod-security.kubernetes.io/enforce")),
                    name + ": Pod Security 'restricted' is enforced on the namespace");
            for (Map<String, Object> serviceAccount : overlay.all("ServiceAccount")) {
                assertEquals(false, serviceAccount.get("automountServiceAccountToken"), name + " " + id(serviceAccount));
            }
            for (Map<String, Object> workload : overlay.workloads()) {
                String where = name + " " + id(workload);
                Map<String, Object> pod = pod(workload);
                assertEquals(false, pod.get("automountServiceAccountToken"), where + ": no API token mounted");
                assertEquals(false, pod.get("enableServiceLinks"), where + ": no service-link variables "
                        + "(for Services named tally-* they would be TALLY_* keys)");
                for (String forbidden : List.of("hostNetwork", "hostPID", "hostIPC")) {
                    assertNotEquals(true, pod.get(forbidden), where + ": " + forbidden);
                }
                Map<String, Object> podSecurity = map(pod.get("securityContext"));
                assertEquals(true, podSecurity.get("runAsNonRoot"), where + ": runAsNonRoot");
                assertNotEquals(0, intValue(podSecurity.get("runAsUser")), where + ": a non-zero uid");
                assertEquals("RuntimeDefault", str(map(podSecurity.get("seccompProfile")).get("type")),
                        where + ": seccomp RuntimeDefault");
                for (Object volume : list(pod.getOrDefault("volumes", List.of()))) {
                    assertFalse(map(volume).containsKey("hostPath"), where + ": no hostPath volume");
                }
                for (Map<String, Object> container : containers(workload)) {
                    Map<String, Object> security = map(container.get("securityContext"));
                    String c = where + " container " + container.get("name");
                    assertEquals(false, security.get("allowPrivilegeEscalation"), c + ": allowPrivilegeEscalation");
                    assertEquals(true, security.get("readOnlyRootFilesystem"), c + ": readOnlyRootFilesystem");
                    assertEquals(true, security.get("runAsNonRoot"), c + ": runAsNonRoot");
                    assertNotEquals(true, security.get("privileged"), c + ": privileged");
                    Map<String, Object> capabilities = map(security.get("capabilities"));
                    assertEquals(List.of("ALL"), capabilities.get("drop"), c + ": drop ALL capabilities");
                    assertNull(capabilities.get("add"), c + ": adds no capability");
                }
            }
            forEachTallyContainer(overlay, (where, workload, container) -> {
                assertEquals(imageUid, (long) intValue(map(pod(workload).get("securityContext")).get("runAsUser")),
                        where + ": runs as the image's user (Dockerfile USER " + imageUser + ")");
                Map<String, Object> tmp = mountAt(container, "/tmp"::equals, where + " /tmp");
                assertTrue(volume(workload, str(tmp.get("name"))).containsKey("emptyDir"),
                        where + ": /tmp (java.io.tmpdir: Vert.x cache, hsperfdata, uploads) is a writable emptyDir");
                assertNull(container.get("command"), where + ": the image's ENTRYPOINT (JVM flags) is kept");
                assertNull(container.get("args"), where + ": no args override");
            });
        }
    }

    @Test
    void resourcesAreBoundedAndTheHeapFitsTheMemoryLimit() {
        List<String> entrypoint = execForm(DeployFiles.lastDockerInstruction("ENTRYPOINT"));
        int maxRamPercentage = entrypoint.stream().filter(a -> a.startsWith("-XX:MaxRAMPercentage="))
                .map(a -> (int) Double.parseDouble(a.substring(a.indexOf('=') + 1))).findFirst()
                .orElseThrow(() -> new AssertionError("the Dockerfile sizes the heap with -XX:MaxRAMPercentage"));
        for (String name : OVERLAY_NAMES) {
            Overlay overlay = overlay(name);
            for (Map<String, Object> workload : overlay.workloads()) {
                for (Map<String, Object> container : containers(workload)) {
                    String where = name + " " + id(workload) + " container " + container.get("name");
                    Map<String, Object> resources = map(container.get("resources"));
                    Map<String, Object> requests = map(resources.get("requests"));
                    Map<String, Object> limits = map(resources.get("limits"));
                    for (String resource : List.of("cpu", "memory")) {
                        assertNotNull(requests.get(resource), where + ": requests." + resource);
                        assertNotNull(limits.get(resource), where + ": limits." + resource);
                    }
                    assertEquals(bytes(str(requests.get("memory"))), bytes(str(limits.get("memory"))),
                            where + ": memory request = limit (never overcommitted)");
                    assertTrue(millicores(str(requests.get("cpu"))) <= millicores(str(limits.get("cpu"))), where);
                }
            }
            forEachTallyContainer(overlay, (where, workload, container) -> {
                long limit = bytes(str(map(map(container.get("resources")).get("limits")).get("memory")));
                long nonHeap = limit - limit * maxRamPercentage / 100;
                assertTrue(nonHeap >= MIN_NON_HEAP_BYTES, where + ": with -XX:MaxRAMPercentage=" + maxRamPercentage
                        + " a limit of " + (limit >> 20) + " Mi leaves " + (nonHeap >> 20) + " Mi beside the heap; "
                        + "at least " + (MIN_NON_HEAP_BYTES >> 20) + " Mi needed");
                assertTrue(millicores(str(map(map(container.get("resources")).get("limits")).get("cpu"))) >= 1000,
                        where + ": at least one whole CPU in the limit (the JVM sizes its pools from it)");
            });
        }
    }

    @Test
    void labelsSelectorsAndImagesAgree() {
        String composeImage = composeReplicaImage();
        for (String name : OVERLAY_NAMES) {
            Overlay overlay = overlay(name);
            for (Map<String, Object> workload : overlay.workloads()) {
                Map<String, Object> selector = map(map(workload.get("spec")).get("selector"));
                Map<String, Object> matchLabels = map(selector.get("matchLabels"));
                assertFalse(matchLabels.isEmpty(), name + " " + id(workload) + ": selector");
                assertTrue(podLabels(workload).entrySet().containsAll(matchLabels.entrySet()),
                        name + " " + id(workload) + ": the selector matches the pod template's labels");
                assertEquals(List.of(workload), overlay.podsSelectedBy(matchLabels),
                        name + " " + id(workload) + ": its selector matches no other workload's pods");
                assertEquals("tally", str(podLabels(workload).get("app.kubernetes.io/part-of")), name + " part-of");
            }
            for (Map<String, Object> service : overlay.all("Service")) {
                Map<String, Object> selector = map(map(service.get("spec")).get("selector"));
                assertEquals(1, overlay.podsSelectedBy(selector).size(),
                        name + " " + id(service) + " selects the pods of exactly one workload");
            }
            for (Map<String, Object> budget : overlay.all("PodDisruptionBudget")) {
                Map<String, Object> selector = map(map(map(budget.get("spec")).get("selector")).get("matchLabels"));
                List<Map<String, Object>> pods = overlay.podsSelectedBy(selector);
                assertEquals(1, pods.size(), name + " " + id(budget) + " covers exactly one workload");
                assertEquals(str(meta(pods.get(0)).get("name")), str(meta(budget).get("name")),
                        name + " " + id(budget) + " is named after its workload");
            }
            for (Map<String, Object> policy : overlay.all("NetworkPolicy")) {
                Map<String, Object> selector = map(map(map(policy.get("spec")).get("podSelector"))
                        .getOrDefault("matchLabels", Map.of()));
                assertFalse(overlay.podsSelectedBy(selector).isEmpty(), name + " " + id(policy) + " selects no pod");
            }

            Set<String> images = new TreeSet<>();
            forEachTallyContainer(overlay, (where, workload, container) -> images.add(str(container.get("image"))));
            assertEquals(1, images.size(), name + ": api and worker run one image (one artifact): " + images);
            String image = images.iterator().next();
            if (name.startsWith("dev")) { // dev, and dev-cluster built on it
                assertEquals(composeImage, image, name + " runs the image deploy/compose.yaml and the docs build");
            } else {
                assertTrue(image.matches("[^:]+/[^:/]+:[A-Za-z0-9._-]+") && !image.endsWith(":latest")
                        && !image.equals(composeImage), name + ": a registry image with a fixed tag, got " + image);
            }
        }
    }

    @Test
    void networkPoliciesAdmitOnlyNginxToTheAppPortAndMonitoringToTheManagementPort() {
        int appPort = intProperty("quarkus.http.port");
        int managementPort = intProperty("quarkus.management.port");
        for (String name : OVERLAY_NAMES) {
            Overlay overlay = overlay(name);
            assertTrue(overlay.all("NetworkPolicy").stream().anyMatch(p -> {
                Map<String, Object> spec = map(p.get("spec"));
                return map(spec.get("podSelector")).isEmpty() && list(spec.get("policyTypes")).contains("Ingress")
                        && spec.get("ingress") == null;
            }), name + ": a default-deny ingress policy for the whole namespace");

            Map<String, Object> nginxLabels = podLabels(overlay.one("Deployment", "tally-nginx"));
            for (Map<String, Object> app : List.of(overlay.one("Deployment", "tally-api"),
                    overlay.one("Deployment", "tally-worker"))) {
                Map<Integer, List<Map<String, Object>>> peers = admittedPeers(overlay, podLabels(app), pod(app));
                assertEquals(Set.of(appPort, managementPort), peers.keySet(),
                        name + " " + id(app) + ": only the app and management ports are reachable");
                for (Map<String, Object> peer : peers.get(appPort)) {
                    assertEquals(Set.of("podSelector"), peer.keySet(), name + ": app port peers are pods here");
                    Map<String, Object> labels = map(map(peer.get("podSelector")).get("matchLabels"));
                    assertTrue(nginxLabels.entrySet().containsAll(labels.entrySet()) && !labels.isEmpty(),
                            name + " " + id(app) + ": the app port admits only Nginx, got " + peer);
                }
                for (Map<String, Object> peer : peers.get(managementPort)) {
                    Map<String, Object> namespaces = map(map(peer.get("namespaceSelector")).get("matchLabels"));
                    assertEquals("monitoring", str(namespaces.get("kubernetes.io/metadata.name")),
                            name + " " + id(app) + ": the management port admits only the monitoring namespace");
                    assertNull(peer.get("ipBlock"), name + ": no address range reaches the management port");
                }
            }
            if (overlay.find("StatefulSet", "tally-redis") != null) {
                Map<String, Object> redis = overlay.one("StatefulSet", "tally-redis");
                Map<Integer, List<Map<String, Object>>> peers = admittedPeers(overlay, podLabels(redis), pod(redis));
                assertEquals(Set.of(6379), peers.keySet(), name + ": only the Redis port is reachable");
                Map<String, Object> apiLabels = podLabels(overlay.one("Deployment", "tally-api"));
                Map<String, Object> workerLabels = podLabels(overlay.one("Deployment", "tally-worker"));
                for (Map<String, Object> peer : peers.get(6379)) {
                    assertEquals(Set.of("podSelector"), peer.keySet(), name + ": Redis peers are pods here");
                    Map<String, Object> labels = map(map(peer.get("podSelector")).get("matchLabels"));
                    assertTrue(apiLabels.entrySet().containsAll(labels.entrySet())
                            && workerLabels.entrySet().containsAll(labels.entrySet())
                            && !nginxLabels.entrySet().containsAll(labels.entrySet()),
                            name + ": only Tally's api and worker pods reach Redis, got " + peer);
                }
            }
        }
    }

    /** Port -> peers ("from" entries) admitted to pods with these labels by the rendered NetworkPolicies. */
    private static Map<Integer, List<Map<String, Object>>> admittedPeers(Overlay overlay, Map<String, Object> labels,
            Map<String, Object> pod) {
        Map<Integer, List<Map<String, Object>>> peers = new TreeMap<>();
        for (Map<String, Object> policy : overlay.all("NetworkPolicy")) {
            Map<String, Object> spec = map(policy.get("spec"));
            Map<String, Object> selector = map(map(spec.get("podSelector")).getOrDefault("matchLabels", Map.of()));
            if (!labels.entrySet().containsAll(selector.entrySet())) {
                continue;
            }
            for (Object rule : list(spec.getOrDefault("ingress", List.of()))) {
                List<Object> ports = list(map(rule).get("ports"));
                assertFalse(ports.isEmpty(), id(policy) + ": a rule without ports admits every port");
                List<Object> from = list(map(rule).get("from"));
                assertFalse(from.isEmpty(), id(policy) + ": a rule without 'from' admits everyone");
                for (Object port : ports) {
                    int number = containerPort(containersOf(pod).get(0), map(port).get("port"));
                    from.forEach(f -> peers.computeIfAbsent(number, k -> new ArrayList<>()).add(map(f)));
                }
            }
        }
        return peers;
    }

    @Test
    void prometheusScrapesTheManagementPortForMetrics() {
        String metricsPath = managementPath(ConfigKeys.effective("quarkus.micrometer.export.prometheus.path"));
        String managementPort = DeployFiles.property("quarkus.management.port");
        for (String name : OVERLAY_NAMES) {
            for (Map<String, Object> deployment : tallyDeployments(overlay(name))) {
                Map<String, Object> annotations = map(map(map(map(deployment.get("spec")).get("template"))
                        .get("metadata")).get("annotations"));
                String where = name + " " + id(deployment);
                assertEquals("true", str(annotations.get("prometheus.io/scrape")), where + ": scrape");
                assertEquals(managementPort, str(annotations.get("prometheus.io/port")), where + ": management port");
                assertEquals(metricsPath, str(annotations.get("prometheus.io/path")), where + ": metrics path");
                assertEquals(Integer.parseInt(managementPort),
                        containerPort(containers(deployment).get(0), "management"), where + ": port named management");
            }
        }
    }

    @Test
    void podsSpreadOverNodesAndZones() {
        for (String name : OVERLAY_NAMES) {
            for (Map<String, Object> deployment : overlay(name).all("Deployment")) {
                String where = name + " " + id(deployment);
                Map<String, Object> labels = podLabels(deployment);
                Map<String, String> spread = new TreeMap<>();
                for (Object c : list(pod(deployment).get("topologySpreadConstraints"))) {
                    Map<String, Object> constraint = map(c);
                    Map<String, Object> selector = map(map(constraint.get("labelSelector")).get("matchLabels"));
                    assertTrue(labels.entrySet().containsAll(selector.entrySet()) && !selector.isEmpty(),
                            where + ": a spread constraint must count this Deployment's own pods");
                    assertEquals(List.of("pod-template-hash"), constraint.get("matchLabelKeys"),
                            where + ": count one ReplicaSet at a time (rollouts)");
                    spread.put(str(constraint.get("topologyKey")), str(constraint.get("whenUnsatisfiable")));
                }
                assertEquals(Map.of("kubernetes.io/hostname", "DoNotSchedule",
                        "topology.kubernetes.io/zone", "ScheduleAnyway"), spread,
                        where + ": spread over nodes (hard) and zones (soft)");
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // The overlays

    @Test
    void devRunsTwoApiPodsAndAPersistentBoundedAppendOnlyRedisInTheNamespace() {
        Overlay dev = overlay("dev");
        assertEquals(2, intValue(map(dev.one("Deployment", "tally-api").get("spec")).get("replicas")), "dev api pods");
        assertTrue(dev.all("HorizontalPodAutoscaler").isEmpty(), "dev has no autoscaler");

        Map<String, Object> redis = dev.one("StatefulSet", "tally-redis");
        Map<String, Object> spec = map(redis.get("spec"));
        assertEquals(1, intValue(spec.get("replicas")), "a single Redis node");
        Map<String, Object> container = containers(redis).get(0);
        assertNull(container.get("command"), "Redis keeps the image's entrypoint");
        List<Object> command = list(container.get("args"));
        assertEquals("redis-server", command.get(0), "redis-server with explicit arguments: " + command);
        Map<String, Object> composeRedis = map(map(map(new Yaml().load(DeployFiles.read(COMPOSE_FILE)))
                .get("services")).get("redis"));
        assertEquals(composeRedis.get("command"), command, "the same Redis command as deploy/compose.yaml");
        int aof = command.indexOf("--appendonly");
        assertTrue(aof >= 0 && "yes".equals(command.get(aof + 1)), "append-only persistence: " + command);
        // Full, Redis refuses writes (503s) instead of growing into the pod's limit and being OOM-killed; the
        // bound leaves a quarter of the limit for client buffers and the append-only rewrite's copy-on-write.
        long maxmemory = DeployFiles.redisMaxmemory(command, "dev Redis");
        long limit = bytes(str(map(map(container.get("resources")).get("limits")).get("memory")));
        assertTrue(maxmemory <= limit * 3 / 4, "maxmemory " + maxmemory + " within 3/4 of the limit " + limit);
        String dataDir = str(command.get(command.indexOf("--dir") + 1));
        Map<String, Object> dataMount = mountAt(container, dataDir::equals, "Redis --dir mount");
        List<String> claims = list(spec.get("volumeClaimTemplates")).stream()
                .map(c -> str(meta(map(c)).get("name"))).toList();
        assertTrue(claims.contains(str(dataMount.get("name"))), "Redis --dir " + dataDir
                + " is on a PersistentVolumeClaim (volumeClaimTemplates " + claims + ")");
        assertTrue(str(container.get("image")).startsWith("redis:7"), "the Redis of deploy/compose.yaml");

        // The app's Redis address: the generated Secret names the in-cluster Service and its port.
        Map<String, Object> api = dev.one("Deployment", "tally-api");
        String secretName = str(map(map(envEntry(containers(api).get(0), "QUARKUS_REDIS_HOSTS").get("valueFrom"))
                .get("secretKeyRef")).get("name"));
        Map<String, Object> secret = dev.one("Secret", secretName);
        String hosts = new String(Base64.getDecoder().decode(str(map(secret.get("data")).get("hosts"))),
                StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("redis://([a-z0-9-]+):(\\d+)").matcher(hosts);
        assertTrue(m.matches(), "dev Redis address: " + hosts);
        Map<String, Object> service = dev.one("Service", m.group(1));
        assertEquals(List.of(redis), dev.podsSelectedBy(map(map(service.get("spec")).get("selector"))),
                "the Redis Service selects the Redis pod");
        Map<String, Object> port = list(map(service.get("spec")).get("ports")).stream().map(YamlValues::map)
                .filter(p -> intValue(p.get("port")) == Integer.parseInt(m.group(2))).findFirst()
                .orElseThrow(() -> new AssertionError("the Redis Service has no port " + m.group(2)));
        assertEquals(6379, containerPort(container, port.get("targetPort")), "to Redis' port");
    }

    @Test
    void devClusterRunsSixBoundedClusterNodesThatAJobJoinsAndTellsTallyItIsACluster() {
        Overlay overlay = overlay("dev-cluster");
        assertNull(overlay.find("StatefulSet", "tally-redis"), "not dev's single Redis");
        Map<String, Object> nodes = overlay.one("StatefulSet", "tally-redis-cluster");
        Map<String, Object> spec = map(nodes.get("spec"));
        assertEquals(6, intValue(spec.get("replicas")), "3 masters + 3 replicas");
        assertEquals("Parallel", str(spec.get("podManagementPolicy")), "every node starts without waiting");
        Map<String, Object> container = containers(nodes).get(0);
        List<String> args = list(container.get("args")).stream().map(String::valueOf).toList();
        // The node flags of deploy/compose.yaml's cluster profile, each with its value; Kubernetes adds its own.
        List<String> composeNode = list(map(map(map(new Yaml().load(DeployFiles.read(COMPOSE_FILE)))
                .get("services")).get("redis-node-1")).get("command")).stream().map(String::valueOf).toList();
        for (int i = 1; i < composeNode.size(); i += 2) {
            int at = args.indexOf(composeNode.get(i));
            assertTrue(at > 0 && composeNode.get(i + 1).equals(args.get(at + 1)),
                    composeNode.get(i) + " " + composeNode.get(i + 1) + " as in compose: " + args);
        }
        long maxmemory = DeployFiles.redisMaxmemory(args, "dev-cluster Redis");
        long limit = bytes(str(map(map(container.get("resources")).get("limits")).get("memory")));
        assertTrue(maxmemory <= limit * 3 / 4, "maxmemory " + maxmemory + " within 3/4 of the limit " + limit);
        Map<String, Object> dataMount = mountAt(container, args.get(args.indexOf("--dir") + 1)::equals, "--dir");
        assertEquals(List.of(str(dataMount.get("name"))), list(spec.get("volumeClaimTemplates")).stream()
                .map(c -> str(meta(map(c)).get("name"))).toList(), "nodes.conf and the append-only file on a claim");
        String serviceName = str(spec.get("serviceName"));
        assertEquals("$(POD_NAME)." + serviceName, args.get(args.indexOf("--cluster-announce-hostname") + 1),
                "each node announces its stable name");
        assertEquals("hostname", args.get(args.indexOf("--cluster-preferred-endpoint-type") + 1),
                "clients are sent to names, not to addresses that change");
        assertEquals("metadata.name", str(map(map(envEntry(container, "POD_NAME").get("valueFrom"))
                .get("fieldRef")).get("fieldPath")));

        Map<String, Object> service = overlay.one("Service", serviceName);
        Map<String, Object> serviceSpec = map(service.get("spec"));
        assertEquals("None", str(serviceSpec.get("clusterIP")), "headless: every pod has its DNS name");
        assertEquals(true, serviceSpec.get("publishNotReadyAddresses"), "names exist before the cluster does");
        assertEquals(List.of(nodes), overlay.podsSelectedBy(map(serviceSpec.get("selector"))));

        // Tally's Secret: the cluster client, seeded with the headless Service's name on the Redis port.
        Map<String, Object> api = overlay.one("Deployment", "tally-api");
        String secretName = str(map(map(envEntry(containers(api).get(0), "QUARKUS_REDIS_HOSTS").get("valueFrom"))
                .get("secretKeyRef")).get("name"));
        Map<String, Object> data = map(overlay.one("Secret", secretName).get("data"));
        Map<String, String> decoded = new TreeMap<>();
        data.forEach((k, v) -> decoded.put(k, new String(Base64.getMimeDecoder().decode(str(v)), StandardCharsets.UTF_8)));
        assertEquals(Map.of("client-type", "cluster", "hosts", "redis://" + serviceName + ":6379"), decoded);
        // The job queue in one shard per master, alike where jobs are submitted and where they run.
        for (String deployment : List.of("tally-api", "tally-worker")) {
            assertEquals("3", str(envEntry(containers(overlay.one("Deployment", deployment)).get(0),
                    "TALLY_JOB_SHARDS").get("value")), deployment);
        }

        // The Job that joins them: every node by its stable name, one replica per master.
        Map<String, Object> job = overlay.one("Job", "tally-redis-cluster-create");
        String script = String.join(" ", list(containers(job).get(0).get("args")).stream().map(String::valueOf)
                .toList());
        assertTrue(script.contains("for n in 0 1 2 3 4 5") && script.contains("name=tally-redis-cluster-$n."
                + serviceName) && script.contains("--cluster create") && script.contains("--cluster-replicas 1"),
                script);
        assertEquals("RuntimeDefault", str(map(map(pod(job).get("securityContext")).get("seccompProfile"))
                .get("type")), "the Job passes Pod Security restricted too");
        Map<String, Object> jobSecurity = map(containers(job).get(0).get("securityContext"));
        assertEquals(false, jobSecurity.get("allowPrivilegeEscalation"));
        assertEquals(List.of("ALL"), map(jobSecurity.get("capabilities")).get("drop"));

        // Who reaches what: Tally's pods and the nodes the Redis port; only the nodes the cluster bus.
        Map<Integer, List<Map<String, Object>>> peers = admittedPeers(overlay, podLabels(nodes), pod(nodes));
        assertEquals(Set.of(6379, 16379), peers.keySet());
        assertEquals(Set.of("tally", "tally-redis-cluster"), peers.get(6379).stream().map(peer ->
                str(map(map(peer.get("podSelector")).get("matchLabels")).get("app.kubernetes.io/name")))
                .collect(Collectors.toSet()));
        for (Map<String, Object> peer : peers.get(16379)) {
            assertEquals(podLabels(nodes).get("app.kubernetes.io/name"),
                    map(map(peer.get("podSelector")).get("matchLabels")).get("app.kubernetes.io/name"),
                    "only the nodes reach the cluster bus: " + peer);
        }
    }

    @Test
    void prodAutoscalesKeepsDisruptionBudgetsAndUsesAnExternalRedisFromASecret() {
        Overlay prod = overlay("prod");
        Map<String, Map<String, Object>> autoscalers = new TreeMap<>();
        for (Map<String, Object> hpa : prod.all("HorizontalPodAutoscaler")) {
            assertEquals("autoscaling/v2", str(hpa.get("apiVersion")), id(hpa));
            Map<String, Object> target = map(map(hpa.get("spec")).get("scaleTargetRef"));
            assertEquals("Deployment", str(target.get("kind")), id(hpa));
            Map<String, Object> deployment = prod.one("Deployment", str(target.get("name")));
            autoscalers.put(str(meta(deployment).get("name")), map(hpa.get("spec")));
            assertNull(map(deployment.get("spec")).get("replicas"), id(deployment)
                    + ": the autoscaler owns the replica count (spec.replicas would reset it at every apply)");
            assertTrue(containers(deployment).stream().allMatch(c -> map(map(c.get("resources")).get("requests"))
                    .get("cpu") != null), id(deployment) + ": CPU utilization needs CPU requests");
        }
        assertEquals(Set.of("tally-api", "tally-worker"), autoscalers.keySet(), "autoscalers for api and worker");
        Map<String, Object> api = autoscalers.get("tally-api");
        assertTrue(intValue(api.get("minReplicas")) >= 3, "prod runs at least 3 api pods");
        autoscalers.forEach((n, spec) -> assertTrue(intValue(spec.get("maxReplicas")) > intValue(spec.get("minReplicas")),
                n + ": room to scale"));
        assertTrue(intValue(map(prod.one("Deployment", "tally-nginx").get("spec")).get("replicas")) >= 2,
                "more than one Nginx");
        Set<String> budgets = prod.all("PodDisruptionBudget").stream().map(b -> str(meta(b).get("name")))
                .collect(Collectors.toSet());
        assertEquals(Set.of("tally-api", "tally-worker", "tally-nginx"), budgets, "disruption budgets");

        assertNull(prod.find("StatefulSet", "tally-redis"), "prod runs no Redis of its own");
        assertTrue(prod.all("Secret").isEmpty(), "prod renders no Secret: credentials never live in the repository");
        forEachTallyContainer(prod, (where, workload, container) -> {
            Map<String, Object> ref = map(map(envEntry(container, "QUARKUS_REDIS_HOSTS").get("valueFrom"))
                    .get("secretKeyRef"));
            assertEquals("tally-redis", str(ref.get("name")), where + ": the Secret created for prod");
        });
    }

    // ---------------------------------------------------------------------------------------------------------
    // Rendering, validation and navigation helpers

    record Overlay(String name, String yaml, List<Map<String, Object>> objects) {

        List<Map<String, Object>> all(String kind) {
            return objects.stream().filter(o -> kind(o).equals(kind)).toList();
        }

        Map<String, Object> find(String kind, String name) {
            return all(kind).stream().filter(o -> name == null || name.equals(str(meta(o).get("name")))).findFirst()
                    .orElse(null);
        }

        Map<String, Object> one(String kind, String name) {
            List<Map<String, Object>> matches = all(kind).stream()
                    .filter(o -> name == null || name.equals(str(meta(o).get("name")))).toList();
            assertEquals(1, matches.size(), this.name + ": expected one " + kind + (name == null ? "" : " " + name)
                    + ", found " + matches.size());
            return matches.get(0);
        }

        List<Map<String, Object>> workloads() {
            return objects.stream().filter(o -> Set.of("Deployment", "StatefulSet").contains(kind(o))).toList();
        }

        /** Workloads whose pods carry all these labels. */
        List<Map<String, Object>> podsSelectedBy(Map<String, Object> selector) {
            return workloads().stream().filter(w -> podLabels(w).entrySet().containsAll(selector.entrySet())).toList();
        }
    }

    interface ContainerCheck {
        void check(String where, Map<String, Object> workload, Map<String, Object> container);
    }

    private static void forEachTallyContainer(ContainerCheck check) {
        OVERLAY_NAMES.forEach(name -> forEachTallyContainer(overlay(name), check));
    }

    private static void forEachTallyContainer(Overlay overlay, ContainerCheck check) {
        List<Map<String, Object>> deployments = tallyDeployments(overlay);
        assertEquals(2, deployments.size(), overlay.name() + ": the api and worker Deployments");
        for (Map<String, Object> deployment : deployments) {
            List<Map<String, Object>> containers = containers(deployment);
            assertEquals(1, containers.size(), overlay.name() + " " + id(deployment) + ": one container");
            check.check(overlay.name() + " " + id(deployment), deployment, containers.get(0));
        }
    }

    /** The Deployments running the service (pods labelled app.kubernetes.io/name=tally). */
    private static List<Map<String, Object>> tallyDeployments(Overlay overlay) {
        return overlay.all("Deployment").stream()
                .filter(d -> "tally".equals(podLabels(d).get("app.kubernetes.io/name"))).toList();
    }

    private static synchronized Overlay overlay(String name) {
        return rendered.computeIfAbsent(name, KubernetesManifestsTest::render);
    }

    private static Overlay render(String name) {
        Path kubectl = DeployFiles.requireTool("kubectl", "install kubectl >= 1.27 (it bundles kustomize v5; "
                + "Debian's kubernetes-client 1.20 is too old): see docs/deploying.md");
        Result version = DeployFiles.run(List.of(kubectl.toString(), "version", "--client", "-o", "json"),
                System.getenv(), "", Duration.ofSeconds(30));
        assertEquals(0, version.exit(), "kubectl version: " + version.output());
        Matcher kustomize = Pattern.compile("\"kustomizeVersion\"\\s*:\\s*\"v(\\d+)").matcher(version.stdout());
        assertTrue(kustomize.find() && Integer.parseInt(kustomize.group(1)) >= 5,
                "kubectl must bundle kustomize v5 or newer (replacements, labels): " + version.stdout());
        Result result = DeployFiles.run(List.of(kubectl.toString(), "kustomize", OVERLAYS.resolve(name).toString()),
                System.getenv(), "", Duration.ofSeconds(60));
        assertEquals(0, result.exit(), "kubectl kustomize k8s/overlays/" + name + " failed:\n" + result.output());
        List<Map<String, Object>> objects = new ArrayList<>();
        for (Object document : new Yaml().loadAll(result.stdout())) {
            if (document != null) {
                objects.add(map(document));
            }
        }
        return new Overlay(name, result.stdout(), objects);
    }

    /** Runs k8s/validate/validate.mjs on YAML documents; installs its packages from the lockfile when missing. */
    private static JsonNode validate(String yaml) {
        Path node = DeployFiles.requireTool("node", "install Node.js 20 or newer (apt-get install nodejs)");
        DeployFiles.npmCi(VALIDATOR);
        Path input = null;
        try {
            input = Files.createTempFile("tally-k8s-", ".yaml");
            Files.writeString(input, yaml);
            Result result = DeployFiles.run(List.of(node.toString(), "validate.mjs", "--json", input.toString()),
                    System.getenv(), "", Duration.ofSeconds(60), VALIDATOR);
            String report = result.stdout().trim();
            assertTrue(report.startsWith("{"), "validate.mjs printed no report:\n" + result.output());
            return new ObjectMapper().readTree(report);
        } catch (IOException e) {
            throw new AssertionError(e);
        } finally {
            if (input != null) {
                input.toFile().delete();
            }
        }
    }


    private static String dump(List<Map<String, Object>> documents) {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        return new Yaml(options).dumpAll(documents.iterator());
    }

    @SuppressWarnings("unchecked")
    private static <T> T deepCopy(T value) {
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> copy = new LinkedHashMap<>();
            m.forEach((k, v) -> copy.put(String.valueOf(k), deepCopy(v)));
            return (T) copy;
        }
        if (value instanceof List<?> l) {
            List<Object> copy = new ArrayList<>();
            l.forEach(v -> copy.add(deepCopy(v)));
            return (T) copy;
        }
        return value;
    }

    /** The image name compose builds for the replicas (dev runs the same local image). */
    private static String composeReplicaImage() {
        Matcher m = Pattern.compile("(?m)^\\s+image:\\s*(tally:\\S+)\\s*$").matcher(DeployFiles.read(COMPOSE_FILE));
        assertTrue(m.find(), "deploy/compose.yaml names the replica image");
        return m.group(1);
    }

    /** A path on the management interface: quarkus.management.root-path + a relative path. */
    private static String managementPath(String relative) {
        assertFalse(relative.startsWith("/"), "absolute non-application paths are not handled here: " + relative);
        String root = ConfigKeys.effective("quarkus.management.root-path");
        return (root.endsWith("/") ? root : root + "/") + relative;
    }

    private static int[] localNginxVersion() {
        Path nginx = DeployFiles.requireTool("nginx", "apt-get install nginx");
        Result version = DeployFiles.run(List.of(nginx.toString(), "-v"), System.getenv(), "", Duration.ofSeconds(10));
        Matcher m = Pattern.compile("nginx/(\\d+)\\.(\\d+)\\.(\\d+)").matcher(version.output());
        assertTrue(m.find(), "nginx -v: " + version.output());
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))};
    }

    private static int compareVersions(int[] a, int[] b) {
        for (int i = 0; i < 3; i++) {
            if (a[i] != b[i]) {
                return Integer.compare(a[i], b[i]);
            }
        }
        return 0;
    }

    private static List<String> execForm(String arguments) {
        assertNotNull(arguments, "the Dockerfile must set ENTRYPOINT");
        try {
            return List.of(new ObjectMapper().readValue(arguments.trim(), String[].class));
        } catch (IOException e) {
            throw new AssertionError("ENTRYPOINT must be a JSON array: " + arguments, e);
        }
    }

    private static String kind(Map<String, Object> object) {
        return str(object.get("kind"));
    }

    private static String id(Map<String, Object> object) {
        return kind(object) + "/" + meta(object).get("name");
    }

    private static Map<String, Object> meta(Map<String, Object> object) {
        return map(object.get("metadata"));
    }

    private static Map<String, Object> pod(Map<String, Object> workload) {
        return map(map(map(workload.get("spec")).get("template")).get("spec"));
    }

    private static Map<String, Object> podLabels(Map<String, Object> workload) {
        return map(map(map(map(workload.get("spec")).get("template")).get("metadata")).get("labels"));
    }

    private static List<Map<String, Object>> containers(Map<String, Object> workload) {
        return containersOf(pod(workload));
    }

    private static List<Map<String, Object>> containersOf(Map<String, Object> podSpec) {
        return list(podSpec.get("containers")).stream().map(YamlValues::map).toList();
    }

    private static Map<String, Object> nginxContainer(Map<String, Object> deployment) {
        return containers(deployment).stream().filter(c -> "nginx".equals(c.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError(id(deployment) + " has no nginx container"));
    }

    private static Map<String, Object> volume(Map<String, Object> workload, String name) {
        return list(pod(workload).get("volumes")).stream().map(YamlValues::map)
                .filter(v -> name.equals(v.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError(id(workload) + " has no volume " + name));
    }

    private static Map<String, Object> mountAt(Map<String, Object> container, Predicate<String> path, String what) {
        List<Map<String, Object>> mounts = list(container.get("volumeMounts")).stream()
                .map(YamlValues::map).filter(m -> path.test(str(m.get("mountPath")))).toList();
        assertEquals(1, mounts.size(), what + ": expected one matching volume mount in " + container.get("volumeMounts"));
        return mounts.get(0);
    }

    /** The container's variables with literal values ("" for valueFrom). */
    private static Map<String, String> env(Map<String, Object> container) {
        Map<String, String> env = new LinkedHashMap<>();
        for (Object entry : list(container.get("env"))) {
            Map<String, Object> e = map(entry);
            env.put(str(e.get("name")), str(e.get("value")));
        }
        return env;
    }

    private static Map<String, Object> envEntry(Map<String, Object> container, String name) {
        return list(container.get("env")).stream().map(YamlValues::map)
                .filter(e -> name.equals(e.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("container " + container.get("name") + " does not set " + name));
    }

    /** A port number, or a port name resolved through the container's ports. */
    private static int containerPort(Map<String, Object> container, Object port) {
        if (port instanceof Number n) {
            return n.intValue();
        }
        String name = str(port);
        if (name.matches("\\d+")) {
            return Integer.parseInt(name);
        }
        return list(container.get("ports")).stream().map(YamlValues::map)
                .filter(p -> name.equals(p.get("name"))).map(p -> intValue(p.get("containerPort"))).findFirst()
                .orElseThrow(() -> new AssertionError("container " + container.get("name") + " has no port " + name));
    }

    private static String fileName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** Kubernetes memory quantity (Ki, Mi, Gi, or plain bytes) in bytes. */
    private static long bytes(String quantity) {
        Matcher m = Pattern.compile("(\\d+)(Ki|Mi|Gi)?").matcher(quantity);
        assertTrue(m.matches(), "memory quantity: " + quantity);
        long n = Long.parseLong(m.group(1));
        return m.group(2) == null ? n : switch (m.group(2)) {
            case "Ki" -> n << 10;
            case "Mi" -> n << 20;
            default -> n << 30;
        };
    }

    /** Kubernetes CPU quantity ("500m", "2") in millicores. */
    private static long millicores(String quantity) {
        return quantity.endsWith("m") ? Long.parseLong(quantity.substring(0, quantity.length() - 1))
                : Math.round(Double.parseDouble(quantity) * 1000);
    }

    private static int intValue(Object value) {
        assertNotNull(value, "missing number");
        return value instanceof Number n ? n.intValue() : Integer.parseInt(str(value));
    }
}
