package dev.pgcache.entry;

import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.pgcache.memory.AnswerLimit;
import dev.pgcache.memory.MemoryBudget;

/**
 * Reads many entries for one answer without ever holding more of their values than the answer's
 * limit allows and the {@link MemoryBudget} has room for. The size of an answer is known from
 * size_bytes before any value is read, so:
 * <ol>
 * <li>the first read returns the values only when the whole answer stays small (up to
 * {@link MemoryBudget#UNCOUNTED_BYTES}, not counted): one round trip for most batches;</li>
 * <li>otherwise it returned only their size: over the limit, the answer is refused (413) without
 * a value read; within it, that size is taken from the budget (503 when it is spent) and the
 * values are read again, bounded by what was taken.</li>
 * </ol>
 * Between the two reads a writer may make the values larger; then the size is taken again, and
 * the last attempt takes the whole limit, so the loop ends.
 */
@ApplicationScoped
public class BoundedReads {

    private static final int ATTEMPTS = 3;

    private final EntryStore store;
    private final MemoryBudget budget;

    BoundedReads(EntryStore store, MemoryBudget budget) {
        this.store = store;
        this.budget = budget;
    }

    /**
     * The entries and the share of the budget the answer holds; the caller closes the lease when
     * the answer has been sent.
     */
    public record Found(List<Optional<Entry>> entries, MemoryBudget.Lease lease) {
    }

    /**
     * Reads the live entries under distinct keys, in the order asked.
     *
     * @param copies        how often each key's value is in the answer; null for once each
     * @param envelopeBytes the answer's bytes besides the values (an upper bound)
     * @param what          what the answer holds, for the 413's detail ("the values of these 100 keys")
     * @throws dev.pgcache.memory.AnswerTooLargeException over the limit, with no value read
     * @throws dev.pgcache.memory.BudgetSpentException    when the budget has no room for the answer now
     */
    public Found read(String namespace, List<String> keys, List<Integer> copies, long envelopeBytes, AnswerLimit limit, String what) {
        MemoryBudget.Lease lease = budget.empty();
        try {
            long bound = Math.max(0, MemoryBudget.UNCOUNTED_BYTES - envelopeBytes);
            for (int attempt = 1;; attempt++) {
                BatchRead read = store.getAll(namespace, keys, copies, bound);
                if (read.fits()) {
                    return new Found(read.entries(), lease);
                }
                long answerBytes = envelopeBytes + read.valueBytes();
                limit.check(what, answerBytes);
                long take = attempt < ATTEMPTS ? answerBytes : limit.bytes();
                lease.growTo(take, "this answer");
                bound = take - envelopeBytes;
            }
        } catch (RuntimeException e) {
            lease.close();
            throw e;
        }
    }
}
