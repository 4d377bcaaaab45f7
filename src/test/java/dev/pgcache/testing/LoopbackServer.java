package dev.pgcache.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;

/** A JDK HTTP server on a free loopback port with a thread per exchange: the base of the tests' upstreams. */
public final class LoopbackServer implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService threads;

    private LoopbackServer(HttpServer server, ExecutorService threads) {
        this.server = server;
        this.threads = threads;
    }

    /** Starts serving every path with the handler; {@code name} names its threads and the failure to start. */
    public static LoopbackServer start(String name, HttpHandler handler) {
        ExecutorService threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        try {
            HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
            http.createContext("/", handler);
            http.setExecutor(threads);
            http.start();
            return new LoopbackServer(http, threads);
        } catch (IOException e) {
            threads.shutdownNow();
            throw new IllegalStateException("cannot start " + name, e);
        }
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
