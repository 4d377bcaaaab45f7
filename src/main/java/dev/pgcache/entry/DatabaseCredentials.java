package dev.pgcache.entry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.pgcache.config.PgcacheConfig;
import io.quarkus.credentials.CredentialsProvider;
import io.smallrye.mutiny.Uni;

/**
 * The database password, from {@code pgcache.database.password-file} when set, else
 * {@code quarkus.datasource.password}. The pool asks for it each time it opens a connection: it is
 * the datasource's credentials provider (application.properties:
 * quarkus.datasource.credentials-provider), and Agroal reads a credentials provider's answer
 * for every connection it creates (io.agroal.pool.ConnectionFactory.createConnection →
 * jdbcProperties → quarkus' AgroalVaultCredentialsProviderPassword.asProperties). So a password
 * rotated in PostgreSQL and then in the file is used from the next new connection on, without a
 * restart; connections already open stay logged in. The near cache's listening connection reads
 * it the same way.
 */
@Named(DatabaseCredentials.NAME)
@ApplicationScoped
public class DatabaseCredentials implements CredentialsProvider {

    /** The bean's name, as quarkus.datasource.credentials-provider-name gives it. */
    public static final String NAME = "pgcache-database";

    private final Optional<Path> file;
    private final Optional<String> configured;

    DatabaseCredentials(PgcacheConfig config, @ConfigProperty(name = "quarkus.datasource.password") Optional<String> configured) {
        this.file = config.database().passwordFile();
        this.configured = configured;
    }

    /** The password to log in with now; empty when none is configured (trust or peer authentication). */
    public Optional<String> password() {
        if (file.isEmpty()) {
            return configured;
        }
        try {
            String text = Files.readString(file.get(), StandardCharsets.UTF_8);
            // files written by echo, editors and Kubernetes secrets often end with a line break
            return Optional.of(text.replaceFirst("\\R+\\z", ""));
        } catch (IOException e) {
            throw new Unreadable(e);
        }
    }

    @Override
    public Map<String, String> getCredentials(String credentialsProviderName) {
        return password().map(p -> Map.of(PASSWORD_PROPERTY_NAME, p)).orElse(Map.of());
    }

    /** Answered at once, on the pool's thread: reading a small file needs no other thread. */
    @Override
    public Uni<Map<String, String>> getCredentialsAsync(String credentialsProviderName) {
        return Uni.createFrom().item(() -> getCredentials(credentialsProviderName));
    }

    /** The password file could not be read; the message names the setting, never the file's content. */
    public static final class Unreadable extends RuntimeException {
        Unreadable(IOException e) {
            super("cannot read the database password file (pgcache.database.password-file): " + e, e);
        }
    }
}
