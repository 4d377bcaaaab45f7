package dev.pgcache.api;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The front door's shortcut past java.net.URI (RequestHead.plainPath) takes only targets URI reads. */
class PlainTargetTest {

    @ParameterizedTest
    @ValueSource(strings = { "/v1/cache/bench/k42", "/v1/cache/ns/a%2Fb", "/q/health/ready", "/a/", "/x.y_z~-1", "/%e2%82%AC" })
    void plainPathsTakeTheShortcut(String target) {
        assertTrue(RequestHead.plainPath(target), target);
        assertDoesNotThrow(() -> new URI(target));
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "/", "//x", "/a//b", "x/a", "/a?b=1", "/a b", "/a%2", "/a%G0", "/a%\u0663\u0663", "/a#b", "/a;b",
            "/é", "/a|b", "/a[1]", "/a{b}", "/a\\b", "/a\"b", "/a<b>", "/a^b", "/a`b", "/a:b", "/a@b", "/a+b", "/a!b" })
    void anythingElseIsReadByUri(String target) {
        assertFalse(RequestHead.plainPath(target), target);
    }

    /** Random targets over characters URI treats differently: whatever the shortcut takes, URI reads. */
    @Test
    void everyTargetTheShortcutTakesIsOneUriReads() throws URISyntaxException {
        String alphabet = "/%aZ09-._~?#;:@!$&'()*+,=[]{}|\\^`\"<> \u0663é";
        Random random = new Random(15);
        int taken = 0;
        for (int i = 0; i < 200_000; i++) {
            StringBuilder target = new StringBuilder(random.nextBoolean() ? "/" : "");
            for (int n = random.nextInt(8); n > 0; n--) {
                target.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            if (RequestHead.plainPath(target.toString())) {
                taken++;
                new URI(target.toString()); // throws if the shortcut took a target URI refuses
                RequestHead.checkSyntax(target.toString());
            }
        }
        assertTrue(taken > 1000, "the random targets exercised the shortcut only " + taken + " times");
    }
}
