package dev.pgcache.rpc;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pgcache.config.PgcacheConfig;
import dev.pgcache.config.RpcLogsConfig;
import dev.pgcache.entry.EntryId;
import dev.pgcache.metrics.TaggedCounter;
import dev.pgcache.protocol.CacheStatus;

/**
 * eth_getLogs by block-range chunks (docs/rpc.md, "Log queries"). A query over finalized blocks
 * ({@link LogQuery}) becomes parts: one eth_getLogs per chunk, cached on its own under the key of
 * the same filter with the chunk's range (the chunk's last block is its revision, by the logs rule),
 * and, when the range reaches past the last finalized chunk, one for the rest, which is asked of
 * the node every time and never stored. The proxy looks the parts up and sends the missing ones to the node
 * with the rest of the body ({@link RpcProxy}); the answer is the parts' logs in block order,
 * clipped to the range asked, which is what the node answers for it: its logs come in block order
 * and then log index order, and the chunks do not overlap.
 *
 * <p>A range wider than logs.max-range is refused with -32005 (EIP-1474's "limit exceeded") before
 * anything is looked up or sent, with the range that would have been accepted in the message and
 * in data, in the words indexers already parse (Infura's "Try with this block range [0x…, 0x…]").
 */
@Startup
@ApplicationScoped
class LogChunks {

    static final String METHOD = "eth_getLogs";
    /** EIP-1474: "Limit exceeded: request exceeds defined limit"; what Infura answers for too many logs. */
    static final int LIMIT_EXCEEDED = -32005;

    /** One upstream's settings. */
    record Settings(long chunkSize, long maxRange) {
    }

    /** The parts of one split eth_getLogs, in block order (chunks, then the rest), and the range asked. */
    record Parts(LogQuery.Range asked, List<RpcCall> calls, List<LogQuery.Range> ranges, int chunks) {
    }

    private final Map<String, Settings> byUpstream = new TreeMap<>();
    private final int maxKeyBytes;
    private final TaggedCounter chunkLookups;
    private final TaggedCounter refused;

    LogChunks(PgcacheConfig config, MeterRegistry registry) {
        this.maxKeyBytes = config.limits().maxKeyBytes();
        config.rpc().upstreams().forEach((name, u) -> {
            RpcLogsConfig logs = u.logs();
            String prefix = "pgcache.rpc.upstreams." + name + ".logs.";
            if (logs.chunkSize() < 0 || logs.chunkSize() > 1_000_000) {
                throw new IllegalStateException(prefix + "chunk-size must be 0 (no chunks) to 1000000 blocks, not " + logs.chunkSize());
            }
            if (logs.maxRange() < 0) {
                throw new IllegalStateException(prefix + "max-range must be 0 (no limit) or more blocks, not " + logs.maxRange());
            }
            byUpstream.put(name, new Settings(logs.chunkSize(), logs.maxRange()));
        });
        this.chunkLookups = TaggedCounter.of(registry, "pgcache.rpc.log.chunks",
                "Chunks of eth_getLogs over finalized blocks, by upstream and whether the cache had them (hit) or the node was asked (miss)",
                "upstream", "cache");
        this.refused = TaggedCounter.of(registry, "pgcache.rpc.log.refused",
                "eth_getLogs refused for a block range wider than logs.max-range", "upstream");
    }

