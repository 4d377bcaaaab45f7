package dev.pgcache.api;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import jakarta.enterprise.context.ApplicationScoped;

import dev.pgcache.config.PgcacheConfig;
import dev.pgcache.entry.KeyRules;
import dev.pgcache.protocol.ProblemException;

/**
 * The paging parameters of a key listing: {@code limit} (1 to pgcache.limits.max-list-limit,
 * default 100) and the cursor {@code after}, the last key of the previous page base64url-encoded
 * so that any key travels safely in a query string.
 */
@ApplicationScoped
class ListPages {

    private static final int DEFAULT_LIMIT = 100;

    private final KeyRules keyRules;
    private final int maxLimit;

    ListPages(KeyRules keyRules, PgcacheConfig config) {
        this.keyRules = keyRules;
        this.maxLimit = config.limits().maxListLimit();
    }

    /** Keys per page; 400 invalid-limit outside 1 … max-list-limit. */
    int limit(String text) {
        if (text == null) {
            return Math.min(DEFAULT_LIMIT, maxLimit);
        }
        try {
            int limit = Integer.parseInt(text.trim());
            if (limit >= 1 && limit <= maxLimit) {
                return limit;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw ProblemException.badRequest("invalid-limit", "limit must be a whole number from 1 to " + maxLimit);
    }

    /** The key a page starts after; null for the first page, 400 invalid-cursor for anything not made by {@link #cursorOf}. */
    String afterKey(String cursor) {
        if (cursor == null) {
            return null;
        }
        try {
            return keyRules.checkKey(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException | ProblemException e) {
            throw ProblemException.badRequest("invalid-cursor", "after must be the next cursor of a previous page");
        }
    }

    /** The cursor of the page that follows the one ending at this key. */
    static String cursorOf(String key) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(key.getBytes(StandardCharsets.UTF_8));
    }
}
