package dev.pgcache.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;

/**
 * An HTTP/2 client over one socket (cleartext with prior knowledge, or TLS after ALPN chose h2) that
 * writes frames byte for byte as a test wants them, trickled or split as no client library would:
 * the preface and a SETTINGS frame on open, then requests; it reads the server's frames, answers its
 * SETTINGS, and decodes its header blocks (HPACK by Netty's own coder, whose table stays in step with
 * the server's as long as every block it encodes is sent in full).
 */
public final class H2Client implements AutoCloseable {

    public static final int DATA = 0x0;
    public static final int HEADERS = 0x1;
    public static final int SETTINGS = 0x4;
    public static final int GOAWAY = 0x7;
    public static final int CONTINUATION = 0x9;
    public static final int END_STREAM = 0x1;
    public static final int END_HEADERS = 0x4;
    public static final int ACK = 0x1;
    public static final int PADDED = 0x8;
    public static final int PRIORITY = 0x20;
    public static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /** A frame as read: its type, flags, stream and payload. */
    public record Frame(int type, int flags, int stream, byte[] payload) {
        /** A GOAWAY's error code. */
        public int errorCode() {
            return (payload[4] & 0xff) << 24 | (payload[5] & 0xff) << 16 | (payload[6] & 0xff) << 8 | payload[7] & 0xff;
        }
    }

    /** An answer: its header block decoded, its DATA joined. */
    public record Answer(Http2Headers headers, String body) {
        public int status() {
            return Integer.parseInt(headers.status().toString());
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final DefaultHttp2HeadersEncoder encoder = new DefaultHttp2HeadersEncoder();
    private final DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(true);

    /** Sends the preface and an empty SETTINGS frame on the socket, whose handshake (TLS) is done. */
    public H2Client(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
        socket.setSoTimeout(20_000);
        out.write(PREFACE);
        out.write(frame(SETTINGS, 0, 0, new byte[0]));
        out.flush();
    }

    public Socket socket() {
        return socket;
    }

    /** A frame's bytes: its 9-byte header and the payload. */
    public static byte[] frame(int type, int flags, int stream, byte[] payload) {
        ByteBuf b = Unpooled.buffer(9 + payload.length);
        b.writeMedium(payload.length).writeByte(type).writeByte(flags).writeInt(stream).writeBytes(payload);
        return ByteBufUtil.getBytes(b);
    }

    /** A request's headers: method, path, scheme and authority, and the key's Authorization when it is not null. */
    public static Http2Headers request(String method, String path, String key) {
        Http2Headers h = new DefaultHttp2Headers().method(method).path(path).scheme("http").authority("127.0.0.1");
        if (key != null) {
            h.add("authorization", "Bearer " + key);
        }
        return h;
    }

    /** The header block of these headers, HPACK-encoded (the encoder's table assumes it will be sent). */
    public byte[] encode(int stream, Http2Headers headers) throws Http2Exception {
        ByteBuf b = Unpooled.buffer();
        encoder.encodeHeaders(stream, headers, b);
        return ByteBufUtil.getBytes(b);
    }

    public void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Sends a request without a body on the stream and reads its answer. */
    public Answer get(int stream, Http2Headers headers) throws IOException, Http2Exception {
        write(frame(HEADERS, END_HEADERS | END_STREAM, stream, encode(stream, headers)));
        return answer(stream);
    }

    /** Reads frames until the stream's answer has ended (answering the server's SETTINGS on the way). */
    public Answer answer(int stream) throws IOException, Http2Exception {
        Http2Headers headers = null;
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            Frame f = read();
            if (f.type() == SETTINGS && (f.flags() & ACK) == 0) {
                write(frame(SETTINGS, ACK, 0, new byte[0]));
            } else if (f.type() == GOAWAY) {
                throw new IOException("GOAWAY with error " + f.errorCode() + ": " + new String(f.payload(), 8, f.payload().length - 8, StandardCharsets.US_ASCII));
            } else if (f.stream() == stream && f.type() == HEADERS) {
                headers = decoder.decodeHeaders(stream, Unpooled.wrappedBuffer(headerBlock(f)));
            } else if (f.stream() == stream && f.type() == DATA) {
                body.write(f.payload());
            }
            if (f.stream() == stream && (f.type() == HEADERS || f.type() == DATA) && (f.flags() & END_STREAM) != 0) {
                return new Answer(headers, body.toString(StandardCharsets.UTF_8));
            }
        }
    }

    /** A HEADERS frame's header block: its payload without the padding and the priority fields (Netty's server sends the latter). */
    private static byte[] headerBlock(Frame f) {
        int from = 0;
        int to = f.payload().length;
        if ((f.flags() & PADDED) != 0) {
            to -= f.payload()[0] & 0xff;
            from = 1;
        }
        if ((f.flags() & PRIORITY) != 0) {
            from += 5;
        }
        return Arrays.copyOfRange(f.payload(), from, to);
    }

    /** Reads one frame; an EOFException when the server has closed. */
    public Frame read() throws IOException {
        byte[] header = new byte[9];
        in.readFully(header);
        int length = (header[0] & 0xff) << 16 | (header[1] & 0xff) << 8 | header[2] & 0xff;
        byte[] payload = new byte[length];
        in.readFully(payload);
        int stream = (header[5] & 0x7f) << 24 | (header[6] & 0xff) << 16 | (header[7] & 0xff) << 8 | header[8] & 0xff;
        return new Frame(header[3] & 0xff, header[4] & 0xff, stream, payload);
    }

    /** Every frame the server sends until it closes the connection. */
    public List<Frame> framesUntilClosed() throws IOException {
        List<Frame> frames = new ArrayList<>();
        try {
            while (true) {
                frames.add(read());
            }
        } catch (SocketTimeoutException stillOpen) {
            throw stillOpen;
        } catch (IOException closed) { // an end of stream, a reset, or TLS closed under it
            return frames;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
