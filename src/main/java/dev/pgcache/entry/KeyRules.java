package dev.pgcache.entry;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.regex.Pattern;

import jakarta.inject.Singleton;

import dev.pgcache.protocol.ProblemException;
import dev.pgcache.protocol.Utf8;
import dev.pgcache.config.PgcacheConfig;

/**
 * What a namespace, a key and a tag may be. Namespaces are short lowercase names, because
 * they appear in config keys, metric tags and URLs. Keys are any UTF-8 text but NUL (which
 * PostgreSQL text cannot hold), up to a byte limit that keeps the primary key index compact.
 */
@Singleton // on the GET hit path: no client proxy between it and its callers (docs/architecture.md, "Beans")
public class KeyRules {

    public static final String NAMESPACE_PATTERN = "[a-z0-9][a-z0-9._-]{0,63}";
    private static final Pattern NAMESPACE = Pattern.compile(NAMESPACE_PATTERN);

    private final int maxKeyBytes;
    private final int maxTags;
    private final int maxTagBytes;

    KeyRules(PgcacheConfig config) {
        this.maxKeyBytes = config.limits().maxKeyBytes();
        this.maxTags = config.limits().maxTags();
        this.maxTagBytes = config.limits().maxTagBytes();
    }

    public String checkNamespace(String namespace) {
        if (namespace == null || !isNamespace(namespace)) {
            throw ProblemException.badRequest("invalid-namespace", "namespace '" + printable(namespace)
                    + "' does not match " + NAMESPACE_PATTERN
                    + " (lowercase letters, digits, '.', '_' and '-', starting with a letter or digit, at most 64 characters)");
        }
        return namespace;
    }

    /**
     * Whether the text matches {@link #NAMESPACE_PATTERN}, checked by hand: this runs on every request,
     * where the regular expression cost more than the rest of the check (KeyRulesTest holds both to agree).
     */
    static boolean isNamespace(String s) {
        int n = s.length();
        if (n < 1 || n > 64) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            boolean alnum = c >= 'a' && c <= 'z' || c >= '0' && c <= '9';
            if (!alnum && (i == 0 || c != '.' && c != '_' && c != '-')) {
                return false;
            }
        }
        return true;
    }

    /** For KeyRulesTest: the pattern {@link #isNamespace} stands for. */
    static boolean matchesNamespacePattern(String s) {
        return NAMESPACE.matcher(s).matches();
    }

    public String checkKey(String key) {
        if (key == null || key.isEmpty()) {
            throw ProblemException.badRequest("invalid-key", "the key is empty");
        }
        long bytes = Utf8.length(key); // what getBytes(UTF_8).length says, without the copy
        if (bytes > maxKeyBytes) {
            throw ProblemException.badRequest("invalid-key",
                    "the key is " + bytes + " bytes long in UTF-8; the limit is " + maxKeyBytes + " bytes");
        }
        if (key.indexOf('\0') >= 0) {
            throw ProblemException.badRequest("invalid-key", "the key contains a NUL character (U+0000), which cannot be stored");
        }
        requireUnicode(key, "invalid-key", "the key");
        return key;
    }

    public EntryId checkId(String namespace, String key) {
        return new EntryId(checkNamespace(namespace), checkKey(key));
    }

    /** Checks each tag and drops duplicates, keeping the first-seen order. */
    public List<String> checkTags(List<String> tags) {
        if (tags == null || tags.isEmpty()) {
            return List.of();
        }
        LinkedHashSet<String> unique = new LinkedHashSet<>();
        for (String tag : tags) {
            unique.add(checkTag(tag));
        }
        if (unique.size() > maxTags) {
            throw ProblemException.badRequest("invalid-tag", unique.size() + " tags given; at most " + maxTags + " are allowed per entry");
        }
        return new ArrayList<>(unique);
    }

    public String checkTag(String tag) {
        if (tag == null || tag.isEmpty()) {
            throw ProblemException.badRequest("invalid-tag", "a tag is empty");
        }
        int bytes = tag.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > maxTagBytes) {
            throw ProblemException.badRequest("invalid-tag", "a tag is " + bytes + " bytes long; the limit is " + maxTagBytes + " bytes");
        }
        if (tag.indexOf('\0') >= 0) {
            throw ProblemException.badRequest("invalid-tag", "a tag contains a NUL character (U+0000), which cannot be stored");
        }
        requireUnicode(tag, "invalid-tag", "a tag");
        return tag;
    }

    public String checkPrefix(String prefix) {
        if (prefix == null || prefix.isEmpty()) {
            throw ProblemException.badRequest("invalid-prefix", "the prefix is empty; to act on the whole namespace, leave it out");
        }
        if (prefix.getBytes(StandardCharsets.UTF_8).length > maxKeyBytes || prefix.indexOf('\0') >= 0) {
            throw ProblemException.badRequest("invalid-prefix",
                    "the prefix must be at most " + maxKeyBytes + " UTF-8 bytes and contain no NUL character");
        }
        requireUnicode(prefix, "invalid-prefix", "the prefix");
        return prefix;
    }

    /**
     * Refuses text with an unpaired UTF-16 surrogate, which a JSON body can spell ({@code "\ud800"})
     * but which is not Unicode: UTF-8 cannot encode it, and the database driver would send it as
     * '?', so two such keys would be one key, and that key would be the real key "?".
     */
    private static void requireUnicode(String text, String problemType, String what) {
        int at = Utf8.unpairedSurrogateAt(text);
        if (at >= 0) {
            throw ProblemException.badRequest(problemType, what + " contains an unpaired UTF-16 surrogate (\\u"
                    + Integer.toHexString(text.charAt(at)) + " at character " + at + "), which is not Unicode text and cannot be stored");
        }
    }

    /** The text shown back to a caller in an error: short, with control characters escaped. */
    public static String printable(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 80; i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c)) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return s.length() > 80 ? b + "…" : b.toString();
    }
}
