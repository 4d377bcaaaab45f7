package dev.pgcache.api;

import java.lang.reflect.Field;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.ssl.AbstractSniHandler;
import io.netty.handler.ssl.SslHandler;
import io.quarkus.vertx.http.HttpServerStart;
import io.quarkus.vertx.http.HttpsServerStart;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.impl.Http1xOrH2CHandler;
import io.vertx.core.http.impl.HttpServerImpl;
import io.vertx.core.impl.VertxInternal;
import io.vertx.core.net.impl.TCPServerBase;

import dev.pgcache.config.PgcacheConfig;

/**
 * Puts a {@link HeadGuard} into the pipeline of every HTTP/1 connection the server accepts, over
 * plain HTTP and over HTTPS (when TLS is configured), where it goes behind the TLS handler.
 *
 * <p>How, and why this way: Quarkus 3.34 creates the Vert.x HTTP server inside its own verticle and
 * offers neither the server nor its new connections (its {@code HttpServerOptionsCustomizer} sees
 * options only; the server's connection handler is Quarkus' own), and Vert.x 4 has no option for a
 * head deadline or for a handler of one's own in a connection's pipeline. What Netty does offer is
 * the listening channel's own pipeline, through which every accepted connection passes (as a
 * {@link Channel}) before it is set up. So once the server listens ({@link HttpServerStart}), this
 * finds its listening channel (Vert.x keeps its servers in {@code VertxInternal.sharedHttpServers()},
 * each with the future of its bound channel in a private field, read here) and puts a handler
 * first in its pipeline. For each accepted connection that handler adds one more, which waits for
 * Vert.x to set the connection up and then puts the guard around the HTTP codec.
 *
 * <p>If Vert.x changes so that the channel is not found, the service starts without the guard and
 * logs an error saying so; {@code HeadGuardTest} fails in that case.
 */
@ApplicationScoped
class HeadGuards {

    private static final Logger LOG = Logger.getLogger(HeadGuards.class);
    /** Vert.x' names of the HTTP/1 codec's two halves in a connection's pipeline. */
    static final String DECODER = "httpDecoder";
    static final String ENCODER = "httpEncoder";
    private static final String ACCEPTOR = "pgcache-head-guards";
    private static final String AFTER_TLS = "pgcache-head-guard-after-tls";

    private final Vertx vertx;
    private final Limits limits;

    HeadGuards(Vertx vertx, PgcacheConfig config, @ConfigProperty(name = "quarkus.http.http2") boolean http2) {
        this.vertx = vertx;
        this.limits = new Limits(config.limits().headTimeout().toNanos(), http2);
    }

    /**
     * What each connection's guard enforces: the head's deadline, and whether HTTP/2's preface is let
     * through to Vert.x (quarkus.http.http2, which also turns Vert.x' h2c on) or refused.
     */
    record Limits(long timeoutNanos, boolean http2) {
    }

    /** Whether the install was tried (once the server listens): readiness waits for it ({@link HeadGuardReadiness}). */
    private volatile boolean settled;

    void install(@ObservesAsync HttpServerStart started) {
        installOnce();
    }

    /** With TLS configured (quarkus.tls.*), the HTTPS server's start; installing twice changes nothing. */
    void installTls(@ObservesAsync HttpsServerStart started) {
        installOnce();
    }

    private void installOnce() {
        try {
            installOnListeningChannels();
        } catch (RuntimeException | LinkageError e) {
            LOG.error("the head guard was not installed", e);
        } finally {
            settled = true;
        }
    }

    /**
     * Whether the server listens and the guard's install was tried. The guard sees only connections
     * accepted after it; the few a client may open in the moment before are not sent traffic by a
     * balancer that waits for readiness. A failed install is logged and settles too: the service
     * then serves without the guard rather than never turning ready.
     */
    boolean settled() {
        return settled;
    }

    private void installOnListeningChannels() {
        int installed = 0;
        for (HttpServerImpl server : ((VertxInternal) vertx).sharedHttpServers().values()) {
            Channel listening = listeningChannel(server);
            if (listening == null) {
                continue;
            }
            ChannelPipeline pipeline = listening.pipeline();
            synchronized (this) {
                if (pipeline.get(ACCEPTOR) == null) {
                    pipeline.addFirst(ACCEPTOR, new Acceptor(limits));
                }
            }
            installed++;
        }
        if (installed == 0) {
            LOG.error("the HTTP server's listening channel was not found: requests with another HTTP version than 1.1 and 1.0 are served, "
                    + "and a request head may take as long as its bytes keep the idle timeout from passing (docs/security.md, 'The request head')");
        } else {
            LOG.debugf("head guard installed on %d listening channel(s)", installed);
        }
    }

    /** The server's bound channel; null when it cannot be found. */
    private static Channel listeningChannel(HttpServerImpl server) {
        try {
            Field bound = TCPServerBase.class.getDeclaredField("bindFuture");
            bound.setAccessible(true);
            Object future = bound.get(server);
            return future instanceof Future<?> f && f.result() instanceof Channel c ? c : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.debug("no bound channel in " + server, e);
            return null;
        }
    }

    /** First in the listening channel's pipeline: sees each accepted connection before Vert.x sets it up. */
    @ChannelHandler.Sharable
    private static final class Acceptor extends ChannelInboundHandlerAdapter {
        private final Limits limits;

