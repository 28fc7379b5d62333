package dev.tally.deploy;

import static dev.tally.deploy.YamlValues.list;
import static dev.tally.deploy.YamlValues.map;
import static dev.tally.deploy.YamlValues.str;
import static dev.tally.deploy.DeployFiles.ROOT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.deploy.DeployFiles.Result;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Guards .github/workflows/ci.yml, which cannot run here: the file must pass two workflow schemas (SchemaStore's
 * github-workflow.json and GitHub's own parser, run by .github/validate/validate.mjs with node; installed with
 * {@code npm ci} from the checked-in lockfile when missing), the validator is shown to refuse broken copies, and
 * what the workflow does is cross-checked with the repository: it runs .ci/run, tags the image with the commit,
 * pins the pushed digest with {@code kustomize edit set image} on the image name the manifests use, in an overlay
 * that exists, and applies that overlay. A missing tool fails with the way to install it; nothing is skipped.
 */
class WorkflowTest {

    private static final Path WORKFLOW = ROOT.resolve(".github/workflows/ci.yml");
    private static final Path VALIDATOR = ROOT.resolve(".github/validate");
    private static final Path K8S = ROOT.resolve("k8s");

    /** A third-party action pinned to a full commit, the release named in a comment: {@code uses: o/r@SHA # v1.2.3}. */
    private static final Pattern PINNED_USE = Pattern.compile(
            "(?m)^\\s*(?:-\\s+)?uses:\\s*([\\w.-]+/[\\w.-]+)@([0-9a-f]{40})\\s+#\\s+v\\d+\\.\\d+\\.\\d+\\s*$");
    private static final Pattern ANY_USE = Pattern.compile("(?m)^\\s*(?:-\\s+)?uses:\\s*(\\S+)");

    // ---------------------------------------------------------------------------------------------------------
    // Schemas

    @Test
    void theWorkflowPassesBothWorkflowSchemas() {
        JsonNode result = validate(DeployFiles.read(WORKFLOW));
        assertTrue(result.get("ok").asBoolean(), "ci.yml refused: " + result.get("errors"));
    }

    /** The validator bites: broken copies of the real workflow are refused, each for its own reason. */
    @Test
    void theValidatorRefusesAMissingRunsOnAWrongKeyAndAnUnclosedExpression() {
        String good = DeployFiles.read(WORKFLOW);

        String noRunsOn = replaceOnce(good, "  test:\n    runs-on: ubuntu-24.04\n", "  test:\n");
        JsonNode result = validate(noRunsOn);
        assertRefused(result, "github: ", "Required property is missing: runs-on");
        assertRefused(result, "schemastore: /jobs/test", "");

        String wrongKey = replaceOnce(good, "    timeout-minutes: 90\n", "    timeout-minute: 90\n");
        result = validate(wrongKey);
        assertRefused(result, "github: ", "Unexpected value 'timeout-minute'");
        assertRefused(result, "schemastore: /jobs/test", "");

        String unclosed = replaceOnce(good, "${{ steps.push.outputs.digest }}", "${{ steps.push.outputs.digest }");
        assertRefused(validate(unclosed), "github: ", "The expression is not closed");

        String unknownContext = replaceOnce(good, "${{ needs.image.outputs.digest }}", "${{ need.image.outputs.digest }}");
        assertRefused(validate(unknownContext), "github: ", "Unrecognized named-value: 'need'");
    }

    private static void assertRefused(JsonNode result, String checker, String message) {
        assertFalse(result.get("ok").asBoolean(), "must be refused: " + result);
        boolean found = false;
        for (JsonNode error : result.get("errors")) {
            found |= error.asText().startsWith(checker) && error.asText().contains(message);
        }
        assertTrue(found, "expected a '" + checker + "' error containing '" + message + "' in " + result.get("errors"));
    }

    // ---------------------------------------------------------------------------------------------------------
    // What the workflow does, against the repository

    @Test
    void everyPushAndPullRequestRunsTheProjectsOwnCi() {
        Map<String, Object> on = map(workflow().get(Boolean.TRUE)); // YAML 1.1 reads the key "on" as true
        assertEquals(List.of("main"), map(on.get("push")).get("branches"), "push to main runs it");
        assertTrue(on.containsKey("pull_request"), "pull requests run it");
        Map<String, Object> test = job("test");
        assertFalse(test.containsKey("if"), "the test job runs on every event");
        assertTrue(str(test.get("runs-on")).startsWith("ubuntu-"), "ubuntu runner: " + test.get("runs-on"));
        List<String> runs = runSteps(test);
        assertTrue(runs.stream().anyMatch(r -> r.matches("sudo .*\\bbash \\.ci/run")),
                "the test job runs .ci/run as root (it installs with apt-get): " + runs);
        assertTrue(Files.isRegularFile(ROOT.resolve(".ci/run")),
                ".ci/run exists");
    }

