#!/usr/bin/env python3
"""eth_getLogs through the JSON-RPC proxy, with block-range chunks and without (bench/rpc-logs.sh).

  chain  --node URL --blocks N --out FILE     deploys two tiny event-emitting contracts on Anvil and mines N
                                              blocks with 0 to 5 logs each, then 100 empty ones so they are final
  relay  --port P --target URL                a counting relay in front of the node: requests (inside batches
                                              too), HTTP posts and bytes the node answered; GET /__stats, POST /__reset
  run    --url URL [--auth H] [--relay URL] --chain FILE --label L --out FILE [--workers W --passes P]
                                              the indexer-like workload, timed per query
  report --results FILE                       the table
All traffic stays on 127.0.0.1.
"""
import argparse
import http.client
import http.server
import json
import random
import socketserver
import statistics
import sys
import threading
import time
import urllib.parse

# The contract of src/test/java/dev/pgcache/rpc/RpcLogsTest.java: init code that returns a 20-byte
# runtime doing LOG2(topic0 = calldata[0:32], topic1 = calldata[32:64], data = calldata[64:]).
CREATION = "0x601480600b6000396000f3" + "602035600035604036038060406000376000a200"
ALICE = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"
TOPICS = ["0x" + "0" * 62 + t for t in ("aa", "bb", "cc")]


class Client:
    """One keep-alive HTTP connection to a JSON-RPC endpoint."""

    def __init__(self, url, auth=None):
        u = urllib.parse.urlparse(url)
        self.host, self.port, self.path = u.hostname, u.port, u.path or "/"
        self.headers = {"Content-Type": "application/json"}
        if auth:
            self.headers["Authorization"] = auth
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
        self.ids = 0

    def post(self, body):
        data = json.dumps(body).encode()
        for attempt in range(2):
            try:
                self.conn.request("POST", self.path, data, self.headers)
                r = self.conn.getresponse()
                return r.status, r.read()
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
                if attempt:
                    raise

    def call(self, method, *params):
        self.ids += 1
        status, raw = self.post({"jsonrpc": "2.0", "id": self.ids, "method": method, "params": list(params)})
        answer = json.loads(raw)
        if "error" in answer:
            raise RuntimeError(f"{method}: {answer['error']}")
        return answer["result"]


def chain(args):
    node = Client(args.node)
    addresses = []
    for _ in range(2):
        tx = node.call("eth_sendTransaction", {"from": ALICE, "data": CREATION, "gas": "0x100000"})
        receipt = None
        while receipt is None:
            receipt = node.call("eth_getTransactionReceipt", tx)
        addresses.append(receipt["contractAddress"])
    node.call("evm_setAutomine", False)
    first = int(node.call("eth_blockNumber"), 16) + 1
    nonce = int(node.call("eth_getTransactionCount", ALICE, "pending"), 16)
    rng = random.Random(7)
    try:
        for i in range(args.blocks):
            batch = []
            for j in range(rng.randint(0, 5)):
                data = TOPICS[j % 3] + format(i % 16, "064x") + format(i, "064x")
                batch.append({"jsonrpc": "2.0", "id": j, "method": "eth_sendTransaction",
                              "params": [{"from": ALICE, "to": addresses[j % 2], "data": data, "nonce": hex(nonce), "gas": "0x20000"}]})
                nonce += 1
            if batch:
                status, raw = node.post(batch)
                for a in json.loads(raw):
                    if "error" in a:
                        raise RuntimeError(f"send: {a['error']}")
            node.call("evm_mine")
    finally:
        node.call("evm_setAutomine", True)
    last = first + args.blocks - 1
    node.call("anvil_mine", hex(100))
    with open(args.out, "w") as f:
        json.dump({"a": addresses[0], "b": addresses[1], "first": first, "last": last}, f)
    print(f"chain: blocks {first}..{last} with logs, contracts {addresses[0]} {addresses[1]}")


def relay(args):
    target = urllib.parse.urlparse(args.target)
    stats = {"requests": 0, "posts": 0, "bytes": 0}
    lock = threading.Lock()
    local = threading.local()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def reply(self, status, body):
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            with lock:
                self.reply(200, json.dumps(stats).encode())

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if self.path == "/__reset":
                with lock:
                    for k in stats:
                        stats[k] = 0
                return self.reply(204, b"")
            request = json.loads(body)
            items = [r for r in (request if isinstance(request, list) else [request]) if r.get("id") != "pgcache-head"]
            if not hasattr(local, "conn"):
                local.conn = http.client.HTTPConnection(target.hostname, target.port, timeout=120)
            local.conn.request("POST", target.path or "/", body, {"Content-Type": "application/json"})
            r = local.conn.getresponse()
            answer = r.read()
            if items:  # the chain tracker's own calls are not the workload's
                with lock:
                    stats["requests"] += sum(1 for r in items if r.get("method") == "eth_getLogs")
                    stats["posts"] += 1
                    stats["bytes"] += len(answer)
            self.reply(r.status, answer)

    class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
        daemon_threads = True

    Server(("127.0.0.1", args.port), Handler).serve_forever()


