package dev.pgcache.api;

import java.time.Instant;
import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Texts for the OpenAPI document served at {@code /q/openapi} and shown at {@code /q/swagger-ui}:
 * descriptions shared by several endpoints, example bodies, and one example problem per problem
 * type, so the annotations on the resources stay short. (Shared components would need an
 * {@code @OpenAPIDefinition} on a JAX-RS Application or a package-info, hence constants.)
 *
 * <p>Nothing here is used at run time. The examples are real answers of a running pgcache; the
 * records at the end only describe the shape of the batch bodies, which are streamed in and out
 * ({@link BatchBodies}, {@link BatchAnswers}) and, for batch-put, built as maps that leave out what
 * does not apply to an entry's outcome; they must be kept in step with them. The other answers
 * are the records of {@link Answers}, which are both what is written and their schemas.
 */
final class ApiExamples {

    static final String SECURITY_SCHEME = "apiKey";
    static final String SECURITY_SCHEME_TEXT = "An API key: Authorization: Bearer <secret>. Keys carry scopes (read, write, admin) and "
            + "namespace patterns; see docs/security.md. /q/health, /q/openapi and /q/swagger-ui need none.";

    static final String TAG_ENTRIES = "entries";
    static final String TAG_ENTRIES_TEXT = "Single entries of a namespace: write, read, conditional requests, touch, delete";
    static final String TAG_NAMESPACE = "namespace";
    static final String TAG_NAMESPACE_TEXT = "A namespace as a whole: listing its keys, batch reads and writes, invalidation";
    static final String TAG_SERVICE = "service";
    static final String TAG_SERVICE_TEXT = "What the service holds and has counted: namespaces and per-namespace statistics";
    static final String TAG_ADMIN = "admin";
    static final String TAG_ADMIN_TEXT = "Operations for operators";

    // --- response headers ----------------------------------------------------------------------

    static final String ETAG = "The entry's version as a strong entity tag, e.g. \"42\". A new version on every write, never reused, not "
            + "even for a key deleted and written again. Send it back in If-None-Match (GET) or If-Match (PUT, DELETE).";
    static final String ETAG_412 = "The live entry's current version, when there is a live entry.";
    static final String CACHE_CONTROL = "max-age=<whole freshness lifetime in seconds, counted from the write>, plus "
            + "stale-while-revalidate=<s>, stale-if-error=<s> when the entry has a stale window. Never-expiring: max-age=31536000.";
    static final String AGE = "Whole seconds since the value was written, by the database clock. Seconds left fresh = max-age - Age.";
    static final String CACHE_STATUS = "RFC 9211: hit, with ttl the whole seconds of freshness left (negative: stale; absent: never "
            + "expires) and detail=memory (this replica's near cache) or detail=table; a value just loaded by read-through is "
            + "fwd=miss; stored.";
    static final String X_CACHE = "HIT: fresh; STALE: expired but inside its stale window; MISS: no live entry (on the 404).";
    static final String X_REVISION_OUT = "The revision the entry was written with; absent when it has none.";
    static final String X_REVISION_409 = "The stored revision that refused the write.";
    static final String LOCATION = "The entry's URL.";
    static final String RETRY_AFTER = "Seconds to wait before retrying.";

    // --- responses several endpoints give ------------------------------------------------------

    static final String R_UNKNOWN_NAMESPACE = "unknown-namespace: the namespace is not declared and pgcache.allow-undeclared-namespaces is false";
    static final String R_NOT_ACCEPTABLE = "not-acceptable: the Accept header excludes application/json";
    static final String R_UNSUPPORTED_MEDIA_TYPE = "unsupported-media-type: the Content-Type is not JSON (application/json, */json or "
            + "*/*+json); a body without Content-Type is read as JSON";
    static final String R_INTERNAL_ERROR = "internal-error: a bug or an unexpected database error; the cause is in the service log, never in the answer";
    static final String R_DATABASE_UNAVAILABLE = "database-unavailable: the database did not answer in time (refused connection, pool "
            + "exhausted, statement or lock timeout). Nothing was half-written; retry after Retry-After seconds.";
    static final String R_SERVER_BUSY_ANSWER = "server-busy: large request bodies and answers being handled already fill "
            + "pgcache.limits.max-in-flight-body-size; this answer was not built. Retry after Retry-After seconds.";