    @Test
    void theImageIsBuiltAfterTheTestsTaggedWithTheCommitAndPushedToTheConfiguredRegistry() {
        Map<String, Object> image = job("image");
        assertEquals("test", image.get("needs"), "the image is built only after the tests pass");
        assertTrue(str(image.get("if")).contains("github.event_name == 'push'"), "never for a pull request");
        Map<String, Object> name = step(image, "name");
        assertTrue(str(name.get("run")).contains("$REGISTRY/$IMAGE_NAME"), "image name from the variables");
        assertEquals("${{ vars.REGISTRY }}", map(name.get("env")).get("REGISTRY"));
        assertEquals("${{ vars.IMAGE_NAME }}", map(name.get("env")).get("IMAGE_NAME"));
        assertEquals("${{ vars.REGISTRY }}", map(usesStep(image, "docker/login-action").get("with")).get("registry"));

        assertTrue(runSteps(image).contains("./mvnw -B package -DskipTests"),
                "target/quarkus-app is built first: the Dockerfile copies it");
        assertTrue(DeployFiles.read(DeployFiles.DOCKERFILE).contains("COPY target/quarkus-app/"),
                "the Dockerfile copies the fast-jar");
        Map<String, Object> push = step(image, "push");
        assertTrue(str(push.get("uses")).startsWith("docker/build-push-action@"), "pushed by build-push-action");
        Map<String, Object> with = map(push.get("with"));
        assertEquals(true, with.get("push"));
        assertEquals(".", with.get("context"), "the repository's Dockerfile");
        assertTrue(str(with.get("tags")).lines().anyMatch(
                t -> t.trim().equals("${{ steps.name.outputs.image }}:${{ github.sha }}")),
                "tagged with the commit SHA: " + with.get("tags"));
        assertEquals("${{ steps.push.outputs.digest }}", map(image.get("outputs")).get("digest"),
                "the pushed digest is the job's output");
    }

    @Test
    void theDeployPinsThePushedDigestOnTheManifestsImageNameInAnExistingOverlay() {
        Map<String, Object> deploy = job("deploy");
        assertEquals("image", deploy.get("needs"));
        Map<String, Object> env = map(deploy.get("env"));
        assertEquals("${{ needs.image.outputs.digest }}", env.get("DIGEST"));
        assertEquals("${{ needs.image.outputs.image }}", env.get("IMAGE"));

        // The overlay: one expression, used for the environment (approvals), the concurrency group and the path.
        String overlay = str(env.get("OVERLAY"));
        assertEquals(overlay, str(map(deploy.get("environment")).get("name")), "the environment is the overlay");
        Map<String, Object> concurrency = map(deploy.get("concurrency"));
        assertEquals("deploy-" + overlay, str(concurrency.get("group")), "one deploy per overlay at a time");
        assertEquals(false, concurrency.get("cancel-in-progress"), "a deploy is never cut off midway");
        Matcher defaults = Pattern.compile("\\|\\| '([a-z0-9-]+)'").matcher(overlay);
        Set<String> named = new TreeSet<>();
        while (defaults.find()) {
            named.add(defaults.group(1));
        }
        assertEquals(Set.of("dev", "prod"), named, "main deploys dev, tags prod, by default: " + overlay);
        named.forEach(o -> assertTrue(Files.isRegularFile(K8S.resolve("overlays/" + o + "/kustomization.yaml")),
                "the default overlay exists: " + o));

        String script = String.join("\n", runSteps(deploy));
        Matcher set = Pattern.compile("kustomize edit set image \"([a-z0-9.-]+)=\\$IMAGE@\\$DIGEST\"").matcher(script);
        assertTrue(set.find(), "kustomize edit set image NAME=$IMAGE@$DIGEST:\n" + script);
        assertEquals(manifestImageName(), set.group(1), "kustomize edit set image targets the manifests' image name");
        DeployFiles.assertContains(script, "cd \"k8s/overlays/$OVERLAY\"", "edited in the overlay's directory");
        DeployFiles.assertContains(script, "kubectl apply -k \"k8s/overlays/$OVERLAY\"", "applies that overlay");
        DeployFiles.assertContains(str(step(deploy, null, "Kubeconfig").get("env")), "${{ secrets.KUBECONFIG }}",
                "the kubeconfig comes from a secret");
    }

