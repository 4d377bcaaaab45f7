package dev.pgcache.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.io.IOException;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/** How an eth_getLogs is planned: chunks aligned to multiples of the chunk size, only wholly finalized ones, the rest, the width limit. */
class LogQueryTest {

    private static final RpcMethodPolicy.Heads HEADS = new RpcMethodPolicy.Heads(1000, 936); // Anvil's: finalized 64 below the head

    private static LogQuery.Plan plan(String filter) throws IOException {
        JsonNode params = RpcJson.parse("[" + filter + "]");
        return LogQuery.plan(params, HEADS, 100, 500);
    }

    private static List<LogQuery.Range> ranges(long... bounds) {
        List<LogQuery.Range> r = new java.util.ArrayList<>();
        for (int i = 0; i < bounds.length; i += 2) {
            r.add(new LogQuery.Range(bounds[i], bounds[i + 1]));
        }
        return r;
    }

    @Test
    void aFinalizedRangeIsSplitIntoAlignedChunks() throws IOException {
        LogQuery.Split s = assertInstanceOf(LogQuery.Split.class, plan("{\"fromBlock\":\"0x6e\",\"toBlock\":\"0x12c\",\"address\":\"0x01\"}"));
        assertEquals(new LogQuery.Range(110, 300), s.asked());
        assertEquals(ranges(100, 199, 200, 299, 300, 399), s.chunks());
        assertEquals(null, s.rest());
        // decimal, JSON numbers and "earliest" are block numbers too
        s = assertInstanceOf(LogQuery.Split.class, plan("{\"fromBlock\":\"earliest\",\"toBlock\":99}"));
        assertEquals(ranges(0, 99), s.chunks());
    }

    @Test
    void onlyWhollyFinalizedChunksAreUsedAndTheRestIsOneRange() throws IOException {
        // finalized 936: the last whole chunk ends at 899; 900..936 are final but their chunk is not yet
        LogQuery.Split s = assertInstanceOf(LogQuery.Split.class, plan("{\"fromBlock\":\"0x352\",\"toBlock\":\"0x3e8\"}"));
        assertEquals(ranges(800, 899), s.chunks());
        assertEquals(new LogQuery.Range(900, 1000), s.rest());
        assertInstanceOf(LogQuery.AsToday.class, plan("{\"fromBlock\":\"0x384\",\"toBlock\":\"0x3e8\"}"), "starts above the last final chunk");
        LogQuery.Split edge = assertInstanceOf(LogQuery.Split.class,
                LogQuery.plan(RpcJson.parse("[{\"fromBlock\":\"0x0\",\"toBlock\":\"0x63\"}]"), new RpcMethodPolicy.Heads(200, 99), 100, 0));
        assertEquals(ranges(0, 99), edge.chunks(), "finalized exactly at a chunk's end");
        assertEquals(null, edge.rest());
    }

    @Test
    void whatChunksCannotAnswerIsAnsweredAsToday() throws IOException {
        for (String f : List.of("{\"blockHash\":\"0x" + "1".repeat(64) + "\"}", "{\"fromBlock\":\"0x384\",\"toBlock\":\"latest\"}",
                "{\"fromBlock\":\"latest\",\"toBlock\":\"0x1\"}", "{}", "{\"fromBlock\":\"0x10\",\"toBlock\":\"0x1\"}",
                "{\"fromBlock\":\"0x1\",\"toBlock\":\"0xzz\"}", "{\"fromBlock\":\"0x1\",\"toBlock\":\"0x2\",\"limit\":5}")) {
            assertInstanceOf(LogQuery.AsToday.class, plan(f), f);
        }
        assertInstanceOf(LogQuery.AsToday.class, LogQuery.plan(RpcJson.parse("[{\"fromBlock\":\"0x1\",\"toBlock\":\"0x2\"}]"), null, 100, 500),
                "heads unknown");
        assertInstanceOf(LogQuery.AsToday.class, LogQuery.plan(RpcJson.parse("[{\"fromBlock\":\"0x1\",\"toBlock\":\"0x2\"}]"), HEADS, 0, 500),
                "chunks off");
    }

    @Test
    void aRangeWiderThanTheLimitIsRefusedWithTagsReadAsTheTrackerHasThem() throws IOException {
        assertEquals(new LogQuery.TooWide(0, 500, 500), plan("{\"fromBlock\":\"0x0\",\"toBlock\":\"0x1f4\"}"));
        assertInstanceOf(LogQuery.Split.class, plan("{\"fromBlock\":\"0x0\",\"toBlock\":\"0x1f3\"}"), "500 blocks: within");
        assertEquals(new LogQuery.TooWide(100, 1000, 500), plan("{\"fromBlock\":\"0x64\",\"toBlock\":\"latest\"}"));
        assertEquals(new LogQuery.TooWide(100, 936, 500), plan("{\"fromBlock\":\"0x64\",\"toBlock\":\"finalized\"}"));
        assertEquals(new LogQuery.TooWide(100, 1000, 500), plan("{\"fromBlock\":\"0x64\"}"), "toBlock absent: latest");
        assertEquals(new LogQuery.TooWide(0, 10_000, 500), plan("{\"fromBlock\":\"0x0\",\"toBlock\":\"0x2710\",\"blockHash\":null}"));
        assertInstanceOf(LogQuery.Split.class, LogQuery.plan(RpcJson.parse("[{\"fromBlock\":\"0x0\",\"toBlock\":\"0x2710\"}]"), HEADS, 100, 0),
                "no limit");
    }

    @Test
    void theRefusalNamesTheLimitAndTheRangeThatWouldDo() {
        JsonNode e = LogChunks.tooWide("eth", new LogQuery.TooWide(16, 20_015, 10_000));
        assertEquals(-32005, e.get("code").asInt());
        assertEquals("eth_getLogs block range of 20000 blocks exceeds the limit of 10000 blocks (pgcache.rpc.upstreams.eth.logs.max-range)."
                + " Try with this block range [0x10, 0x271f].", e.get("message").asText());
        assertEquals("{\"from\":\"0x10\",\"to\":\"0x271f\",\"limit\":10000}", e.get("data").toString());
    }
}
