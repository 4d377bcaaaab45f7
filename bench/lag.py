#!/usr/bin/env python3
"""Cross-replica lag of the near cache: how long after a write through replica A has been answered
does replica B, which held the old value in memory, first answer the new one.

Two replicas of the service on one database, both with the near cache on (bench/run.sh starts them
through bench/lib.sh, with one API key in BENCH_AUTH). For each sample, on one keep-alive
connection to each replica:

  1. B is read until it answers the key's current version from memory (Cache-Status: ...;
     detail=memory): B holds a copy, which only a change notification can take away;
  2. the key is written through A (PUT, a live key overwritten: the UPDATE trigger announces it);
     the clock starts when A's answer has been read;
  3. B is read, back to back, until its ETag is the version A answered; the clock stops when that
     answer has been read. The lag is the time between, so it includes one GET's round trip.

A sample whose old value B never answered from memory within 2 s is not counted (and reported);
one whose new version does not show within 5 s counts as 5 s (and is reported). Meanwhile a light
background load of GET hits (wrk, bench/wrk/get-rate.lua, a few hundred requests per second on each
replica) keeps both busy, after a warm-up: wrk on each replica at once (GET/PUT mix on A, GET
hits on B). Writes the result as JSON (--out) and prints it with the target (p99 <= 50 ms).

  bench/lag.py --writer URL_A --prober URL_B [--samples 1000] [--warmup 20] [--entries 10000] [--out FILE]

Standard library only (and wrk, which bench/run.sh installs).
"""
import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
TARGET_P99_MS = 50.0


class Connection:
    """One keep-alive connection to a replica."""

    def __init__(self, base_url):
        u = urllib.parse.urlparse(base_url)
        self.host, self.port = u.hostname, u.port
        self.auth = os.environ["BENCH_AUTH"]
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)

    def request(self, method, path, body=None):
        headers = {"Authorization": self.auth}
        if body is not None:
            headers["Content-Type"] = "application/json"
        self.conn.request(method, path, body=body, headers=headers)
        r = self.conn.getresponse()
        data = r.read()
        return r.status, r.headers, data


def load(base_url, entries):
    """k0..k{entries-1} in namespace bench, for the background load (ttl never)."""
    c = Connection(base_url)
    value = json.dumps({"number": "0x121eac0", "hash": "0x" + "ab" * 32, "pad": "x" * 600})
    for lo in range(0, entries, 1000):
        body = '{"entries":[' + ",".join(f'{{"key":"k{i}","value":{value},"ttl":"never"}}'
                                         for i in range(lo, min(entries, lo + 1000))) + "]}"
        status, _, data = c.request("POST", "/v1/cache/bench/batch-put", body)
        assert status == 200, (status, data[:200])


def wrk(base_url, script, seconds, connections, entries, extra_env=None):
    env = dict(os.environ, BENCH_ENTRIES=str(entries), BENCH_LUA_DIR=os.path.join(HERE, "wrk"), **(extra_env or {}))
    return subprocess.Popen(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "-s", os.path.join(HERE, "wrk", script), base_url],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def detail(headers):
    status = headers.get("Cache-Status", "")
    return "memory" if "detail=memory" in status else "table" if "detail=table" in status else status or "none"


