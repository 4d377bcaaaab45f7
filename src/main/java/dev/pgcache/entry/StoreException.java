package dev.pgcache.entry;

/** The database answered with an error that is neither the caller's fault nor an outage: a bug or a broken schema. */
public class StoreException extends RuntimeException {

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
