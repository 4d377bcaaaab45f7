package dev.pgcache.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** Slowloris from the test's side: bytes sent one at a time, and the wait for the server to close. */
public final class Trickle {

    private Trickle() {
    }

    /** Sends the bytes one every {@code everyMillis} from a thread of its own until all are sent or the server closes. */
    public static Thread bytes(Socket s, byte[] bytes, long everyMillis) {
        return Thread.ofVirtual().start(() -> {
            try {
                OutputStream out = s.getOutputStream();
                for (byte b : bytes) {
                    out.write(b);
                    out.flush();
                    Thread.sleep(everyMillis);
                }
            } catch (IOException | InterruptedException closed) {
                // the server closed the connection: what the test waits for
            }
        });
    }

    /** Reads until the server closes (a reset counts) and returns what came, as ISO-8859-1 text. */
    public static String readUntilClosed(InputStream in) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        try {
            for (int n; (n = in.read(buf)) >= 0;) {
                got.write(buf, 0, n);
            }
        } catch (SocketTimeoutException stillOpen) {
            throw stillOpen;
        } catch (IOException reset) {
            // closed with unread bytes of ours in its buffer (a reset, or TLS cut under it): a close too
        }
        return got.toString(StandardCharsets.ISO_8859_1);
    }
}