    /**
     * What {@code kustomize edit set image tally=IMAGE@DIGEST} writes (an images entry with newName and digest, no
     * tag), applied to a copy of k8s/ and rendered by the real {@code kubectl kustomize}: every Tally container of
     * both overlays then runs exactly IMAGE@DIGEST, and no other container changes.
     */
    @Test
    void aDigestPinnedOverlayRendersTheTallyContainersWithExactlyThatImage() throws IOException {
        String image = "registry.example.com/acme/tally";
        String digest = "sha256:" + "0123456789abcdef".repeat(4);
        Path copy = Files.createTempDirectory("tally-workflow-k8s-");
        try {
            copyTree(K8S, copy.resolve("k8s"));
            copyTree(ROOT.resolve("nginx"), copy.resolve("nginx"));
            for (String overlay : List.of("dev", "prod")) {
                Path kustomization = copy.resolve("k8s/overlays/" + overlay + "/kustomization.yaml");
                Map<String, Object> k = map(new Yaml().load(Files.readString(kustomization)));
                List<Object> images = list(k.get("images"));
                assertEquals(1, images.size(), overlay + ": one images entry");
                assertEquals(manifestImageName(), map(images.get(0)).get("name"), overlay + ": the entry's name");
                Map<String, Object> pinned = new LinkedHashMap<>();
                pinned.put("name", manifestImageName());
                pinned.put("newName", image);
                pinned.put("digest", digest);
                k.put("images", List.of(pinned));
                Files.writeString(kustomization, new Yaml().dump(k));

                Path kubectl = DeployFiles.requireTool("kubectl", "install kubectl >= 1.27: see docs/deploying.md");
                Result rendered = DeployFiles.run(List.of(kubectl.toString(), "kustomize",
                        kustomization.getParent().toString()), System.getenv(), "", Duration.ofSeconds(60));
                assertEquals(0, rendered.exit(), rendered.output());
                Set<String> images2 = new LinkedHashSet<>();
                Matcher m = Pattern.compile("(?m)^\\s+image:\\s*(\\S+)\\s*$").matcher(rendered.stdout());
                while (m.find()) {
                    images2.add(m.group(1));
                }
                assertTrue(images2.contains(image + "@" + digest), overlay + ": pinned image rendered: " + images2);
                assertFalse(images2.stream().anyMatch(i -> i.equals(manifestImageName())
                        || i.startsWith(manifestImageName() + ":")), overlay + ": an unpinned tally image is left: "
                        + images2);
                long pinnedCount = Pattern.compile("(?m)^\\s+image:\\s*" + Pattern.quote(image + "@" + digest) + "\\s*$")
                        .matcher(rendered.stdout()).results().count();
                assertEquals(2, pinnedCount, overlay + ": the api and worker containers run the pinned image");
            }
        } finally {
            DeployFiles.deleteTree(copy);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Hygiene

    @Test
    void thirdPartyActionsArePinnedToCommitsAndPermissionsAreMinimal() {
        String text = DeployFiles.read(WORKFLOW);
        List<String> unpinned = new ArrayList<>();
        Matcher any = ANY_USE.matcher(text);
        while (any.find()) {
            String line = text.substring(text.lastIndexOf('\n', any.start()) + 1, text.indexOf('\n', any.end()));
            if (!PINNED_USE.matcher(line).find()) {
                unpinned.add(line.trim());
            }
        }
        assertEquals(List.of(), unpinned, "uses: owner/repo@<40-hex commit> # vX.Y.Z");
        // The same action at the same release everywhere.
        Map<String, Set<String>> pins = new LinkedHashMap<>();
        PINNED_USE.matcher(text).results().forEach(r -> pins.computeIfAbsent(r.group(1), a -> new TreeSet<>())
                .add(r.group(2)));
        pins.forEach((action, shas) -> assertEquals(1, shas.size(), action + " pinned to several commits: " + shas));

        assertEquals(Map.of("contents", "read"), workflow().get("permissions"), "workflow-wide: read only");
        Map<String, Object> jobs = map(workflow().get("jobs"));
        jobs.forEach((name, job) -> {
            Map<String, Object> permissions = map(map(job).get("permissions"));
            Map<String, Object> writes = permissions.entrySet().stream().filter(e -> "write".equals(e.getValue()))
                    .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
            Map<String, Object> expected = name.equals("image") ? Map.of("packages", "write") : Map.of();
            assertEquals(expected, writes, name + ": write permissions");
        });
        for (Object job : jobs.values()) {
            for (Object s : list(map(job).get("steps"))) {
                if (str(map(s).get("uses")).startsWith("actions/checkout@")) {
                    assertEquals(false, map(map(s).get("with")).get("persist-credentials"),
                            "checkout leaves no token in .git/config");
                }
            }
        }
    }

    /** Every variable and secret the workflow reads is in docs/deploying.md's settings table, and no other. */
    @Test
    void everyVariableAndSecretTheWorkflowReadsIsDocumented() {
        Set<String> used = new TreeSet<>();
        Pattern.compile("\\b(?:vars|secrets)\\.([A-Z_]+)").matcher(DeployFiles.read(WORKFLOW)).results()
                .map(r -> r.group(1)).filter(n -> !n.equals("GITHUB_TOKEN")).forEach(used::add);
        String docs = DeployFiles.read(ROOT.resolve("docs/deploying.md"));
        int start = docs.indexOf("### CI/CD with GitHub Actions");
        assertTrue(start >= 0, "docs/deploying.md has the CI/CD section");
        String section = docs.substring(start, docs.indexOf("\n### ", start + 1));
        Set<String> documented = new TreeSet<>();
        Pattern.compile("(?m)^\\| `([A-Z_]+)`(?: / `([A-Z_]+)`)? \\|").matcher(section).results().forEach(r -> {
            documented.add(r.group(1));
            if (r.group(2) != null) {
                documented.add(r.group(2));
            }
        });
        assertEquals(used, documented, "the settings table in docs/deploying.md");
    }

    // ---------------------------------------------------------------------------------------------------------
    // Helpers

    /** The image name the Tally containers have in k8s/base, and the name each overlay's images entry replaces. */
    private static String manifestImageName() {
        Set<String> names = new TreeSet<>();
        for (String file : List.of("api.yaml", "worker.yaml")) {
            Matcher m = Pattern.compile("(?m)^\\s+image:\\s*(\\S+)\\s*$")
                    .matcher(DeployFiles.read(K8S.resolve("base/" + file)));
            assertTrue(m.find(), "k8s/base/" + file + " names an image");
            names.add(m.group(1));
        }
        assertEquals(1, names.size(), "api and worker run the same image: " + names);
        return names.iterator().next();
    }

    private static Map<String, Object> workflow() {
        return map(new Yaml().load(DeployFiles.read(WORKFLOW)));
    }

    private static Map<String, Object> job(String name) {
        Map<String, Object> job = map(map(workflow().get("jobs")).get(name));
        assertFalse(job.isEmpty(), "ci.yml has no job " + name);
        return job;
    }

    private static List<String> runSteps(Map<String, Object> job) {
        return list(job.get("steps")).stream().map(s -> str(map(s).get("run")).trim()).filter(r -> !r.isEmpty())
                .toList();
    }

    private static Map<String, Object> step(Map<String, Object> job, String id) {
        return step(job, id, null);
    }

    private static Map<String, Object> step(Map<String, Object> job, String id, String name) {
        return list(job.get("steps")).stream().map(YamlValues::map)
                .filter(s -> id != null ? id.equals(s.get("id")) : name.equals(s.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no step " + (id != null ? "id " + id : name)));
    }

    private static Map<String, Object> usesStep(Map<String, Object> job, String action) {
        return list(job.get("steps")).stream().map(YamlValues::map)
                .filter(s -> str(s.get("uses")).startsWith(action + "@")).findFirst()
                .orElseThrow(() -> new AssertionError("no step uses " + action));
    }

    private static String replaceOnce(String text, String from, String to) {
        int at = text.indexOf(from);
        assertTrue(at >= 0 && text.indexOf(from, at + 1) < 0, "expected exactly one '" + from + "' in ci.yml");
        return text.substring(0, at) + to + text.substring(at + from.length());
    }

    /** Runs .github/validate/validate.mjs on one workflow text; installs its packages from the lockfile if missing. */
    private static JsonNode validate(String workflow) {
        Path node = DeployFiles.requireTool("node", "install Node.js 20 or newer (apt-get install nodejs)");
        DeployFiles.npmCi(VALIDATOR);
        Path dir = null;
        try {
            dir = Files.createTempDirectory("tally-workflow-");
            Path input = dir.resolve("ci.yml");
            Files.writeString(input, workflow);
            Result result = DeployFiles.run(List.of(node.toString(), "validate.mjs", "--json", input.toString()),
                    System.getenv(), "", Duration.ofSeconds(60), VALIDATOR);
            String report = result.stdout().trim();
            assertTrue(report.startsWith("{"), "validate.mjs printed no report:\n" + result.output());
            JsonNode parsed = new ObjectMapper().readTree(report);
            assertEquals(1, parsed.get("validated").asInt(), report);
            JsonNode one = parsed.get("results").get(0);
            assertEquals(one.get("ok").asBoolean() ? 0 : 1, result.exit(), "exit status matches the report");
            return one;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            DeployFiles.deleteTree(dir);
        }
    }


    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : paths.filter(p -> !p.toString().contains("node_modules")).toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
