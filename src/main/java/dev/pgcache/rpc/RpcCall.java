package dev.pgcache.rpc;

import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pgcache.entry.EntryId;
import dev.pgcache.protocol.CacheStatus;

/** One request of a JSON-RPC body, as read and as it is being answered. */
final class RpcCall {
    JsonNode id;
    boolean notification;
    String method;
    JsonNode params;
    String invalid;
    boolean refused;
    EntryId key;
    /** A complete answer decided early: the error of an invalid or refused request. */
    String answer;
    /** The result text of a fresh cached entry, shared by every call of the body with the same key. */
    String hit;
    CacheStatus xCache;
    CompletableFuture<RpcOutcome> pending;
    /** An eth_getLogs answered from block-range chunks: its parts ({@link LogChunks}). */
    LogChunks.Parts logParts;
    /** A part of such a call, made by pgcache: counted as a chunk, not as a caller's request. */
    boolean part;

    static RpcCall of(JsonNode item) {
        RpcCall c = new RpcCall();
        if (!item.isObject()) {
            c.invalid = "a request must be a JSON object";
            return c;
        }
        c.notification = !item.has("id");
        JsonNode id = item.get("id");
        if (id != null && !(id.isTextual() || id.isNumber() || id.isNull())) {
            c.invalid = "the id must be a string, a number or null";
        } else {
            c.id = id;
        }
        JsonNode version = item.get("jsonrpc");
        JsonNode method = item.get("method");
        JsonNode params = item.get("params");
        if (version == null || !version.isTextual() || !version.asText().equals("2.0")) {
            c.invalid = "\"jsonrpc\" must be exactly \"2.0\"";
        } else if (method == null || !method.isTextual() || method.asText().isEmpty()) {
            c.invalid = "\"method\" must be a non-empty string";
        } else if (params != null && !params.isArray() && !params.isObject()) {
            c.invalid = "\"params\" must be an array or an object when present";
        }
        c.method = method != null && method.isTextual() ? method.asText() : null;
        c.params = params;
        return c;
    }

    JsonNode idOrNull() {
        return id == null ? JsonNodeFactory.instance.nullNode() : id;
    }

    /** Whether nothing has answered it yet: it goes to the node (or joins an identical call on its way there). */
    boolean unanswered() {
        return invalid == null && !refused && answer == null && hit == null;
    }

    /** The request as the node gets it: pgcache's own id (the index in the upstream batch), none for a notification. */
    ObjectNode forUpstream(int index) {
        ObjectNode r = JsonNodeFactory.instance.objectNode().put("jsonrpc", "2.0").put("method", method);
        if (params != null) {
            r.set("params", params);
        }
        if (!notification) {
            r.put("id", index);
        }
        return r;
    }
}
