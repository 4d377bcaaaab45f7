package dev.pgcache.testing;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real PgBouncer (Debian's package, 1.18) in transaction mode in front of the test database,
 * on a random loopback port, for the job that runs the service's pool through a pooler
 * ({@code PGCACHE_TEST_PGBOUNCER=1}, see .ci/run and docs/operations.md "PgBouncer"). Installed
 * with apt-get when missing; when it cannot be installed or started the run fails, it never
 * falls back to a direct connection.
 *
 * <p>Its settings are PgBouncer's defaults but for what a test needs (port, files, trust
 * authentication) and a server pool smaller than the service's pool (10 against 20), so that a
 * client connection's transactions really do land on different server connections. In
 * particular nothing a client sends is waved through: no ignore_startup_parameters.
 */
public final class PgBouncer {

    /** The switch: the environment variable {@code PGCACHE_TEST_PGBOUNCER=1} or {@code -Dpgcache.test.pgbouncer=true}. */
    public static boolean wanted() {
        String env = System.getenv("PGCACHE_TEST_PGBOUNCER");
        return "1".equals(env) || "true".equalsIgnoreCase(env) || Boolean.getBoolean("pgcache.test.pgbouncer");
    }

    private final Path dir;
    private final int port;
    private final Process process;

    private PgBouncer(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    /** The ini the harness writes; docs/operations.md shows the same file. */
    static String ini(String serverHost, int serverPort, int port, Path dir) {
        return """
                [databases]
                ; every database name goes to the one PostgreSQL server, with the client's user
                * = host=%s port=%d

                [pgbouncer]
                listen_addr = 127.0.0.1
                listen_port = %d
                unix_socket_dir =
                pool_mode = transaction
                ; smaller than pgcache's own pool (quarkus.datasource.jdbc.max-size = 20), so its
                ; transactions are spread over server connections they do not own
                default_pool_size = 10
                max_client_conn = 200
                ; after a failed server login PgBouncer refuses that pool's clients for this long
                ; (default 15 s): a short wait lets pgcache recover within seconds of the database
                server_login_retry = 1
                auth_type = trust
                auth_file = %s
                admin_users = postgres
                logfile = %s
                pidfile = %s
                """.formatted(serverHost, serverPort, port, dir.resolve("userlist.txt"), dir.resolve("pgbouncer.log"),
                dir.resolve("pgbouncer.pid"));
    }

    /** Starts PgBouncer in front of the server of {@code adminUrl} (a JDBC URL), for {@code user}. */
    static PgBouncer start(String adminUrl, String user, String password) {
        String binary = installed();
        URI server = URI.create(adminUrl.substring("jdbc:".length()));
        String host = server.getHost() == null || server.getHost().equals("localhost") ? "127.0.0.1" : server.getHost();
        int serverPort = server.getPort() < 0 ? 5432 : server.getPort();
        try {
            Path dir = Files.createTempDirectory("pgcache-pgbouncer-");
            // PgBouncer refuses to run as root: it then runs as nobody, which must write its log here
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
            int port = freePort();
            String ini = ini(host, serverPort, port, dir);
            if (!password.isEmpty()) {
                ini = ini.replace("* = host=" + host + " port=" + serverPort,
                        "* = host=" + host + " port=" + serverPort + " password=" + password);
            }
            Files.writeString(dir.resolve("pgbouncer.ini"), ini);
            Files.writeString(dir.resolve("userlist.txt"), "\"" + user + "\" \"\"\n");
            List<String> cmd = new ArrayList<>(List.of(binary));
            if ("root".equals(System.getProperty("user.name"))) {
                cmd.addAll(List.of("-u", "nobody"));
            }
            cmd.add(dir.resolve("pgbouncer.ini").toString());
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("stdout.txt").toFile()).start();
            PgBouncer bouncer = new PgBouncer(dir, port, p);
            Runtime.getRuntime().addShutdownHook(new Thread(p::destroy));
            bouncer.awaitReady(user);
            return bouncer;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start PgBouncer", e);
        }
    }

    /** A JDBC URL of the same database through PgBouncer. */
    String through(String jdbcUrl) {
        return jdbcUrl.replaceFirst("//[^/]+/", "//127.0.0.1:" + port + "/");
    }

    int port() {
        return port;
    }