    static final String R_UNAUTHORIZED = "unauthorized: no API key, or not a valid one (Authorization: Bearer <secret>)";
    static final String R_RATE_LIMITED = "rate-limited: the key is over its rate limit (pgcache.auth.rate-limit.*, off by default)";
    static final String WWW_AUTHENTICATE = "Bearer realm=\"pgcache\"";

    // --- parameter descriptions ---------------------------------------------------------------

    static final String NAMESPACE = "The namespace: [a-z0-9][a-z0-9._-]{0,63}. Created by its first write unless "
            + "pgcache.allow-undeclared-namespaces=false.";
    static final String KEY = "The key: 1 to 512 UTF-8 bytes, no NUL, percent-encoded as one path segment ('/' as %2F, '?' as %3F, "
            + "'%' as %25). Keys '.', '..' and the empty key cannot be addressed in a URL path: 400 invalid-key.";
    static final String TTL = "Time to live: seconds (300), a number with a unit (500ms, 30s, 5m, 2h, 7d), ISO-8601 (PT5M, P1D) or never. "
            + "At most pgcache.limits.max-ttl.";
    static final String STALE = "How long after expiry the value may still be served stale; same syntax as ttl but no never; 0s for none.";
    static final String IF_MATCH_PUT = "Compare-and-set: write only over a live entry whose version is one of these strong tags "
            + "(\"42\", or a list); * = only if a live entry exists. Otherwise 412 precondition-failed and nothing is written.";
    static final String IF_NONE_MATCH_PUT = "* = create only: 412 precondition-failed when a live entry exists. A list of tags: write unless "
            + "the live entry has one of these versions. Not together with If-Match.";
    static final String IF_NONE_MATCH_GET = "Revalidation: when the live entry's version is one of these tags (weak comparison, W/\"42\" "
            + "matches too) or the header is *, the answer is 304 with the caching headers and no body.";
    static final String IF_MATCH_DELETE = "Delete only when the live entry's version is one of these strong tags; * = only when a live "
            + "entry exists. Otherwise 412 precondition-failed and nothing is deleted.";
    static final String X_REVISION = "The source's own version of the value (block height, mtime, watermark), 0 … 2^63−1. The write is "
            + "refused with 409 revision-conflict when the stored live entry holds a higher revision; equal or higher wins. A write "
            + "without X-Revision is not checked and stores no revision.";
    static final String CACHE_CONTROL_PUT = "max-age=N sets the TTL and stale-while-revalidate=M the stale window, in whole seconds, "
            + "when ?ttl= / ?stale= are not given (the query parameters win). Other directives are ignored.";

    // --- example bodies (real answers of a running pgcache) ------------------------------------

