package dev.pgcache.api;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * The request-head deadline of one HTTP/2 connection (only with {@code quarkus.http.http2=true}), in
 * its Netty pipeline just before Netty's HTTP/2 handler, which it reads through without changing a
 * byte: {@link HeadGuard} is HTTP/1's, and every byte resets the idle timeout, so without this a
 * HEADERS frame trickled a byte at a time holds its connection for as long as the bytes keep coming.
 *
 * <p>What must arrive within {@code pgcache.limits.head-timeout} of its first byte: the client's
 * connection preface (over TLS, where it comes after the handshake; with prior knowledge the
 * {@code Placer} has already bounded it), every frame's 9-byte header, every frame's payload but
 * DATA's (a body, as over HTTP/1 the idle timeout's business), and a whole header block, from the
 * first byte of its HEADERS frame to the end of the CONTINUATION frame that carries END_HEADERS.
 * Past it the connection gets a GOAWAY (ENHANCE_YOUR_CALM, with the reason as its debug data) and is
 * closed: its header block cannot be answered as a request, since nothing of it has been decoded.
 * Between frames the deadline is off, so a connection kept open for later streams stays open.
 *
 * <p>What it leaves to Netty: the frames' meaning and order, and their sizes (its frame reader refuses
 * a frame over SETTINGS_MAX_FRAME_SIZE and a header block over the header-list limit, so a stream of
 * CONTINUATION frames cannot grow without bound).
 */
final class FrameGuard extends ChannelInboundHandlerAdapter {

    static final String NAME = "pgcache-frame-guard";
    /** RFC 9113 §3.4: what a client sends first. */
    static final int PREFACE_LENGTH = 24;

    private static final int FRAME_HEADER_LENGTH = 9;
    private static final int DATA = 0x0;
    private static final int HEADERS = 0x1;
    private static final int GOAWAY = 0x7;
    private static final int CONTINUATION = 0x9;
    private static final int END_HEADERS = 0x4;
    private static final int ENHANCE_YOUR_CALM = 0xb;
    private static final long NOTHING_PENDING = Long.MIN_VALUE;

    private final long timeoutNanos;
    /** Bytes of the connection preface still to come before the first frame. */
    private int prefaceLeft;
    private final byte[] frameHeader = new byte[FRAME_HEADER_LENGTH];
    private int frameHeaderRead;
    private long payloadLeft;
    /** A HEADERS frame without END_HEADERS came: the block goes on in CONTINUATION frames. */
    private boolean blockOpen;
    /** The highest stream a HEADERS frame opened: the GOAWAY says streams after it were not processed. */
    private int lastStream;
    /** When the first byte of what is still incomplete came (System.nanoTime), or NOTHING_PENDING. */
    private long pendingSince = NOTHING_PENDING;
    private ScheduledFuture<?> deadline;
    private boolean refused;

    /** @param prefaceLeft the preface's length when the bytes begin with it (HTTP/2 over TLS), 0 when they begin with a frame */
    FrameGuard(long timeoutNanos, int prefaceLeft) {
        this.timeoutNanos = timeoutNanos;
        this.prefaceLeft = prefaceLeft;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof ByteBuf bytes) {
            follow(ctx, bytes);
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        disarm();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        disarm();
    }

    /**
     * Follows the frames through these bytes, without reading them off the buffer. The deadline is
     * scheduled only when something is left incomplete at the end of the bytes: a frame that arrives
     * whole costs no timer.
     */
    private void follow(ChannelHandlerContext ctx, ByteBuf bytes) {
        long now = System.nanoTime();
        int at = bytes.readerIndex();
        int end = bytes.writerIndex();
        while (at < end) {
            if (prefaceLeft > 0) {
                begins(now);
                int n = Math.min(prefaceLeft, end - at);
                prefaceLeft -= n;
                at += n;
                if (prefaceLeft == 0) {
                    pendingSince = NOTHING_PENDING; // whether it was the preface is Netty's to judge
                }
            } else if (payloadLeft > 0) {
                int n = (int) Math.min(payloadLeft, end - at);
                payloadLeft -= n;
                at += n;
                if (payloadLeft == 0) {
                    frameEnds();
                }
            } else {
                if (frameHeaderRead == 0) {
                    begins(now);
                }
                frameHeader[frameHeaderRead++] = bytes.getByte(at++);
                if (frameHeaderRead == FRAME_HEADER_LENGTH) {
                    frameHeaderRead = 0;
                    frameHeaderEnds();
                }
            }
        }
        if (pendingSince == NOTHING_PENDING) {
            disarm();
        } else if (deadline == null) {
            long left = Math.max(0, pendingSince + timeoutNanos - now);
            deadline = ctx.executor().schedule(() -> timedOut(ctx), left, TimeUnit.NANOSECONDS);
        }
    }

    /** Something that must arrive whole begins (unless something begun before is still incomplete: the first byte counts). */
    private void begins(long now) {
        if (pendingSince == NOTHING_PENDING) {
            pendingSince = now;
        }
    }

    /** A frame's header is complete: what follows is its payload. */
    private void frameHeaderEnds() {
        int length = (frameHeader[0] & 0xff) << 16 | (frameHeader[1] & 0xff) << 8 | frameHeader[2] & 0xff;
        int type = frameHeader[3] & 0xff;
        int flags = frameHeader[4] & 0xff;
        int stream = (frameHeader[5] & 0x7f) << 24 | (frameHeader[6] & 0xff) << 16 | (frameHeader[7] & 0xff) << 8 | frameHeader[8] & 0xff;
        if (type == HEADERS || type == CONTINUATION) {
            blockOpen = (flags & END_HEADERS) == 0;
        }
        if (type == HEADERS) {
            lastStream = Math.max(lastStream, stream);
        }
        payloadLeft = length;
        if (length == 0) {
            frameEnds();
        } else if (type == DATA && !blockOpen) {
            pendingSince = NOTHING_PENDING; // a body's bytes: the idle timeout's, as over HTTP/1
        }
    }

    private void frameEnds() {
        if (!blockOpen) {
            pendingSince = NOTHING_PENDING;
        }
    }

    private void disarm() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    /**
     * Written here, in front of Netty's handler, and the connection closed at once: Netty's own close
     * would wait for the connection's open streams to end, which the same client decides.
     */
    private void timedOut(ChannelHandlerContext ctx) {
        deadline = null;
        if (refused || !ctx.channel().isActive() || pendingSince == NOTHING_PENDING) {
            return;
        }
        long left = pendingSince + timeoutNanos - System.nanoTime();
        if (left > 0) { // what was pending then arrived, and what is pending now began later
            deadline = ctx.executor().schedule(() -> timedOut(ctx), left, TimeUnit.NANOSECONDS);
            return;
        }
        refused = true;
        byte[] why = ("a header block or frame did not arrive within " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos)
                + " ms of its first byte (pgcache.limits.head-timeout)").getBytes(StandardCharsets.US_ASCII);
        ByteBuf goAway = Unpooled.buffer(FRAME_HEADER_LENGTH + 8 + why.length)
                .writeMedium(8 + why.length).writeByte(GOAWAY).writeByte(0).writeInt(0)
                .writeInt(lastStream).writeInt(ENHANCE_YOUR_CALM).writeBytes(why);
        ctx.writeAndFlush(goAway).addListener(written -> ctx.close()); // from here, not through Netty's handler (it would add a GOAWAY of its own and wait)
    }
}
