package dev.pgcache.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate for 127.0.0.1, made with the JDK's keytool when the tests first ask for
 * it (one per test JVM, under target/, never in the repository), the server's TLS settings that use
 * it, and clients that trust it.
 */
public final class TestTls {

    /** Protects a key made for one test run and thrown away with target/: nothing to keep secret. */
    private static final String PASSWORD = "pgcache-test-tls";
    private static Path keystore;

    private TestTls() {
    }

    /** The settings that turn HTTPS on (Quarkus' TLS registry, default configuration) on a free port. */
    public static Map<String, String> serverConfig() {
        return Map.of("quarkus.tls.key-store.p12.path", keystore().toString(),
                "quarkus.tls.key-store.p12.password", PASSWORD,
                "quarkus.http.test-ssl-port", "0");
    }

    /** A client context that trusts the test certificate (and nothing else). */
    public static SSLContext clientContext() {
        try (InputStream in = Files.newInputStream(keystore())) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, PASSWORD.toCharArray());
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("the test certificate cannot be read", e);
        }
    }

    /** A TLS connection to the server on 127.0.0.1, its handshake done, offering these protocols by ALPN (none: no ALPN). */
    public static SSLSocket connect(int port, String... alpn) throws IOException {
        SSLSocket socket = (SSLSocket) clientContext().getSocketFactory().createSocket("127.0.0.1", port);
        socket.setSoTimeout(20_000);
        if (alpn.length > 0) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setApplicationProtocols(alpn);
            socket.setSSLParameters(parameters);
        }
        socket.startHandshake();
        return socket;
    }

    private static synchronized Path keystore() {
        if (keystore != null) {
            return keystore;
        }
        try {
            Path dir = Files.createDirectories(Path.of("target", "test-tls").toAbsolutePath());
            Path file = dir.resolve("keystore-" + ProcessHandle.current().pid() + ".p12");
            Files.deleteIfExists(file);
            Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
            Process p = new ProcessBuilder(List.of(keytool.toString(), "-genkeypair", "-alias", "pgcache", "-keyalg", "EC",
                    "-groupname", "secp256r1", "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "7",
                    "-storetype", "PKCS12", "-keystore", file.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD))
                    .redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0 || !Files.exists(file)) {
                throw new IllegalStateException("keytool did not make the test certificate: " + output);
            }
            keystore = file;
            return file;
        } catch (IOException e) {
            throw new IllegalStateException("keytool could not be run", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
