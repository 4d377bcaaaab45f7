package dev.pgcache.testing;

import java.util.concurrent.atomic.AtomicInteger;

/** Fresh namespace names, so tests that share one database never see each other's entries. */
public final class Namespaces {

    private static final AtomicInteger NEXT = new AtomicInteger();
    private static final String RUN = Long.toString(System.nanoTime() % 1_000_000, 36);

    private Namespaces() {
    }

    public static String fresh(String purpose) {
        return purpose + "-" + RUN + "-" + NEXT.incrementAndGet();
    }
}