    static final String VALUE = "{\"number\":\"0x121eac0\",\"hash\":\"0xabc\"}";
    static final String VALUE_AS_STORED = "{\"hash\": \"0xabc\", \"number\": \"0x121eac0\"}";
    static final String PUT_CREATED = "{\"namespace\":\"demo\",\"key\":\"block:19000000\",\"version\":1,\"created\":true,"
            + "\"expiresAt\":\"2026-11-22T21:29:29.464392Z\",\"staleUntil\":\"2026-11-22T21:30:29.464392Z\"}";
    static final String PUT_REPLACED = "{\"namespace\":\"demo\",\"key\":\"counter\",\"version\":3,\"created\":false,"
            + "\"expiresAt\":\"2026-11-22T22:41:30.521956Z\",\"staleUntil\":null}";
    static final String TOUCHED = "{\"namespace\":\"demo\",\"key\":\"cc\",\"version\":13,\"created\":false,"
            + "\"expiresAt\":\"2026-11-22T23:24:43.381979Z\",\"staleUntil\":\"2026-11-22T23:29:43.381979Z\"}";
    static final String LIST_PAGE = "{\"namespace\":\"demo\",\"items\":[{\"key\":\"block:1\",\"state\":\"fresh\",\"version\":14,\"revision\":1,"
            + "\"fetchedAt\":\"2026-11-22T21:24:52.342348Z\",\"expiresAt\":\"2026-11-22T21:29:52.342348Z\",\"staleUntil\":null,\"sizeBytes\":8,"
            + "\"tags\":[\"chain:1\"],\"hitCount\":0},{\"key\":\"block:19000000\",\"state\":\"fresh\",\"version\":1,\"revision\":19000000,"
            + "\"fetchedAt\":\"2026-11-22T21:24:29.464392Z\",\"expiresAt\":\"2026-11-22T21:29:29.464392Z\",\"staleUntil\":\"2026-11-22T21:30:29.464392Z\","
            + "\"sizeBytes\":40,\"tags\":[\"chain:1\"],\"hitCount\":0}],\"next\":\"YmxvY2s6MTkwMDAwMDA\"}";
    static final String INVALIDATED = "{\"invalidated\":2}";
    static final String BATCH_GET_REQUEST = "{\"keys\":[\"block:1\",\"block:2\",\"nope\"]}";
    static final String BATCH_GET_ANSWER = "{\"entries\":[{\"key\":\"block:1\",\"state\":\"fresh\",\"version\":14,\"revision\":1,\"age\":0,"
            + "\"expiresAt\":\"2026-11-22T21:29:52.342348Z\",\"value\":{\"n\": 1}},{\"key\":\"block:2\",\"state\":\"fresh\",\"version\":15,\"age\":0,"
            + "\"expiresAt\":\"2026-11-22T21:29:52.342348Z\",\"value\":{\"n\": 2}},{\"key\":\"nope\",\"state\":\"miss\"}],\"hits\":2,\"misses\":1}";
    static final String BATCH_PUT_REQUEST = "{\"entries\":[{\"key\":\"block:1\",\"value\":{\"n\":1},\"ttl\":\"5m\",\"tags\":[\"chain:1\"],\"revision\":1},"
            + "{\"key\":\"block:2\",\"value\":{\"n\":2},\"ttl\":300,\"stale\":\"1m\"},{\"key\":\"head\",\"value\":{\"height\":4},\"revision\":4}]}";
    static final String BATCH_PUT_ANSWER = "{\"results\":[{\"key\":\"block:1\",\"outcome\":\"created\",\"version\":14,"
            + "\"expiresAt\":\"2026-11-22T21:29:52.342348Z\",\"staleUntil\":null},{\"key\":\"block:2\",\"outcome\":\"created\",\"version\":15,"
            + "\"expiresAt\":\"2026-11-22T21:29:52.342348Z\",\"staleUntil\":\"2026-11-22T21:30:52.342348Z\"},{\"key\":\"head\",\"outcome\":\"refused\","
            + "\"reason\":\"revision 4 is lower than the stored revision 5\",\"storedRevision\":5}],\"written\":2,\"refused\":1}";
    static final String PURGE = "{\"purged\":2,\"durationMs\":6,\"batches\":1,\"complete\":true,\"lockHeld\":true,\"byNamespace\":{\"blocks\":1,\"demo\":1},\"evicted\":0,\"evictedByNamespace\":{},\"evictedForCap\":0,\"evictedForCapByNamespace\":{},\"secondChances\":0}";
    static final String NAMESPACES = "{\"namespaces\":[{\"name\":\"blocks\",\"declared\":true,\"entries\":0,\"fresh\":0,\"stale\":0,\"gone\":0,\"bytes\":0,"
            + "\"policy\":{\"ttlSeconds\":null,\"staleSeconds\":0}},{\"name\":\"demo\",\"declared\":false,\"entries\":3,\"fresh\":1,\"stale\":1,\"gone\":1,"
            + "\"bytes\":21,\"policy\":{\"ttlSeconds\":3600,\"staleSeconds\":0}}]}";
    static final String STATS = "{\"since\":\"2026-11-22T21:24:29.474214375Z\",\"namespaces\":{\"demo\":{\"hits\":14,\"staleHits\":0,\"misses\":3,"
            + "\"writes\":13,\"invalidations\":2,\"purged\":0,\"evicted\":0,\"evictedForCap\":0,\"hitRatio\":0.8235294117647058,"
            + "\"entries\":11,\"bytes\":2310,\"durability\":\"strict\"}}}";

