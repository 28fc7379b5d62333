package dev.tally.web;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * Quarkus treats any trusted-proxy entry it cannot read as an address as a host name and resolves it with a DNS
 * query on every request. "::1" was such an entry: each request opened a UDP socket that was never closed, and
 * without a reachable DNS server every request waited 5 s. Only IPv4 addresses and CIDR ranges are allowed.
 */
class TrustedProxiesConfigTest {

    private static final Pattern IPV4_OR_CIDR = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}(/\\d{1,2})?");

    @Test
    void trustedProxiesAreAddressesNeverHostNames() throws IOException {
        Properties properties = new Properties();
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("application.properties")) {
            properties.load(in);
        }
        String trusted = properties.getProperty("quarkus.http.proxy.trusted-proxies");
        for (String entry : trusted.split(",")) {
            assertTrue(IPV4_OR_CIDR.matcher(entry.trim()).matches(), "not an IPv4 address or CIDR: " + entry);
        }
    }
}
