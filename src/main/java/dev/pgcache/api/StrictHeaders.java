package dev.pgcache.api;

import java.util.List;

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

    /** @throws ProblemException 400 naming the header */
    static void check(MultiMap headers) {
        for (String name : SINGLE_AND_NON_EMPTY) {
            List<String> values = headers.getAll(name);
            if (values.size() > 1) {
                throw new ProblemException(400, "invalid-header", "Bad request",
                        "the request has " + values.size() + " " + name + " headers; send it once");
            }
            if (values.size() == 1 && values.get(0).isBlank()) {
                throw new ProblemException(400, "invalid-header", "Bad request",
                        "the " + name + " header is empty; leave it out or give it a value");
            }
        }
    }
}
