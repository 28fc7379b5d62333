package dev.tally.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A certificate authority made at test time with {@code openssl} (never a committed key): its certificate is what a
 * client under test trusts, and it issues server certificates for whatever DNS names a test needs, so that a test
 * can tell "trusted, but for another name" from "not trusted at all".
 */
public final class TestCertificateAuthority {

    /** A PEM certificate and its unencrypted PEM key, as {@code redis-server --tls-cert-file/--tls-key-file} take. */
    public record Issued(Path certificate, Path key) {
    }

    private final Path dir;
    private final Path certificate;
    private final Path key;
    private int issued;

    private TestCertificateAuthority(Path dir) {
        this.dir = dir;
        this.certificate = dir.resolve("ca.pem");
        this.key = dir.resolve("ca.key");
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                "-subj", "/CN=Tally test CA", "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-keyout", key.toString(), "-out",
                certificate.toString());
    }

    /** A new authority, its files in {@code dir}. */
    public static TestCertificateAuthority in(Path dir) {
        return new TestCertificateAuthority(dir);
    }

    /** The authority's own certificate (PEM): the trust store of a client that trusts it. */
    public Path certificate() {
        return certificate;
    }

    /** A server certificate signed by this authority whose subject alternative names are exactly {@code dnsNames}. */
    public synchronized Issued issue(String... dnsNames) {
        String name = "server-" + ++issued;
        Path serverKey = dir.resolve(name + ".key");
        Path request = dir.resolve(name + ".csr");
        Path serverCertificate = dir.resolve(name + ".pem");
        Path extensions = dir.resolve(name + ".ext");
        List<String> sans = new ArrayList<>();
        for (String dnsName : dnsNames) {
            sans.add("DNS:" + dnsName);
        }
        try {
            Files.writeString(extensions, "subjectAltName=" + String.join(",", sans) + "\n"
                    + "extendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj",
                "/CN=" + dnsNames[0], "-keyout", serverKey.toString(), "-out", request.toString());
        openssl("x509", "-req", "-in", request.toString(), "-CA", certificate.toString(), "-CAkey", key.toString(),
                "-CAcreateserial", "-days", "2", "-extfile", extensions.toString(), "-out", serverCertificate.toString());
        return new Issued(serverCertificate, serverKey);
    }

    private void openssl(String... args) {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Path log = dir.resolve("openssl.log");
        try {
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("openssl " + args[0] + " did not finish within 30 s");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("openssl " + String.join(" ", args) + " failed; see " + log);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run openssl (apt-get install openssl)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running openssl", e);
        }
    }
}
