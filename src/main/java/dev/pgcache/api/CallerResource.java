package dev.pgcache.api;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.pgcache.config.EnumText;
import dev.pgcache.config.NamespaceConfig;
import dev.pgcache.config.PgcacheConfig;
import dev.pgcache.entry.NamespacePolicies;
import dev.pgcache.security.AnyKey;
import dev.pgcache.security.Caller;
import dev.pgcache.security.RequiredAccess;
import dev.pgcache.security.Scope;
import io.vertx.ext.web.RoutingContext;

/** Who the calling key is, for any valid key: its scopes and the declared namespaces it may use, with their settings. */
public class CallerResource implements CallerApi {

    private final PgcacheConfig config;
    private final NamespacePolicies policies;

    CallerResource(PgcacheConfig config, NamespacePolicies policies) {
        this.config = config;
        this.policies = policies;
    }

    @Override
    @AnyKey // every key may ask who it is, a key with the admin or write scope alone too; what it reaches is listed by scope below
    public OverviewAnswers.Me me(RoutingContext ctx) {
        Caller caller = ctx.get(Caller.CONTEXT_KEY);
        List<OverviewAnswers.NamespaceAccess> namespaces = new ArrayList<>();
        for (Map.Entry<String, NamespacePolicies.Policy> e : new TreeMap<>(policies.declared()).entrySet()) {
            String name = e.getKey();
            boolean read = caller.allows(new RequiredAccess(Scope.READ, name));
            boolean write = caller.allows(new RequiredAccess(Scope.WRITE, name));
            if (!read && !write) {
                continue;
            }
            NamespaceConfig declared = config.namespaces().get(name); // null for an upstream's rpc-* namespace
            namespaces.add(new OverviewAnswers.NamespaceAccess(name, read, write,
                    e.getValue().lifetime().ttl().map(Duration::toSeconds).orElse(null), e.getValue().lifetime().stale().toSeconds(),
                    config.nearCache().enabled() && (declared == null || declared.nearCache().orElse(true)),
                    declared == null ? null : declared.maxEntries().orElse(null),
                    declared == null ? null : declared.maxBytes().map(b -> b.asLongValue()).orElse(null),
                    declared != null && declared.upstream().isPresent()));
        }
        List<String> scopes = caller.scopes().stream().sorted().map(EnumText::of).toList();
        return new OverviewAnswers.Me(caller.name(), scopes, namespaces, config.allowUndeclaredNamespaces());
    }

}
