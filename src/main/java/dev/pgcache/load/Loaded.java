package dev.pgcache.load;

import dev.pgcache.entry.Entry;

/**
 * The result of a load: the entry as stored (read back, so its body and headers are exactly
 * what later hits give), or none when the upstream has no value and nothing was remembered.
 *
 * @param entry    the stored entry, possibly a negative one; null when not found and not remembered
 * @param byOthers the entry was not loaded by this load: another replica had loaded it meanwhile
 */
public record Loaded(Entry entry, boolean byOthers) {

    /** The upstream has no value under the key (a 404, remembered or not). */
    public boolean notFound() {
        return entry == null || entry.negative();
    }
}
