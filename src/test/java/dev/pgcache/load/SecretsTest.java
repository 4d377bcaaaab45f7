package dev.pgcache.load;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.pgcache.testing.UpstreamControl;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Upstream credentials come from config expressions (here ${test.upstream.secret}; in production
 * ${SOME_ENV_VAR}), reach the upstream, and appear nowhere else: not in answers, problem details,
 * metrics or logs, even when the upstream echoes them back in an error.
 */
@QuarkusTest
class SecretsTest {

    private final UpstreamControl upstream = UpstreamControl.fromConfig();
    private final String secret = ConfigProvider.getConfig().getValue("test.upstream.secret", String.class);
    private final List<String> logged = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            logged.add(r.getLoggerName() + " " + r.getMessage() + " " + java.util.Arrays.toString(r.getParameters())
                    + (r.getThrown() == null ? "" : " " + r.getThrown()));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureLogs() {
        Logger.getLogger("").addHandler(capture);
    }

    @AfterEach
    void stopCapturing() {
        Logger.getLogger("").removeHandler(capture);
    }

    @Test
    void configuredHeadersReachTheUpstreamWithTheirExpressionsExpanded() {
        String key = Keys.fresh("secret-ok");
        given().get("/v1/cache/rt-secret/" + key).then().statusCode(200).body(not(containsString(secret)))
                .header("Authorization", org.hamcrest.Matchers.nullValue());
        Map<?, ?> headers = (Map<?, ?>) upstream.requests(key).get(0).get("headers");
        assertEquals("Bearer " + secret, headers.get("authorization"));
        assertEquals(secret, headers.get("x-api-key"));
        assertEquals("application/json", headers.get("accept"));
    }

    @Test
    void secretsEchoedByAFailingUpstreamAreNotPassedOn() {
        String echoed = Keys.fresh("secret-echo");
        upstream.answer(echoed, 500, "{\"error\":\"bad token Bearer " + secret + "\"}", "application/json");
        String notJson = Keys.fresh("secret-html");
        upstream.answer(notJson, 200, "Bearer " + secret, "application/json");
        String redirect = Keys.fresh("secret-redirect");
        upstream.script(redirect, new dev.pgcache.testing.UpstreamServer.Script(302, "", "text/plain",
                Map.of("Location", "http://127.0.0.1:1/?token=" + secret), null, null, null));

        for (String key : List.of(echoed, notJson, redirect)) {
            String answer = given().get("/v1/cache/rt-secret/" + key).then().statusCode(502).extract().asString();
            assertFalse(answer.contains(secret), answer);
            assertTrue(answer.contains("rt-secret"), answer);
        }
        given().get("/q/metrics").then().body(not(containsString(secret)));
        assertFalse(logged.isEmpty(), "the failures were logged");
        for (String line : logged) {
            assertFalse(line.contains(secret), line);
        }
    }
}
