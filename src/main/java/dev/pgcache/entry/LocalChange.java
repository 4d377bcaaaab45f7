package dev.pgcache.entry;

/**
 * A CDI event: this replica has just committed a change of one entry, or of any number in a
 * namespace (key null). Fired after the commit, before the caller is answered, so that the near
 * cache drops its copies at once and this replica reads its own writes; the other replicas learn
 * of the same change from PostgreSQL's notification (V6__change_notifications.sql).
 */
public record LocalChange(String namespace, String key) {

    static LocalChange of(EntryId id) {
        return new LocalChange(id.namespace(), id.key());
    }

    static LocalChange ofNamespace(String namespace) {
        return new LocalChange(namespace, null);
    }
}
