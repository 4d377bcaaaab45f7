package dev.pgcache.api;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.Encoded;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.core.Context;

import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

import dev.pgcache.entry.Entry;
import dev.pgcache.entry.EntryId;
import dev.pgcache.entry.EntryStore;
import dev.pgcache.entry.Freshness;
import dev.pgcache.entry.KeyRules;
import dev.pgcache.entry.Lifetime;
import dev.pgcache.entry.NamespacePolicies;
import dev.pgcache.entry.WriteRequest;
import dev.pgcache.entry.WriteResult;
import dev.pgcache.hits.HitTracker;
import dev.pgcache.metrics.CacheMetrics;
import dev.pgcache.metrics.CacheMetrics.Event;

/**
 * REST v1 for single entries and namespace invalidation. Keys arrive percent-encoded and are
 * decoded strictly here ({@link PathText}), so a key may hold '/', '?', '#' or any other UTF-8
 * character when the caller encodes it.
 */
@Path("/v1/cache/{namespace}")
public class CacheResource {

    private final EntryStore store;
    private final KeyRules keyRules;
    private final NamespacePolicies policies;
    private final JsonBodies jsonBodies;
    private final CacheMetrics metrics;

    // field-injected so this feature does not touch the constructor
    @Inject
    HitTracker hits;

    CacheResource(EntryStore store, KeyRules keyRules, NamespacePolicies policies, JsonBodies jsonBodies, CacheMetrics metrics) {
        this.store = store;
        this.keyRules = keyRules;
        this.policies = policies;
        this.jsonBodies = jsonBodies;
        this.metrics = metrics;
    }

    @PUT
    @Path("{key}")
    @Parameter(name = "ttl", in = ParameterIn.QUERY, description = "Time to live: seconds, ISO-8601 (PT5M), 30s/5m/1h/7d, or never. Default: the namespace's.")
    @Parameter(name = "stale", in = ParameterIn.QUERY, description = "How long after expiry the value may be served stale. Default: the namespace's.")
    @Parameter(name = "tag", in = ParameterIn.QUERY, description = "A tag for invalidation by tag; repeat for several.")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response put(@Encoded @PathParam("namespace") String rawNamespace, @Encoded @PathParam("key") String rawKey,
            @HeaderParam(CachingHeaders.X_REVISION) String revision, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
            @Context UriInfo uri, byte[] body) {
        EntryId id = id(rawNamespace, rawKey);
        requireJson(contentType);
        QueryParams query = new QueryParams(uri);
        Lifetime lifetime = policies.lifetimeFor(id.namespace(), query.single("ttl"), query.single("stale"));
        List<String> checkedTags = keyRules.checkTags(query.all("tag"));
        Long rev = revision(revision);
        String json = jsonBodies.checkValue(body);

        WriteResult result = store.upsert(new WriteRequest(id, json, body.length, lifetime, checkedTags, rev));
        metrics.count(id.namespace(), Event.WRITE);

        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("namespace", id.namespace());
        answer.put("key", id.key());
        answer.put("version", result.version());
        answer.put("created", result.created());
        answer.put("expiresAt", result.expiresAt());
        answer.put("staleUntil", result.staleUntil());
        Response.ResponseBuilder r = result.created()
                ? Response.created(URI.create(uri.getRequestUri().getRawPath()))
                : Response.ok();
        return r.tag(CachingHeaders.etag(result.version())).entity(answer).build();
    }

    @GET
    @Path("{key}")
    @Produces(MediaType.APPLICATION_JSON)
    public Response get(@Encoded @PathParam("namespace") String rawNamespace, @Encoded @PathParam("key") String rawKey) {
        EntryId id = id(rawNamespace, rawKey);
        policies.policyFor(id.namespace());
        Entry entry = store.get(id).orElse(null);
        if (entry == null) {
            metrics.count(id.namespace(), Event.MISS);
            throw new ProblemException(Problem.of(404, "cache-miss", "Not found",
                    "no live entry for key '" + id.key() + "' in namespace '" + id.namespace() + "'"),
                    Map.of(CachingHeaders.X_CACHE, "MISS"));
        }
        metrics.count(id.namespace(), entry.freshness() == Freshness.FRESH ? Event.HIT : Event.STALE_HIT);
        hits.record(id, entry);
        return CachingHeaders.apply(Response.ok(entry.json(), MediaType.APPLICATION_JSON_TYPE), entry).build();
    }

    @DELETE
    @Path("{key}")
    public Response delete(@Encoded @PathParam("namespace") String rawNamespace, @Encoded @PathParam("key") String rawKey) {
        EntryId id = id(rawNamespace, rawKey);
        policies.policyFor(id.namespace());
        if (!store.invalidate(id)) {
            throw new ProblemException(404, "not-found", "Not found",
                    "no live entry for key '" + id.key() + "' in namespace '" + id.namespace() + "'");
        }
        metrics.count(id.namespace(), Event.INVALIDATION);
        return Response.noContent().build();
    }

    @DELETE
    @Produces(MediaType.APPLICATION_JSON)
    @Parameter(name = "prefix", in = ParameterIn.QUERY, description = "Invalidate only keys starting with this text (not empty).")
    @Parameter(name = "tag", in = ParameterIn.QUERY, description = "Invalidate only entries carrying this tag.")
    public Map<String, Long> invalidate(@Encoded @PathParam("namespace") String rawNamespace, @Context UriInfo uri) {
        String namespace = keyRules.checkNamespace(PathText.decode(rawNamespace, "namespace"));
        policies.policyFor(namespace);
        QueryParams query = new QueryParams(uri);
        String prefix = query.single("prefix");
        String tag = query.single("tag");
        if (prefix != null && tag != null) {
            throw ProblemException.badRequest("invalid-invalidation", "give either prefix or tag, not both");
        }
        long n;
        if (prefix != null) {
            n = store.invalidatePrefix(namespace, keyRules.checkPrefix(prefix));
        } else if (tag != null) {
            n = store.invalidateTag(namespace, keyRules.checkTag(tag));
        } else {
            n = store.invalidateNamespace(namespace);
        }
        metrics.count(namespace, Event.INVALIDATION, n);
        return Map.of("invalidated", n);
    }

    private EntryId id(String rawNamespace, String rawKey) {
        return keyRules.checkId(PathText.decode(rawNamespace, "namespace"), PathText.decode(rawKey, "key"));
    }

    private static void requireJson(String contentType) {
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
        boolean json = type.getSubtype().equalsIgnoreCase("json") || type.getSubtype().toLowerCase().endsWith("+json");
        if (!json) {
            throw new ProblemException(415, "unsupported-media-type", "Unsupported Media Type",
                    "Content-Type '" + type.getType() + "/" + type.getSubtype() + "' is not JSON; send application/json");
        }
    }

    private static Long revision(String header) {
        if (header == null) {
            return null;
        }
        try {
            long rev = Long.parseLong(header.trim());
            if (rev < 0) {
                throw new NumberFormatException();
            }
            return rev;
        } catch (NumberFormatException e) {
            throw ProblemException.badRequest("invalid-revision",
                    CachingHeaders.X_REVISION + " must be a whole number from 0 to " + Long.MAX_VALUE);
        }
    }
}
