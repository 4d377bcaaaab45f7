package dev.pgcache.load;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * At most one piece of work in flight per key in this JVM: the first caller starts it, callers
 * that come while it runs get the same result, and the key is free again once it completes.
 * Waiting costs a future, not a thread or a database connection, so hundreds of callers of one
 * key cost what one does. Each caller gets its own copy of the shared future, so one caller
 * giving up (cancelling) cannot cancel it for the others.
 */
public final class SingleFlight<K, V> {

    /** A caller's view of the work: its result, and whether this caller started it. */
    public record Flight<V>(CompletableFuture<V> result, boolean started) {
    }

    private final ConcurrentHashMap<K, CompletableFuture<V>> inFlight = new ConcurrentHashMap<>();

    /**
     * Joins the work in flight for the key, or starts it. {@code start} receives the shared future
     * and must complete it, now or later; if it throws, the future fails with that exception.
     */
    public Flight<V> join(K key, Consumer<CompletableFuture<V>> start) {
        CompletableFuture<V> mine = new CompletableFuture<>();
        CompletableFuture<V> running = inFlight.putIfAbsent(key, mine);
        if (running != null) {
            return new Flight<>(running.copy(), false);
        }
        mine.whenComplete((v, t) -> inFlight.remove(key, mine));
        try {
            start.accept(mine);
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
        }
        return new Flight<>(mine.copy(), true);
    }

    /** Keys with work in flight now. */
    public int size() {
        return inFlight.size();
    }
}
