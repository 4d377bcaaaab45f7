package dev.pgcache.rpc;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import dev.pgcache.memory.MemoryBudget;
import dev.pgcache.protocol.Utf8;

/**
 * The answers to one JSON-RPC body, kept as parts until the size of the whole is known. Identical
 * requests in a batch share one result text (one call to the node, or one cached value), and each
 * answer to them is only its own id's envelope around that shared text: the text is copied once
 * per answer only into the final body, after that body's size has been checked against
 * pgcache.rpc.max-answer-size and taken from the memory budget. Building each answer as its own
 * string first made a 24 KB batch of 100 identical calls with a 512 KiB result take 100 copies
 * of it, twice, and ran the heap out.
 */
final class RpcAnswer {

    private final MemoryBudget.Lease lease;
    /** Each answer as the parts it is written from, in order. */
    private final List<String[]> answers = new ArrayList<>();
    /** Sizes of shared result texts, measured once each (by identity: equal texts from different calls are measured twice, which is fine). */
    private final Map<String, Long> measured = new IdentityHashMap<>();
    private long bytes;

    /** @param lease the budget already held for what the answer holds (the cached values read for it) */
    RpcAnswer(MemoryBudget.Lease lease) {
        this.lease = lease;
    }

    /** A complete answer object, e.g. an error. */
    void add(String answer) {
        answers.add(new String[] { answer });
        bytes += Utf8.length(answer);
    }

    /** An answer with a result, its text shared with the other answers to identical requests. */
    void addResult(JsonNode id, String resultJson) {
        String head = RpcEnvelope.envelope(id) + ",\"result\":";
        answers.add(new String[] { head, resultJson, "}" });
        bytes += Utf8.length(head) + measured.computeIfAbsent(resultJson, Utf8::length) + 1;
    }

    boolean isEmpty() {
        return answers.isEmpty();
    }

    int count() {
        return answers.size();
    }

    MemoryBudget.Lease lease() {
        return lease;
    }

    /** The body's size in bytes: the answers, with brackets and commas for a batch. */
    long bytes(boolean batch) {
        return batch ? bytes + 2 + Math.max(0, answers.size() - 1) : bytes;
    }

    /** The body: the one answer of a single call, or the array of a batch's. */
    String build(boolean batch) {
        StringBuilder b = new StringBuilder((int) Math.min(Integer.MAX_VALUE - 8, bytes(batch)));
        if (batch) {
            b.append('[');
        }
        for (int i = 0; i < answers.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            for (String part : answers.get(i)) {
                b.append(part);
            }
        }
        if (batch) {
            b.append(']');
        }
        return b.toString();
    }
}
