package dev.pgcache.load;

import java.util.concurrent.atomic.AtomicInteger;

/** Fresh keys: the read-through namespaces are declared in config and shared by every test. */
final class Keys {

    private static final AtomicInteger NEXT = new AtomicInteger();
    private static final String RUN = Long.toString(System.nanoTime() % 1_000_000, 36);

    private Keys() {
    }

    static String fresh(String purpose) {
        return purpose + "-" + RUN + "-" + NEXT.incrementAndGet();
    }
}
