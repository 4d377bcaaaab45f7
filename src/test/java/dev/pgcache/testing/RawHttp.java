package dev.pgcache.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Sends one HTTP/1.1 request exactly as written (request target, headers and body byte for byte,
 * nothing normalized or encoded) and reads the answer until the server closes. HTTP clients
 * clean up request targets; an attacker's client does not, so security tests use this.
 */
public final class RawHttp {

    /** An answer: status, headers (lower-case names, last one wins), body, and its status line as sent. */
    public record Answer(int status, Map<String, String> headers, String body, String statusLine) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        @Override
        public String toString() {
            return status + " " + header("content-type") + " " + (body.length() > 160 ? body.substring(0, 160) + "…" : body);
        }
    }

    private RawHttp() {
    }

    /** @param headers "Name: value" lines; Host and Connection: close are added */
    public static Answer send(int port, String method, String target, List<String> headers, String body) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                    .append("Host: localhost\r\nConnection: close\r\n");
            headers.forEach(h -> head.append(h).append("\r\n"));
            byte[] payload = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            if (body != null) {
                head.append("Content-Type: application/json\r\nContent-Length: ").append(payload.length).append("\r\n");
            }
            head.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(payload);
            out.flush();
            return read(socket.getInputStream(), method.equals("HEAD"));
        }
    }

    /**
     * Sends bytes exactly as given (a whole request head, request line included, as an attacker
     * writes it) and reads the answer until the server closes the connection.
     */
    public static Answer exchange(int port, String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            return exchange(socket, request);
        }
    }

    /** The same on a connection already open (a TLS one, say); the caller closes it. */
    public static Answer exchange(Socket socket, String request) throws IOException {
        socket.setSoTimeout(10_000);
        OutputStream out = socket.getOutputStream();
        out.write(request.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return read(socket.getInputStream(), false);
    }

    private static Answer read(InputStream in, boolean head) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        in.transferTo(all);
        String text = all.toString(StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            throw new IOException("no complete answer: " + text);
        }
        String[] lines = text.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        byte[] bytes = all.toByteArray();
        String body = head ? "" : new String(bytes, end + 4, bytes.length - end - 4, StandardCharsets.UTF_8);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = unchunk(body);
        }
        return new Answer(status, headers, body, lines[0]);
    }

    private static String unchunk(String chunked) {
        StringBuilder b = new StringBuilder();
        int i = 0;
        while (i < chunked.length()) {
            int nl = chunked.indexOf("\r\n", i);
            int size = Integer.parseInt(chunked.substring(i, nl).split(";")[0].trim(), 16);
            if (size == 0) {
                break;
            }
            b.append(chunked, nl + 2, nl + 2 + size);
            i = nl + 2 + size + 2;
        }
        return b.toString();
    }
}
