package dev.tally.job;

import static dev.tally.job.JobStatus.CANCELLED;
import static dev.tally.job.JobStatus.DEAD;
import static dev.tally.job.JobStatus.FAILED;
import static dev.tally.job.JobStatus.QUEUED;
import static dev.tally.job.JobStatus.RUNNING;
import static dev.tally.job.JobStatus.SUCCEEDED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** The job state machine: its transition table, its wire names, and the scripts that make the moves. */
class JobStatusTest {

    private static final List<String> SCRIPTS = List.of("job_submit", "lib/job_delivery", "job_start", "job_finish",
            "job_retry", "job_requeue", "job_cancel", "job_renew");

    @Test
    void theTransitionTableIsTheOneTheScriptsImplement() {
        assertEquals(EnumSet.of(RUNNING, CANCELLED, DEAD), next(QUEUED));
        assertEquals(EnumSet.of(RUNNING, SUCCEEDED, FAILED, CANCELLED, QUEUED, DEAD), next(RUNNING));
        assertEquals(EnumSet.of(QUEUED), next(DEAD), "only a re-drive brings a dead job back");
        for (JobStatus terminal : List.of(SUCCEEDED, FAILED, CANCELLED)) {
            assertEquals(EnumSet.noneOf(JobStatus.class), next(terminal), terminal + " never changes again");
            assertTrue(terminal.isTerminal());
        }
        assertFalse(DEAD.isTerminal());
        assertFalse(QUEUED.canBecome(SUCCEEDED), "a job succeeds only by running");
    }

    @Test
    void wireNamesAreTheJsonAndRecordValuesClientsAlreadySee() {
        assertEquals(List.of("queued", "running", "succeeded", "failed", "cancelled", "dead"),
                EnumSet.allOf(JobStatus.class).stream().map(JobStatus::wireName).toList());
        for (JobStatus status : JobStatus.values()) {
            assertEquals(status, JobStatus.fromWire(status.wireName()));
        }
        assertThrows(IllegalArgumentException.class, () -> JobStatus.fromWire("canceled"));
    }

    /** Every status a script writes or tests for is one of the enum's, and every enum status occurs in a script. */
    @Test
    void theScriptsUseExactlyTheseStatuses() throws IOException {
        // 'status', 'x' in an HSET (not the field list of an HMGET); status == 'x', job[1] ~= 'x', ARGV[3] == 'x'
        // where a script tests the status.
        Pattern statusLiteral = Pattern.compile(
                "(?:(?<!'HMGET', (?:KEYS\\[\\d]|record), )'status', |(?:status|job\\[1]|ARGV\\[3]) [~=]= )'([a-z]+)'");
        Set<String> used = new TreeSet<>();
        for (String script : SCRIPTS) {
            Matcher literal = statusLiteral.matcher(source(script));
            while (literal.find()) {
                used.add(literal.group(1));
            }
        }
        for (String name : used) {
            JobStatus.fromWire(name); // throws for a name the enum does not know
        }
        Set<String> all = new TreeSet<>(EnumSet.allOf(JobStatus.class).stream().map(JobStatus::wireName).toList());
        all.remove("failed"); // written only through job_finish's ARGV[3], from JobStatus.FAILED itself
        assertTrue(used.containsAll(all), "statuses the scripts never mention: " + all + " vs " + used);
    }

    private static Set<JobStatus> next(JobStatus from) {
        Set<JobStatus> next = EnumSet.noneOf(JobStatus.class);
        for (JobStatus to : JobStatus.values()) {
            if (from.canBecome(to)) {
                next.add(to);
            }
        }
        return next;
    }

    private static String source(String script) throws IOException {
        try (InputStream in = JobStatusTest.class.getClassLoader().getResourceAsStream("lua/" + script + ".lua")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
