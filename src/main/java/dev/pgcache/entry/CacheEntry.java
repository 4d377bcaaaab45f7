package dev.pgcache.entry;

import java.io.Serializable;
import java.time.OffsetDateTime;
import java.util.Objects;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/**
 * The mapping of {@code cache_entry}, which Hibernate validates against the Flyway schema at
 * start ({@code schema-management.strategy=validate}): a migration that drifts from the code
 * stops the service at boot instead of failing on the first request.
 *
 * <p>The request paths do not load entities: they need {@code INSERT … ON CONFLICT …
 * RETURNING}, {@code value::text} and {@code FOR UPDATE SKIP LOCKED}, which JPQL cannot say,
 * so {@link EntryStore} runs SQL directly. This class is the typed description of the row.
 */
@Entity
@Table(name = "cache_entry")
@IdClass(CacheEntry.Key.class)
public class CacheEntry extends PanacheEntityBase {

    @Id
    @Column(name = "namespace", columnDefinition = "text")
    public String namespace;

    @Id
    @Column(name = "cache_key", columnDefinition = "text")
    public String cacheKey;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "value", nullable = false, columnDefinition = "jsonb")
    public String value;

    @Column(name = "fetched_at", nullable = false)
    public OffsetDateTime fetchedAt;

    @Column(name = "expires_at")
    public OffsetDateTime expiresAt;

    @Column(name = "stale_until")
    public OffsetDateTime staleUntil;

    @Column(name = "version", nullable = false)
    public long version;

    @Column(name = "revision")
    public Long revision;

    @Column(name = "size_bytes", nullable = false)
    public int sizeBytes;

    @JdbcTypeCode(SqlTypes.ARRAY)
    @Column(name = "tags", nullable = false, columnDefinition = "text[]")
    public String[] tags;

    @Column(name = "hit_count", nullable = false)
    public long hitCount;

    @Column(name = "last_hit_at")
    public OffsetDateTime lastHitAt;

    @Column(name = "requeued_at")
    public OffsetDateTime requeuedAt;

    /** The composite primary key (namespace, cache_key). */
    public static class Key implements Serializable {
        public String namespace;
        public String cacheKey;

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(namespace, k.namespace) && Objects.equals(cacheKey, k.cacheKey);
        }

        @Override
        public int hashCode() {
            return Objects.hash(namespace, cacheKey);
        }
    }
}
