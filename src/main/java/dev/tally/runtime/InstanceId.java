package dev.tally.runtime;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;

import jakarta.inject.Singleton;

/**
 * The name this replica answers with in {@code X-Tally-Instance}, its logs and (later) the cluster view.
 * Configured by {@code tally.instance-id}; otherwise the host name (the pod name on Kubernetes) plus a short
 * random suffix, so two processes on one host never share a name.
 */
@Singleton
public class InstanceId {

    private final String value;

    public InstanceId(TallySettings settings) {
        this.value = settings.instanceId().filter(id -> !id.isBlank()).orElseGet(InstanceId::generated);
    }

    public String value() {
        return value;
    }

    private static String generated() {
        String host = Optional.ofNullable(System.getenv("HOSTNAME")).filter(h -> !h.isBlank()).orElse("tally");
        byte[] suffix = new byte[2];
        new SecureRandom().nextBytes(suffix);
        return host + "-" + HexFormat.of().formatHex(suffix);
    }
}
