package dev.pgcache.entry;

import java.util.List;

/**
 * Where the SQL on {@code cache_entry} is, and what every statement keeps. All of it is in the
 * {@code …Statements} classes of this package, one per concern, so a reader can check each query
 * against the indexes in a handful of files (bench/pgbench/generate.py writes the pgbench scripts
 * from their text, and {@link #ALL} lists them for the code that reads them all):
 * <ul>
 * <li>{@link ReadStatements}: one key, many keys, the keys GETs share, a page of keys, counts;</li>
 * <li>{@link WriteStatements}: upsert (with its preconditions), batch upsert, touch;</li>
 * <li>{@link InvalidationStatements}: deletes by key, prefix, tag, revision or namespace;</li>
 * <li>{@link EvictionStatements}: sizes, the queue's cut (in queue order, or by weight over a window), eviction batches, the requeue;</li>
 * <li>{@link MaintenanceStatements}: purge, hit flushes, the summary, the table's persistence and size;</li>
 * <li>this class: the fragments they share and the statements that open a transaction (its
 * timeouts, and the load, purge and persistence locks).</li>
 * </ul>
 * Their senders: {@link EntryStore} (reads, writes), {@link LoadLocks} (the load lock),
 * {@link Invalidations} and {@link MaintenanceStore} (purge, eviction, hit flushes, summaries).
 *
 * <p>Rules that hold for every statement:
 * <ul>
 * <li>One statement per operation: writes are atomic and replicas cannot interleave a read
 * and a write of one key.</li>
 * <li>Freshness is judged with the database clock, now(), never the JVM's.</li>
 * <li>A row past {@code coalesce(stale_until, expires_at)} is gone: no read returns it, and an
 * invalidation does not count it.</li>
 * <li>Anything that may touch many rows works in bounded batches, each its own short
 * transaction, so no statement holds locks on a large part of the table.</li>
 * </ul>
 * A {@code %s} in a statement is filled with one of the fragments defined next to it, never
 * with caller text; every value is a bound parameter. Objects are named without their schema, as
 * the pgbench scripts generated from this text name them; {@link Connections#prepare} puts the
 * configured schema in front of each ({@link SchemaQualified}), so no statement depends on a
 * session's search_path. A constant's name is unique across the files: it names the statement in
 * traces ({@link StatementNames}) and in the pgbench scripts.
 */
final class EntryStatements {

    private EntryStatements() {
    }

    /** Every class that holds statements on cache_entry: their static String constants are the statements and fragments. */
    static final List<Class<?>> ALL = List.of(EntryStatements.class, ReadStatements.class, WriteStatements.class,
            InvalidationStatements.class, EvictionStatements.class, MaintenanceStatements.class);

    /** A row not past its stale window: what a reader may be answered with (for the table unaliased, and as {@code e}). */
    static final String LIVE = "(expires_at IS NULL OR coalesce(stale_until, expires_at) > now())";
    static final String LIVE_E = "(e.expires_at IS NULL OR coalesce(e.stale_until, e.expires_at) > now())";

    /**
     * The timeouts of one of the service's own transactions, set for that transaction only (they
     * end with it, so a pooler in transaction mode can share the server connection): statement_timeout
     * and lock_timeout in milliseconds, the last two parameters of the statement that opens it.
     */
    static final String TRANSACTION_TIMEOUTS = "set_config('statement_timeout', ?, true), set_config('lock_timeout', ?, true)";

    /**
     * A utility statement run inside an open transaction to let go of the last query's snapshot
     * (see Connections.releaseSnapshot): it sets the transaction's lock_timeout again, to the
     * value it already has. {@code %d} is that value in milliseconds, from config; SET takes no
     * parameters.
     */
    static final String RELEASE_SNAPSHOT = "SET LOCAL lock_timeout = %d";

    /** Opens a purge or eviction transaction: its lock, without waiting, and its timeouts. */
    static final String TRY_PURGE_LOCK = "SELECT pg_try_advisory_xact_lock(?), " + TRANSACTION_TIMEOUTS;

    /**
     * Opens a load's transaction: the entry's load lock, without waiting, and its timeouts. The
     * lock is transaction-scoped, so it ends at the commit or rollback (or when the connection
     * drops), and no pooled session or shared server connection can keep it.
     * namespace || '/' || key names one entry unambiguously: a namespace never holds '/'.
     */
    static final String TRY_LOAD_LOCK = "SELECT pg_try_advisory_xact_lock(?, hashtext(? || '/' || ?)), " + TRANSACTION_TIMEOUTS;

    /**
     * Opens the transaction of many loads of one namespace at once (a JSON-RPC body's misses):
     * the load lock of each key, tried without waiting, as one array of booleans in the order
     * asked (true where taken), and the transaction's timeouts. The locks are {@link #TRY_LOAD_LOCK}'s,
     * so a read-through load and a JSON-RPC call of the same entry exclude each other too.
     * Try-locks never wait, so taking several in one statement cannot deadlock.
     */
    static final String TRY_LOAD_LOCKS = """
            SELECT ARRAY(SELECT pg_try_advisory_xact_lock(?, hashtext(CAST(? AS text) || '/' || k.cache_key))
                         FROM unnest(CAST(? AS text[])) WITH ORDINALITY AS k(cache_key, ord)
                         ORDER BY k.ord),
                   """ + TRANSACTION_TIMEOUTS;

    /**
     * Opens the transaction that makes the table's persistence what pgcache.storage.unlogged says:
     * waits for the lock (so replicas starting together change it once, one after the other),
     * bounded by the transaction's timeouts. Answers true, for Connections.begin.
     */
    static final String PERSISTENCE_LOCK = "SELECT true, pg_advisory_xact_lock(?), " + TRANSACTION_TIMEOUTS;
}
