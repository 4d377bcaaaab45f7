package dev.pgcache.testing;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * One application start for the tests of pgcache.storage.*: a cap on the whole table of 50 rows
 * and 10,000 bytes, and an UNLOGGED table. Its own database, like every start, so the cap never
 * evicts another test's rows.
 */
public class StorageLimits implements QuarkusTestProfile {

    public static final int MAX_ENTRIES = 50;
    public static final int MAX_BYTES = 10_000;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("pgcache.storage.max-entries", Integer.toString(MAX_ENTRIES), "pgcache.storage.max-bytes",
                Integer.toString(MAX_BYTES), "pgcache.storage.unlogged", "true");
    }
}