    // --- example problems, one per type (docs/api.md lists them all) ---------------------------

    static final String INVALID_NAMESPACE = "{\"type\":\"urn:pgcache:problem:invalid-namespace\",\"title\":\"Bad request\",\"status\":400,"
            + "\"detail\":\"namespace 'Bad' does not match [a-z0-9][a-z0-9._-]{0,63} (lowercase letters, digits, '.', '_' and '-', starting with a "
            + "letter or digit, at most 64 characters)\",\"instance\":\"/v1/cache/Bad/x\"}";
    static final String INVALID_KEY = "{\"type\":\"urn:pgcache:problem:invalid-key\",\"title\":\"Bad request\",\"status\":400,"
            + "\"detail\":\"a path segment is '.': keys '.' and '..' cannot be addressed in a URL path (RFC 3986 removes dot segments)\","
            + "\"instance\":\"/v1/cache/demo/%2E\"}";
    static final String INVALID_TTL = "{\"type\":\"urn:pgcache:problem:invalid-ttl\",\"title\":\"Bad request\",\"status\":400,"
            + "\"detail\":\"ttl '1h30m' is not a duration; give seconds (300), ISO-8601 (PT5M) or a number with a unit (5m)\","
            + "\"instance\":\"/v1/cache/demo/k\"}";
    static final String INVALID_STALE = "{\"type\":\"urn:pgcache:problem:invalid-stale\",\"title\":\"Bad request\",\"status\":400,"
            + "\"detail\":\"stale '-5' is negative; a duration must be zero or more\",\"instance\":\"/v1/cache/demo/k\"}";
    static final String INVALID_TAG = "{\"type\":\"urn:pgcache:problem:invalid-tag\",\"title\":\"Bad request\",\"status\":400,"
            + "\"detail\":\"a tag is empty\",\"instance\":\"/v1/cache/demo/k\"}";
    static final String INVALID_PREFIX = "{\"type\":\"urn:pgcache:problem:invalid-prefix\",\"title\":\"Bad request\",\"status\":400,"
            + "\"detail\":\"the prefix is empty; to act on the whole namespace, leave it out\",\"instance\":\"/v1/cache/demo\"}";
    static final String INVALID_REVISION = "{\"type\":\"urn:pgcache:problem:invalid-revision\",\"title\":\"Bad request\",\"status\":400,"
            + "\"detail\":\"X-Revision must be a whole number from 0 to 9223372036854775807\",\"instance\":\"/v1/cache/demo/head\"}";
    static final String INVALID_PRECONDITION = "{\"type\":\"urn:pgcache:problem:invalid-precondition\",\"title\":\"Bad request\",\"status\":400,"
            + "\"detail\":\"If-Match must be * or a list of entity tags such as \\\"42\\\" or W/\\\"42\\\"\",\"instance\":\"/v1/cache/demo/counter\"}";
    static final String INVALID_CACHE_CONTROL = "{\"type\":\"urn:pgcache:problem:invalid-cache-control\",\"title\":\"Bad request\",\"status\":400,"
            + "\"detail\":\"Cache-Control max-age must be a whole number of seconds, as in max-age=60\",\"instance\":\"/v1/cache/demo/cc\"}";
    static final String INVALID_JSON = "{\"type\":\"urn:pgcache:problem:invalid-json\",\"title\":\"Bad request\",\"status\":400,"
            + "\"detail\":\"the body is not valid JSON: Unexpected end-of-input within/between Object entries at line 1, column 6\","
            + "\"instance\":\"/v1/cache/demo/k\"}";
    static final String UNSUPPORTED_JSON = "{\"type\":\"urn:pgcache:problem:unsupported-json\",\"title\":\"Bad request\",\"status\":400,"
            + "\"detail\":\"a string at line 1, column 11 contains \\\\u0000, which PostgreSQL jsonb cannot store; remove it or encode the data "
            + "(for example as base64)\",\"instance\":\"/v1/cache/demo/k\"}";
    static final String JSON_TOO_COMPLEX = "{\"type\":\"urn:pgcache:problem:json-too-complex\",\"title\":\"Bad request\",\"status\":400,"
            + "\"detail\":\"Document nesting depth (65) exceeds the maximum allowed (64, from `StreamReadConstraints.getMaxNestingDepth()`) "
            + "(limit pgcache.limits.max-json-depth=64)\",\"instance\":\"/v1/cache/demo/k\"}";
    static final String INVALID_VALUE = "{\"type\":\"urn:pgcache:problem:invalid-value\",\"title\":\"Bad request\",\"status\":400,"
            + "\"detail\":\"PostgreSQL cannot store this value: ERROR: value overflows numeric format\",\"instance\":\"/v1/cache/demo/k\"}";
    static final String INVALID_INVALIDATION = "{\"type\":\"urn:pgcache:problem:invalid-invalidation\",\"title\":\"Bad request\",\"status\":400,"
            + "\"detail\":\"give either prefix or tag, not both\",\"instance\":\"/v1/cache/demo\"}";
    static final String INVALID_LIMIT = "{\"type\":\"urn:pgcache:problem:invalid-limit\",\"title\":\"Bad request\",\"status\":400,"
            + "\"detail\":\"limit must be a whole number from 1 to 1000\",\"instance\":\"/v1/cache/demo\"}";
    static final String INVALID_CURSOR = "{\"type\":\"urn:pgcache:problem:invalid-cursor\",\"title\":\"Bad request\",\"status\":400,"
            + "\"detail\":\"after must be the next cursor of a previous page\",\"instance\":\"/v1/cache/demo\"}";
    static final String INVALID_BATCH = "{\"type\":\"urn:pgcache:problem:invalid-batch\",\"title\":\"Bad request\",\"status\":400,"
            + "\"detail\":\"entries[1].key 'a' appears more than once in the batch\",\"instance\":\"/v1/cache/demo/batch-put\"}";
    static final String CACHE_MISS = "{\"type\":\"urn:pgcache:problem:cache-miss\",\"title\":\"Not found\",\"status\":404,"
            + "\"detail\":\"no live entry for key 'head' in namespace 'demo' with revision 6 or higher\",\"instance\":\"/v1/cache/demo/head\"}";
    static final String NOT_FOUND = "{\"type\":\"urn:pgcache:problem:not-found\",\"title\":\"Not found\",\"status\":404,"
            + "\"detail\":\"no live entry for key 'absent' in namespace 'demo'\",\"instance\":\"/v1/cache/demo/absent\"}";
    static final String UNKNOWN_NAMESPACE = "{\"type\":\"urn:pgcache:problem:unknown-namespace\",\"title\":\"Unknown namespace\",\"status\":404,"
            + "\"detail\":\"namespace 'orders' is not declared (pgcache.namespaces.orders.*) and pgcache.allow-undeclared-namespaces is false\","
            + "\"instance\":\"/v1/cache/orders/k\"}";
    static final String NOT_ACCEPTABLE = "{\"type\":\"urn:pgcache:problem:not-acceptable\",\"title\":\"Not Acceptable\",\"status\":406,"
            + "\"detail\":\"The accept header value did not match the value in @Produces\",\"instance\":\"/v1/stats\"}";
    static final String REVISION_CONFLICT = "{\"type\":\"urn:pgcache:problem:revision-conflict\",\"title\":\"Conflict\",\"status\":409,"
            + "\"detail\":\"the stored entry for key 'head' has revision 10, higher than this write's revision 9; nothing was written\","
            + "\"instance\":\"/v1/cache/demo/head\"}";
    static final String PRECONDITION_FAILED = "{\"type\":\"urn:pgcache:problem:precondition-failed\",\"title\":\"Precondition failed\",\"status\":412,"
            + "\"detail\":\"the precondition failed: the live entry for key 'counter' has version 3\",\"instance\":\"/v1/cache/demo/counter\"}";
    static final String VALUE_TOO_LARGE = "{\"type\":\"urn:pgcache:problem:payload-too-large\",\"title\":\"Request body too large\",\"status\":413,"
            + "\"detail\":\"the value is 2000000 bytes; the limit is 1048576 bytes (pgcache.limits.max-value-size)\",\"instance\":\"/v1/cache/demo/big\"}";
    static final String BATCH_TOO_LARGE = "{\"type\":\"urn:pgcache:problem:payload-too-large\",\"title\":\"Request body too large\",\"status\":413,"
            + "\"detail\":\"more than 1000 entries in one batch (pgcache.limits.max-batch-size)\",\"instance\":\"/v1/cache/demo/batch-put\"}";
    static final String BATCH_GET_ANSWER_TOO_LARGE = "{\"type\":\"urn:pgcache:problem:answer-too-large\",\"title\":\"Answer too large\","
            + "\"status\":413,\"detail\":\"the answer with the values of these 100 keys would be 104871492 bytes; the largest answer is "
            + "16777216 bytes (pgcache.limits.max-answer-size); ask for fewer keys at a time\",\"instance\":\"/v1/cache/demo/batch-get\"}";
    static final String UNSUPPORTED_NUMBER = "{\"type\":\"urn:pgcache:problem:unsupported-json\",\"title\":\"Bad request\",\"status\":400,"
            + "\"detail\":\"the number 1e131071 at line 1, column 2 would be stored and read back as 131072 characters: PostgreSQL keeps "
            + "JSON numbers as numeric, in plain decimal form, and pgcache stores numbers of at most 1000 characters; send it as a JSON "
            + "string\",\"instance\":\"/v1/cache/demo/exp\"}";
    static final String VALUE_GROWS_TOO_LARGE = "{\"type\":\"urn:pgcache:problem:payload-too-large\",\"title\":\"Request body too large\","
            + "\"status\":413,\"detail\":\"the value is 6603 bytes as sent, but 1101103 bytes as PostgreSQL stores and returns it (it "
            + "writes numbers in exponent form out in full); the limit is 1048576 bytes (pgcache.limits.max-value-size)\","
            + "\"instance\":\"/v1/cache/demo/many\"}";
    static final String UNSUPPORTED_MEDIA_TYPE = "{\"type\":\"urn:pgcache:problem:unsupported-media-type\",\"title\":\"Unsupported Media Type\","
            + "\"status\":415,\"detail\":\"Content-Type 'application/x-www-form-urlencoded' is not JSON; send application/json\","
            + "\"instance\":\"/v1/cache/demo/t\"}";
    static final String UNAUTHORIZED = "{\"type\":\"urn:pgcache:problem:unauthorized\",\"title\":\"Unauthorized\",\"status\":401,"
            + "\"detail\":\"send an API key as 'Authorization: Bearer <secret>'\",\"instance\":\"/v1/cache/demo/k\"}";
    static final String FORBIDDEN_READ = "{\"type\":\"urn:pgcache:problem:forbidden\",\"title\":\"Forbidden\",\"status\":403,"
            + "\"detail\":\"the key 'reader' lacks the read scope on namespace 'demo'\",\"instance\":\"/v1/cache/demo/k\"}";
    static final String FORBIDDEN_WRITE = "{\"type\":\"urn:pgcache:problem:forbidden\",\"title\":\"Forbidden\",\"status\":403,"
            + "\"detail\":\"the key 'reader' lacks the write scope on namespace 'blocks-1'\",\"instance\":\"/v1/cache/blocks-1/k\"}";
    static final String FORBIDDEN_ADMIN = "{\"type\":\"urn:pgcache:problem:forbidden\",\"title\":\"Forbidden\",\"status\":403,"
            + "\"detail\":\"the key 'reader' lacks the admin scope\",\"instance\":\"/v1/stats\"}";
    static final String RATE_LIMITED = "{\"type\":\"urn:pgcache:problem:rate-limited\",\"title\":\"Too many requests\",\"status\":429,"
            + "\"detail\":\"the key 'reader' is over its rate limit; retry after 1 s\",\"instance\":\"/v1/cache/blocks-1/k\"}";
    static final String INTERNAL_ERROR = "{\"type\":\"urn:pgcache:problem:internal-error\",\"title\":\"Internal server error\",\"status\":500,"
            + "\"detail\":\"pgcache failed to handle this request; the error is in the service log\",\"instance\":\"/v1/cache/demo\"}";
    static final String DATABASE_UNAVAILABLE = "{\"type\":\"urn:pgcache:problem:database-unavailable\",\"title\":\"Service unavailable\",\"status\":503,"
            + "\"detail\":\"the database is unavailable or did not answer in time; retry after 2 s (single writes are atomic, and every operation "
            + "is safe to repeat)\",\"instance\":\"/v1/cache/demo/c\"}";

