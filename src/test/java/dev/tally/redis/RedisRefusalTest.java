package dev.tally.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every transient refusal is told by its reply's first word, whether the command came alone or from a script. The
 * texts are what Redis sends (the OOM, READONLY, LOADING and BUSY ones copied from redis-server 7.0.15).
 */
class RedisRefusalTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "OOM command not allowed when used memory > 'maxmemory'.|OOM|oom",
        "OOM command not allowed when used memory > 'maxmemory'. script: e4b630ca3f4eca507701b11eb4f233603551fa65, "
                + "on @user_script:1.|OOM|oom",
        "READONLY You can't write against a read only replica.|READONLY|readonly",
        "READONLY You can't write against a read only replica. script: e4b630ca3f4eca507701b11eb4f233603551fa65, "
                + "on @user_script:1.|READONLY|readonly",
        "LOADING Redis is loading the dataset in memory|LOADING|loading",
        "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.|BUSY|busy",
        "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.|MASTERDOWN|masterdown",
        "TRYAGAIN Multiple keys request during rehashing of slot|TRYAGAIN|tryagain",
        "CLUSTERDOWN The cluster is down|CLUSTERDOWN|clusterdown",
        "MOVED 3999 127.0.0.1:6381|MOVED|moved",
        "ASK 3999 127.0.0.1:6381|ASK|ask",
        "NOREPLICAS Not enough good replicas to write.|NOREPLICAS|noreplicas",
        "LATE the write reached Redis after its caller had stopped waiting for it script: "
                + "e4b630ca3f4eca507701b11eb4f233603551fa65, on @user_script:6.|LATE|late",
        "LOADING|LOADING|loading",
    })
    void eachRefusalIsToldByItsCode(String reply, RedisRefusal expected, String tag) {
        assertEquals(Optional.of(expected), RedisRefusal.of(reply));
        assertEquals(tag, expected.tag());
    }

    /** Errors that a retry does not cure stay errors: they are bugs or a script's own answer, never a 503. */
    @ParameterizedTest
    @ValueSource(strings = {
        "ERR increment or decrement would overflow",
        "BUSYGROUP Consumer Group name already exists",
        "NOSCRIPT No matching script. Please use EVAL.",
        "NOGROUP No such key 'x' or consumer group 'g'",
        "WRONGTYPE Operation against a key holding the wrong kind of value",
        "MISMATCH 5",
        "ERR OOM",
        "oom command not allowed",
        "OOMING 1",
        "",
    })
    void otherErrorsAreNoRefusal(String reply) {
        assertTrue(RedisRefusal.of(reply).isEmpty(), reply);
    }

    @Test
    void nilIsNoRefusalAndEveryKindHasItsOwnTag() {
        assertTrue(RedisRefusal.of(null).isEmpty());
        assertEquals(11, Arrays.stream(RedisRefusal.values()).map(RedisRefusal::tag).distinct().count(),
                "one tag per kind");
    }
}
