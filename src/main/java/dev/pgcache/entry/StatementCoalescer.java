package dev.pgcache.entry;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.function.Function;
import java.util.function.IntConsumer;

import dev.pgcache.config.CoalescingConfig;
import dev.pgcache.tracing.Tracing;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Answers concurrent requests of one kind with as few statements as possible. A request joins a
 * queue; when fewer than {@code maxStatements} statements are running, its own thread takes
 * everything queued (up to {@code maxPerStatement}) into one statement and answers all of those
 * requests. While all statements run, new requests wait and go together into the next one.
 * Nothing ever waits for a batch to fill: an idle service sends a request at once, and batches
 * only form when requests already queue for the database.
 * <p>
 * Why: PostgreSQL spends far more on each statement (parse/bind/execute, a round trip, a context
 * switch, a commit) than on the index lookup or row write itself; measured with pgbench on this
 * machine, one SELECT for 8 keys answers about 2.5 times the keys per second of 8 SELECTs, and
 * one upsert of 8 rows about 2.8 times the rows of 8 upserts (docs/benchmarks.md).
 * <p>
 * A request's statement starts after it was queued, so it sees every write that committed
 * before the request was made.
 * <p>
 * With tracing on, a statement shared by several requests is a span {@code pgcache.statement.shared}
 * (its kind and how many requests it answered) in the trace of the request whose thread sent it,
 * linked to the spans of the others, whose answers came from it.
 *
 * @param <Q> a request
 * @param <A> its answer
 */
final class StatementCoalescer<Q, A> {

    private static final class Pending<Q, A> {
        final Q request;
        final CompletableFuture<A> answer = new CompletableFuture<>();
        /** The asking request's span, when tracing is on: a shared statement links to it. */
        final Span asker;

        Pending(Q request, Span asker) {
            this.request = request;
            this.asker = asker;
        }
    }

    private final String name;
    private final int maxPerStatement;
    private final Semaphore statements;
    private final Function<List<Q>, List<A>> statement;
    private final Function<Q, A> single;
    private final IntConsumer statementSizes;
    private final ConcurrentLinkedQueue<Pending<Q, A>> queue = new ConcurrentLinkedQueue<>();
    private final Tracing tracing;

    static final AttributeKey<String> KIND = AttributeKey.stringKey("pgcache.statement.kind");
    static final AttributeKey<Long> REQUESTS = AttributeKey.longKey("pgcache.statement.requests");

    /**
     * @param name      names the threads that answer requests queued while every permit was taken
     * @param statement answers requests in one statement, in the order given
     * @param single    answers one request alone: a batch of one, and each request of a batch whose
     *                  statement failed for a reason other than the database being away (a failed
     *                  statement changed nothing), so one request's failure never becomes another's
     * @param statementSizes told how many requests each statement answered (for a metric)
     */
    StatementCoalescer(String name, int maxStatements, int maxPerStatement, Function<List<Q>, List<A>> statement,
            Function<Q, A> single, IntConsumer statementSizes) {
        this(name, maxStatements, maxPerStatement, statement, single, statementSizes, null);
    }

    /** @param tracing where shared statements become spans; null: never */
    StatementCoalescer(String name, int maxStatements, int maxPerStatement, Function<List<Q>, List<A>> statement,
            Function<Q, A> single, IntConsumer statementSizes, Tracing tracing) {
        this.tracing = tracing != null && tracing.on() ? tracing : null;
        if (maxStatements < 1 || maxPerStatement < 1) {
            throw new IllegalArgumentException("a coalescer needs at least one statement of at least one request");
        }
        this.name = name;
        this.maxPerStatement = maxPerStatement;
        this.statements = new Semaphore(maxStatements);
        this.statement = statement;
        this.single = single;
        this.statementSizes = statementSizes;
    }