    static final String SERVER_BUSY_ANSWER = "{\"type\":\"urn:pgcache:problem:server-busy\",\"title\":\"Server busy\",\"status\":503,"
            + "\"detail\":\"other large request bodies and answers are being handled (pgcache.limits.max-in-flight-body-size, 16777216 "
            + "bytes in all); this answer of 12584572 bytes does not fit, and nothing was done with it; retry after 1 s\","
            + "\"instance\":\"/v1/cache/demo/batch-get\"}";

    private ApiExamples() {
    }

    // --- shapes of the answers, for the schemas in the document only ---------------------------

    @Schema(name = "BatchGetRequest")
    record BatchGetRequest(@Schema(description = "at most pgcache.limits.max-batch-size (1000) keys", maxItems = 1000) List<String> keys) {
    }

    @Schema(name = "BatchGetAnswer", description = "One item per key asked, in the order asked")
    record BatchGetAnswer(List<BatchGetItem> entries, int hits, int misses) {
    }

    @Schema(name = "BatchGetItem", description = "A key's value and state, or a miss (then only key and state)")
    record BatchGetItem(String key, @Schema(enumeration = { "fresh", "stale", "miss" }) String state, Long version,
            @Schema(description = "present when the entry has a revision") Long revision,
            @Schema(description = "seconds since the value was written") Long age,
            @Schema(nullable = true) Instant expiresAt,
            @Schema(description = "the stored JSON value, any JSON type") Object value) {
    }

