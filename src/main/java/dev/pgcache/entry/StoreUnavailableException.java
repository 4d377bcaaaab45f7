package dev.pgcache.entry;

/** The database could not be reached or did not answer in time. Nothing is known to be written; retry later. */
public class StoreUnavailableException extends RuntimeException {

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Why, in words a caller may read: taken from the SQL error behind this one ({@link DatabaseRefusal}). */
    public DatabaseRefusal refusal() {
        return DatabaseRefusal.of(getCause());
    }
}