    /** The request's answer; blocks until its statement has run, and throws what answering it threw. */
    A submit(Q request) {
        Pending<Q, A> mine = new Pending<>(request, tracing == null ? null : Span.current());
        queue.add(mine);
        if (statements.tryAcquire()) {
            answerQueued(mine);
        }
        try {
            return mine.answer.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException("interrupted while waiting for the database", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * How requests of one kind reach the database as a {@code pgcache.reads}/{@code pgcache.writes}
     * setting asks: through a coalescer whose statement sizes are recorded under this kind, or, with
     * {@code max-queries} 0, each on its own.
     *
     * @param kind "read" or "write": the metric's kind tag, and the threads' name ({@code pgcache-<kind>s})
     */
    static <Q, A> Function<Q, A> configured(String kind, CoalescingConfig setting, MeterRegistry registry,
            Function<List<Q>, List<A>> statement, Function<Q, A> single, Tracing tracing) {
        if (setting.maxQueries() <= 0) {
            return single;
        }
        StatementCoalescer<Q, A> coalescer = new StatementCoalescer<>("pgcache-" + kind + "s", setting.maxQueries(),
                setting.maxPerQuery(), statement, single, sizesMetric(registry, kind)::record, tracing);
        return coalescer::submit;
    }

    /** {@code pgcache_statement_requests}: how many requests each shared statement answered, by kind. */
    static DistributionSummary sizesMetric(MeterRegistry registry, String kind) {
        return DistributionSummary.builder("pgcache.statement.requests")
                .description("Requests answered by one database statement of GETs or PUTs (1 when sent alone; more when requests queued)")
                .tag("kind", kind)
                .register(registry);
    }

    /** Requests waiting for a statement (for tests). */
    int queued() {
        return queue.size();
    }

    /**
     * Holding a statement permit: answers queued requests, batch by batch, until {@code mine} is
     * answered (or, with null, until the queue is empty). The permit is then given back; requests
     * that queued meanwhile and found every permit taken are handed to a new virtual thread, so
     * none is left waiting in the queue while a permit is free.
     */
    private void answerQueued(Pending<Q, A> mine) {
        try {
            while (mine == null || !mine.answer.isDone()) {
                List<Pending<Q, A>> batch = drain();
                if (batch.isEmpty()) {
                    break; // mine is in a batch another thread is answering
                }
                answer(batch);
            }
        } finally {
            statements.release();
        }
        if (!queue.isEmpty() && statements.tryAcquire()) {
            Thread.ofVirtual().name(name).start(() -> answerQueued(null));
        }
    }

    private List<Pending<Q, A>> drain() {
        List<Pending<Q, A>> batch = new ArrayList<>();
        Pending<Q, A> p;
        while (batch.size() < maxPerStatement && (p = queue.poll()) != null) {
            batch.add(p);
        }
        return batch;
    }

    private void answer(List<Pending<Q, A>> batch) {
        statementSizes.accept(batch.size());
        if (batch.size() == 1) {
            answerAlone(batch.get(0));
            return;
        }
        try {
            List<Q> requests = new ArrayList<>(batch.size());
            for (Pending<Q, A> p : batch) {
                requests.add(p.request);
            }
            List<A> answers = tracing == null ? statement.apply(requests) : traced(requests, batch);
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).answer.complete(answers.get(i));
            }
        } catch (StoreUnavailableException e) {
            batch.forEach(p -> p.answer.completeExceptionally(e));
        } catch (RuntimeException e) {
            batch.forEach(this::answerAlone);
        } catch (Error e) {
            batch.forEach(p -> p.answer.completeExceptionally(e));
            throw e;
        }
    }

    /** The shared statement inside its span, linked to every asker's span. */
    private List<A> traced(List<Q> requests, List<Pending<Q, A>> batch) {
        SpanBuilder b = tracing.spanBuilder("pgcache.statement.shared");
        for (Pending<Q, A> p : batch) {
            if (p.asker != null && p.asker.getSpanContext().isValid()) {
                b.addLink(p.asker.getSpanContext());
            }
        }
        Span span = b.setParent(Context.current()).startSpan();
        span.setAttribute(KIND, name);
        span.setAttribute(REQUESTS, (long) batch.size());
        try (Scope ignored = span.makeCurrent()) {
            return statement.apply(requests);
        } catch (RuntimeException | Error e) {
            Tracing.failed(span, e);
            throw e;
        } finally {
            span.end();
        }
    }

    private void answerAlone(Pending<Q, A> p) {
        try {
            p.answer.complete(single.apply(p.request));
        } catch (RuntimeException e) {
            p.answer.completeExceptionally(e);
        } catch (Error e) {
            p.answer.completeExceptionally(e);
            throw e;
        }
    }
}
