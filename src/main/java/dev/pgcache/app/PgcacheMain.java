package dev.pgcache.app;

import java.sql.SQLException;
import java.util.function.BiConsumer;

import org.eclipse.microprofile.config.ConfigProvider;

import dev.pgcache.entry.DatabaseRefusal;
import io.quarkus.runtime.ApplicationLifecycleManager;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * The service's main: Quarkus' own, but a start that fails because PostgreSQL refused (down, the
 * password refused, max_connections reached) ends with one line that names the cause and the
 * setting to look at, after Quarkus' own report (its stack trace), and exit status 1. pgcache fails fast rather than
 * starting without its database: it cannot migrate or check its schema then, and a process
 * manager (systemd, Kubernetes) restarts it with back-off, showing that last line
 * (docs/operations.md, "When the database refuses at start").
 */
@QuarkusMain
public class PgcacheMain {

    /** Quarkus' own: it exits the JVM with the status. */
    private static final BiConsumer<Integer, Throwable> QUARKUS_EXIT = ApplicationLifecycleManager.getDefaultExitCodeHandler();

    /**
     * As Quarkus' generated main, with this class's exit handler as the default one rather than
     * given to {@code Quarkus.run}: given there, Quarkus would leave out its own report of a failed
     * start (the "Failed to start application" log and the log lines held back until then).
     */
    public static void main(String... args) {
        ApplicationLifecycleManager.setDefaultExitCodeHandler(PgcacheMain::exit);
        Quarkus.run(args);
    }

    private static void exit(Integer status, Throwable failure) {
        if (failure != null && databaseError(failure)) {
            System.out.flush(); // Quarkus' report of the failure first, then this line
            System.err.println("pgcache did not start: the database " + where() + " cannot be used: "
                    + DatabaseRefusal.of(failure).cause());
            System.err.flush();
        }
        QUARKUS_EXIT.accept(status, failure);
    }

    private static boolean databaseError(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof SQLException) {
                return true;
            }
        }
        return false;
    }

    /**
     * Host, port and database of the configured URL, and the user: what an operator checks first.
     * The URL's parameters are left out, since a password may be written among them.
     */
    private static String where() {
        try {
            var config = ConfigProvider.getConfig();
            String url = config.getOptionalValue("quarkus.datasource.jdbc.url", String.class).orElse("");
            String target = url.replaceFirst("^jdbc:postgresql://", "").replaceFirst("\\?.*$", "").replaceFirst("^.*@", "");
            String user = config.getOptionalValue("quarkus.datasource.username", String.class).orElse("");
            return "at " + target + " (user " + user + ")";
        } catch (RuntimeException e) {
            return "(quarkus.datasource.jdbc.url)"; // the configuration itself did not load
        }
    }
}
