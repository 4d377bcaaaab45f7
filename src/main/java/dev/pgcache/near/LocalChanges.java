package dev.pgcache.near;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import dev.pgcache.entry.EntryId;
import dev.pgcache.entry.LocalChange;

/**
 * This replica's own committed changes, dropped from its near cache before the writer is
 * answered: read-your-writes on the replica that wrote, without waiting for the notification.
 */
@ApplicationScoped
class LocalChanges {

    private final NearCache near;

    LocalChanges(NearCache near) {
        this.near = near;
    }

    void changed(@Observes LocalChange change) {
        if (!near.enabled()) {
            return;
        }
        if (change.key() == null) {
            near.dropNamespace(change.namespace());
        } else {
            near.dropKey(new EntryId(change.namespace(), change.key()));
        }
    }
}
