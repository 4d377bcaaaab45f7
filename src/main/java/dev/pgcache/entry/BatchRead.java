package dev.pgcache.entry;

import java.util.List;
import java.util.Optional;

/**
 * What a bounded many-key read found: the entries in the order asked, or, when their values
 * would not fit the bound, only how many bytes they would take (and no value was read).
 *
 * @param entries    one per key asked, empty where there is no live entry; null when the values did not fit
 * @param valueBytes the values' bytes in the answer: the sum of their size_bytes, times their copies
 */
public record BatchRead(List<Optional<Entry>> entries, long valueBytes) {

    static BatchRead of(List<Optional<Entry>> entries, long valueBytes) {
        return new BatchRead(List.copyOf(entries), valueBytes);
    }

    static BatchRead tooLarge(long valueBytes) {
        return new BatchRead(null, valueBytes);
    }

    /** Whether the values fit the bound and came back. */
    public boolean fits() {
        return entries != null;
    }
}
