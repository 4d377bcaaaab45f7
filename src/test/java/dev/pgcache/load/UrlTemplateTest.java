package dev.pgcache.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.pgcache.protocol.ProblemException;

class UrlTemplateTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''                                   | is empty",
            "http://node:8080/blocks/             | has no {key}",
            "ftp://node/{key}                     | must start with http:// or https://",
            "/blocks/{key}                        | must start with http:// or https://",
            "node:8080/blocks/{key}               | must start with http:// or https://",
            "http://{key}.example/x               | has {key} in the scheme, host or port",
            "http://node:{key}/x                  | has {key} in the scheme, host or port",
            "http://node{key}                     | has {key} in the scheme, host or port",
            "http://user:pw@node/{key}            | has user information",
            "http://node/{key}#frag               | has a fragment",
            "http://node/{id}/{key}               | has braces other than {key}",
            "http://node/{key}}                   | has braces other than {key}",
            "http://no de/{key}                   | is not a valid URL",
            "http:///{key}                        | has no valid host name" })
    void badTemplatesAreRefusedWithAReason(String template, String reason) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> UrlTemplate.parse(template));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    @Test
    void goodTemplatesExpandWithTheKeyEncoded() {
        assertEquals("http://node:8080/blocks/a%2Fb", UrlTemplate.parse("http://node:8080/blocks/{key}").expand("a/b").toString());
        assertEquals("https://node/q?id=a%26b%3D1&x=1", UrlTemplate.parse("https://node/q?id={key}&x=1").expand("a&b=1").toString());
        assertEquals("http://node/k/x.json?again=x", UrlTemplate.parse("http://node/k/{key}.json?again={key}").expand("x").toString());
        assertEquals("http://node:8080", UrlTemplate.parse("http://node:8080/blocks/{key}").origin());
        assertEquals("HTTP://node/%E2%82%AC", UrlTemplate.parse("HTTP://node/{key}").expand("€").toString());
    }

    @Test
    void everyByteOutsideUnreservedIsEncoded() {
        assertEquals("AZaz09-._~", UrlTemplate.encode("AZaz09-._~"));
        assertEquals("%2F%3F%23%40%25%3A%26%3D%2B%20%5C%2C%3B", UrlTemplate.encode("/?#@%:&=+ \\,;"));
        assertEquals("..%2F..%2Fadmin", UrlTemplate.encode("../../admin"));
        assertEquals("%252F", UrlTemplate.encode("%2F"));
    }

    @Test
    void dotSegmentKeysAreRefusedWhereTheyWouldMoveUpThePath() {
        UrlTemplate wholeSegment = UrlTemplate.parse("http://node/blocks/{key}/raw");
        assertThrows(ProblemException.class, () -> wholeSegment.expand(".."));
        assertThrows(ProblemException.class, () -> wholeSegment.expand("."));
        assertEquals("http://node/blocks/...x/raw", wholeSegment.expand("...x").toString());
        assertEquals("http://node/blocks/b-...json", UrlTemplate.parse("http://node/blocks/b-{key}.json").expand("..").toString());
        assertEquals("http://node/q?id=..", UrlTemplate.parse("http://node/q?id={key}").expand("..").toString());
    }
}
