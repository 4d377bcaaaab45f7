package dev.pgcache.api;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.pgcache.config.PgcacheConfig;
import dev.pgcache.entry.MaintenanceStore;
import dev.pgcache.metrics.RecentActivity;
import dev.pgcache.purge.PurgeStatus;
import dev.pgcache.rpc.RpcUpstreams;
import dev.pgcache.security.Access;
import dev.pgcache.security.Scope;

/** The last minutes of activity and the state of background work: what the console shows besides entries and counters. */
public class OverviewResource implements OverviewApi {

    private final PgcacheConfig config;
    private final RecentActivity activity;
    private final PurgeStatus purge;
    private final MaintenanceStore store;
    private final RpcUpstreams upstreams;

    OverviewResource(PgcacheConfig config, RecentActivity activity, PurgeStatus purge, MaintenanceStore store, RpcUpstreams upstreams) {
        this.config = config;
        this.activity = activity;
        this.purge = purge;
        this.store = store;
        this.upstreams = upstreams;
    }

    @Override
    @Access(Scope.ADMIN)
    public OverviewAnswers.Activity activity() {
        return new OverviewAnswers.Activity(RecentActivity.INTERVAL.toSeconds(), activity.samples().stream()
                .map(s -> new OverviewAnswers.ActivitySample(s.at(), s.seconds(), s.hitsPerSecond(), s.staleHitsPerSecond(),
                        s.missesPerSecond(), s.requestsPerSecond(), s.p50Ms(), s.p99Ms()))
                .toList());
    }

    @Override
    @Access(Scope.ADMIN)
    public OverviewAnswers.Status status() {
        OverviewAnswers.LockHolder holder = store.purgeLockHolder(config.purge().lockKey())
                .map(h -> new OverviewAnswers.LockHolder(h.pid(), h.applicationName(), h.clientAddress(), h.since())).orElse(null);
        List<OverviewAnswers.PurgeRun> runs = purge.recentRuns().stream()
                .map(r -> new OverviewAnswers.PurgeRun(r.at(), r.report().lockHeld(), r.report().purged(), r.report().evicted(),
                        r.report().batches(), r.report().complete(), r.report().durationMs()))
                .toList();
        OverviewAnswers.PurgeStatus purgeStatus = new OverviewAnswers.PurgeStatus(config.purge().enabled(),
                config.purge().interval().toSeconds(), purge.lastCompletedAt(), purge.lastOutcome(),
                Duration.between(purge.lastProgressAt(), Instant.now()).toSeconds(), holder, runs);
        List<OverviewAnswers.ChainStatus> chains = upstreams.chains().stream()
                .map(c -> new OverviewAnswers.ChainStatus(c.name(), c.namespace(), c.head(), c.finalized(), c.reorgs(), c.nodes().stream()
                        .map(n -> new OverviewAnswers.NodeStatus(n.id(), n.origin(), n.role(), n.weight(), n.head(), n.lagging(), n.breaker(),
                                n.calls(), n.errors(), n.p50Ms(), n.p90Ms()))
                        .toList()))
                .toList();
        return new OverviewAnswers.Status(purgeStatus, chains);
    }
}
