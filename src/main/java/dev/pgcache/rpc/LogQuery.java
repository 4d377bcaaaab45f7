package dev.pgcache.rpc;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * How one eth_getLogs is answered when its upstream caches logs by chunks ({@link LogChunks}):
 * as today (one filter, one entry), refused for its width, or split into block-range chunks over
 * finalized blocks plus the rest.
 *
 * <p>Chunks are {@code chunkSize} blocks long and start at multiples of it, so two overlapping
 * queries of the same filter share the chunks they both touch. Only chunks wholly at or below the
 * finalized block are used: their logs can no longer change. Whatever of the range lies above the
 * last such chunk is "the rest", one request as the caller would have sent it with a narrower
 * fromBlock.
 *
 * <p>Not split (answered as today): a blockHash filter; a range whose ends are not both block
 * numbers ("earliest" is 0; latest, safe, finalized and pending move with the chain, so what they
 * name is the node's to decide); fromBlock above toBlock (the node's own error); a filter with a
 * member other than address, topics, fromBlock and toBlock (its meaning is the node's); heads not
 * known yet; a range that starts above the last finalized chunk.
 */
final class LogQuery {

    /** Filter members whose meaning chunking keeps: the logs of a range are the logs of its chunks. */
    private static final Set<String> SPLITTABLE = Set.of("address", "topics", "fromBlock", "toBlock");

    private LogQuery() {
    }

    /** Blocks from..to, both included. */
    record Range(long from, long to) {
        boolean within(long lo, long hi) {
            return from >= lo && to <= hi;
        }
    }

    /** What to do with one eth_getLogs. */
    sealed interface Plan {
    }

    /** Answered as before chunking: one filter, cached whole by the logs rule. */
    record AsToday() implements Plan {
    }

    /** Wider than logs.max-range: refused before it reaches the node. */
    record TooWide(long from, long to, long limit) implements Plan {
        long blocks() {
            return to - from + 1;
        }
    }

    /** Answered from chunks (in block order) and, when the range reaches past the last finalized chunk, the rest. */
    record Split(Range asked, List<Range> chunks, Range rest) implements Plan {
    }

    static final Plan AS_TODAY = new AsToday();

    /**
     * @param heads     the chain as the tracker last saw it; null when not known
     * @param chunkSize blocks per chunk; 0: never split
     * @param maxRange  widest range allowed; 0: no limit
     */
    static Plan plan(JsonNode params, RpcMethodPolicy.Heads heads, long chunkSize, long maxRange) {
        JsonNode filter = BlockParams.param(params, 0);
        if (filter == null || !filter.isObject() || filter.hasNonNull("blockHash")) {
            return AS_TODAY;
        }
        // fromBlock must be a number for a width to exist; a tag in toBlock is read as the tracker has it,
        // a lower bound of what the node will read (latest, pending: the head; safe, finalized: the finalized block)
        if (!(BlockParams.of(filter.get("fromBlock")) instanceof BlockParams.Ref.Number from)) {
            return AS_TODAY;
        }
        BlockParams.Ref toRef = BlockParams.of(filter.get("toBlock"));
        Long to = switch (toRef) {
            case BlockParams.Ref.Number n -> n.n();
            case BlockParams.Ref.Tag t when heads != null -> t.name().equals("latest") || t.name().equals("pending")
                    ? heads.head() : heads.finalized();
            default -> null;
        };
        if (to == null) {
            return AS_TODAY;
        }
        if (maxRange > 0 && to - from.n() + 1 > maxRange) {
            return new TooWide(from.n(), to, maxRange);
        }
        if (chunkSize <= 0 || heads == null || !(toRef instanceof BlockParams.Ref.Number) || to < from.n() || !onlySplittable(filter)) {
            return AS_TODAY;
        }
        // the last block of the last chunk wholly finalized
        long lastChunkEnd = (heads.finalized() + 1) / chunkSize * chunkSize - 1;
        if (from.n() > lastChunkEnd) {
            return AS_TODAY;
        }
        List<Range> chunks = new ArrayList<>();
        long end = Math.min(to, lastChunkEnd);
        for (long a = from.n() / chunkSize * chunkSize; a <= end; a += chunkSize) {
            chunks.add(new Range(a, a + chunkSize - 1));
        }
        Range rest = to > lastChunkEnd ? new Range(lastChunkEnd + 1, to) : null;
        return new Split(new Range(from.n(), to), List.copyOf(chunks), rest);
    }

    private static boolean onlySplittable(JsonNode filter) {
        for (Iterator<String> names = filter.fieldNames(); names.hasNext();) {
            if (!SPLITTABLE.contains(names.next())) {
                return false;
            }
        }
        return true;
    }
}
