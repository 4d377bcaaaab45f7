package dev.pgcache.near;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.pgcache.testing.Replica;

/**
 * Reads on the replica that did not make a change, timed on this JVM's clock, and the one
 * guarantee checked on every read: once {@code bound} has passed since a change was committed,
 * the old version is never answered (docs/api.md, "Consistency").
 */
final class Observer {

    private final Replica replica;
    private final Duration bound;

    Observer(Replica replica, Duration bound) {
        this.replica = replica;
        this.bound = bound;
    }

    /** One GET, from when it was sent to when its answer was read (System.nanoTime). */
    record Read(String path, long startedNanos, long endedNanos, int status, String etag, String source, String body) {

        boolean fromMemory() {
            return "memory".equals(source);
        }

        boolean answers(String etag) {
            return status == 200 && etag.equals(this.etag);
        }

        @Override
        public String toString() {
            return path + " " + status + " ETag " + etag + " from " + source + ": " + body;
        }
    }

    Read read(String path) throws IOException, InterruptedException {
        long started = System.nanoTime();
        var r = replica.get(path);
        long ended = System.nanoTime();
        String status = r.headers().firstValue("Cache-Status").orElse("");
        String source = status.contains("detail=") ? status.substring(status.indexOf("detail=") + "detail=".length()) : null;
        return new Read(path, started, ended, r.statusCode(), r.headers().firstValue("ETag").orElse(null), source, r.body());
    }

    /**
     * Reads until the replica answers {@code etag} from memory: then it holds a copy that a change
     * must drop. Normally the first read finds the table and the second the copy; a replica may
     * also briefly answer from the table while its last proof of coherence is late, so it is given
     * two seconds.
     */
    void holdsInMemory(String path, String etag) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        List<Read> reads = new ArrayList<>();
        do {
            Read r = read(path);
            reads.add(r);
            if (r.answers(etag) && r.fromMemory()) {
                return;
            }
        } while (System.nanoTime() - deadline < 0);
        fail(replica.name() + " does not hold " + path + " ETag " + etag + " in memory: " + reads.subList(Math.max(0, reads.size() - 5), reads.size()));
    }

    /**
     * Reads every path, one after the other, until none answers its old version any more (a 404 or
     * another ETag), and fails at once if a read sent more than the bound after {@code changedNanos}
     * was answered with the old version (so the loop ends, one way or the other, soon after the bound).
     *
     * @param oldEtags     each path's version before the change
     * @param changedNanos when the change was known to be committed (the writer's answer came back)
     * @return each path's first read without its old version; their latest end, minus
     *         {@code changedNanos}, is the lag
     */
    Map<String, Read> follow(Map<String, String> oldEtags, long changedNanos) throws IOException, InterruptedException {
        Map<String, Read> firstNew = new LinkedHashMap<>();
        while (firstNew.size() < oldEtags.size()) {
            for (var old : oldEtags.entrySet()) {
                if (firstNew.containsKey(old.getKey())) {
                    continue;
                }
                Read r = read(old.getKey());
                if (!r.answers(old.getValue())) {
                    firstNew.put(old.getKey(), r);
                } else if (r.startedNanos() - changedNanos > bound.toNanos()) {
                    fail("%s answered the old version %.1f ms after the change was committed (bound %d ms): %s"
                            .formatted(replica.name(), (r.startedNanos() - changedNanos) / 1e6, bound.toMillis(), r));
                }
            }
        }
        return firstNew;
    }

    /** The lag of a {@link #follow}: from the change to the end of the last path's first new answer. */
    static long lag(Map<String, Read> firstNew, long changedNanos) {
        return firstNew.values().stream().mapToLong(Read::endedNanos).max().orElseThrow() - changedNanos;
    }
}
