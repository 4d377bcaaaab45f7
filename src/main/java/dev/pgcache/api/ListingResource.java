package dev.pgcache.api;

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
    public Answers.KeyPage list(String rawNamespace, UriInfo uri) {
        String namespace = paths.namespace(rawNamespace);
        QueryParams query = new QueryParams(uri);
        String prefix = query.single("prefix");
        if (prefix != null) {
            keyRules.checkPrefix(prefix);
        }
        int limit = pages.limit(query.single("limit"));
        String after = pages.afterKey(query.single("after"));
        KeyListing page = store.list(namespace, prefix, after, limit);
        return new Answers.KeyPage(namespace, page.items().stream().map(ListingResource::item).toList(),
                page.next() == null ? null : ListPages.cursorOf(page.next()));
    }

    private static Answers.KeyItem item(KeyListing.Item i) {
        return new Answers.KeyItem(i.key(), i.freshness() == Freshness.FRESH ? "fresh" : "stale", i.version(), i.revision(),
                i.fetchedAt(), i.expiresAt(), i.staleUntil(), i.sizeBytes(), i.tags(), i.hitCount());
    }
}