def workload(c, passes, rng):
    """The queries of the indexers: sliding windows, overlapping by half, over the chain, 'passes' times;
    and a dashboard asking random recent-ish windows of the same filters."""
    a, b, first, last = c["a"], c["b"], c["first"], c["last"]
    filters = [{"address": a}, {"address": b, "topics": [TOPICS[1]]}, {"address": [a, b]}, {"topics": [None, "0x" + format(3, "064x")]}]
    queries = []
    for p in range(passes):
        for f in filters:
            window = 500 if p % 2 == 0 else 300
            for start in range(first, last + 1, window // 2):
                queries.append(dict(f, fromBlock=hex(start), toBlock=hex(min(last, start + window - 1))))
    for _ in range(len(queries) // 4):
        f = rng.choice(filters)
        start = rng.randint(first, last)
        queries.append(dict(f, fromBlock=hex(start), toBlock=hex(min(last, start + rng.randint(10, 400)))))
    return queries


def run(args):
    with open(args.chain) as f:
        c = json.load(f)
    queries = workload(c, args.passes, random.Random(11))
    if args.relay:  # count this run's calls only
        u = urllib.parse.urlparse(args.relay)
        conn = http.client.HTTPConnection(u.hostname, u.port)
        conn.request("POST", "/__reset", b"", {"Content-Length": "0"})
        conn.getresponse().read()
    latencies, answered = [], [0]
    lock = threading.Lock()
    shares = [queries[i::args.workers] for i in range(args.workers)]

    def worker(share):
        client = Client(args.url, args.auth)
        mine = []
        for q in share:
            t = time.perf_counter()
            status, raw = client.post({"jsonrpc": "2.0", "id": 1, "method": "eth_getLogs", "params": [q]})
            mine.append(time.perf_counter() - t)
            answer = json.loads(raw)
            if status != 200 or "error" in answer:
                raise RuntimeError(f"{q}: {status} {raw[:300]}")
            with lock:
                answered[0] += len(raw)
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(s,)) for s in shares]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    if len(latencies) != len(queries):
        sys.exit(f"{args.label}: {len(queries) - len(latencies)} queries failed")
    stats = {}
    if args.relay:
        u = urllib.parse.urlparse(args.relay)
        conn = http.client.HTTPConnection(u.hostname, u.port)
        conn.request("GET", "/__stats")
        stats = json.loads(conn.getresponse().read())
    latencies.sort()
    result = {"label": args.label, "queries": len(queries), "seconds": round(elapsed, 2), "answer_bytes": answered[0],
              "p50_ms": round(1000 * latencies[len(latencies) // 2], 2), "p95_ms": round(1000 * latencies[int(len(latencies) * 0.95)], 2),
              "mean_ms": round(1000 * statistics.fmean(latencies), 2),
              "node_requests": stats.get("requests"), "node_posts": stats.get("posts"), "node_bytes": stats.get("bytes")}
    try:
        with open(args.out) as f:
            results = json.load(f)
    except FileNotFoundError:
        results = []
    results.append(result)
    with open(args.out, "w") as f:
        json.dump(results, f, indent=1)
    print(json.dumps(result))


def report(args):
    with open(args.results) as f:
        results = {r["label"]: r for r in json.load(f)}
    node = results.get("node")
    print("| run | queries | eth_getLogs to the node | HTTP posts to the node | bytes from the node | p50 ms | p95 ms | mean ms |")
    print("|---|---|---|---|---|---|---|---|")
    for label in ("node", "chunks off", "chunks on"):
        r = results.get(label)
        if not r:
            continue
        requests = r["node_requests"] if r["node_requests"] is not None else r["queries"]
        posts = r["node_posts"] if r["node_posts"] is not None else r["queries"]
        nbytes = r["node_bytes"] if r["node_bytes"] is not None else r["answer_bytes"]
        print(f"| {label} | {r['queries']} | {requests} | {posts} | {nbytes} | {r['p50_ms']} | {r['p95_ms']} | {r['mean_ms']} |")
    on, off = results.get("chunks on"), results.get("chunks off")
    if on and off and node:
        print()
        print(f"eth_getLogs that reached the node: {on['node_requests']} with chunks, {off['node_requests']} without "
              f"(in {on['node_posts']} and {off['node_posts']} posts); bytes from the node: {on['node_bytes']} with chunks, "
              f"{off['node_bytes']} without ({100 * (1 - on['node_bytes'] / max(1, off['node_bytes'])):.1f} % saved); "
              f"mean latency per query: {on['mean_ms']} ms with chunks, {off['mean_ms']} ms without, {node['mean_ms']} ms from the node directly")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("chain")
    s.add_argument("--node", required=True)
    s.add_argument("--blocks", type=int, required=True)
    s.add_argument("--out", required=True)
    s = sub.add_parser("relay")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--target", required=True)
    s = sub.add_parser("run")
    s.add_argument("--url", required=True)
    s.add_argument("--auth")
    s.add_argument("--relay")
    s.add_argument("--chain", required=True)
    s.add_argument("--label", required=True)
    s.add_argument("--out", required=True)
    s.add_argument("--workers", type=int, default=4)
    s.add_argument("--passes", type=int, default=2)
    s = sub.add_parser("report")
    s.add_argument("--results", required=True)
    args = p.parse_args()
    {"chain": chain, "relay": relay, "run": run, "report": report}[args.cmd](args)


if __name__ == "__main__":
    main()
