package dev.pgcache.api;

import java.util.Set;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import dev.pgcache.protocol.CacheStatus;
import dev.pgcache.rpc.RpcProxy;
import dev.pgcache.security.Access;
import dev.pgcache.security.Caller;
import dev.pgcache.security.Scope;
import io.vertx.ext.web.RoutingContext;

/**
 * The JSON-RPC caching proxy over HTTP: {@code POST /v1/rpc/{upstream}} takes a JSON-RPC 2.0
 * call or batch and answers it as the node would, from the cache where the method policy
 * allows (docs/rpc.md). Protocol errors are JSON-RPC errors inside a 200, as JSON-RPC clients
 * expect; only what is not JSON-RPC's to say (unknown upstream, too large) is problem+json. The
 * caller's scopes (from the API key check) decide which methods are forwarded.
 */
public class RpcResource implements RpcApi {

    private final RpcProxy proxy;

    RpcResource(RpcProxy proxy) {
        this.proxy = proxy;
    }

    @Override
    @Access(value = Scope.READ, namespace = "rpc-{upstream}")
    public Response call(String upstream, RoutingContext ctx, byte[] body) {
        RpcProxy.Reply reply = proxy.handle(upstream, body, scopesOf(ctx));
        if (reply.lease() != null) {
            AnswerLeases.releaseAtEnd(ctx, reply.lease());
        }
        Response.ResponseBuilder r = reply.body() == null ? Response.noContent()
                : Response.ok(reply.body(), MediaType.APPLICATION_JSON_TYPE);
        if (reply.xCache() != null) {
            r.header(CacheStatus.HEADER, reply.xCache().value());
        }
        return r.build();
    }

    /** The scopes the API key check left in the routing context; none when it left nothing, never every scope. */
    private static Set<Scope> scopesOf(RoutingContext ctx) {
        Caller caller = ctx == null ? null : ctx.get(Caller.CONTEXT_KEY);
        return caller == null ? Set.of() : caller.scopes();
    }
}