def sample(writer, prober, key, n):
    """One sample: (ms from A's write answer to B's first answer with the new ETag, reads of B until then,
    ms of B's last read from memory before the write); (None, 0, None) if B held no copy."""
    path = "/v1/cache/lag/" + key
    deadline = time.monotonic() + 2
    while True:  # B answers the current value from memory
        sent = time.perf_counter()
        status, headers, _ = prober.request("GET", path)
        read_ms = (time.perf_counter() - sent) * 1000
        if status == 200 and detail(headers) == "memory":
            break
        if time.monotonic() > deadline:
            return None, 0, None
    status, _, data = writer.request("PUT", path + "?ttl=1h", json.dumps({"sample": n, "pad": "x" * 600}))
    answered = time.perf_counter()
    assert status == 200, (status, data[:200])
    etag = f'"{json.loads(data)["version"]}"'
    polls = 0
    while True:
        status, headers, _ = prober.request("GET", path)
        seen = time.perf_counter()
        polls += 1
        if headers.get("ETag") == etag:
            return (seen - answered) * 1000, polls, read_ms
        if seen - answered > 5:
            return 5000.0, polls, read_ms


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--writer", required=True, help="base URL of replica A (writes)")
    ap.add_argument("--prober", required=True, help="base URL of replica B (reads)")
    ap.add_argument("--samples", type=int, default=1000)
    ap.add_argument("--keys", type=int, default=20, help="keys written in turn")
    ap.add_argument("--warmup", type=int, default=20, help="seconds of wrk on both replicas first")
    ap.add_argument("--entries", type=int, default=10000, help="entries loaded for the background load")
    ap.add_argument("--pause-ms", type=float, default=10, help="pause between samples")
    ap.add_argument("--out", help="JSON file for the result")
    args = ap.parse_args()

    load(args.writer, args.entries)
    warm = [wrk(args.writer, "mix.lua", args.warmup, 8, args.entries), wrk(args.prober, "get-hit.lua", args.warmup, 8, args.entries)]
    for p in warm:
        p.wait()
    writer, prober = Connection(args.writer), Connection(args.prober)
    keys = [f"lag-{i}" for i in range(args.keys)]
    for k in keys:  # live keys, so every sample's write is an UPDATE
        status, _, data = writer.request("PUT", f"/v1/cache/lag/{k}?ttl=1h", json.dumps({"sample": -1}))
        assert status in (200, 201), (status, data[:200])
    # light load: 4 connections on each replica, each waiting 10 ms on average between GET hits
    background = [wrk(url, "get-rate.lua", 3600, 4, args.entries, {"BENCH_DELAY_MS": "10"}) for url in (args.writer, args.prober)]
    lags, polls, reads, no_copy = [], [], [], 0
    started = time.time()
    try:
        n = 0
        while len(lags) < args.samples and no_copy < args.samples:
            lag, p, read_ms = sample(writer, prober, keys[n % len(keys)], n)
            n += 1
            if lag is None:
                no_copy += 1
            else:
                lags.append(lag)
                polls.append(p)
                reads.append(read_ms)
            time.sleep(args.pause_ms / 1000)
    finally:
        for p in background:
            p.terminate()
            p.wait()
    elapsed = time.time() - started
    if not lags:
        sys.exit(f"bench/lag.py: no sample: replica B never answered from memory ({no_copy} tries); is its near cache on and listening?")
    lags.sort()
    pct = lambda q: lags[min(len(lags) - 1, int(q * len(lags)))]
    result = {"samples": len(lags), "p50": pct(0.50), "p99": pct(0.99), "max": lags[-1], "mean": statistics.fmean(lags),
              "timeouts": sum(1 for x in lags if x >= 5000), "no_copy": no_copy, "polls_median": statistics.median(polls),
              "more_than_one_read": sum(1 for p in polls if p > 1), "memory_read_p50": statistics.median(reads),
              "seconds": elapsed, "keys": args.keys, "target_p99": TARGET_P99_MS}
    print(f"cross-replica lag, write answered by A -> new ETag first answered by B: {result['samples']} samples in {elapsed:.0f} s, "
          f"p50 {result['p50']:.2f} ms, p99 {result['p99']:.2f} ms (target <= {TARGET_P99_MS:g}), max {result['max']:.2f} ms; "
          f"{result['timeouts']} over 5 s; {no_copy} tries where B held no copy; {result['more_than_one_read']} samples where B first "
          f"answered the old value again (median {result['polls_median']:g} reads of B per sample); one read of B from memory took "
          f"{result['memory_read_p50']:.2f} ms (median)",
          flush=True)
    if args.out:
        with open(args.out, "w") as f:
            json.dump(result, f)


if __name__ == "__main__":
    main()
