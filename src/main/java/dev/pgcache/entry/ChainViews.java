package dev.pgcache.entry;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Map;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * The JSON-RPC proxy's chain view of each upstream, shared by every replica through the tables
 * rpc_chain and rpc_block_hash (migration V12): head, finalized block, the hashes of recent
 * blocks, the re-org generation and the chain's epoch. Its statements are here, next to nothing
 * else, as every statement of the store is in this package. Every method may throw
 * {@link StoreUnavailableException}: the tracker then goes on with its own view.
 */
@ApplicationScoped
public class ChainViews {

    /** The upstream's row, created (all NULL, generation and epoch 0) the first time it is asked for. */
    static final String READ_CHAIN = """
            WITH created AS (
                INSERT INTO rpc_chain (upstream) SELECT CAST(? AS text)
                WHERE NOT EXISTS (SELECT 1 FROM rpc_chain WHERE upstream = ?)
                ON CONFLICT (upstream) DO NOTHING
                RETURNING head, finalized, epoch, reorg_generation)
            SELECT head, finalized, epoch, reorg_generation FROM created
            UNION ALL
            SELECT head, finalized, epoch, reorg_generation FROM rpc_chain WHERE upstream = ?
            """;

    /** The highest remembered block hashes of the upstream, at most {@code ?}. */
    static final String READ_HASHES = """
            SELECT height, hash FROM rpc_block_hash WHERE upstream = ? ORDER BY height DESC LIMIT ?
            """;

    /**
     * What a replica saw, written only when it is news and only when the replica knows the current
     * epoch: the head; the finalized block, which never goes back; the head's hash (replacing
     * another at that height); and the hashes below the remembered window are let go.
     */
    static final String ADVANCE = """
            WITH current AS (SELECT 1 FROM rpc_chain WHERE upstream = ? AND epoch = ?),
                 moved AS (
                     UPDATE rpc_chain SET head = ?, finalized = greatest(finalized, ?), updated_at = now()
                     WHERE upstream = ? AND epoch = ? AND (head IS DISTINCT FROM ? OR finalized IS NULL OR finalized < ?)
                     RETURNING 1),
                 remembered AS (
                     INSERT INTO rpc_block_hash (upstream, height, hash)
                     SELECT ?, ?, ? WHERE ? IS NOT NULL AND EXISTS (SELECT 1 FROM current)
                     ON CONFLICT (upstream, height) DO UPDATE SET hash = EXCLUDED.hash WHERE rpc_block_hash.hash <> EXCLUDED.hash
                     RETURNING 1),
                 forgotten AS (
                     DELETE FROM rpc_block_hash WHERE upstream = ? AND height < ? AND EXISTS (SELECT 1 FROM current)
                     RETURNING 1)
            SELECT (SELECT count(*) FROM moved), (SELECT count(*) FROM remembered), (SELECT count(*) FROM forgotten)
            """;

    /**
     * A re-org detected from a height: the generation is bumped, unless another replica bumped it
     * since this one looked (then that bump stands for this re-org too), and the hashes from that
     * height on are let go. Answers the generation now, and whether this bump made it. One
     * statement, so both or neither happen.
     */
    static final String REORG = """
            WITH bumped AS (
                     UPDATE rpc_chain SET reorg_generation = reorg_generation + 1, updated_at = now()
                     WHERE upstream = ? AND epoch = ? AND reorg_generation = ?
                     RETURNING reorg_generation),
                 forgotten AS (
                     DELETE FROM rpc_block_hash WHERE upstream = ? AND height >= ?
                     RETURNING 1)
            SELECT coalesce((SELECT reorg_generation FROM bumped), (SELECT reorg_generation FROM rpc_chain WHERE upstream = ?)),
                   EXISTS (SELECT 1 FROM bumped), (SELECT count(*) FROM forgotten)
            """;

    /** The chain was replaced: a new epoch (and generation), no head, no finalized block, no hashes. Answers epoch and generation. */
    static final String REPLACE = """
            WITH bumped AS (
                     INSERT INTO rpc_chain (upstream, epoch, reorg_generation) VALUES (?, 1, 1)
                     ON CONFLICT (upstream) DO UPDATE SET epoch = rpc_chain.epoch + 1, reorg_generation = rpc_chain.reorg_generation + 1,
                         head = NULL, finalized = NULL, updated_at = now()
                     RETURNING epoch, reorg_generation),
                 forgotten AS (
                     DELETE FROM rpc_block_hash WHERE upstream = ?
                     RETURNING 1)
            SELECT epoch, reorg_generation, (SELECT count(*) FROM forgotten) FROM bumped
            """;

