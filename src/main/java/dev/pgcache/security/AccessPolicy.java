package dev.pgcache.security;

import java.util.Optional;

/**
 * Who may call what, as one table over method and path, so every endpoint's rule is in one
 * place. Anything under /v1/ that the table does not name needs admin: a new endpoint is closed
 * until it is added here.
 *
 * <pre>
 * GET|HEAD /v1/cache/{ns}[/{key}]        read  on ns
 * POST     /v1/cache/{ns}/batch-get      read  on ns
 * PUT      /v1/cache/{ns}/{key}          write on ns
 * DELETE   /v1/cache/{ns}[/{key}]        write on ns
 * POST     /v1/cache/{ns}/batch-put      write on ns
 * POST     /v1/cache/{ns}/{key}/touch    write on ns
 * POST     /v1/rpc/{upstream}            read  on the upstream's namespace (rpc-{upstream}); then each JSON-RPC
 *                                        method needs its own scope (dev.pgcache.rpc.RpcMethodAccess)
 * other    /v1/**                        admin (/v1/admin/*, /v1/stats, /v1/namespaces, ...)
 * GET      /q/metrics                    admin, unless pgcache.auth.open-metrics
 * other    /q/** (health, openapi, swagger-ui) and everything else: open
 * </pre>
 */
public final class AccessPolicy {

    private AccessPolicy() {
    }

    /** The access a request needs, or empty when it is open. {@code path} is the raw path, already checked by the raw-path guard. */
    public static Optional<RequiredAccess> requiredFor(String method, String path, boolean openMetrics) {
        if (path.equals("/q/metrics") || path.startsWith("/q/metrics/")) {
            return openMetrics ? Optional.empty() : Optional.of(new RequiredAccess(Scope.ADMIN, null));
        }
        if (!path.startsWith("/v1/")) {
            return Optional.empty();
        }
        String[] s = path.substring(1).split("/", -1); // v1, area, ...
        if (s.length >= 3 && s[1].equals("cache")) {
            String ns = decodeNamespace(s[2]);
            boolean read = method.equals("GET") || method.equals("HEAD");
            if (s.length == 3) {
                return Optional.of(new RequiredAccess(read ? Scope.READ : Scope.WRITE, ns));
            }
            if (s.length == 4 && method.equals("POST") && s[3].equals("batch-get")) {
                return Optional.of(new RequiredAccess(Scope.READ, ns));
            }
            if (s.length == 4 || s.length == 5 && s[4].equals("touch")) {
                return Optional.of(new RequiredAccess(read ? Scope.READ : Scope.WRITE, ns));
            }
        }
        if (s.length == 3 && s[1].equals("rpc")) {
            return Optional.of(new RequiredAccess(Scope.READ, "rpc-" + decodeNamespace(s[2])));
        }
        return Optional.of(new RequiredAccess(Scope.ADMIN, null));
    }

    /**
     * Namespaces are plain ASCII, but a caller may still percent-encode them; the check must see
     * the name the resource will see. Anything that is not a valid escape is left as it is: the
     * resource then refuses the namespace, and no pattern but '*' grants it.
     */
    private static String decodeNamespace(String raw) {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%' && i + 2 < raw.length()) {
                int hi = Character.digit(raw.charAt(i + 1), 16);
                int lo = Character.digit(raw.charAt(i + 2), 16);
                if (hi >= 0 && lo >= 0 && hi < 8) { // ASCII only: namespaces are ASCII
                    b.append((char) (hi * 16 + lo));
                    i += 2;
                    continue;
                }
            }
            b.append(c);
        }
        return b.toString();
    }
}
