package dev.pgcache.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.pgcache.protocol.Problem;
import dev.pgcache.memory.MemoryBudget;
import dev.pgcache.testing.Namespaces;
import dev.pgcache.testing.TestDatabase;
import dev.pgcache.testing.WellBehavedClient;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;

/**
 * A batch-get cannot make the service build more than pgcache.limits.max-answer-size (16 MiB by
 * default) nor more answers at once than the memory budget holds: a key asked twice is refused,
 * an answer over the limit is refused with its size before any value is read, and an answer the
 * budget cannot hold now is a 503. Meanwhile other callers go on being answered. Against the
 * real table, with the service's default limits.
 */
@QuarkusTest
class AnswerBoundsTest {

    private static final int MIB = 1024 * 1024;
    /** A JSON string of almost 1 MiB (MIB - 98 bytes): the largest kind of value a caller may store. */
    private static final String BIG = "\"" + "v".repeat(MIB - 100) + "\"";

    @Inject
    MemoryBudget budget;

    private String ns;

    @BeforeEach
    void bigEntries() {
        ns = Namespaces.fresh("answers");
        given().contentType(ContentType.JSON).body(BIG).put("/v1/cache/" + ns + "/big-0").then().statusCode(201);
        // 19 more rows like it, copied in the table rather than sent 19 times
        TestDatabase.execute("INSERT INTO pgcache.cache_entry (namespace, cache_key, value, expires_at, size_bytes) "
                + "SELECT namespace, 'big-' || i, value, expires_at, size_bytes FROM pgcache.cache_entry, generate_series(1, 19) AS i "
                + "WHERE namespace = ? AND cache_key = 'big-0'", ns);
        given().contentType(ContentType.JSON).body("{\"small\": true}").put("/v1/cache/" + ns + "/small").then().statusCode(201);
    }

    private ValidatableResponse batchGet(List<String> keys) {
        StringBuilder body = new StringBuilder("{\"keys\":[");
        for (int i = 0; i < keys.size(); i++) {
            body.append(i == 0 ? "" : ",").append('"').append(keys.get(i)).append('"');
        }
        return given().contentType(ContentType.JSON).body(body.append("]}").toString()).post("/v1/cache/" + ns + "/batch-get").then();
    }

    private static List<String> bigKeys(int n) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            keys.add("big-" + i);
        }
        return keys;
    }

    @Test
    void aKeyAskedTwiceIsRefused() {
        List<String> same = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            same.add("big-0");
        }
        batchGet(same).statusCode(400).contentType(Problem.MEDIA_TYPE)
                .body("type", equalTo("urn:pgcache:problem:invalid-batch"),
                        "detail", equalTo("keys[1] 'big-0' was already asked as keys[0]; ask for each key once"));
    }

    @Test
    void anAnswerOverTheLimitIsRefusedWithItsSize() {
        String detail = batchGet(bigKeys(20)).statusCode(413).contentType(Problem.MEDIA_TYPE)
                .body("type", equalTo("urn:pgcache:problem:answer-too-large"), "title", equalTo("Answer too large"),
                        "detail", containsString("the largest answer is 16777216 bytes (pgcache.limits.max-answer-size); "
                                + "ask for fewer keys at a time"))
                .extract().path("detail");
        Matcher m = Pattern.compile("the answer with the values of these 20 keys would be (\\d+) bytes").matcher(detail);
        assertTrue(m.find(), detail);
        long said = Long.parseLong(m.group(1));
        assertTrue(said >= 20L * (MIB - 100) && said < 20L * MIB + 20 * 1000, "the size said is the values' and a little more: " + said);
    }

    @Test
    void anAnswerWithinTheLimitIsAnsweredWhole() {
        batchGet(bigKeys(10)).statusCode(200).body("entries", hasSize(10), "hits", is(10),
                "entries[9].key", is("big-9"), "entries[9].value.length()", is(MIB - 100));
    }

    @Test
    void anAnswerTheBudgetCannotHoldNowIsA503AndSmallAnswersStillPass() {
        try (MemoryBudget.Lease held = budget.take(budget.capacityBytes() - 4 * MIB, "a test's share")) {
            batchGet(bigKeys(5)).statusCode(503).contentType(Problem.MEDIA_TYPE).header("Retry-After", "1")
                    .body("type", equalTo("urn:pgcache:problem:server-busy"),
                            "detail", containsString("(pgcache.limits.max-in-flight-body-size, 16777216 bytes in all); this answer of"));
            batchGet(List.of("small", "big-0")).statusCode(200).body("hits", is(2));
            batchGet(List.of("small")).statusCode(200).body("entries[0].value.small", is(true));
        }
        batchGet(bigKeys(5)).statusCode(200).body("hits", is(5));
    }

    @Test
    void otherCallersAreAnsweredWhileOneKeyAbusesBatchGet() throws Exception {
        URI small = URI.create("http://localhost:" + RestAssured.port + "/v1/cache/" + ns + "/small");
        List<String> same = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            same.add("big-0");
        }
        try (WellBehavedClient other = WellBehavedClient.reading(small)) {
            List<List<Integer>> statuses = other.whileAbusing(4, () -> {
                List<Integer> seen = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    seen.add(batchGet(same).extract().statusCode());
                    seen.add(batchGet(bigKeys(20)).extract().statusCode());
                }
                return seen;
            });
            for (List<Integer> seen : statuses) {
                for (int i = 0; i < seen.size(); i++) {
                    assertEquals(i % 2 == 0 ? 400 : 413, seen.get(i), "abusive batch-get " + i + " was refused");
                }
            }
            assertEquals(List.of(), other.failures(), "the other caller's reads all succeeded");
            assertTrue(other.succeeded() > 3);
        }
    }
}
