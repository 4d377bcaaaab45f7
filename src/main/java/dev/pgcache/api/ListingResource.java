package dev.pgcache.api;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.ws.rs.core.UriInfo;

import dev.pgcache.entry.EntryStore;
import dev.pgcache.entry.Freshness;
import dev.pgcache.entry.KeyListing;
import dev.pgcache.entry.KeyRules;
import dev.pgcache.security.Access;
import dev.pgcache.security.Scope;

/**
 * A namespace's live keys with their metadata (no values), in key order, a page at a time
 * (keyset paging, docs/architecture.md "Listing: keyset pages"); the route and its
 * documentation are in {@link ListingApi}.
 */
public class ListingResource implements ListingApi {

    private final CachePaths paths;
    private final EntryStore store;
    private final KeyRules keyRules;
    private final ListPages pages;

    ListingResource(CachePaths paths, EntryStore store, KeyRules keyRules, ListPages pages) {
        this.paths = paths;
        this.store = store;
        this.keyRules = keyRules;
        this.pages = pages;
    }

    @Override
    @Access(value = Scope.READ, namespace = "{namespace}")
    public Map<String, Object> list(String rawNamespace, UriInfo uri) {
        String namespace = paths.namespace(rawNamespace);
        QueryParams query = new QueryParams(uri);
        String prefix = query.single("prefix");
        if (prefix != null) {
            keyRules.checkPrefix(prefix);
        }
        int limit = pages.limit(query.single("limit"));
        String after = pages.afterKey(query.single("after"));
        KeyListing page = store.list(namespace, prefix, after, limit);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("namespace", namespace);
        answer.put("items", page.items().stream().map(ListingResource::item).toList());
        answer.put("next", page.next() == null ? null : ListPages.cursorOf(page.next()));
        return answer;
    }

    private static Map<String, Object> item(KeyListing.Item i) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("key", i.key());
        m.put("state", i.freshness() == Freshness.FRESH ? "fresh" : "stale");
        m.put("version", i.version());
        m.put("revision", i.revision());
        m.put("fetchedAt", i.fetchedAt());
        m.put("expiresAt", i.expiresAt());
        m.put("staleUntil", i.staleUntil());
        m.put("sizeBytes", i.sizeBytes());
        m.put("tags", i.tags());
        m.put("hitCount", i.hitCount());
        return m;
    }
}
