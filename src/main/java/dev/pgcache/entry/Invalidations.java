package dev.pgcache.entry;

import static dev.pgcache.entry.InvalidationStatements.*;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;

/**
 * Deleting entries on purpose, with the statements of {@link InvalidationStatements}: one key (with or
 * without If-Match), or every entry of a namespace that has a prefix, a tag or a revision at or
 * above a height (a re-org), or all of them. What may touch many rows is deleted in bounded
 * batches, each its own short transaction.
 */
@ApplicationScoped
public class Invalidations {

    private final Connections db;
    private final Event<LocalChange> changes;

    Invalidations(Connections db, Event<LocalChange> changes) {
        this.db = db;
        this.changes = changes;
    }

    /** Rows per statement for invalidations that may touch many rows. */
    static final int INVALIDATION_BATCH = 5_000;

    /** Deletes the live entry only when its version is one of these (If-Match); returns whether it did. */
    public boolean invalidateIfMatch(EntryId id, Set<Long> versions) {
        return db.withConnection("invalidate", c -> {
            try (PreparedStatement ps = db.prepare(c, DELETE_IF_MATCH)) {
                new Binder(c, ps).string(id.namespace()).string(id.key()).bigintArray(versions);
                boolean deleted;
                try (ResultSet rs = ps.executeQuery()) {
                    deleted = rs.next();
                }
                if (deleted) {
                    changes.fire(LocalChange.of(id));
                }
                return deleted;
            }
        });
    }

    /** Deletes one entry. Returns true when a live entry was deleted (a gone row is deleted too but does not count). */
    public boolean invalidate(EntryId id) {
        return db.withConnection("invalidate", c -> {
            try (PreparedStatement ps = db.prepare(c, DELETE_ONE)) {
                ps.setString(1, id.namespace());
                ps.setString(2, id.key());
                try (ResultSet rs = ps.executeQuery()) {
                    changes.fire(LocalChange.of(id));
                    return rs.next() && rs.getBoolean(1);
                }
            }
        });
    }

    /** Deletes every entry of the namespace whose key starts with the prefix; returns how many live entries went. */
    public long invalidatePrefix(String namespace, String prefix) {
        Optional<String> upper = KeyRange.upperBoundOf(prefix);
        if (upper.isPresent()) {
            return deleteInBatches(FILTER_PREFIX_RANGE, namespace, prefix, upper.get());
        }
        return deleteInBatches(FILTER_PREFIX_OPEN, namespace, prefix);
    }

    /** Deletes every entry of the namespace carrying the tag; returns how many live entries went. */
    public long invalidateTag(String namespace, String tag) {
        return deleteInBatches(FILTER_TAG, namespace, tag);
    }

    /**
     * Deletes every entry of the namespace whose revision is at least {@code revision}, in bounded
     * batches; returns how many live entries went. The JSON-RPC proxy stores the block number an
     * answer depends on as its revision, so after a re-org from height h this removes every cached
     * answer about blocks h and above (finalized answers are never above a re-org's height).
     */
    public long invalidateRevisionsFrom(String namespace, long revision) {
        return deleteInBatches(FILTER_REVISION_FROM, namespace, Long.toString(revision));
    }

    /** Deletes every entry of the namespace; returns how many live entries went. */
    public long invalidateNamespace(String namespace) {
        return deleteInBatches(FILTER_NONE, namespace);
    }

    private long deleteInBatches(String filter, String namespace, String... filterArgs) {
        String sql = DELETE_BATCH.formatted(filter);
        long live = 0;
        while (true) {
            long[] counts = db.withConnection("invalidate", c -> {
                try (PreparedStatement ps = db.prepare(c, sql)) {
                    int i = 1;
                    ps.setString(i++, namespace);
                    for (String arg : filterArgs) {
                        ps.setString(i++, arg);
                    }
                    ps.setInt(i, INVALIDATION_BATCH);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        return new long[] { rs.getLong(1), rs.getLong(2) };
                    }
                }
            });
            live += counts[1];
            if (counts[0] < INVALIDATION_BATCH) {
                changes.fire(LocalChange.ofNamespace(namespace));
                return live;
            }
        }
    }
}
