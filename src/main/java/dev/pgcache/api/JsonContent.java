package dev.pgcache.api;

import java.util.Locale;

import jakarta.ws.rs.core.MediaType;

import dev.pgcache.protocol.ProblemException;

/**
 * The one check of a request body's Content-Type: JSON (application/json, *&#47;json or
 * *&#47;*+json), or none at all, which is read as JSON. Anything else is a 415 problem. The
 * endpoints consume any type so that this answer, not the framework's, is what a caller gets.
 */
final class JsonContent {

    private JsonContent() {
    }

    static void require(String contentType) {
        if (contentType == null) {
            return; // a body without a declared type is read as JSON
        }
        MediaType type;
        try {
            type = MediaType.valueOf(contentType);
        } catch (IllegalArgumentException e) {
            throw new ProblemException(415, "unsupported-media-type", "Unsupported Media Type",
                    "Content-Type '" + contentType + "' cannot be read; send application/json");
        }
        boolean json = type.getSubtype().equalsIgnoreCase("json") || type.getSubtype().toLowerCase(Locale.ROOT).endsWith("+json");
        if (!json) {
            throw new ProblemException(415, "unsupported-media-type", "Unsupported Media Type",
                    "Content-Type '" + type.getType() + "/" + type.getSubtype() + "' is not JSON; send application/json");
        }
    }
}
