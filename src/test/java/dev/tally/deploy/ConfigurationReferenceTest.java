package dev.tally.deploy;

import static dev.tally.deploy.DeployFiles.ROOT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md is the one reference of the service's configuration, and it cannot drift from the code:
 * every key of Tally's {@code @ConfigMapping} interfaces is listed exactly once and nothing else under
 * {@code tally.}; each listed default (the first {@code `value`} of its row's default cell) equals the key's
 * {@code @WithDefault} and the value application.properties sets; a listed Quarkus key is a real one and its
 * listed default is what the service runs with (application.properties over Quarkus' documented default).
 */
class ConfigurationReferenceTest {

    private static final Pattern ROW = Pattern.compile("^\\| `([^`]+)` \\| (.*?) \\| .* \\|$");
    private static final Pattern FIRST_CODE = Pattern.compile("`([^`]*)`");

    /** A row of the reference: the key, and its default when the cell names one in backticks (else null). */
    private record Row(String key, String documentedDefault) {
    }

    private static List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        for (String line : DeployFiles.read(ROOT.resolve("docs/configuration.md")).lines().toList()) {
            Matcher row = ROW.matcher(line);
            if (row.matches()) {
                Matcher code = FIRST_CODE.matcher(row.group(2));
                rows.add(new Row(row.group(1), code.find() ? code.group(1) : null));
            }
        }
        assertFalse(rows.isEmpty(), "no table rows in docs/configuration.md");
        return rows;
    }

    @Test
    void everyTallyKeyIsListedExactlyOnce() {
        List<String> listed = rows().stream().map(Row::key).filter(key -> key.startsWith("tally.")).toList();
        Set<String> once = new TreeSet<>();
        listed.forEach(key -> assertTrue(once.add(key), key + " is listed twice"));
        assertEquals(new TreeSet<>(ConfigKeys.tallyKeys()), once,
                "docs/configuration.md lists exactly the keys of the @ConfigMapping interfaces");
    }

    @Test
    void everyTallyDefaultIsTheSameInTheReferenceTheCodeAndApplicationProperties() {
        Map<String, String> inCode = ConfigKeys.tallyDefaults();
        Properties configured = DeployFiles.applicationProperties();
        Map<String, String> wrong = new LinkedHashMap<>();
        for (Row row : rows()) {
            if (!row.key().startsWith("tally.")) {
                continue;
            }
            String code = inCode.get(row.key());
            if (!Objects.equals(row.documentedDefault(), code)) {
                wrong.put(row.key(), "documented " + row.documentedDefault() + ", @WithDefault " + code);
            }
            String set = configured.getProperty(row.key());
            if (set != null && !set.equals(code)) {
                wrong.put(row.key(), "application.properties " + set + ", @WithDefault " + code);
            }
        }
        assertEquals(Map.of(), wrong, "defaults that disagree");
    }

    /**
     * Keys with a quoted segment ({@code quarkus.log.category."tally.access".level}) are left out: Quarkus documents
     * them by pattern only.
     */
    @Test
    void everyListedQuarkusKeyExistsAndItsDefaultIsWhatTheServiceRunsWith() {
        Map<String, String> wrong = new LinkedHashMap<>();
        for (Row row : rows()) {
            if (!row.key().startsWith("quarkus.") || row.key().contains("\"") || row.documentedDefault() == null) {
                continue;
            }
            String effective = ConfigKeys.effective(row.key());
            if (!row.documentedDefault().equals(effective)) {
                wrong.put(row.key(), "documented " + row.documentedDefault() + ", effective " + effective);
            }
        }
        assertEquals(Map.of(), wrong, "Quarkus defaults that disagree");
    }
}
