#!/usr/bin/env python3
"""Hit ratio by eviction policy on a skewed trace (issue 17).

The trace: `requests` reads of `keys` keys drawn from a Zipf distribution (exponent `exponent`),
seeded, so every run with the same arguments replays exactly the same trace. Each key has a value
of its own size (a JSON string: 70% 200 bytes, 25% 2 KB, 5% 16 KB), also seeded. A read is
cache-aside: GET; on a 404, PUT the value (ttl=never). The cap is `cap-percent` of the bytes of all
keys' values, the way PostgreSQL counts them (size_bytes: the JSON text, quotes included).

  --simulate P    an exact cache of the same byte capacity, offline, on the same trace: P = lru (the
                  reference of the targets), fifo (oldest-first) or clock (second chance seeing every
                  read at once): what the service's policies would reach without sampling, flush
                  delays or purge intervals; or gdsf (greedy-dual-size-frequency), no policy of the
                  service: what keeping small values before large ones would reach. Offline results
                  also give the byte hit ratio (bytes of hits / bytes of requests); or size-aware: the service's
                  policy of that name as the service sees reads (sampled one in --sample-one-in, flushed every
                  --flush-every requests, eviction at a purge every --purge-every requests, over a window of
                  --window times the rows to free), to choose its parameters offline
  --base-url URL  the replay against a running service (bench/eviction.sh starts one per policy,
                  with pgcache.storage.max-bytes = the cap); a purge (POST /v1/admin/purge) every
                  `purge-every` requests brings the table back under the cap, as the purge timer
                  would, at a rate that does not depend on the machine's speed

The hit ratio does not depend on the machine's speed, except through what the hit flush (a
timer, pgcache.hits.flush-interval) has written when a purge runs; bench/eviction.sh sets it to
1 s. Ratios are given for the whole trace and for its second half (the cache warm).
Standard library only.
"""
import argparse
import bisect
import collections
import heapq
import http.client
import itertools
import json
import os
import random
import sys
import threading
import time
import urllib.parse

SIZES = [(0.70, 200), (0.25, 2048), (0.05, 16384)]


def trace(args):
    rng = random.Random(args.seed)
    weights = [1.0 / (i ** args.exponent) for i in range(1, args.keys + 1)]
    cdf = list(itertools.accumulate(weights))
    total = cdf[-1]
    ranks = list(range(args.keys))
    rng.shuffle(ranks)  # the most popular key is not k0: names say nothing about popularity
    requests = [ranks[bisect.bisect_left(cdf, rng.random() * total)] for _ in range(args.requests)]
    sizes = []
    for _ in range(args.keys):
        r, acc = rng.random(), 0.0
        for share, size in SIZES:
            acc += share
            if r < acc:
                break
        sizes.append(size)
    return requests, sizes


def stored_bytes(size):
    return size + 2  # a JSON string: the quotes count in size_bytes


def cap_bytes(args, sizes):
    return sum(stored_bytes(s) for s in sizes) * args.cap_percent // 100


def simulate(args, requests, sizes, policy="lru"):
    """An exact cache of the cap's bytes, offline: lru, fifo (oldest-first), clock (second chance, every
    read seen at once) or gdsf (greedy-dual-size-frequency: evicts the lowest hits/bytes, aged); or
    size-aware, the service's policy with the service's approximations."""
    if policy == "gdsf":
        return simulate_gdsf(args, requests, sizes)
    if policy == "size-aware":
        return simulate_size_aware(args, requests, sizes)
    cap = cap_bytes(args, sizes)
    cache, used = collections.OrderedDict(), 0  # key -> [bytes, read since queued]
    hits = [0, 0]
    hit_bytes = 0
    half = len(requests) // 2
    for n, k in enumerate(requests):
        if k in cache:
            if policy == "lru":
                cache.move_to_end(k)
            cache[k][1] = True
            hits[n >= half] += 1
            hit_bytes += cache[k][0]
            continue
        cache[k] = [stored_bytes(sizes[k]), False]
        used += cache[k][0]
        while used > cap:
            victim, (b, read) = cache.popitem(last=False)
            if policy == "clock" and read:
                cache[victim] = [b, False]  # a second chance: to the back, its read used up
                continue
            used -= b
    names = {"lru": "exact LRU (offline)", "fifo": "oldest-first (offline)", "clock": "second chance (offline)"}
    return result_of(names[policy], requests, sizes, hits, hit_bytes)


