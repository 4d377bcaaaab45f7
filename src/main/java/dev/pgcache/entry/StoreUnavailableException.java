package dev.pgcache.entry;

/** The database could not be reached or did not answer in time. Nothing is known to be written; retry later. */
public class StoreUnavailableException extends RuntimeException {

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
