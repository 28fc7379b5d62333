package dev.tally.deploy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import io.smallrye.config.WithParentName;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The configuration keys the service really has, to check environment variables set by deployments against:
 * <ul>
 * <li>Tally's own keys: the {@code @ConfigMapping} interfaces under src/main/java, read by reflection (prefix plus
 * each method's name in kebab case, or its {@code @WithName});</li>
 * <li>Quarkus' keys: the configuration model every Quarkus extension ships
 * ({@code META-INF/quarkus-config-doc/quarkus-config-model.json}, with each key's environment variable, default
 * and phase), from the runtime jars on the test classpath and from their deployment jars beside them in the local
 * Maven repository (build-time keys such as the health paths are documented only there).</li>
 * </ul>
 */
final class ConfigKeys {

    private static final String MODEL = "META-INF/quarkus-config-doc/quarkus-config-model.json";
    private static final Path MAIN_SOURCES = DeployFiles.ROOT.resolve("src/main/java");

    /** One documented Quarkus property: its name, environment variable, default value and phase. */
    record QuarkusProperty(String name, String environmentVariable, String defaultValue, String phase) {
        boolean settableAtRunTime() {
            return phase.equals("RUN_TIME");
        }
    }

    private static Map<String, QuarkusProperty> quarkusByName;

    private ConfigKeys() {
    }

