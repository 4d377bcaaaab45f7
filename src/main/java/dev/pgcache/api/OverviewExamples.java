package dev.pgcache.api;

/** The examples of {@link OverviewApi}'s answers in the OpenAPI document. */
final class OverviewExamples {

    private OverviewExamples() {
    }

    static final String ME = "{\"key\":\"indexer\",\"scopes\":[\"read\",\"write\"],\"namespaces\":[{\"name\":\"blocks\",\"read\":true,"
            + "\"write\":true,\"ttlSeconds\":3600,\"staleSeconds\":60,\"nearCache\":true,\"maxEntries\":100000,\"maxBytes\":null,"
            + "\"readThrough\":false}],\"undeclaredNamespacesAllowed\":true}";

    static final String ACTIVITY = "{\"intervalSeconds\":5,\"samples\":[{\"at\":\"2026-11-30T10:15:05.001Z\",\"seconds\":5.0,"
            + "\"hitsPerSecond\":812.4,\"staleHitsPerSecond\":0.0,\"missesPerSecond\":21.2,\"requestsPerSecond\":901.6,\"p50Ms\":0.298,"
            + "\"p99Ms\":1.863},{\"at\":\"2026-11-30T10:15:10.002Z\",\"seconds\":5.001,\"hitsPerSecond\":0.0,\"staleHitsPerSecond\":0.0,"
            + "\"missesPerSecond\":0.0,\"requestsPerSecond\":0.0,\"p50Ms\":null,\"p99Ms\":null}]}";

    static final String STATUS = "{\"purge\":{\"enabled\":true,\"intervalSeconds\":60,\"lastCompletedAt\":\"2026-11-30T10:14:02.113Z\","
            + "\"lastOutcome\":\"purged 1200, evicted 0\",\"secondsSinceProgress\":43,\"lockHolder\":null,\"recentRuns\":[{\"at\":"
            + "\"2026-11-30T10:14:02.113Z\",\"lockHeld\":true,\"purged\":1200,\"evicted\":0,\"batches\":2,\"complete\":true,"
            + "\"durationMs\":38}]},\"upstreams\":[{\"name\":\"eth\",\"namespace\":\"rpc-eth\",\"head\":21000000,\"finalized\":20999936,"
            + "\"reorgs\":1}]}";
}