        Acceptor(Limits limits) {
            this.limits = limits;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Channel accepted) {
                accepted.pipeline().addLast(new Placer(limits));
            }
            ctx.fireChannelRead(msg);
        }
    }

    /**
     * In an accepted connection's pipeline, before Vert.x' own handlers: places the guard around the
     * HTTP/1 codec once Vert.x has set it up (or, with HTTP/2 on and its preface read, a
     * {@link FrameGuard} in front of the HTTP/2 handler), and leaves. With HTTP/2 on, Vert.x sets the
     * codec up only when the first bytes show whether the connection is HTTP/2 with prior knowledge
     * ({@link Http1xOrH2CHandler}, which then hands on what it has read at once): so the first bytes
     * are handed on one at a time until it has decided (a byte or two, at most the 24 of HTTP/2's
     * preface), and the rest only once the guard is in place.
     */
    private static final class Placer extends ChannelInboundHandlerAdapter {
        private final Limits limits;
        /** The head's deadline while Vert.x has not decided yet (a preface trickled byte by byte). */
        private ScheduledFuture<?> deadline;

        Placer(Limits limits) {
            this.limits = limits;
        }

        @Override
        public void channelRegistered(ChannelHandlerContext ctx) {
            ctx.fireChannelRegistered(); // Vert.x sets the connection's pipeline up here
            ChannelPipeline pipeline = ctx.pipeline();
            ChannelHandlerContext tls = pipeline.context(SslHandler.class);
            if (tls == null) {
                tls = pipeline.context(AbstractSniHandler.class); // with SNI on: replaced by an SslHandler in the same place
            }
            if (tls != null) {
                // HTTPS: the bytes read here are TLS records, and Vert.x sets the codec up only once the
                // handshake is done (bounded by quarkus.tls.handshake-timeout); the guard is placed from
                // behind the TLS handler, when the first decrypted bytes come
                pipeline.remove(this);
                pipeline.addAfter(tls.name(), AFTER_TLS, new AfterTls());
            } else if (settled(pipeline)) {
                pipeline.remove(this);
                place(pipeline, false, limits, 0); // the codec is there already (a server without h2c)
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof ByteBuf bytes)) {
                ctx.fireChannelRead(msg);
                return;
            }
            ChannelPipeline pipeline = ctx.pipeline();
            if (deadline == null) {
                deadline = ctx.executor().schedule(() -> ctx.close(), limits.timeoutNanos(), TimeUnit.NANOSECONDS); // nothing HTTP to answer with yet
            }
            while (bytes.isReadable() && !settled(pipeline)) {
                ctx.fireChannelRead(bytes.readRetainedSlice(1));
            }
            if (!settled(pipeline)) {
                bytes.release();
                return; // not decided yet: wait for more bytes
            }
            deadline.cancel(false);
            place(pipeline, true, limits, 0); // with prior knowledge Vert.x has taken the preface: frames follow
            if (bytes.isReadable()) {
                ctx.fireChannelRead(bytes); // through the guard now
            } else {
                bytes.release();
            }
            if (pipeline.context(this) != null) {
                pipeline.remove(this); // unless a protocol switch in these bytes had Vert.x clear the pipeline already
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            if (deadline != null) {
                deadline.cancel(false);
            }
            super.channelInactive(ctx);
        }

        /** Whether Vert.x has decided between HTTP/1 and HTTP/2, and set the connection up for it. */
        private static boolean settled(ChannelPipeline pipeline) {
            return pipeline.get(Http1xOrH2CHandler.class) == null;
        }

        /**
         * Behind the TLS handler of an HTTPS connection: the first decrypted bytes come after the
         * handshake, by when Vert.x has set the connection up, and are the first of a head; the guard
         * goes in before them, so its deadline starts with them (not with the handshake: a client may
         * open a connection ahead of its first request, as over plain HTTP).
         */
        private final class AfterTls extends ChannelInboundHandlerAdapter {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ChannelPipeline pipeline = ctx.pipeline();
                boolean setUp = pipeline.get(DECODER) != null || pipeline.get(Http2ConnectionHandler.class) != null;
                if (setUp) {
                    place(pipeline, false, limits, FrameGuard.PREFACE_LENGTH); // over TLS, HTTP/2's preface comes after the handshake
                }
                ctx.fireChannelRead(msg);
                if (setUp && pipeline.context(this) != null) {
                    pipeline.remove(this);
                }
            }
        }
    }

    /**
     * Puts the guard around a connection's HTTP/1 codec, or a {@link FrameGuard} in front of its
     * HTTP/2 handler (prior knowledge, or ALPN over TLS; only with quarkus.http.http2=true).
     * {@code headBegun}: the head's first bytes went to the HTTP/1 decoder before the guard was there;
     * {@code http2PrefaceLeft}: how much of HTTP/2's preface the bytes still to come begin with.
     */
    private static void place(ChannelPipeline pipeline, boolean headBegun, Limits limits, int http2PrefaceLeft) {
        ChannelHandlerContext http2 = pipeline.context(Http2ConnectionHandler.class);
        if (http2 != null) {
            pipeline.addBefore(http2.name(), FrameGuard.NAME, new FrameGuard(limits.timeoutNanos(), http2PrefaceLeft));
            return;
        }
        if (pipeline.get(DECODER) == null || pipeline.get(ENCODER) == null) {
            return;
        }
        HeadGuard guard = new HeadGuard(limits);
        pipeline.addBefore(DECODER, HeadGuard.FIRST_BYTE_NAME, guard.firstByte());
        pipeline.addAfter(ENCODER, HeadGuard.NAME, guard);
        if (headBegun) {
            guard.headBegins();
        }
    }
}
