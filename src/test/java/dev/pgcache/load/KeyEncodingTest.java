package dev.pgcache.load;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.pgcache.testing.UpstreamControl;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Keys built to move the upstream request elsewhere: up the path, into a query or fragment, into
 * the authority, through a pre-encoded escape. Each must reach the configured upstream, at the
 * template's path, as one percent-encoded path segment (or one query value).
 */
@QuarkusTest
class KeyEncodingTest {

    private final UpstreamControl upstream = UpstreamControl.fromConfig();

    /** The caller's key is sent to pgcache percent-encoded as one path segment, as the API asks. */
    private static String inPath(String key) {
        return URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @ParameterizedTest
    @ValueSource(strings = { "../admin", "../../etc/passwd", "a/../../b", "..%2Fadmin", "%2F", "%252F", "@evil.example",
            "user@evil.example:80", "x?admin=1", "x#frag", "x&fixed=2", "x=1", "a b+c", "\\..\\x", "é/ü", ";a=b", "%00" })
    void attackKeysStayOnePathSegmentAtTheConfiguredUpstream(String attack) {
        String key = Keys.fresh("enc") + attack;
        given().urlEncodingEnabled(false).get("/v1/cache/rt/" + inPath(key)).then().statusCode(200).body("key", is(key));
        List<Map<String, Object>> seen = upstream.requests(key);
        assertEquals(1, seen.size(), "the configured upstream got the request");
        String raw = (String) seen.get(0).get("rawUri");
        assertEquals("/values/" + UrlTemplate.encode(key), raw);
        String segment = raw.substring("/values/".length());
        assertTrue(segment.matches("[A-Za-z0-9._~%-]+"), raw + " is one path segment of unreserved characters and escapes");
        assertEquals(upstream.baseUrl().substring("http://".length()), seen.get(0).get("host"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "x&fixed=2", "x#frag", "x?y", "../admin", "a b+c", "%26" })
    void attackKeysStayOneQueryValue(String attack) {
        String key = Keys.fresh("encq") + attack;
        given().urlEncodingEnabled(false).get("/v1/cache/rt-query/" + inPath(key)).then().statusCode(200).body("key", is(key));
        String raw = (String) upstream.requests(key).get(0).get("rawUri");
        assertEquals("/q?id=" + UrlTemplate.encode(key) + "&fixed=1", raw);
    }
}
