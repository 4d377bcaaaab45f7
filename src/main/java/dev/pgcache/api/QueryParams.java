package dev.pgcache.api;

import java.util.List;

import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.UriInfo;

import dev.pgcache.protocol.ProblemException;

/**
 * Query parameters read from the decoded query map, where {@code ?prefix=} is present with an
 * empty value. {@code @QueryParam} turns that into null, indistinguishable from no parameter,
 * and an empty prefix taken as "no prefix" would invalidate a whole namespace.
 */
final class QueryParams {

    private final MultivaluedMap<String, String> params;

    QueryParams(UriInfo uri) {
        this.params = uri.getQueryParameters(true);
    }

    /** The single value, "" when given empty, null when absent; 400 when given twice. */
    String single(String name) {
        List<String> values = params.get(name);
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw ProblemException.badRequest(problemTypeOf(name), "the query parameter '" + name + "' is given " + values.size() + " times; give it once");
        }
        return values.get(0) == null ? "" : values.get(0);
    }

    /** The problem type for a bad value of the parameter, the same one its other checks use. */
    private static String problemTypeOf(String name) {
        return switch (name) {
            case "after" -> "invalid-cursor";
            case "min-revision" -> "invalid-revision";
            default -> "invalid-" + name;
        };
    }

    /** Every value, empty ones included; an empty list when absent. */
    List<String> all(String name) {
        List<String> values = params.get(name);
        return values == null ? List.of() : values.stream().map(v -> v == null ? "" : v).toList();
    }
}
