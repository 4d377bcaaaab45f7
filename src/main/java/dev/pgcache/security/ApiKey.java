package dev.pgcache.security;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** One configured key: its name (for logs and metrics), its scopes, and the namespaces it may touch. */
public record ApiKey(String name, Set<Scope> scopes, List<Pattern> namespaces) {

    public boolean allows(RequiredAccess access) {
        if (!scopes.contains(access.scope())) {
            return false;
        }
        return access.namespace() == null || namespaces.stream().anyMatch(p -> p.matcher(access.namespace()).matches());
    }

    /** A namespace pattern: '*' matches any run of characters, everything else itself. */
    static Pattern namespacePattern(String glob) {
        StringBuilder regex = new StringBuilder();
        for (String part : glob.split("\\*", -1)) {
            if (!regex.isEmpty()) {
                regex.append(".*");
            }
            regex.append(Pattern.quote(part));
        }
        return Pattern.compile(regex.toString());
    }
}
