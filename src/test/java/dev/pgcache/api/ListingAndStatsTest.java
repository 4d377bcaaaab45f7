package dev.pgcache.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.pgcache.testing.Namespaces;
import dev.pgcache.testing.Rows;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

@QuarkusTest
class ListingAndStatsTest {

    private String ns;

    @BeforeEach
    void freshNamespace() {
        ns = Namespaces.fresh("list");
    }

    private void put(String key) {
        given().contentType(ContentType.JSON).body("{\"k\":1}").urlEncodingEnabled(false).put("/v1/cache/" + ns + "/" + key)
                .then().statusCode(201);
    }

    @Test
    void listsKeysWithMetadataInPagesWithoutValues() {
        for (String k : new String[] { "b", "a", "c%2Fd", "a1", "%E2%82%AC" }) {
            put(k);
        }
        JsonPath page1 = given().queryParam("limit", 2).get("/v1/cache/" + ns).then().statusCode(200)
                .body("items", hasSize(2), "items[0].key", is("a"), "items[1].key", is("a1"),
                        "items[0].state", is("fresh"), "items[0].sizeBytes", is(8), "items[0].version", notNullValue(),
                        "items[0].value", nullValue(), "next", notNullValue())
                .extract().jsonPath();
        JsonPath page2 = given().queryParam("limit", 2).queryParam("after", page1.getString("next")).get("/v1/cache/" + ns)
                .then().statusCode(200).body("items.key", is(List.of("b", "c/d"))).extract().jsonPath();
        given().queryParam("limit", 2).queryParam("after", page2.getString("next")).get("/v1/cache/" + ns)
                .then().statusCode(200).body("items.key", is(List.of("€")), "next", nullValue());
        given().queryParam("prefix", "a").get("/v1/cache/" + ns).then().body("items.key", is(List.of("a", "a1")));
    }

    @Test
    void listingSkipsGoneEntriesAndShowsStaleOnes() {
        Rows.insertGone(ns, 3);
        Rows.insertStale(ns, 2);
        given().get("/v1/cache/" + ns).then().statusCode(200).body("items", hasSize(2), "items[0].state", is("stale"));
    }

    @Test
    void badListingParametersAre400() {
        given().queryParam("limit", 0).get("/v1/cache/" + ns).then().statusCode(400).body("type", is("urn:pgcache:problem:invalid-limit"));
        given().queryParam("limit", 1001).get("/v1/cache/" + ns).then().statusCode(400);
        given().queryParam("limit", "many").get("/v1/cache/" + ns).then().statusCode(400);
        given().queryParam("after", "!!!").get("/v1/cache/" + ns).then().statusCode(400).body("type", is("urn:pgcache:problem:invalid-cursor"));
    }

    @Test
    void paginationIsStableUnderConcurrentWrites() throws Exception {
        Set<String> original = new HashSet<>();
        StringBuilder batch = new StringBuilder("{\"entries\":[");
        for (int i = 0; i < 500; i++) {
            String key = String.format("key-%04d", i);
            original.add(key);
            batch.append(i == 0 ? "" : ",").append("{\"key\":\"").append(key).append("\",\"value\":").append(i).append('}');
        }
        given().contentType(ContentType.JSON).body(batch.append("]}").toString()).post("/v1/cache/" + ns + "/batch-put").then().statusCode(200);

        AtomicBoolean writing = new AtomicBoolean(true);
        ExecutorService writer = Executors.newSingleThreadExecutor();
        Future<?> churn = writer.submit(() -> {
            for (int i = 0; writing.get(); i++) {
                // new keys land between existing ones and existing ones are rewritten while we page
                given().contentType(ContentType.JSON).body("1").put("/v1/cache/" + ns + "/key-" + String.format("%04d", i % 500) + "-new");
                given().contentType(ContentType.JSON).body("2").put("/v1/cache/" + ns + "/key-" + String.format("%04d", (i * 7) % 500));
            }
        });
        List<String> seen = new ArrayList<>();
        String after = null;
        do {
            var req = given().queryParam("limit", 37);
            if (after != null) {
                req = req.queryParam("after", after);
            }
            JsonPath page = req.get("/v1/cache/" + ns).then().statusCode(200).extract().jsonPath();
            seen.addAll(page.getList("items.key"));
            after = page.getString("next");
        } while (after != null);
        writing.set(false);
        churn.get();
        writer.shutdown();

        assertEquals(seen.size(), new HashSet<>(seen).size(), "no key appears twice");
        assertEquals(seen.stream().sorted().toList(), seen, "keys come in order");
        org.junit.jupiter.api.Assertions.assertTrue(seen.containsAll(original), "every key that existed throughout is listed");
    }

    @Test
    void namespacesShowCountsByStateAndPolicy() {
        Rows.insertFresh(ns, 4);
        Rows.insertStale(ns, 2);
        Rows.insertGone(ns, 1);
        given().get("/v1/namespaces").then().statusCode(200)
                .body("namespaces.name", hasItem(ns))
                .body("namespaces.find { it.name == '" + ns + "' }.entries", is(7))
                .body("namespaces.find { it.name == '" + ns + "' }.fresh", is(4))
                .body("namespaces.find { it.name == '" + ns + "' }.stale", is(2))
                .body("namespaces.find { it.name == '" + ns + "' }.gone", is(1))
                .body("namespaces.find { it.name == '" + ns + "' }.bytes", is(28))
                .body("namespaces.find { it.name == '" + ns + "' }.declared", is(false))
                .body("namespaces.find { it.name == '" + ns + "' }.policy.ttlSeconds", is(3600));
    }

    @Test
    void statsCountSinceStartWithHitRatio() {
        put("a");
        given().get("/v1/cache/" + ns + "/a").then().statusCode(200);
        given().get("/v1/cache/" + ns + "/a").then().statusCode(200);
        given().get("/v1/cache/" + ns + "/a").then().statusCode(200);
        given().get("/v1/cache/" + ns + "/zz").then().statusCode(404);
        given().delete("/v1/cache/" + ns + "/a").then().statusCode(204);
        JsonPath stats = given().get("/v1/stats").then().statusCode(200).body("since", notNullValue()).extract().jsonPath();
        Map<String, Object> mine = stats.getMap("namespaces.'" + ns + "'");
        assertEquals(3, mine.get("hits"));
        assertEquals(1, mine.get("misses"));
        assertEquals(0, mine.get("staleHits"));
        assertEquals(1, mine.get("writes"));
        assertEquals(1, mine.get("invalidations"));
        assertEquals(0.75f, ((Number) mine.get("hitRatio")).floatValue());
    }
}
