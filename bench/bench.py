"""Runs the scenarios of bench/run.sh against a started service and writes the results.

Every figure in the table comes from this run: wrk against pgcache, pgbench with the same
SQL against the same database, redis-benchmark with values of the same size, and (from
bench/run.sh's earlier phases) the scale phase, the stampede and bench/lag.py. Ratios are
pgcache's throughput over pgbench's on the same statement. Standard library only.
"""
import argparse
import concurrent.futures
import datetime
import glob
import http.client
import json
import os
import random
import re
import signal
import statistics
import sys
import subprocess
import tempfile
import threading
import time
import urllib.parse

import chart

HERE = os.path.dirname(os.path.abspath(__file__))


def block_value(i, rng):
    """A block-like JSON value of roughly 0.3 to 2 KB."""
    txs = [f"0x{rng.getrandbits(256):064x}" for _ in range(rng.randint(1, 22))]
    return json.dumps({"number": hex(19_000_000 + i), "hash": f"0x{rng.getrandbits(256):064x}",
                       "parentHash": f"0x{rng.getrandbits(256):064x}", "miner": f"0x{rng.getrandbits(160):040x}",
                       "gasUsed": hex(rng.getrandbits(24)), "baseFeePerGas": str(rng.getrandbits(40)), "transactions": txs})


