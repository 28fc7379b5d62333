package dev.tally.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import javax.net.ssl.SSLHandshakeException;

import org.junit.jupiter.api.Test;

class FailureReasonsTest {

    @Test
    void theLoggedReasonNamesTheCausesBelowADriversStep() {
        // The shape of the Vert.x failure when Redis' certificate is for another host name.
        SSLHandshakeException handshake = new SSLHandshakeException("No subject alternative DNS name matching localhost found.");
        Exception failure = new IllegalStateException("Failed to create SSL connection", handshake);
        assertEquals("Failed to create SSL connection: No subject alternative DNS name matching localhost found.",
                FailureReasons.of(failure));
    }

    @Test
    void aCauseThatOnlyRepeatsItsWrapperIsNotRepeated() {
        Exception cause = new IllegalStateException("connection refused");
        assertEquals("connect failed: connection refused",
                FailureReasons.of(new RuntimeException("connect failed: connection refused", cause)));
        assertEquals("RuntimeException", FailureReasons.of(new RuntimeException((String) null)));
    }
}
