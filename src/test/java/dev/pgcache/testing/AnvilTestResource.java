package dev.pgcache.testing;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A real Ethereum node for the JSON-RPC proxy tests: Anvil, from the npm package
 * {@code @foundry-rs/anvil-linux-amd64} (installed into target/anvil on first use), on a free
 * loopback port, with a {@link RpcRelay} in front that counts what reaches the node, and a
 * {@link FakeSubstrateNode} standing in for a Substrate node (none can be had from npm), and a
 * {@link LargeResultNode} whose eth_call answers results as large as asked. When
 * Anvil cannot be installed or started, the tests fail with the reason; they are never skipped.
 *
 * <p>Upstreams it declares: {@code anvil} (through the relay; unfinalized blocks and head answers
 * cached long enough that only a re-org can remove them within a test; admin methods off),
 * {@code anvil-admin} (a second Anvil of its own, with admin methods on, so the tests that reset
 * its chain disturb no other test), {@code down} (a closed port), {@code substrate} (the fake
 * node), {@code large} (the node of large results). Test code finds the URLs under
 * test.anvil.url, test.anvil-admin.url, test.rpc.relay.url, test.substrate.url and test.large.url.
 */
public class AnvilTestResource implements QuarkusTestResourceLifecycleManager {

    static final String VERSION = "1.7.1";
    static final String PACKAGE = "@foundry-rs/anvil-linux-amd64@" + VERSION;

    private final List<Process> anvils = new CopyOnWriteArrayList<>();
    private RpcRelay relay;
    private FakeSubstrateNode substrate;
    private LargeResultNode large;

    @Override
    public Map<String, String> start() {
        Path binary = install();
        Runtime.getRuntime().addShutdownHook(new Thread(this::stopAnvils));
        String url = startAnvil(binary);
        String adminUrl = startAnvil(binary);
        relay = RpcRelay.start(url);
        substrate = FakeSubstrateNode.start();
        large = LargeResultNode.start();

        Map<String, String> c = new HashMap<>();
        c.put("test.anvil.url", url);
        c.put("test.anvil-admin.url", adminUrl);
        c.put("test.rpc.relay.url", relay.baseUrl());
        c.put("test.substrate.url", substrate.baseUrl());
        c.put("test.large.url", large.baseUrl());
        c.put("pgcache.rpc.max-batch-size", "20");
        c.put("pgcache.rpc.max-body-size", "64K");
        c.put("pgcache.rpc.head-poll-interval", "200ms");
        upstream(c, "anvil", relay.baseUrl());
        c.put(p("anvil", "unfinalized-ttl"), "10m");
        c.put(p("anvil", "head-ttl"), "1m");
        upstream(c, "anvil-admin", adminUrl);
        c.put(p("anvil-admin", "admin-methods-enabled"), "true");
        upstream(c, "down", "http://127.0.0.1:" + freePort());
        c.put(p("down", "timeout"), "1s");
        upstream(c, "substrate", substrate.baseUrl());
        c.put(p("substrate", "chain"), "substrate");
        c.put(p("substrate", "unfinalized-ttl"), "10m");
        c.put(p("substrate", "head-ttl"), "1m");
        upstream(c, "large", large.baseUrl());
        return c;
    }

    private static void upstream(Map<String, String> c, String name, String url) {
        c.put(p(name, "url"), url);
        c.put(p(name, "timeout"), "5s");
        c.put(p(name, "retry.max-retries"), "0");
        c.put(p(name, "circuit-breaker.enabled"), "false");
    }

    private static String p(String name, String property) {
        return "pgcache.rpc.upstreams." + name + "." + property;
    }

    /** The anvil binary, installed with npm into target/anvil when it is not there yet. */
    static Path install() {
        Path prefix = Path.of("target", "anvil").toAbsolutePath();
        Path binary = prefix.resolve("node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil");
        if (Files.isExecutable(binary)) {
            return binary;
        }
        List<String> command = List.of("npm", "install", "--no-audit", "--no-fund", "--prefix", prefix.toString(), PACKAGE);
        try {
            Files.createDirectories(prefix);
            File log = prefix.resolve("npm-install.log").toFile();
            Process npm = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
            if (!npm.waitFor(5, TimeUnit.MINUTES) || npm.exitValue() != 0) {
                npm.destroyForcibly();
                throw new IllegalStateException("the JSON-RPC proxy tests need Anvil, and '" + String.join(" ", command)
                        + "' failed; see " + log + ":\n" + Files.readString(log.toPath()));
            }
        } catch (IOException e) {
            throw new IllegalStateException("the JSON-RPC proxy tests need Anvil, and npm could not be run (" + e.getMessage()
                    + "); install Node.js/npm or run: " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while installing Anvil", e);
        }
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException("npm installed " + PACKAGE + " but " + binary + " is not there or not executable");
        }
        return binary;
    }

    /** Starts one Anvil on a free loopback port; answers its URL once it answers. */
    private String startAnvil(Path binary) {
        return launch(binary, anvils).url();
    }

    /** One Anvil started: its URL and its process. */
    record Launched(String url, Process process) {
    }

    /**
     * Starts one Anvil on a free loopback port with these extra options, adds its process to
     * {@code anvils} (to be stopped with them), and answers once it answers; fails with its log when it does not.
     */
    static Launched launch(Path binary, List<Process> anvils, String... options) {
        int port = freePort();
        String url = "http://127.0.0.1:" + port;
        try {
            Path log = Files.createTempFile("anvil-", ".log");
            List<String> command = new java.util.ArrayList<>(List.of(binary.toString(), "--host", "127.0.0.1", "--port", Integer.toString(port)));
            command.addAll(List.of(options));
            Process anvil = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            anvils.add(anvil);
            waitUntilAnswering(anvil, url, log);
            return new Launched(url, anvil);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start Anvil (" + binary + "): " + e.getMessage(), e);
        }
    }

    private static void waitUntilAnswering(Process anvil, String url, Path log) throws IOException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest chainId = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\"}")).build();
        try {
            Awaitility.await("Anvil answering on " + url).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .ignoreExceptionsInstanceOf(IOException.class)
                    .until(() -> {
                        if (!anvil.isAlive()) {
                            throw new IllegalStateException("Anvil exited at start with " + anvil.exitValue() + ":\n" + Files.readString(log));
                        }
                        HttpResponse<String> r = client.send(chainId, HttpResponse.BodyHandlers.ofString());
                        return r.statusCode() == 200 && r.body().contains("result");
                    });
        } catch (ConditionTimeoutException e) {
            stop(anvil);
            throw new IllegalStateException("Anvil did not answer on " + url + " within 60 s:\n" + Files.readString(log), e);
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void stopAnvils() {
        anvils.forEach(AnvilTestResource::stop);
    }

    static void stop(Process anvil) {
        if (anvil.isAlive()) {
            anvil.destroy();
            try {
                if (!anvil.waitFor(5, TimeUnit.SECONDS)) {
                    anvil.destroyForcibly();
                }
            } catch (InterruptedException e) {
                anvil.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void stop() {
        if (relay != null) {
            relay.close();
        }
        if (substrate != null) {
            substrate.close();
        }
        if (large != null) {
            large.close();
        }
        stopAnvils();
    }
}
