package dev.pgcache.api;

import java.util.List;
import java.util.Map;

import io.vertx.core.MultiMap;

import dev.pgcache.protocol.ProblemException;

/**
 * Headers that carry access or preconditions are read strictly: each may appear once and may not
 * be empty. Lenient reading turned an empty {@code If-Match} into "no precondition" (a
 * compare-and-set became a blind overwrite), and two {@code Authorization} headers leave it to
 * each reader which one counts.
 */
final class StrictHeaders {

    static final List<String> SINGLE_AND_NON_EMPTY = List.of("Authorization", "If-Match", "If-None-Match",
            CachingHeaders.X_REVISION, "Cache-Control");

    private StrictHeaders() {
    }

    /** @throws ProblemException 400 naming the header (the first of {@link #SINGLE_AND_NON_EMPTY} that breaks the rule) */
    static void check(MultiMap headers) {
        // one pass over the request's few headers, instead of a lookup (and a list) per name
        int[] counts = new int[SINGLE_AND_NON_EMPTY.size()];
        String[] firsts = new String[counts.length];
        for (Map.Entry<String, String> header : headers) {
            for (int i = 0; i < counts.length; i++) {
                if (SINGLE_AND_NON_EMPTY.get(i).equalsIgnoreCase(header.getKey())) {
                    if (counts[i]++ == 0) {
                        firsts[i] = header.getValue();
                    }
                    break;
                }
            }
        }
        for (int i = 0; i < counts.length; i++) {
            String name = SINGLE_AND_NON_EMPTY.get(i);
            if (counts[i] > 1) {
                throw new ProblemException(400, "invalid-header", "Bad request",
                        "the request has " + counts[i] + " " + name + " headers; send it once");
            }
            if (counts[i] == 1 && firsts[i].isBlank()) {
                throw new ProblemException(400, "invalid-header", "Bad request",
                        "the " + name + " header is empty; leave it out or give it a value");
            }
        }
    }
}
