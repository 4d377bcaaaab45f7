package dev.pgcache.entry;

import static dev.pgcache.entry.ReadStatements.*;
import static dev.pgcache.entry.WriteStatements.*;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;

import dev.pgcache.config.Durability;

/**
 * Reads and writes of entries, with the statements of {@link ReadStatements} and
 * {@link WriteStatements} (the SQL on {@code cache_entry} is in this package's {@code …Statements}
 * classes, listed in {@link EntryStatements}); the load lock under which read-through writes is
 * {@link LoadLocks}. Connections come from the Agroal pool in autocommit mode.
 */
@ApplicationScoped
public class EntryStore {

    /**
     * The tag of a negative entry: read-through remembers an upstream 404 as an entry carrying it
     * (its value says what the upstream answered), and answers it as a 404 while it is fresh.
     */
    public static final String NEGATIVE_TAG = "pgcache:negative"; // spelled out in GET and BATCH_GET too

    private final Connections db;
    private final Event<LocalChange> changes;
    private final NamespacePolicies policies;

    EntryStore(Connections db, Event<LocalChange> changes, NamespacePolicies policies) {
        this.db = db;
        this.changes = changes;
        this.policies = policies;
    }

    /**
     * The FROM item that sets how a write to the namespace commits, as its durability asks
     * ({@link WriteStatements#COMMIT_NO_WAIT}, {@link WriteStatements#COMMIT_DURABLY}): the
     * statement's own commit is what makes a strict write durable before it is answered.
     */
    private String commitOf(String namespace) {
        return policies.durabilityOf(namespace) == Durability.STRICT ? COMMIT_DURABLY : COMMIT_NO_WAIT;
    }

    /**
     * Inserts or replaces one entry in one statement, unless its precondition or the revision
     * rule refuses it. The value's lifetime starts at the database's now(); hit counts start
     * again from zero.
     */
    public WriteOutcome upsert(WriteRequest w) {
        return db.withConnection("write", c -> {
            WriteOutcome outcome = upsert(c, w);
            if (outcome instanceof WriteOutcome.Written) {
                announce(w.id());
            }
            return outcome;
        });
    }

    /** Tells this replica's near cache that the entry changed; only after the change is committed. */
    void announce(EntryId id) {
        changes.fire(LocalChange.of(id));
    }

    /**
     * {@link #upsert(WriteRequest)} on a connection the caller holds (a load lock's, inside its
     * transaction), without announcing it: the caller calls {@link #announce} once it has committed.
     * The statement sets how that transaction commits, as the namespace's durability asks.
     */
    WriteOutcome upsert(Connection c, WriteRequest w) throws SQLException {
        String sql;
        WritePrecondition pre = w.precondition();
        String commit = commitOf(w.id().namespace());
        if (pre instanceof WritePrecondition.IfMatch ifMatch) {
            sql = REPLACE_IF_MATCH.formatted(ifMatch.versions().isEmpty() ? IF_MATCH_ANY : IF_MATCH_VERSIONS, commit);
        } else if (pre instanceof WritePrecondition.IfNoneMatch ifNone) {
            sql = UPSERT.formatted(ifNone.versions().isEmpty() ? IF_NONE_MATCH_ANY : IF_NONE_MATCH_VERSIONS, commit);
        } else {
            sql = UPSERT.formatted(IF_NONE_MATCH_NONE, commit);
        }
        try (PreparedStatement ps = db.prepare(c, sql)) {
            Binder b = new Binder(c, ps).string(w.id().namespace()).string(w.id().key());
            if (pre instanceof WritePrecondition.IfMatch ifMatch) {
                b.string(w.json()).longOrNull(w.lifetime().expiresInMillis()).longOrNull(w.lifetime().staleUntilInMillis())
                        .longOrNull(w.revision()).integer(w.sizeBytes()).textArray(w.tags())
                        .string(w.id().namespace()).string(w.id().key())
                        .longOrNull(w.revision()).longOrNull(w.revision());
                if (!ifMatch.versions().isEmpty()) {
                    b.bigintArray(ifMatch.versions());
                }
            } else {
                b.string(w.id().namespace()).string(w.id().key()).string(w.json())
                        .longOrNull(w.lifetime().expiresInMillis()).longOrNull(w.lifetime().staleUntilInMillis())
                        .longOrNull(w.revision()).integer(w.sizeBytes()).textArray(w.tags());
                if (pre instanceof WritePrecondition.IfNoneMatch ifNone && !ifNone.versions().isEmpty()) {
                    b.bigintArray(ifNone.versions());
                }
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long version = rs.getLong(1);
                if (!rs.wasNull()) {
                    return new WriteOutcome.Written(new WriteResult(version, rs.getBoolean(2), Connections.instant(rs, 3), Connections.instant(rs, 4), Connections.instant(rs, 5)));
                }
            }
        }
        return refusal(c, w);
    }