    /** The admin console (database pgbouncer, as user), for SHOW POOLS / SHOW STATS: host:port/user. */
    String adminUrl(String user) {
        return "127.0.0.1:" + port + "/" + user;
    }

    /**
     * One SHOW command on the admin console at {@code admin} ({@link #adminUrl}): each row as
     * column → value. The console speaks only the simple query protocol and refuses the JDBC
     * driver's start-up SET of extra_float_digits, so this is a few lines of the wire protocol.
     */
    public static List<Map<String, String>> show(String admin, String what) {
        String[] hostPort = admin.substring(0, admin.indexOf('/')).split(":");
        String user = admin.substring(admin.indexOf('/') + 1);
        try (Socket socket = new Socket(hostPort[0], Integer.parseInt(hostPort[1]))) {
            socket.setSoTimeout(10_000);
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            byte[] params = ("user\0" + user + "\0database\0pgbouncer\0\0").getBytes(StandardCharsets.UTF_8);
            out.writeInt(8 + params.length);
            out.writeInt(196608); // protocol 3.0
            out.write(params);
            out.flush();
            List<String> columns = new ArrayList<>();
            List<Map<String, String>> rows = new ArrayList<>();
            boolean queried = false;
            while (true) {
                char type = (char) in.readByte();
                byte[] body = new byte[in.readInt() - 4];
                in.readFully(body);
                ByteBuffer b = ByteBuffer.wrap(body);
                switch (type) {
                    case 'R' -> {
                        if (b.getInt() != 0) {
                            throw new IllegalStateException("PgBouncer's admin console asks for a password; the test runs it with trust");
                        }
                    }
                    case 'E' -> throw new IllegalStateException("PgBouncer's admin console refused SHOW " + what + ": "
                            + new String(body, StandardCharsets.UTF_8).replace('\0', ' '));
                    case 'T' -> {
                        int n = b.getShort();
                        for (int i = 0; i < n; i++) {
                            columns.add(cString(b));
                            b.position(b.position() + 18);
                        }
                    }
                    case 'D' -> {
                        int n = b.getShort();
                        Map<String, String> row = new LinkedHashMap<>();
                        for (int i = 0; i < n; i++) {
                            int len = b.getInt();
                            String value = null;
                            if (len >= 0) {
                                value = new String(body, b.position(), len, StandardCharsets.UTF_8);
                                b.position(b.position() + len);
                            }
                            row.put(columns.get(i), value);
                        }
                        rows.add(row);
                    }
                    case 'Z' -> {
                        if (queried) {
                            return rows;
                        }
                        byte[] q = ("SHOW " + what + "\0").getBytes(StandardCharsets.UTF_8);
                        out.writeByte('Q');
                        out.writeInt(4 + q.length);
                        out.write(q);
                        out.flush();
                        queried = true;
                    }
                    default -> {
                        // ParameterStatus, BackendKeyData, CommandComplete, notices: nothing to read from them
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("PgBouncer's admin console did not answer SHOW " + what + ": " + e.getMessage(), e);
        }
    }

    private static String cString(ByteBuffer b) {
        int start = b.position();
        while (b.get() != 0) {
            // to the terminating zero
        }
        return new String(b.array(), start, b.position() - start - 1, StandardCharsets.UTF_8);
    }

    String log() {
        try {
            return Files.readString(dir.resolve("pgbouncer.log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    void stop() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitReady(String user) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        String last = "";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("PgBouncer exited at start (" + process.exitValue() + "): " + log() + readQuietly("stdout.txt"));
            }
            try {
                show(adminUrl(user), "VERSION");
                return;
            } catch (IllegalStateException e) {
                last = e.getMessage();
                sleep(100);
            }
        }
        process.destroy();
        throw new IllegalStateException("PgBouncer did not answer on port " + port + " within 15 s (" + last + "): " + log());
    }

    private String readQuietly(String file) {
        try {
            return Files.readString(dir.resolve(file));
        } catch (IOException e) {
            return "";
        }
    }

    /** The pgbouncer binary, installed from Debian's packages when missing (the test needs it; it never skips). */
    private static String installed() {
        if (Files.isExecutable(Path.of("/usr/bin/pgbouncer"))) {
            return "/usr/bin/pgbouncer";
        }
        return DebianPackages.installed("pgbouncer", "/usr/sbin/pgbouncer");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