class Service:
    def __init__(self, base_url):
        u = urllib.parse.urlparse(base_url)
        self.base_url = base_url
        self.host, self.port = u.hostname, u.port
        self.auth = os.environ["BENCH_AUTH"]

    def request(self, method, path, body=None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
        headers = {"Authorization": self.auth, "Content-Type": "application/json"}
        conn.request(method, path, body=body, headers=headers)
        r = conn.getresponse()
        data = r.read()
        conn.close()
        return r.status, data


def load(service, entries):
    """Loads k0..k{entries-1} into namespace bench with batch-puts of 1000, two at a time."""
    rng = random.Random(7)
    start = time.time()

    def batch(lo):
        hi = min(entries, lo + 1000)
        body = '{"entries":[' + ",".join(f'{{"key":"k{i}","value":{block_value(i, rng)},"ttl":"never"}}' for i in range(lo, hi)) + "]}"
        status, data = service.request("POST", "/v1/cache/bench/batch-put", body)
        assert status == 200, (status, data[:200])

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        list(pool.map(batch, range(0, entries, 1000)))
    return time.time() - start


def to_ms(text):
    m = re.match(r"([\d.]+)(us|ms|s)", text)
    value, unit = float(m.group(1)), m.group(2)
    return value / 1000 if unit == "us" else value if unit == "ms" else value * 1000


def wrk(base_url, script, duration, connections, entries, extra_env=None):
    env = dict(os.environ, BENCH_ENTRIES=str(entries), BENCH_LUA_DIR=os.path.join(HERE, "wrk"), **(extra_env or {}))
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "10s",
                          "-s", os.path.join(HERE, "wrk", script), base_url],
                         env=env, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = to_ms(re.search(r"\s50%\s+(\S+)", out).group(1))
    p99 = to_ms(re.search(r"\s99%\s+(\S+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": rps, "p50": p50, "p99": p99, "non2xx": int(non2xx.group(1)) if non2xx else 0,
            "errors": errors.group(1) if errors else ""}


def pgbench(db, script, duration, connections, entries, rows_per_statement=1):
    """Statements/s of the script; with rows_per_statement, rows (keys) per second instead (latencies stay per statement)."""
    logdir = tempfile.mkdtemp(prefix="pgbench-")
    # the scripts name tables without a schema, as the service does (bench/pgbench/generate.py)
    env = dict(os.environ, PGOPTIONS=(os.environ.get("PGOPTIONS", "") + " -c search_path=pgcache").strip())
    prefix = os.path.join(logdir, "tx")
    # --max-tries: two batch upserts may lock the same rows in different orders; PostgreSQL aborts one, pgbench retries it
    out = subprocess.run(["pgbench", "-h", os.environ.get("PGHOST", "127.0.0.1"), "-U", os.environ.get("PGUSER", "postgres"),
                          "-n", "-M", "prepared", f"-c{connections}", "-j2", f"-T{duration}", "-D", f"entries={entries}", "--max-tries=10",
                          "-f", os.path.join(HERE, "pgbench", script), "-l", "--sampling-rate=0.05", f"--log-prefix={prefix}", db],
                         env=env, capture_output=True, text=True, check=True).stdout
    tps = float(re.search(r"tps = ([\d.]+) \(without initial connection time\)", out).group(1)) * rows_per_statement
    latencies = []
    for f in glob.glob(prefix + "*"):
        with open(f) as fh:
            latencies += [int(line.split()[2]) / 1000 for line in fh if line.strip()]
    latencies.sort()
    pct = lambda p: latencies[min(len(latencies) - 1, int(p * len(latencies)))] if latencies else float("nan")
    return {"rps": tps, "p50": pct(0.50), "p99": pct(0.99), "non2xx": 0, "errors": ""}


def redis_benchmark(test, size, entries, connections, requests):
    out = subprocess.run(["redis-benchmark", "-h", "127.0.0.1", "-t", test, "-d", str(size), "-r", str(entries),
                          "-n", str(requests), "-c", str(connections), "--csv"], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        cells = [c.strip('"') for c in line.split('","')]
        if cells[0].upper().startswith(test.upper()):
            return {"rps": float(cells[1]), "p50": float(cells[4]), "p99": float(cells[6]), "non2xx": 0, "errors": ""}
    raise RuntimeError("no redis-benchmark result for " + test + ": " + out)


def settle(db):
    """A checkpoint before each measurement: the writes of the scenario before (pgbench's upserts, the PUT
    scenarios) would otherwise be flushed to disk during the next one, which is then measured against I/O
    it did not cause."""
    psql(db, "CHECKPOINT")


def statement_sizes(service):
    """(count, sum) of pgcache_statement_requests by kind, from /q/metrics: requests answered per database statement."""
    status, data = service.request("GET", "/q/metrics")
    sizes = {}
    for line in data.decode().splitlines():
        m = re.match(r'pgcache_statement_requests_(count|sum)\{kind="(\w+)"\} ([\d.eE+]+)', line)
        if m:
            sizes.setdefault(m.group(2), [0.0, 0.0])[0 if m.group(1) == "count" else 1] = float(m.group(3))
    return sizes


def psql(db, sql):
    return subprocess.run(["psql", "-h", os.environ.get("PGHOST", "127.0.0.1"), "-U", os.environ.get("PGUSER", "postgres"),
                           "-d", db, "-Atc", sql], capture_output=True, text=True, check=True).stdout.strip()


def purge_scenario(service, args):
    """20% of the rows past their stale window; GET p99 on live keys without, then with, purge running."""
    live = int(args.entries * 0.8)
    psql(args.db, f"UPDATE pgcache.cache_entry SET expires_at = now() - interval '2 minutes', stale_until = now() - interval '1 minute' "
                  f"WHERE namespace = 'bench' AND substr(cache_key, 2)::int >= {live}")
    psql(args.db, "VACUUM ANALYZE pgcache.cache_entry")
    settle(args.db)
    without = wrk(args.base_url, "get-hit.lua", args.duration, args.connections, live)
    done = threading.Event()
    runs = []

    def purge_until_done():
        while not done.is_set():
            status, data = service.request("POST", "/v1/admin/purge")
            report = json.loads(data)
            runs.append(report)
            if report.get("complete") and report.get("purged", 0) == 0:
                time.sleep(0.5)

    t = threading.Thread(target=purge_until_done, daemon=True)
    t.start()
    with_purge = wrk(args.base_url, "get-hit.lua", args.duration, args.connections, live)
    done.set()
    t.join(timeout=60)
    purged = sum(r.get("purged", 0) for r in runs)
    return without, with_purge, purged, len(runs)


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def reset_peak_rss(pid):
    """Resets VmHWM to the current resident size (Linux: 5 into /proc/PID/clear_refs); whether it could."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def metrics(service):
    """Every sample of /q/metrics, by its name and labels as written there."""
    status, data = service.request("GET", "/q/metrics")
    values = {}
    for line in data.decode().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            try:
                values[name] = float(value)
            except ValueError:
                pass
    return values


NEAR_READS = 'pgcache_near_cache_reads_total{result="%s"}'
NEAR_DROPS = 'pgcache_near_cache_drops_total{scope="key"}'
NEAR_LISTENING = "pgcache_near_cache_listening"
NEAR_RECONNECTS = "pgcache_near_cache_listener_reconnects_total"
TRIGGERS = ("cache_entry_log_update", "cache_entry_log_delete", "cache_entry_log_truncate")


def memory_share(before, after):
    """Share of the single-key GETs between two metrics snapshots that the near cache answered from memory."""
    delta = {r: after.get(NEAR_READS % r, 0) - before.get(NEAR_READS % r, 0) for r in ("hit", "miss", "bypass")}
    total = sum(delta.values())
    return delta["hit"] / total if total else float("nan")


def set_triggers(db, enabled):
    # ALWAYS, as migration V8 sets them: a replica serves from memory only with all three so
    verb = "ENABLE ALWAYS" if enabled else "DISABLE"
    psql(db, "ALTER TABLE pgcache.cache_entry " + ", ".join(f"{verb} TRIGGER {t}" for t in TRIGGERS))


def await_listening(service, timeout=15):
    """Waits until the replica listens for changes again (its near cache answers from memory); whether it does."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if metrics(service).get(NEAR_LISTENING) == 1:
            return True
        time.sleep(0.1)
    return False


def median_of_rounds(results):
    """One row from several rounds of one variant: the medians of req/s, p50 and p99; non-2xx summed."""
    return {"rps": statistics.median(r["rps"] for r in results), "p50": statistics.median(r["p50"] for r in results),
            "p99": statistics.median(r["p99"] for r in results), "non2xx": sum(r["non2xx"] for r in results),
            "errors": "; ".join(r["errors"] for r in results if r["errors"]), "rounds": [r["rps"] for r in results]}


NEAR_ON_HOT, NEAR_OFF_HOT = "pgcache: GET hit, near cache on, hot set", "pgcache: GET hit, near cache off, hot set"
NEAR_ON_ALL, NEAR_OFF_ALL = "pgcache: GET hit, near cache on, all keys", "pgcache: GET hit, near cache off, all keys"
PUT_NOTIFIED, PUT_SILENT = "pgcache: PUT, notifications on", "pgcache: PUT, notifications off"
PG_HOT = "pgbench: GET statement, hot set"
LAG = "pgcache: cross-replica lag, ms (A to B)"


def near_scenarios(service, off, args, pg, redis_get):
    """The near cache (issue 15) against its references, on replica A (this run's service, default settings:
    near cache on) and replica C (the same database, started with pgcache.near-cache.enabled=false):

    - GET hits on a hot set (k0..k{hot-1}, which fits in the near cache's max-bytes) and on all keys (which
      does not), each on A and on C, in alternating rounds; pgbench's SELECT on the same hot rows;
    - PUTs overwriting live keys with change notifications (triggers on, A) and without (the three triggers
      disabled, C: a replica with the near cache on would refuse to answer from memory meanwhile), alternating;
      the triggers are enabled again whatever happens.

    Returns (rows, facts, A's peak resident memory before the GET rounds reset it)."""
    hot, seconds = args.hot_keys, max(2, args.duration // 2)
    rows, facts = [], []

    def row(name, result, reference):
        result["name"], result["reference"] = name, reference
        rows.append(result)
        print(f"  {name}: {result['rps']:.0f} req/s (rounds: {', '.join(f'{x:.0f}' for x in result.get('rounds', [result['rps']]))})",
              flush=True)
        return result

    settle(args.db)
    print(f"  {PG_HOT} ...", flush=True)
    pg_hot = row(PG_HOT, pgbench(args.db, "get.sql", args.duration, args.connections, hot), None)
    # warm-up: A's JIT has run every scenario above (its near cache among them); here its near cache takes the hot
    # set; C has served nothing yet
    settle(args.db)
    wrk(args.base_url, "get-hit.lua", args.warmup, args.connections, hot)
    wrk(off.base_url, "get-hit.lua", args.warmup, args.connections, args.entries)
    held = metrics(service)
    held_entries, held_mb = held.get("pgcache_near_cache_entries", 0), held.get("pgcache_near_cache_bytes", 0) / 2**20
    # the hot set as the near cache counts it (NearCache.weight: the value's text, the key, 200 bytes)
    hot_mb = float(psql(args.db, "SELECT sum(length(value::text) + length(cache_key) + 200) / 1048576.0 FROM pgcache.cache_entry "
                                 f"WHERE namespace = 'bench' AND substr(cache_key, 2)::int < {hot}"))
    hwm_before = rss_mb(args.pid)
    reset = reset_peak_rss(args.pid) and reset_peak_rss(args.near_off_pid)
    variants = [(NEAR_ON_HOT, service, args.base_url, hot, pg_hot), (NEAR_OFF_HOT, off, off.base_url, hot, pg_hot),
                (NEAR_ON_ALL, service, args.base_url, args.entries, pg["get"]), (NEAR_OFF_ALL, off, off.base_url, args.entries, pg["get"])]
    rounds = {name: [] for name, *_ in variants}
    shares = {name: [] for name, *_ in variants}
    start = metrics(service)
    for r in range(args.rounds):
        for name, svc, url, keys, _ in variants:
            settle(args.db)
            print(f"  {name}, round {r + 1} of {args.rounds} ...", flush=True)
            before = metrics(service)
            rounds[name].append(wrk(url, "get-hit.lua", seconds, args.connections, keys))
            shares[name].append(memory_share(before, metrics(service)))
    rss_near, rss_off = rss_mb(args.pid), rss_mb(args.near_off_pid)
    results = {name: row(name, median_of_rounds(rounds[name]), ref) for name, _, _, _, ref in variants}

    # PUT: C's write path warms up first (A's ran the PUT and mixed scenarios above)
    settle(args.db)
    wrk(off.base_url, "put.lua", args.warmup, args.connections, args.entries)
    put_rounds = {PUT_NOTIFIED: [], PUT_SILENT: []}
    drops = {PUT_NOTIFIED: 0.0, PUT_SILENT: 0.0}
    deaf_seen = []
    for r in range(args.rounds):
        if not await_listening(service):
            raise RuntimeError("replica A does not listen for changes: the near cache would not be measured")
        settle(args.db)
        print(f"  {PUT_NOTIFIED}, round {r + 1} of {args.rounds} ...", flush=True)
        before = metrics(service)
        put_rounds[PUT_NOTIFIED].append(wrk(args.base_url, "put.lua", seconds, args.connections, args.entries))
        drops[PUT_NOTIFIED] += metrics(service).get(NEAR_DROPS, 0) - before.get(NEAR_DROPS, 0)
        with triggers_disabled(args.db):
            settle(args.db)
            print(f"  {PUT_SILENT}, round {r + 1} of {args.rounds} ...", flush=True)
            before = metrics(service)
            put_rounds[PUT_SILENT].append(wrk(off.base_url, "put.lua", seconds, args.connections, args.entries))
            after = metrics(service)
            drops[PUT_SILENT] += after.get(NEAR_DROPS, 0) - before.get(NEAR_DROPS, 0)
            deaf_seen.append(after.get(NEAR_LISTENING) == 0)
    listening_again = await_listening(service)
    reconnects = metrics(service).get(NEAR_RECONNECTS, 0) - start.get(NEAR_RECONNECTS, 0)
    notified = row(PUT_NOTIFIED, median_of_rounds(put_rounds[PUT_NOTIFIED]), pg["upsert"])
    silent = row(PUT_SILENT, median_of_rounds(put_rounds[PUT_SILENT]), pg["upsert"])

    pct = lambda x: f"{x * 100:.0f}%" if x == x else "n/a"
    on_hot, off_hot, on_all, off_all = (results[n] for n in (NEAR_ON_HOT, NEAR_OFF_HOT, NEAR_ON_ALL, NEAR_OFF_ALL))
    facts.append(f"near cache, GET hits ({args.rounds} alternating rounds of {seconds} s per variant, medians; replica A with default "
                 f"settings, near cache on, and replica C on the same database with it off, each warmed up {args.warmup} s): hot set "
                 f"k0..k{hot - 1} ({hot:,} keys, {hot_mb:.1f} MB as the near cache counts them, max-bytes 16M; after the warm-up A held "
                 f"{held_entries:.0f} copies, {held_mb:.1f} MB), all keys = {args.entries:,}. Near cache on, hot: **{on_hot['rps'] / pg_hot['rps']:.2f}x** pgbench's "
                 f"SELECT of the same rows (target >= 2) and **{on_hot['rps'] / redis_get['rps']:.2f}x** redis-benchmark GET (target "
                 f">= 0.5); {on_hot['rps'] / off_hot['rps']:.2f}x the same GETs with the near cache off. All keys: near cache on "
                 f"{on_all['rps'] / pg['get']['rps']:.2f}x pgbench's SELECT, {on_all['rps'] / off_all['rps']:.2f}x off. Answered "
                 f"from memory on A: hot {pct(statistics.median(shares[NEAR_ON_HOT]))}, all keys {pct(statistics.median(shares[NEAR_ON_ALL]))}")
    facts.append(f"PUT overwriting live keys with change notifications (triggers on, replica A) / without (the three triggers "
                 f"disabled, replica C with the near cache off): **{notified['rps'] / silent['rps']:.2f}x** (target >= 0.9; "
                 f"{args.rounds} alternating rounds of {seconds} s, medians); notifications heard by A: {drops[PUT_NOTIFIED]:.0f} keys "
                 f"named during the rounds with them, {drops[PUT_SILENT]:.0f} during those without; A stopped answering from memory "
                 f"while the triggers were off: {'yes' if deaf_seen and all(deaf_seen) else 'NO'}, and listened again after: "
                 f"{'yes' if listening_again else 'NO'}; listener reconnects on A over these scenarios: {reconnects:.0f}")
    if reset:
        facts.append(f"peak resident memory (VmHWM, reset before the near-cache GET rounds) during those rounds: replica A, default "
                     f"settings with the near cache on: **{rss_near:.0f} MB** (target <= 350); replica C, near cache off: {rss_off:.0f} MB")
    else:
        facts.append(f"peak resident memory (VmHWM since start; /proc/PID/clear_refs not writable) after the near-cache GET rounds: "
                     f"replica A, default settings with the near cache on: **{rss_near:.0f} MB** (target <= 350); replica C, near cache "
                     f"off: {rss_off:.0f} MB")
    return rows, facts, hwm_before


class triggers_disabled:
    """The change triggers off inside the block, on again after it whatever happens (an exception, SIGTERM)."""

    def __init__(self, db):
        self.db = db

    def __enter__(self):
        self.previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        set_triggers(self.db, False)

    def __exit__(self, *exc):
        try:
            set_triggers(self.db, True)
        finally:
            signal.signal(signal.SIGTERM, self.previous)
        return False


def lag_row(path):
    """The row and fact of bench/lag.py's result (run by bench/run.sh on a database of its own)."""
    with open(path) as f:
        lag = json.load(f)
    row = {"name": LAG, "rps": None, "p50": lag["p50"], "p99": lag["p99"],
           "non2xx": 0, "errors": "", "reference": None}
    fact = (f"cross-replica lag of the near cache (bench/lag.py, two replicas on one database): from replica A's answer to a "
            f"PUT to replica B's first answer with the new ETag, B having answered the old value from memory just before: "
            f"p50 {lag['p50']:.2f} ms, **p99 {lag['p99']:.2f} ms** (target <= 50), max {lag['max']:.2f} ms over {lag['samples']} "
            f"samples under light load (GET hits at a few hundred req/s on each replica); {lag['timeouts']} over 5 s; B answered "
            f"the old value again first in {lag['more_than_one_read']} samples; one read of B from memory took "
            f"{lag['memory_read_p50']:.2f} ms (median), which every lag includes once")
    return row, fact


def at_rate(args, target):
    """GET hits at about `target` req/s: wrk's per-request delay, calibrated by two 5 s probes
    (each connection spends the delay plus the request's own time per request)."""
    delay = args.connections * 1000 / target
    for _ in range(2):
        probe = wrk(args.base_url, "get-rate.lua", 5, args.connections, args.entries, {"BENCH_DELAY_MS": f"{delay:.3f}"})
        own = args.connections * 1000 / probe["rps"] - delay
        delay = max(0.0, args.connections * 1000 / target - own)
    return wrk(args.base_url, "get-rate.lua", args.duration, args.connections, args.entries, {"BENCH_DELAY_MS": f"{delay:.3f}"})


def ready_seconds():
    """Measured by bench/lib.sh: from launching the JVM to the first ready answer of /q/health/ready."""
    return float(os.environ.get("READY_SECONDS", "nan"))


def scale_phase(args):
    """GET hits on a table of SMALL rows, then on the same table grown to LARGE rows (generated in SQL)."""
    small_rows, large_rows = args.scale_rows
    started = time.time()
    generate(args.db, "scale", 0, small_rows)
    generate_s = time.time() - started
    psql(args.db, "VACUUM ANALYZE pgcache.cache_entry")
    settle(args.db)
    env = {"BENCH_NS": "scale"}
    wrk(args.base_url, "get-hit.lua", args.warmup, args.connections, small_rows, env)
    small = wrk(args.base_url, "get-hit.lua", args.duration, args.connections, small_rows, env)
    small["name"] = f"pgcache: GET hit, {small_rows:,} rows"
    started = time.time()
    # two loaders at once: one per core
    half = small_rows + (large_rows - small_rows) // 2
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda r: generate(args.db, "scale", *r), [(small_rows, half), (half, large_rows)]))
    generate_s += time.time() - started
    psql(args.db, "VACUUM ANALYZE pgcache.cache_entry")
    settle(args.db)
    wrk(args.base_url, "get-hit.lua", args.warmup, args.connections, large_rows, env)
    large = wrk(args.base_url, "get-hit.lua", args.duration, args.connections, large_rows, env)
    large["name"] = f"pgcache: GET hit, {large_rows:,} rows"
    table = psql(args.db, "SELECT pg_size_pretty(pg_total_relation_size('pgcache.cache_entry'))")
    print(f"  scale: {small['rps']:.0f} req/s with {small_rows} rows, {large['rps']:.0f} req/s with {large_rows} rows ({table})", flush=True)
    with open(args.scale_results, "w") as f:
        json.dump({"small_rows": small_rows, "large_rows": large_rows, "small": small, "large": large,
                   "large_table": table, "generate_s": generate_s}, f)


def generate(db, ns, first, last):
    """Rows k<first>..k<last - 1> of namespace ns, generated by PostgreSQL (bench/sql/generate-entries.sql)."""
    subprocess.run(["psql", "-h", os.environ.get("PGHOST", "127.0.0.1"), "-U", os.environ.get("PGUSER", "postgres"), "-d", db,
                    "-q", "-v", "ON_ERROR_STOP=1", "-v", f"ns={ns}", "-v", f"from={first}", "-v", f"to={last}",
                    "-f", os.path.join(HERE, "sql", "generate-entries.sql")], check=True, capture_output=True, text=True)


def main():
    ap = argparse.ArgumentParser()
    for name in ("base-url", "db", "log", "mode"):
        ap.add_argument("--" + name, required=True)
    ap.add_argument("--doc", help="the markdown file whose section of this mode the run rewrites (main phase)")
    ap.add_argument("--chart", help="the PNG the run draws (main phase; bench/chart.py)")
    for name in ("pid", "entries", "duration", "warmup", "connections"):
        ap.add_argument("--" + name, type=int, required=True)
    ap.add_argument("--phase", choices=("main", "scale"), default="main")
    ap.add_argument("--scale-rows", type=int, nargs=2, default=(100_000, 10_000_000), metavar=("SMALL", "LARGE"))
    ap.add_argument("--scale-results", help="JSON file: written by --phase scale, read by --phase main")
    ap.add_argument("--stampede-results", help="text file with the output of bench/stampede.sh, for the main phase")
    ap.add_argument("--near-off-url", help="main phase: a second replica of the same database with the near cache off "
                    "(the near-cache scenarios run only with it)")
    ap.add_argument("--near-off-pid", type=int, help="its process id (peak resident memory)")
    ap.add_argument("--hot-keys", type=int, default=10_000, help="the near cache's hot set: keys k0..k<N-1>")
    ap.add_argument("--rounds", type=int, default=3, help="alternating rounds of each near-cache variant")
    ap.add_argument("--lag-results", help="JSON file written by bench/lag.py, for the main phase")
    args = ap.parse_args()
    if args.phase == "scale":
        scale_phase(args)
        return
    service = Service(args.base_url)
    print(f"loading {args.entries} entries ...", flush=True)
    load_s = load(service, args.entries)
    avg_size = int(psql(args.db, "SELECT avg(size_bytes)::int FROM pgcache.cache_entry WHERE namespace = 'bench'"))
    psql(args.db, "VACUUM ANALYZE pgcache.cache_entry")

    rows = []

    def run(name, fn, reference=None):
        print(f"  {name} ...", flush=True)
        result = fn()
        result["name"] = name
        result["reference"] = reference
        rows.append(result)
        return result

    scenarios = [("GET hit", "get-hit.lua"), ("GET miss", "get-miss.lua"), ("PUT (upsert)", "put.lua"),
                 ("90/10 GET/PUT", "mix.lua"), ("batch-get of 100", "batch-get.lua")]
    pg = {}
    settle(args.db)
    pg["get"] = run("pgbench: GET statement", lambda: pgbench(args.db, "get.sql", args.duration, args.connections, args.entries))
    settle(args.db)
    pg["upsert"] = run("pgbench: upsert statement", lambda: pgbench(args.db, "upsert.sql", args.duration, args.connections, args.entries))
    settle(args.db)
    # the statements pgcache sends when requests queue (ReadCoalescer, WriteCoalescer): 8 keys each, 2 at a time
    # (pgcache.reads/writes.max-queries); in keys/s, the database's limit for requests sent that way
    run("pgbench: GET statement for 8 keys, 2 clients (keys/s)",
        lambda: pgbench(args.db, "get-each-8.sql", args.duration, 2, args.entries, rows_per_statement=8))
    run("pgbench: batch upsert of 8 keys, 2 clients (rows/s)",
        lambda: pgbench(args.db, "upsert-each-8.sql", args.duration, 2, args.entries, rows_per_statement=8))
    shared = {}  # scenario -> average requests per statement, by kind
    for name, script in scenarios:
        settle(args.db)
        wrk(args.base_url, script, args.warmup, args.connections, args.entries)  # warm-up, not reported
        ref = pg["get"] if name == "GET hit" else pg["upsert"] if name.startswith("PUT") else None
        before = statement_sizes(service)
        result = run("pgcache: " + name, lambda s=script: wrk(args.base_url, s, args.duration, args.connections, args.entries), ref)
        after = statement_sizes(service)
        shared[name] = {kind: (after[kind][1] - before.get(kind, [0, 0])[1]) / (after[kind][0] - before.get(kind, [0, 0])[0])
                        for kind in after if after[kind][0] > before.get(kind, [0, 0])[0]}
        if name == "GET hit":
            peak_get = result
            target = 0.8 * result["rps"]
            at80 = run("pgcache: GET hit at 80% of peak", lambda: at_rate(args, target))
            at80["note"] = f"target {target:.0f} req/s, achieved {at80['rps'] / result['rps'] * 100:.0f}% of peak"
    requests = max(20000, args.duration * 20000)
    run("redis-benchmark: SET", lambda: redis_benchmark("set", avg_size, args.entries, args.connections, requests))
    redis_get = run("redis-benchmark: GET", lambda: redis_benchmark("get", avg_size, args.entries, args.connections, requests))
    near_facts, hwm_before = [], 0.0
    if args.near_off_url:
        # before the purge scenario, which expires 20% of the keys
        near_rows, near_facts, hwm_before = near_scenarios(service, Service(args.near_off_url), args, pg, redis_get)
        rows += near_rows
    if args.lag_results and os.path.exists(args.lag_results):
        row, fact = lag_row(args.lag_results)
        rows.append(row)
        near_facts.append(fact)
    without, with_purge, purged, purge_runs = purge_scenario(service, args)
    without["name"], with_purge["name"] = "pgcache: GET hit, no purge", "pgcache: GET hit, purging 20%"
    without["reference"] = with_purge["reference"] = None
    rows += [without, with_purge]
    rss = max(rss_mb(args.pid), hwm_before)  # the near-cache scenarios reset VmHWM: the peak before them counts too
    ready = ready_seconds()
    restart_ready = "n/a"
    if args.scale_results and os.path.exists(os.path.join(os.path.dirname(args.scale_results), "restart-ready.txt")):
        with open(os.path.join(os.path.dirname(args.scale_results), "restart-ready.txt")) as f:
            restart_ready = f.read().strip()
    scale = None
    if args.scale_results and os.path.exists(args.scale_results):
        with open(args.scale_results) as f:
            scale = json.load(f)
        for r in (scale["small"], scale["large"]):
            r["reference"] = None
            rows.append(r)

    cores = os.cpu_count()
    header = f"{'scenario':46}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'vs pgbench':>12}{'non-2xx':>9}"
    lines = [header, "-" * len(header)]
    md = ["| scenario | req/s | p50 ms | p99 ms | ratio to pgbench (same statement) | non-2xx |", "|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        ratio = f"{r['rps'] / r['reference']['rps']:.2f}x" if r.get("reference") else ""
        rps = "" if r["rps"] is None else f"{r['rps']:.0f}"  # a latency without a rate (the cross-replica lag)
        lines.append(f"{r['name']:46}{rps:>10}{r['p50']:9.2f}{r['p99']:9.2f}{ratio:>12}{r['non2xx']:9d}")
        md.append(f"| {r['name']} | {rps} | {r['p50']:.2f} | {r['p99']:.2f} | {ratio} | {r['non2xx']} |")
    p99_ratio = with_purge["p99"] / without["p99"] if without["p99"] else float("nan")
    facts = [f"machine: {cores} cores shared by wrk, pgcache, PostgreSQL and the load tools; mode {args.mode}",
             f"entries: {args.entries} (average value {avg_size} bytes), loaded through batch-put in {load_s:.1f} s",
             f"each scenario: {args.warmup} s warm-up (wrk scenarios), then {args.duration} s measured, {args.connections} connections",
             f"GET p99 while purging 20% of the rows: {p99_ratio:.2f}x the p99 without ({purged} rows purged in {purge_runs} purge calls)",
             f"service peak resident memory (VmHWM): {rss:.0f} MB; ready {ready:.2f} s after running bin/run on a new database "
             f"(migrations run); on a restart against an existing one: {restart_ready}",
             f"GET p99 at 80% of peak throughput: {at80['p99']:.2f} ms ({at80['note']}; peak p99 {peak_get['p99']:.2f} ms)",
             "requests per database statement (pgcache_statement_requests, average over the scenario): "
             + "; ".join(f"{name}: " + ", ".join(f"{kind} {avg:.1f}" for kind, avg in sorted(kinds.items()))
                         for name, kinds in shared.items() if kinds)] + near_facts
    if scale:
        facts.append(f"GET hit throughput with {scale['large_rows']:,} rows: {scale['large']['rps'] / scale['small']['rps']:.2f}x the "
                     f"throughput with {scale['small_rows']:,} rows (table {scale['large_table']}; rows generated in SQL in "
                     f"{scale['generate_s']:.0f} s; separate database and service start)")
    stampede = ""
    if args.stampede_results and os.path.exists(args.stampede_results):
        with open(args.stampede_results) as f:
            stampede = f.read().strip()
    print("\n".join(lines + [""] + facts))

    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    chart.plot(rows, args.chart, f"pgcache against its references, measured in the same run ({stamp})")
    extra = ["", "Read-through stampede (`bench/stampede.sh`, run by bench/run.sh):", "", "```", stampede, "```"] if stampede else []
    picture = os.path.relpath(args.chart, os.path.dirname(os.path.abspath(args.doc)))
    section = "\n".join([f"Run of {stamp}, `bench/run.sh{' --smoke' if args.mode == 'smoke' else ''}`:", "", *md, "",
                         *[f"- {f}" for f in facts], *extra, "",
                         f"![each ratio against its reference, with the targets]({picture})", ""])
    write_section(args.doc, args.mode, section)


def write_section(path, mode, section):
    begin, end = f"<!-- bench/run.sh {mode}: begin -->", f"<!-- bench/run.sh {mode}: end -->"
    text = open(path).read() if os.path.exists(path) else "# Benchmarks\n"
    block = f"{begin}\n{section}{end}"
    if begin in text:
        text = text[:text.index(begin)] + block + text[text.index(end) + len(end):]
    else:
        title = "## Performance bar: pgcache, pgbench and Redis (issue 8)" if mode == "full" else "## Smoke run of bench/run.sh"
        text = text.rstrip() + f"\n\n{title}\n\n{block}\n"
    with open(path, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
