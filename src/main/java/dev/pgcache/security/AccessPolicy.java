package dev.pgcache.security;

import java.util.List;
import java.util.Set;

/**
 * What the front door asks of a request before routing it, by the canonical path's segments.
 * It only sorts paths into four gates; which scope and namespace an API call needs is declared by
 * the endpoint itself ({@link Access}) and decided where the endpoint is matched, on the very
 * parameters it will serve.
 *
 * <pre>
 * /v1/**                                        API: a valid key, then the endpoint's own {@link Access}
 * /q/metrics                                    ADMIN (PUBLIC with pgcache.auth.open-metrics)
 * /q/health[/live|ready|started|well], /q/openapi[.json|.yaml|.yml], /q/swagger-ui/**   PUBLIC
 * /console, /console/{file}                     PUBLIC: the console's static page; its data calls go to /v1 with the user's key
 * anything else                                 UNDECLARED: refused, so nothing added later is open by accident
 * </pre>
 */
public final class AccessPolicy {

    public enum Gate {
        /** Served to anyone (health probes, the API's own documentation). */
        PUBLIC,
        /** Needs a key with the admin scope. */
        ADMIN,
        /** Needs a valid key; the matched endpoint then decides with its {@link Access}. */
        API,
        /** No route here declares its access: refused. */
        UNDECLARED
    }

    /** The first segment of the console's page and files. */
    public static final String CONSOLE = "console";
    private static final Set<String> HEALTH_CHECKS = Set.of("live", "ready", "started", "well");
    private static final Set<String> OPENAPI = Set.of("openapi", "openapi.json", "openapi.yaml", "openapi.yml");

    private AccessPolicy() {
    }

    /** The gate of a canonical path, given as its segments (without a trailing empty one). */
    public static Gate gateFor(List<String> segments, boolean openMetrics) {
        if (segments.isEmpty()) {
            return Gate.UNDECLARED;
        }
        if (segments.get(0).equals("v1")) {
            return Gate.API;
        }
        if (segments.get(0).equals(CONSOLE) && segments.size() <= 2) {
            return Gate.PUBLIC; // api.ConsoleRoute serves a fixed list of files here and nothing else
        }
        if (!segments.get(0).equals("q") || segments.size() < 2) {
            return Gate.UNDECLARED;
        }
        String area = segments.get(1);
        int depth = segments.size();
        if (area.equals("metrics") && depth == 2) {
            return openMetrics ? Gate.PUBLIC : Gate.ADMIN;
        }
        if (area.equals("health") && (depth == 2 || depth == 3 && HEALTH_CHECKS.contains(segments.get(2)))) {
            return Gate.PUBLIC;
        }
        if (OPENAPI.contains(area) && depth == 2 || area.equals("swagger-ui")) {
            return Gate.PUBLIC;
        }
        return Gate.UNDECLARED;
    }
}
