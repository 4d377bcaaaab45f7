"""Read-through stampede benchmark: the counting upstream, and the callers.

  stampede.py upstream PORT DELAY_MS
      a JSON upstream on 127.0.0.1:PORT; GET /values/<key> answers {"key":…,"call":n} after
      DELAY_MS; GET /__calls?key=K tells how many times K was fetched.
  stampede.py run BASE_URL UPSTREAM_URL CALLERS ROUNDS DBNAME DELAY_MS
      each round: CALLERS threads, each on its own connection, released together, GET one key:
        cold  - a key never seen (every caller misses at once)
        warm  - the same key again (fresh hits)
        stale - the same key after its expiry is moved into the past with psql (stale hits)
      reports callers, upstream calls and latency percentiles per scenario, over all rounds.
"""
import http.client
import os
import http.server
import json
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse


def upstream(port, delay_ms):
    calls = {}
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):
            url = urllib.parse.urlsplit(self.path)
            if url.path == "/__calls":
                key = urllib.parse.parse_qs(url.query)["key"][0]
                with lock:
                    body = str(calls.get(key, 0)).encode()
                return self.answer(body, "text/plain")
            key = urllib.parse.unquote(url.path[len("/values/"):])
            with lock:
                calls[key] = calls.get(key, 0) + 1
                n = calls[key]
            time.sleep(delay_ms / 1000)
            self.answer(json.dumps({"key": key, "call": n}).encode(), "application/json")

        def answer(self, body, content_type):
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", int(port)), Handler)
    server.daemon_threads = True
    server.serve_forever()


# the service's API key for this run (bench/lib.sh); harmless on requests to the test upstream
AUTH = {"Authorization": os.environ["BENCH_AUTH"]} if os.environ.get("BENCH_AUTH") else {}


def get(base, path):
    u = urllib.parse.urlsplit(base)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    c.request("GET", path, headers=AUTH)
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, body


def stampede(base, path, callers):
    """CALLERS threads, each with its own connection, all released at once; latency per caller."""
    u = urllib.parse.urlsplit(base)
    barrier = threading.Barrier(callers)
    results = [None] * callers

    def one(i):
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        c.connect()
        barrier.wait(timeout=30)
        start = time.perf_counter()
        c.request("GET", path, headers=AUTH)
        r = c.getresponse()
        r.read()
        results[i] = (time.perf_counter() - start, r.status, r.getheader("X-Cache"))
        c.close()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(callers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(p / 100 * len(s)) - 1))]


def main():
    if sys.argv[1] == "upstream":
        return upstream(sys.argv[2], int(sys.argv[3]))
    base, up, callers, rounds, db, delay = sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6], sys.argv[7]
    get(base, "/v1/cache/stampede/warm-up")  # JIT and connections, not measured
    scenarios = {"cold": [], "warm": [], "stale": []}
    calls = {"cold": [], "warm": [], "stale": []}
    for r in range(rounds):
        key = f"block-{time.time_ns()}-{r}"
        path = f"/v1/cache/stampede/{key}"
        for scenario in ("cold", "warm", "stale"):
            if scenario == "stale":
                # psql quotes the :'key' variable itself
                subprocess.run(["psql", "-q", "-v", f"key={key}", "-d", db], check=True, text=True, input=
                               "UPDATE pgcache.cache_entry SET expires_at = now() - interval '1 second', "
                               "fetched_at = now() - interval '2 hours' WHERE namespace = 'stampede' AND cache_key = :'key';")
            before = int(get(up, "/__calls?key=" + urllib.parse.quote(key))[1])
            results = stampede(base, path, callers)
            time.sleep(0.5 if scenario == "stale" else 0)  # let a background refresh finish before counting
            after = int(get(up, "/__calls?key=" + urllib.parse.quote(key))[1])
            assert all(x is not None and x[1] == 200 for x in results), [x for x in results if x is None or x[1] != 200][:3]
            scenarios[scenario].extend(results)
            calls[scenario].append(after - before)
    print(f"callers per round: {callers}, rounds: {rounds}, upstream answers after {delay} ms; latency over all rounds")
    print(f"{'scenario':8}{'callers':>9}{'upstream calls/round':>22}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}  X-Cache")
    for scenario, results in scenarios.items():
        lat = [x[0] * 1000 for x in results]
        xc = {}
        for x in results:
            xc[x[2]] = xc.get(x[2], 0) + 1
        print(f"{scenario:8}{callers:>9}{','.join(map(str, calls[scenario])):>22}{pct(lat, 50):>9.1f}{pct(lat, 99):>9.1f}"
              f"{max(lat):>9.1f}  {xc}")


if __name__ == "__main__":
    main()