    /** Epoch and re-org generation together: an answer fetched under one stamp may be stored only while it is still the stamp. */
    public record Stamp(long epoch, long generation) {
    }

    /**
     * The shared view of one upstream.
     *
     * @param head      null until a replica saw it (and after the chain was replaced)
     * @param finalized likewise
     * @param hashes    the highest remembered block hashes, by height
     */
    public record ChainView(Long head, Long finalized, Stamp stamp, Map<Long, String> hashes) {
    }

    private final Connections db;

    ChainViews(Connections db) {
        this.db = db;
    }

    /** The upstream's view, with at most {@code hashes} of its highest remembered block hashes; the row is created when absent. */
    public ChainView read(String upstream, int hashes) {
        return db.withConnection("chain view", c -> {
            Long head;
            Long finalized;
            Stamp stamp;
            try (PreparedStatement ps = db.prepare(c, READ_CHAIN)) {
                new Binder(c, ps).string(upstream).string(upstream).string(upstream);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    head = Connections.nullableLong(rs, 1);
                    finalized = Connections.nullableLong(rs, 2);
                    stamp = new Stamp(rs.getLong(3), rs.getLong(4));
                }
            }
            Map<Long, String> known = new TreeMap<>();
            try (PreparedStatement ps = db.prepare(c, READ_HASHES)) {
                new Binder(c, ps).string(upstream).integer(hashes);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        known.put(rs.getLong(1), rs.getString(2));
                    }
                }
            }
            return new ChainView(head, finalized, stamp, known);
        });
    }

    /** Epoch and generation of the upstream now (the row created when absent). */
    public Stamp stamp(String upstream) {
        return db.withConnection("chain view", c -> {
            try (PreparedStatement ps = db.prepare(c, READ_CHAIN)) {
                new Binder(c, ps).string(upstream).string(upstream).string(upstream);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new Stamp(rs.getLong(3), rs.getLong(4));
                }
            }
        });
    }

    /**
     * Writes what a replica saw, if it is news and the replica knows the current epoch.
     *
     * @param hash        the head's hash; null: none known
     * @param forgetBelow hashes below this height are let go
     */
    public void advance(String upstream, long epoch, long head, long finalized, String hash, long forgetBelow) {
        db.withConnection("chain view", c -> {
            try (PreparedStatement ps = db.prepare(c, ADVANCE)) {
                new Binder(c, ps).string(upstream).longValue(epoch)
                        .longValue(head).longValue(finalized).string(upstream).longValue(epoch).longValue(head).longValue(finalized)
                        .string(upstream).longValue(head).string(hash).string(hash)
                        .string(upstream).longValue(forgetBelow);
                ps.executeQuery().close();
                return null;
            }
        });
    }

    /**
     * The outcome of recording a re-org.
     *
     * @param recorded whether this call bumped the generation (false: another replica had, since the caller looked)
     */
    public record Reorg(long generation, boolean recorded) {
    }

    /** A re-org from {@code fromHeight}, detected by a replica that knew this generation. */
    public Reorg reorg(String upstream, long epoch, long knownGeneration, long fromHeight) {
        return db.withConnection("chain view", c -> {
            try (PreparedStatement ps = db.prepare(c, REORG)) {
                new Binder(c, ps).string(upstream).longValue(epoch).longValue(knownGeneration).string(upstream).longValue(fromHeight)
                        .string(upstream);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new Reorg(rs.getLong(1), rs.getBoolean(2));
                }
            }
        });
    }

    /** The chain was replaced; answers the new stamp. */
    public Stamp replace(String upstream) {
        return db.withConnection("chain view", c -> {
            try (PreparedStatement ps = db.prepare(c, REPLACE)) {
                new Binder(c, ps).string(upstream).string(upstream);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new Stamp(rs.getLong(1), rs.getLong(2));
                }
            }
        });
    }
}