    @Schema(name = "BatchPutRequest")
    record BatchPutRequest(@Schema(description = "at most pgcache.limits.max-batch-size (1000) entries, each key once", maxItems = 1000)
            List<BatchPutEntry> entries) {
    }

    @Schema(name = "BatchPutEntry", requiredProperties = { "key", "value" })
    record BatchPutEntry(String key,
            @Schema(description = "any JSON value, stored as sent (numbers keep every digit)") Object value,
            @Schema(description = "as the ttl query parameter of a PUT; a number is seconds. Default: the namespace's") String ttl,
            @Schema(description = "as the stale query parameter of a PUT. Default: the namespace's") String stale,
            List<String> tags,
            @Schema(description = "as X-Revision on a PUT: a lower revision than the stored live one refuses this entry", nullable = true)
            Long revision) {
    }

    @Schema(name = "BatchPutAnswer", description = "One result per entry, in the order sent")
    record BatchPutAnswer(List<BatchPutResult> results, long written, long refused) {
    }

    @Schema(name = "BatchPutResult", description = "created / replaced carry version and lifetime; refused carries reason and storedRevision")
    record BatchPutResult(String key, @Schema(enumeration = { "created", "replaced", "refused" }) String outcome, Long version,
            Instant expiresAt, Instant staleUntil, String reason, Long storedRevision) {
    }
}