    /** Environment variable name of a property, the MicroProfile Config way (every non-alphanumeric to _). */
    static String environmentName(String property) {
        return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Tally's @ConfigMapping keys

    /** Every key of every {@code @ConfigMapping} interface under src/main/java, e.g. tally.redis.key-prefix. */
    static List<String> tallyKeys() {
        return new ArrayList<>(tallyDefaults().keySet());
    }

    /** Every such key with its {@code @WithDefault} value, or {@code null} when it has none. */
    static Map<String, String> tallyDefaults() {
        Map<String, String> keys = new LinkedHashMap<>();
        for (Class<?> mapping : configMappings()) {
            collect(mapping, mapping.getAnnotation(ConfigMapping.class).prefix(), keys);
        }
        assertFalse(keys.isEmpty(), "no @ConfigMapping keys found under " + MAIN_SOURCES);
        return keys;
    }

    private static List<Class<?>> configMappings() {
        List<Class<?>> mappings = new ArrayList<>();
        try (Stream<Path> files = Files.walk(MAIN_SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                if (!DeployFiles.read(file).contains("@ConfigMapping")) {
                    continue;
                }
                String relative = MAIN_SOURCES.relativize(file).toString();
                String className = relative.substring(0, relative.length() - ".java".length()).replace('/', '.');
                Class<?> type = Class.forName(className, false, ConfigKeys.class.getClassLoader());
                if (type.isAnnotationPresent(ConfigMapping.class)) {
                    mappings.add(type);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
            throw new AssertionError("a @ConfigMapping source has no compiled class: " + e.getMessage(), e);
        }
        return mappings;
    }

    private static void collect(Class<?> group, String prefix, Map<String, String> keys) {
        for (Method method : group.getMethods()) {
            if (!Modifier.isAbstract(method.getModifiers()) || method.getParameterCount() != 0) {
                continue;
            }
            String name;
            if (method.isAnnotationPresent(WithParentName.class)) {
                name = prefix;
            } else {
                WithName withName = method.getAnnotation(WithName.class);
                name = prefix + "." + (withName != null ? withName.value() : kebab(method.getName()));
            }
            Class<?> nested = groupType(method.getGenericReturnType());
            if (nested != null) {
                collect(nested, name, keys);
            } else {
                WithDefault withDefault = method.getAnnotation(WithDefault.class);
                keys.put(name, withDefault == null ? null : withDefault.value());
            }
        }
    }

    /** A nested configuration group (an interface of the project, possibly in an Optional), else null. */
    private static Class<?> groupType(Type type) {
        if (type instanceof ParameterizedType p && p.getRawType() == Optional.class) {
            type = p.getActualTypeArguments()[0];
        }
        return type instanceof Class<?> c && c.isInterface() && c.getName().startsWith("dev.tally.") ? c : null;
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Quarkus' documented keys

    /** Every documented Quarkus property by name (map keys with a named segment, like quarkus.redis."name".hosts, left out). */
    static synchronized Map<String, QuarkusProperty> quarkusProperties() {
        if (quarkusByName == null) {
            Map<String, QuarkusProperty> all = new TreeMap<>();
            for (Map.Entry<String, byte[]> model : models().entrySet()) {
                try {
                    collect(new ObjectMapper().readTree(model.getValue()), all);
                } catch (IOException e) {
                    throw new UncheckedIOException("unreadable " + MODEL + " in " + model.getKey(), e);
                }
            }
            if (all.isEmpty()) {
                fail("no Quarkus configuration model (" + MODEL + ") found on the test classpath");
            }
            quarkusByName = Collections.unmodifiableMap(all);
        }
        return quarkusByName;
    }

    static QuarkusProperty quarkusProperty(String name) {
        QuarkusProperty property = quarkusProperties().get(name);
        if (property == null) {
            fail(name + " is not a documented Quarkus property of the extensions in this build (build-time keys are "
                    + "documented in the extensions' -deployment jars, read from the local Maven repository, where the "
                    + "Quarkus build puts them)");
        }
        return property;
    }

    /** The value the running service sees: application.properties (prod profile) over the documented default. */
    static String effective(String name) {
        String configured = DeployFiles.applicationProperties().getProperty(name);
        return configured != null ? configured : quarkusProperty(name).defaultValue();
    }

    private static void collect(JsonNode node, Map<String, QuarkusProperty> into) {
        if (node.isObject()) {
            JsonNode path = node.get("path");
            if (path != null && path.isObject() && path.has("property") && path.has("environmentVariable")) {
                String name = path.get("property").asText();
                if (!name.contains("\"")) {
                    JsonNode defaultValue = node.get("defaultValue");
                    JsonNode phase = node.get("phase");
                    into.putIfAbsent(name, new QuarkusProperty(name, path.get("environmentVariable").asText(),
                            defaultValue == null || defaultValue.isNull() ? null : defaultValue.asText(),
                            phase == null ? "" : phase.asText()));
                }
            }
            node.elements().forEachRemaining(child -> collect(child, into));
        } else if (node.isArray()) {
            node.elements().forEachRemaining(child -> collect(child, into));
        }
    }

    /** The model files: each on the classpath, plus the one of each extension's deployment jar when it is present. */
    private static Map<String, byte[]> models() {
        Map<String, byte[]> models = new LinkedHashMap<>();
        try {
            Enumeration<URL> urls = ConfigKeys.class.getClassLoader().getResources(MODEL);
            while (urls.hasMoreElements()) {
                URL url = urls.nextElement();
                try (InputStream in = url.openStream()) {
                    models.put(url.toString(), in.readAllBytes());
                }
                Path deployment = deploymentJar(url);
                if (deployment != null) {
                    try (ZipFile zip = new ZipFile(deployment.toFile())) {
                        ZipEntry entry = zip.getEntry(MODEL);
                        if (entry != null) {
                            try (InputStream in = zip.getInputStream(entry)) {
                                models.put(deployment.toString(), in.readAllBytes());
                            }
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return models;
    }

    private static final Pattern REPOSITORY_JAR = Pattern.compile("(.*)/([^/]+)/([^/]+)/\\2-\\3\\.jar");

    /** .../io/quarkus/A/V/A-V.jar (a runtime extension jar) -> .../io/quarkus/A-deployment/V/A-deployment-V.jar. */
    private static Path deploymentJar(URL model) throws IOException {
        if (!"jar".equals(model.getProtocol())) {
            return null;
        }
        JarURLConnection connection = (JarURLConnection) model.openConnection();
        connection.setUseCaches(false);
        String jar = Path.of(connection.getJarFileURL().getPath()).toString();
        Matcher m = REPOSITORY_JAR.matcher(jar);
        if (!m.matches() || m.group(2).endsWith("-deployment")) {
            return null;
        }
        String artifact = m.group(2) + "-deployment";
        Path candidate = Path.of(m.group(1), artifact, m.group(3), artifact + "-" + m.group(3) + ".jar");
        return Files.isRegularFile(candidate) ? candidate : null;
    }
}