    /**
     * Takes an eth_getLogs this class answers: then either {@code c.answer} is its refusal or
     * {@code c.logParts} holds its parts, each with its cache key when it may be cached. Anything
     * else (another method, a policy other than logs for it, a query answered as today) is left alone.
     */
    boolean take(RpcNode node, RpcCall c) {
        Settings s = byUpstream.get(node.name());
        RpcMethodPolicy.Rule rule = node.policy().ruleOf(c.method);
        if (!METHOD.equals(c.method) || s == null || rule == null || rule.kind() != RpcMethodPolicy.Kind.LOGS
                || (s.chunkSize() == 0 && s.maxRange() == 0)) {
            return false;
        }
        LogQuery.Plan plan = LogQuery.plan(c.params, node.tracker().current(), s.chunkSize(), s.maxRange());
        switch (plan) {
            case LogQuery.TooWide w -> {
                refused.increment(node.name());
                c.answer = RpcEnvelope.withError(c.idOrNull(), tooWide(node.name(), w));
                return true;
            }
            case LogQuery.Split split -> {
                c.logParts = parts(node, c, split);
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    /** The error a range over logs.max-range gets: the widest range from its fromBlock that would be accepted, in the message and in data. */
    static JsonNode tooWide(String upstream, LogQuery.TooWide w) {
        String from = hex(w.from());
        String upTo = hex(w.from() + w.limit() - 1);
        ObjectNode e = JsonNodeFactory.instance.objectNode().put("code", LIMIT_EXCEEDED)
                .put("message", "eth_getLogs block range of " + w.blocks() + " blocks exceeds the limit of " + w.limit()
                        + " blocks (pgcache.rpc.upstreams." + upstream + ".logs.max-range). Try with this block range [" + from + ", " + upTo + "].");
        e.putObject("data").put("from", from).put("to", upTo).put("limit", w.limit());
        return e;
    }

    private Parts parts(RpcNode node, RpcCall c, LogQuery.Split split) {
        ObjectNode filter = ((ObjectNode) c.params.get(0)).deepCopy();
        filter.remove("fromBlock");
        filter.remove("toBlock");
        List<RpcCall> calls = new ArrayList<>();
        List<LogQuery.Range> ranges = new ArrayList<>(split.chunks());
        for (LogQuery.Range r : split.chunks()) {
            RpcCall part = part(c, filter, r);
            part.key = new EntryId(node.namespace(), RpcJson.cacheKey(METHOD, part.params, maxKeyBytes));
            calls.add(part);
        }
        if (split.rest() != null) {
            // the part above the last finalized chunk: from the node every time, never stored (no key).
            // Indexers following the head ask a new tail each time, so a stored tail would be a
            // write per query read by nobody, and logs above finality can still be re-orged away
            RpcCall rest = part(c, filter, split.rest());
            calls.add(rest);
            ranges.add(split.rest());
        }
        return new Parts(split.asked(), List.copyOf(calls), List.copyOf(ranges), split.chunks().size());
    }

    private static RpcCall part(RpcCall parent, ObjectNode filter, LogQuery.Range r) {
        RpcCall p = new RpcCall();
        p.id = parent.id;
        p.method = METHOD;
        p.part = true;
        ArrayNode params = JsonNodeFactory.instance.arrayNode();
        params.add(filter.deepCopy().put("fromBlock", hex(r.from())).put("toBlock", hex(r.to())));
        p.params = params;
        return p;
    }

    /** Counts the chunks the cache had and those asked of the node; the whole answer is a HIT when every part was cached. */
    CacheStatus counted(RpcNode node, Parts parts) {
        boolean all = true;
        for (int i = 0; i < parts.calls().size(); i++) {
            RpcCall p = parts.calls().get(i);
            boolean hit = p.hit != null;
            all &= hit;
            if (i < parts.chunks()) {
                chunkLookups.increment(node.name(), hit ? "hit" : "miss");
            }
        }
        return all ? CacheStatus.HIT : CacheStatus.MISS;
    }

    /**
     * The answer from the parts' results, in order: their logs clipped to the range asked, or the
     * first part's error (the node's own, or -32000 for a failed call) when one failed.
     *
     * @param outcomeOf a part's outcome: its cached text, or the node's answer once it came
     */
    RpcOutcome join(RpcNode node, Parts parts, Function<RpcCall, RpcOutcome> outcomeOf) {
        StringBuilder logs = new StringBuilder("[");
        for (int i = 0; i < parts.calls().size(); i++) {
            RpcOutcome o = outcomeOf.apply(parts.calls().get(i));
            if (o.resultText() == null) {
                return o;
            }
            String text = o.resultText().strip();
            if (!text.startsWith("[")) {
                return RpcOutcome.failed(node.name(), "the JSON-RPC upstream '" + node.name() + "' answered eth_getLogs with a result that is not an array");
            }
            LogQuery.Range r = parts.ranges().get(i);
            if (r.within(parts.asked().from(), parts.asked().to())) {
                // every log of the part is in the range: its text as it is, without the brackets
                append(logs, text.substring(1, text.length() - 1).strip());
            } else {
                try {
                    for (JsonNode log : RpcJson.parse(text)) {
                        if (inRange(log, parts.asked())) {
                            append(logs, RpcJson.write(log));
                        }
                    }
                } catch (IOException e) {
                    return RpcOutcome.failed(node.name(), "a cached eth_getLogs chunk of '" + node.name() + "' is not JSON");
                }
            }
        }
        return new RpcOutcome(null, logs.append(']').toString(), null);
    }

    private static boolean inRange(JsonNode log, LogQuery.Range asked) {
        BigInteger n = BlockParams.number(log.path("blockNumber"));
        return n == null || (n.longValue() >= asked.from() && n.longValue() <= asked.to());
    }

    private static void append(StringBuilder logs, String items) {
        if (items.isEmpty()) {
            return;
        }
        if (logs.length() > 1) {
            logs.append(',');
        }
        logs.append(items);
    }

    static String hex(long n) {
        return "0x" + Long.toHexString(n);
    }
}
