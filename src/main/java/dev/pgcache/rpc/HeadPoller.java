package dev.pgcache.rpc;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.scheduler.Scheduled;

/**
 * Refreshes the head, the finalized block and the re-org check of every JSON-RPC upstream on a
 * schedule, after the heads of each of its nodes (when it has several), so that the chain tracker
 * asks the node with the best head.
 */
@ApplicationScoped
class HeadPoller {

    private final RpcUpstreams upstreams;

    HeadPoller(RpcUpstreams upstreams) {
        this.upstreams = upstreams;
    }

    @Scheduled(identity = "pgcache-rpc-heads", every = "${pgcache.rpc.head-poll-interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void poll() {
        for (RpcNode node : upstreams.all()) {
            node.connection().nodes().pollHeads();
            node.tracker().poll();
        }
    }
}
