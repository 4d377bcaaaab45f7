package dev.pgcache.api;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.pgcache.protocol.ProblemException;

/**
 * An {@code If-Match} or {@code If-None-Match} header (RFC 9110 §13.1): {@code *} or a list of
 * entity tags. pgcache's tags are entry versions, so only tags that hold a number can ever match.
 *
 * @param any            the header was {@code *}
 * @param strongVersions versions named by strong tags ("5"), for If-Match's strong comparison
 * @param allVersions    versions named by strong or weak tags (W/"5"), for If-None-Match's weak comparison
 */
record EntityTags(boolean any, Set<Long> strongVersions, Set<Long> allVersions) {

    private static final Pattern TAG = Pattern.compile("\\s*(W/)?\"([^\"]*)\"\\s*(,|$)");

    /** Null when the header is absent; 400 when it is not a valid entity-tag list. */
    static EntityTags parse(String header, String name) {
        if (header == null) {
            return null;
        }
        String h = header.trim();
        if (h.equals("*")) {
            return new EntityTags(true, Set.of(), Set.of());
        }
        Set<Long> strong = new LinkedHashSet<>();
        Set<Long> all = new LinkedHashSet<>();
        Matcher m = TAG.matcher(h);
        int at = 0;
        while (at < h.length()) {
            if (!m.find(at) || m.start() != at) {
                throw ProblemException.badRequest("invalid-precondition",
                        name + " must be * or a list of entity tags such as \"42\" or W/\"42\"");
            }
            Long version = versionOf(m.group(2));
            if (version != null) {
                all.add(version);
                if (m.group(1) == null) {
                    strong.add(version);
                }
            }
            at = m.end();
        }
        if (all.isEmpty() && h.isEmpty()) {
            throw ProblemException.badRequest("invalid-precondition", name + " is empty");
        }
        return new EntityTags(false, strong, all);
    }

    private static Long versionOf(String opaque) {
        if (opaque.isEmpty() || opaque.length() > 19 || !opaque.chars().allMatch(Character::isDigit)) {
            return null;
        }
        return Long.parseLong(opaque);
    }

    /** Weak comparison, as If-None-Match uses. */
    boolean matchesWeakly(long version) {
        return any || allVersions.contains(version);
    }
}