    /** {@link #get(EntryId)} on a connection the caller holds. */
    Optional<Entry> read(Connection c, EntryId id) throws SQLException {
        try (PreparedStatement ps = db.prepare(c, GET)) {
            ps.setString(1, id.namespace());
            ps.setString(2, id.key());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(entry(rs)) : Optional.empty();
            }
        }
    }

    /**
     * Why a write was refused, judged from the entry as it is now (a concurrent writer may have
     * changed it since the statement's snapshot). Only an explanation: nothing is written here.
     */
    private WriteOutcome refusal(Connection c, WriteRequest w) throws SQLException {
        Entry current = read(c, w.id()).orElse(null);
        Long storedRevision = current == null ? null : current.revision();
        if (w.precondition() instanceof WritePrecondition.None
                || w.revision() != null && storedRevision != null && storedRevision > w.revision()) {
            // without a precondition only the revision rule refuses a write
            return new WriteOutcome.RevisionConflict(storedRevision);
        }
        return new WriteOutcome.PreconditionFailed(current == null ? null : current.version());
    }

    /**
     * Upserts without a precondition (see WriteCoalescer), each answered as {@link #upsert} would
     * answer it, in as few statements as possible: one per namespace (so each statement is made
     * durable as its own namespace asks, and a relaxed write never waits for a strict one's flush), with each key once per
     * statement (a key written twice goes into a later statement, so the later write wins) and
     * the keys in order, so that concurrent statements lock rows in the same order and cannot
     * deadlock each other.
     */
    public List<WriteOutcome> upsertEach(List<WriteRequest> writes) {
        WriteOutcome[] outcomes = new WriteOutcome[writes.size()];
        Map<String, List<Integer>> pending = new LinkedHashMap<>(); // namespace -> positions, in order of arrival
        for (int i = 0; i < writes.size(); i++) {
            if (!(writes.get(i).precondition() instanceof WritePrecondition.None)) {
                throw new IllegalArgumentException("upsertEach writes without a precondition only");
            }
            pending.computeIfAbsent(writes.get(i).id().namespace(), ns -> new ArrayList<>()).add(i);
        }
        for (Map.Entry<String, List<Integer>> namespace : pending.entrySet()) {
            List<Integer> left = namespace.getValue();
            while (!left.isEmpty()) {
                TreeMap<String, Integer> round = new TreeMap<>(); // key -> position, in key order
                List<Integer> later = new ArrayList<>();
                for (int i : left) {
                    if (round.putIfAbsent(writes.get(i).id().key(), i) != null) {
                        later.add(i);
                    }
                }
                List<BatchWrite> batch = new ArrayList<>(round.size());
                for (int i : round.values()) {
                    WriteRequest w = writes.get(i);
                    batch.add(new BatchWrite(w.id().key(), w.json(), w.sizeBytes(), w.lifetime(), w.tags(), w.revision()));
                }
                List<BatchWriteResult> results = upsertAll(namespace.getKey(), batch);
                int r = 0;
                for (int i : round.values()) {
                    BatchWriteResult result = results.get(r++);
                    outcomes[i] = result.written() ? new WriteOutcome.Written(result.result())
                            : new WriteOutcome.RevisionConflict(result.storedRevision());
                }
                left = later;
            }
        }
        return List.of(outcomes);
    }

    /**
     * Upserts many entries of one namespace in one statement. Keys must be distinct. An entry
     * whose revision is lower than the stored live one's is refused; the others are written.
     * Atomic: if PostgreSQL refuses any value, nothing is written.
     */
    public List<BatchWriteResult> upsertAll(String namespace, List<BatchWrite> writes) {
        return db.withConnection("batch write", c -> {
            List<String> keys = new ArrayList<>(writes.size());
            List<String> values = new ArrayList<>(writes.size());
            List<Long> expires = new ArrayList<>(writes.size());
            List<Long> staleUntil = new ArrayList<>(writes.size());
            List<Long> revisions = new ArrayList<>(writes.size());
            List<Integer> sizes = new ArrayList<>(writes.size());
            List<String> tags = new ArrayList<>(writes.size());
            for (BatchWrite w : writes) {
                keys.add(w.key());
                values.add(w.json());
                expires.add(w.lifetime().expiresInMillis());
                staleUntil.add(w.lifetime().staleUntilInMillis());
                revisions.add(w.revision());
                sizes.add(w.sizeBytes());
                tags.add(jsonArrayOf(w.tags()));
            }
            try (PreparedStatement ps = db.prepare(c, BATCH_UPSERT.formatted(commitOf(namespace)))) {
                new Binder(c, ps).textArray(keys).textArray(values).bigintArray(expires).bigintArray(staleUntil)
                        .bigintArray(revisions).intArray(sizes).textArray(tags)
                        .string(namespace).string(namespace);
                List<BatchWriteResult> results = new ArrayList<>(writes.size());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        long version = rs.getLong(2);
                        WriteResult written = rs.wasNull() ? null
                                : new WriteResult(version, rs.getBoolean(3), Connections.instant(rs, 4), Connections.instant(rs, 5), Connections.instant(rs, 6));
                        results.add(new BatchWriteResult(rs.getString(1), written, written == null ? Connections.nullableLong(rs, 7) : null));
                    }
                }
                for (BatchWriteResult r : results) {
                    if (r.written()) {
                        changes.fire(new LocalChange(namespace, r.key()));
                    }
                }
                return results;
            }
        });
    }

    /** Gives a live entry a new lifetime from now, keeping its value and version; empty when there is no live entry. */
    public Optional<WriteResult> touch(EntryId id, Lifetime lifetime) {
        return db.withConnection("touch", c -> {
            try (PreparedStatement ps = db.prepare(c, TOUCH.formatted(commitOf(id.namespace())))) {
                new Binder(c, ps).longOrNull(lifetime.expiresInMillis()).longOrNull(lifetime.staleUntilInMillis())
                        .string(id.namespace()).string(id.key());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    changes.fire(LocalChange.of(id));
                    return Optional.of(new WriteResult(rs.getLong(1), false, Connections.instant(rs, 2), Connections.instant(rs, 3), Connections.instant(rs, 4)));
                }
            }
        });
    }

    /** The live entry under the id (fresh or stale), or empty when it is absent or gone. Never writes. */
    public Optional<Entry> get(EntryId id) {
        return db.withConnection("read", c -> read(c, id));
    }

    /**
     * The live entries under the keys, in the order asked (empty where absent or gone), in one
     * round trip, when their values fit {@code maxValueBytes}; otherwise only how many bytes they
     * would take, and no value is read. Keys should be distinct: each stands for
     * {@code copies.get(i)} copies of its value in the caller's answer (1 for each when null).
     */
    public BatchRead getAll(String namespace, List<String> keys, List<Integer> copies, long maxValueBytes) {
        return db.withConnection("batch read", c -> readAll(c, namespace, keys, copies, maxValueBytes));
    }

    /** {@link #getAll} on a connection the caller holds (a load lock's, inside its transaction). */
    BatchRead readAll(Connection c, String namespace, List<String> keys, List<Integer> copies, long maxValueBytes) throws SQLException {
        List<Integer> counts = copies != null ? copies : Collections.nCopies(keys.size(), 1);
        try (PreparedStatement ps = db.prepare(c, BATCH_GET)) {
            new Binder(c, ps).longOrNull(maxValueBytes).textArray(keys).intArray(counts).string(namespace);
            List<Optional<Entry>> entries = new ArrayList<>(keys.size());
            long valueBytes = 0;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    valueBytes = rs.getLong(9);
                    if (valueBytes > maxValueBytes) {
                        return BatchRead.tooLarge(valueBytes);
                    }
                    rs.getLong(2);
                    entries.add(rs.wasNull() ? Optional.empty() : Optional.of(entry(rs)));
                }
            }
            return BatchRead.of(entries, valueBytes);
        }
    }

    /** The live entries under the ids (any namespaces), in the order asked (empty where absent or gone), in one round trip. */
    public List<Optional<Entry>> getEach(List<EntryId> ids) {
        if (ids.size() == 1) {
            return List.of(get(ids.get(0)));
        }
        List<String> namespaces = new ArrayList<>(ids.size());
        List<String> keys = new ArrayList<>(ids.size());
        for (EntryId id : ids) {
            namespaces.add(id.namespace());
            keys.add(id.key());
        }
        return db.withConnection("read", c -> {
            try (PreparedStatement ps = db.prepare(c, GET_EACH)) {
                new Binder(c, ps).textArray(namespaces).textArray(keys);
                return entriesInOrder(ps, ids.size());
            }
        });
    }

    /**
     * Up to {@code limit} live keys after {@code after} (exclusive; null to start at the
     * beginning), optionally only those starting with {@code prefix}, in key order.
     */
    public KeyListing list(String namespace, String prefix, String after, int limit) {
        Optional<String> upper = prefix == null ? Optional.empty() : KeyRange.upperBoundOf(prefix);
        String filter = prefix == null ? LIST_ALL : upper.isPresent() ? LIST_PREFIX_RANGE : LIST_PREFIX_OPEN;
        return db.withConnection("list", c -> {
            try (PreparedStatement ps = db.prepare(c, LIST_KEYS.formatted(filter))) {
                Binder b = new Binder(c, ps).string(namespace).string(after == null ? "" : after);
                if (prefix != null) {
                    b.string(prefix);
                    if (upper.isPresent()) {
                        b.string(upper.get());
                    }
                }
                b.integer(limit + 1);
                List<KeyListing.Item> items = new ArrayList<>(limit);
                boolean more = false;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (items.size() == limit) {
                            more = true;
                            break;
                        }
                        Instant now = Connections.instant(rs, 10);
                        Instant expiresAt = Connections.instant(rs, 5);
                        Freshness f = expiresAt == null || expiresAt.isAfter(now) ? Freshness.FRESH : Freshness.STALE;
                        String[] tags = (String[]) rs.getArray(8).getArray();
                        items.add(new KeyListing.Item(rs.getString(1), rs.getLong(2), Connections.nullableLong(rs, 3), f, Connections.instant(rs, 4),
                                expiresAt, Connections.instant(rs, 6), rs.getInt(7), List.of(tags), rs.getLong(9)));
                    }
                }
                return new KeyListing(items, more ? items.get(items.size() - 1).key() : null);
            }
        });
    }

    /** The rows of a many-key read (GET_EACH), one per key asked: an entry, or empty where the version is null. */
    private static List<Optional<Entry>> entriesInOrder(PreparedStatement ps, int expected) throws SQLException {
        List<Optional<Entry>> entries = new ArrayList<>(expected);
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                rs.getLong(2);
                entries.add(rs.wasNull() ? Optional.empty() : Optional.of(entry(rs)));
            }
        }
        return entries;
    }

    private static Entry entry(ResultSet rs) throws SQLException {
        return new Entry(rs.getString(1), rs.getLong(2), Connections.nullableLong(rs, 3), Connections.instant(rs, 4),
                Connections.instant(rs, 5), Connections.instant(rs, 6), Connections.instant(rs, 7), rs.getBoolean(8));
    }

    /** Tags travel to the batch statement as one JSON array per entry, since SQL arrays cannot be ragged. */
    private static String jsonArrayOf(List<String> tags) {
        StringBuilder b = new StringBuilder("[");
        for (String t : tags) {
            if (b.length() > 1) {
                b.append(',');
            }
            b.append('"');
            for (int i = 0; i < t.length(); i++) {
                char ch = t.charAt(i);
                if (ch == '"' || ch == '\\') {
                    b.append('\\').append(ch);
                } else if (ch < 0x20) {
                    b.append(String.format("\\u%04x", (int) ch));
                } else {
                    b.append(ch);
                }
            }
            b.append('"');
        }
        return b.append(']').toString();
    }

}