def simulate_gdsf(args, requests, sizes):
    """Greedy-dual-size-frequency (Cherkasova 1998), exact: a key's priority is the clock plus its
    hits since it came in divided by its bytes; the lowest goes, and the clock becomes its priority.
    Not a policy of the service: the reference for what weighing values by their size can do."""
    cap = cap_bytes(args, sizes)
    heap, prio, freq = [], {}, {}
    clock, used, hit_bytes = 0.0, 0, 0
    hits = [0, 0]
    half = len(requests) // 2
    for n, k in enumerate(requests):
        b = stored_bytes(sizes[k])
        if k in prio:
            hits[n >= half] += 1
            hit_bytes += b
            freq[k] += 1
        else:
            freq[k] = 1
            used += b
        prio[k] = clock + freq[k] / b
        heapq.heappush(heap, (prio[k], n, k))
        while used > cap:
            p, _, victim = heapq.heappop(heap)
            if prio.get(victim) != p:
                continue  # an older priority of a key read since
            clock = p
            del prio[victim], freq[victim]
            used -= stored_bytes(sizes[victim])
    return result_of("GDSF, size-aware (offline)", requests, sizes, hits, hit_bytes)


def simulate_size_aware(args, requests, sizes):
    """The service's size-aware eviction (pgcache.storage.eviction-policy=size-aware, entry.EvictionStatements),
    with what the service sees: reads sampled one in `sample-one-in` and then counting that many, flushed into
    hit_count every `flush-every` requests, eviction only at a purge every `purge-every` requests. A purge
    measures the bytes over the cap, reads the queue's first rows (the window: `window` times the rows to free,
    these being twice the bytes over by the average row, plus 100) and deletes the lightest by (reads since
    queued + 1) / bytes, then queue order, until the bytes over are freed; rows of the hand (the window's first
    rows, as many as are to be freed) read since queued and not deleted are requeued, their reads used up."""
    cap = cap_bytes(args, sizes)
    rng = random.Random(args.seed + 1)
    queue = collections.OrderedDict()  # key -> [bytes, hit_count, hit_count when queued, version], in queue order
    used, pending, version = 0, {}, {}
    hits, hit_bytes = [0, 0], 0
    half = len(requests) // 2
    requeues = purges = window_rows = 0
    for n, k in enumerate(requests):
        row = queue.get(k)
        if row is not None:
            hits[n >= half] += 1
            hit_bytes += row[0]
            if rng.random() * args.sample_one_in < 1:  # HitTracker: counted with probability 1/n, weighing n
                pending[(k, row[3])] = pending.get((k, row[3]), 0) + args.sample_one_in
        else:  # the PUT after a miss: a new row at the back of the queue, hit_count 0
            version[k] = version.get(k, 0) + 1
            queue[k] = [stored_bytes(sizes[k]), 0, 0, version[k]]
            used += queue[k][0]
        if (n + 1) % args.flush_every == 0:  # the hit flush: counts of the version read only
            for (key, v), c in pending.items():
                r = queue.get(key)
                if r is not None and r[3] == v:
                    r[1] += c
            pending = {}
        if (n + 1) % args.purge_every:
            continue
        while used > cap:  # one plan and its batches; a plan that falls short is made again
            purges += 1
            over = used - cap
            needed = 2 * (over // max(1, used // len(queue))) + 100
            window = list(itertools.islice(queue.items(), needed * args.window))
            window_rows += len(window)
            order = sorted(range(len(window)), key=lambda i: ((window[i][1][1] - window[i][1][2] + 1) / window[i][1][0], i))
            freed, gone = 0, set()
            for i in order:
                if freed >= over:
                    break
                gone.add(i)
                freed += window[i][1][0]
            for i, (key, r) in enumerate(window):
                if i in gone:
                    del queue[key]
                    used -= r[0]
                elif i < needed and r[1] > r[2]:
                    queue.move_to_end(key)
                    r[2] = r[1]
                    requeues += 1
    result = result_of("size-aware (offline, as the service sees reads)", requests, sizes, hits, hit_bytes)
    result.update({"requeues": requeues, "mean_window_rows": round(window_rows / max(1, purges)), "rows_at_end": len(queue),
                   "window": args.window, "flush_every": args.flush_every, "sample_one_in": args.sample_one_in})
    return result


def result_of(name, requests, sizes, hits, hit_bytes):
    half = len(requests) // 2
    all_bytes = sum(stored_bytes(sizes[k]) for k in requests)
    return {"policy": name, "hits": sum(hits), "requests": len(requests), "hit_ratio": sum(hits) / len(requests),
            "hit_ratio_second_half": hits[1] / (len(requests) - half), "byte_hit_ratio": hit_bytes / all_bytes}


def replay(args, requests, sizes):
    url = urllib.parse.urlparse(args.base_url)
    auth = os.environ["BENCH_AUTH"]
    ns = args.namespace
    lock = threading.Lock()
    state = {"next": 0, "hits": [0, 0], "hit_bytes": 0, "errors": 0, "purges": 0, "evicted": 0, "requeued": 0}
    half = len(requests) // 2
    done = threading.Event()

    def request(conn, method, path, body=None, answer=None):
        headers = {"Authorization": auth}
        if body is not None:
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=body, headers=headers)
        r = conn.getresponse()
        data = r.read()
        if answer is not None and r.status == 200:
            answer.update(json.loads(data))
        return r.status

    def worker():
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        while True:
            with lock:
                n = state["next"]
                if n >= len(requests):
                    return
                state["next"] = n + 1
            k = requests[n]
            status = request(conn, "GET", f"/v1/cache/{ns}/k{k}")
            if status == 200:
                with lock:
                    state["hits"][n >= half] += 1
                    state["hit_bytes"] += stored_bytes(sizes[k])
            elif status == 404:
                put = request(conn, "PUT", f"/v1/cache/{ns}/k{k}?ttl=never", '"' + "x" * sizes[k] + '"')
                if put // 100 != 2:
                    with lock:
                        state["errors"] += 1
            else:
                with lock:
                    state["errors"] += 1

    def purger():
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
        mark = args.purge_every
        while not done.is_set():
            with lock:
                n = state["next"]
            if n >= mark:
                report = {}
                status = request(conn, "POST", "/v1/admin/purge", answer=report)
                with lock:
                    if status != 200:
                        state["errors"] += 1
                    state["evicted"] += report.get("evicted", 0) + report.get("evictedForCap", 0)
                    state["requeued"] += report.get("secondChances", 0)
                state["purges"] += 1
                mark += args.purge_every
            else:
                time.sleep(0.002)

    start = time.time()
    p = threading.Thread(target=purger)
    p.start()
    workers = [threading.Thread(target=worker) for _ in range(args.threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    done.set()
    p.join()
    hits = state["hits"]
    return {"policy": args.policy, "hits": sum(hits), "requests": len(requests), "hit_ratio": sum(hits) / len(requests),
            "hit_ratio_second_half": hits[1] / (len(requests) - half),
            "byte_hit_ratio": state["hit_bytes"] / sum(stored_bytes(sizes[k]) for k in requests), "errors": state["errors"], "purges": state["purges"],
            "evicted": state["evicted"], "requeued": state["requeued"],
            "seconds": round(time.time() - start, 1)}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--keys", type=int, default=200_000)
    p.add_argument("--requests", type=int, default=1_000_000)
    p.add_argument("--exponent", type=float, default=0.9)
    p.add_argument("--cap-percent", type=int, default=10)
    p.add_argument("--seed", type=int, default=17)
    p.add_argument("--simulate", choices=["lru", "fifo", "clock", "gdsf", "size-aware"], help="simulate this policy offline instead of replaying")
    p.add_argument("--window", type=int, default=64, help="size-aware: pgcache.storage.eviction-window")
    p.add_argument("--flush-every", type=int, default=1000, help="size-aware: requests between two hit flushes")
    p.add_argument("--sample-one-in", type=int, default=10, help="size-aware: pgcache.hits.sample-one-in")
    p.add_argument("--cap", action="store_true", help="print the cap in bytes and exit")
    p.add_argument("--base-url")
    p.add_argument("--policy", default="service")
    p.add_argument("--namespace", default="zipf")
    p.add_argument("--threads", type=int, default=8)
    p.add_argument("--purge-every", type=int, default=500)
    p.add_argument("--out")
    args = p.parse_args()
    requests, sizes = trace(args)
    if args.cap:
        print(cap_bytes(args, sizes))
        return
    result = simulate(args, requests, sizes, args.simulate) if args.simulate else replay(args, requests, sizes)
    result.update({"keys": args.keys, "exponent": args.exponent, "cap_bytes": cap_bytes(args, sizes), "seed": args.seed})
    print(json.dumps(result))
    if args.out:
        with open(args.out, "w") as f:
            json.dump(result, f)


if __name__ == "__main__":
    main()
