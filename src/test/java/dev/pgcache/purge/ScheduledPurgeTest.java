package dev.pgcache.purge;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.pgcache.testing.Namespaces;
import dev.pgcache.testing.Rows;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** The timer really runs the purge, with nobody calling it. */
@QuarkusTest
@TestProfile(ScheduledPurgeTest.EverySecond.class)
class ScheduledPurgeTest {

    public static class EverySecond implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("pgcache.purge.interval", "1s");
        }
    }

    @Test
    void scheduledPurgeRemovesGoneRows() {
        String ns = Namespaces.fresh("sched");
        Rows.insertGone(ns, 50);
        Rows.insertFresh(ns, 5);
        await().atMost(Duration.ofSeconds(15)).until(() -> Rows.count(ns) == 5);
        assertEquals(5, Rows.count(ns));
    }
}
