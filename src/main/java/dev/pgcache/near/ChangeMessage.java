package dev.pgcache.near;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.pgcache.entry.EntryId;

/**
 * One row of the change log (cache_change_log), as the trigger of V14 and V15 writes it:
 * keys that changed, namespaces in which many did, or everything (a TRUNCATE).
 * A payload this code cannot read is taken as "everything": dropping too much is safe.
 */
record ChangeMessage(boolean all, List<String> namespaces, List<EntryId> keys) {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Everything changed: every copy is dropped. */
    static final ChangeMessage ALL = new ChangeMessage(true, List.of(), List.of());

    static ChangeMessage parse(String payload) {
        try {
            JsonNode root = JSON.readTree(payload);
            if (root == null || !root.isObject() || root.path("all").asBoolean(false)) {
                return ALL;
            }
            List<String> namespaces = new ArrayList<>();
            for (JsonNode ns : root.path("namespaces")) {
                namespaces.add(ns.asText());
            }
            List<EntryId> keys = new ArrayList<>();
            for (JsonNode pair : root.path("keys")) {
                if (!pair.isArray() || pair.size() != 2) {
                    return ALL;
                }
                keys.add(new EntryId(pair.get(0).asText(), pair.get(1).asText()));
            }
            return namespaces.isEmpty() && keys.isEmpty() ? ALL : new ChangeMessage(false, namespaces, keys);
        } catch (Exception e) {
            return ALL;
        }
    }
}
