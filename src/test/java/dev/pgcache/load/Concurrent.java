package dev.pgcache.load;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Fires many requests at once from one client, each on its own connection, and collects the answers. */
final class Concurrent {

    private Concurrent() {
    }

    static List<HttpResponse<String>> gets(List<URI> uris) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
        List<CompletableFuture<HttpResponse<String>>> pending = new ArrayList<>();
        for (URI uri : uris) {
            pending.add(client.sendAsync(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + dev.pgcache.testing.TestKeys.ALL).GET().build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        List<HttpResponse<String>> answers = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> f : pending) {
            answers.add(f.get());
        }
        return answers;
    }

    static List<HttpResponse<String>> gets(URI uri, int n) throws Exception {
        List<URI> uris = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            uris.add(uri);
        }
        return gets(uris);
    }
}
