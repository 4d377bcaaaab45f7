"""N single PUTs versus one batch-put of N entries, over one keep-alive connection each.

Both use the same realistic values (blockchain-block-like JSON of ~0.3-2 KB) and fresh keys,
so every write is an insert. Rounds alternate single and batch after one warm-up round of
each; the medians are reported. Usage: batch_vs_single.py BASE_URL N ROUNDS
"""
import http.client
import json
import os
import random
import statistics
import sys
import time
import urllib.parse


def block_value(i, rng):
    txs = [f"0x{rng.getrandbits(256):064x}" for _ in range(rng.randint(2, 24))]
    return {"number": hex(19_000_000 + i), "hash": f"0x{rng.getrandbits(256):064x}",
            "parentHash": f"0x{rng.getrandbits(256):064x}", "gasUsed": hex(rng.getrandbits(24)),
            "baseFeePerGas": str(rng.getrandbits(40)), "transactions": txs}


def main():
    base, n, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    url = urllib.parse.urlparse(base)
    rng = random.Random(42)
    values = [json.dumps(block_value(i, rng)) for i in range(n)]
    conn = http.client.HTTPConnection(url.hostname, url.port)
    headers = {"Content-Type": "application/json", "Authorization": os.environ["BENCH_AUTH"]}

    def singles(tag):
        start = time.perf_counter()
        for i, v in enumerate(values):
            conn.request("PUT", f"/v1/cache/bench-single/{tag}-{i}?ttl=1h", body=v, headers=headers)
            r = conn.getresponse()
            r.read()
            assert r.status in (200, 201), r.status
        return time.perf_counter() - start

    def batch(tag):
        body = '{"entries":[' + ",".join(
            f'{{"key":"{tag}-{i}","value":{v},"ttl":"1h"}}' for i, v in enumerate(values)) + "]}"
        start = time.perf_counter()
        conn.request("POST", "/v1/cache/bench-batch/batch-put", body=body, headers=headers)
        r = conn.getresponse()
        answer = json.loads(r.read())
        elapsed = time.perf_counter() - start
        assert r.status == 200 and answer["written"] == n, (r.status, answer.get("written"))
        return elapsed

    singles("warm")
    batch("warm")
    single_times, batch_times = [], []
    for r in range(rounds):
        single_times.append(singles(f"r{r}"))
        batch_times.append(batch(f"r{r}"))
    s, b = statistics.median(single_times), statistics.median(batch_times)
    avg_bytes = sum(len(v) for v in values) / n
    print(f"entries per round: {n}, average value: {avg_bytes:.0f} bytes, rounds: {rounds} (median shown)")
    print(f"{'':24}{'total ms':>10}{'per entry us':>14}")
    print(f"{'single PUTs':24}{s * 1000:10.1f}{s / n * 1e6:14.1f}")
    print(f"{'one batch-put':24}{b * 1000:10.1f}{b / n * 1e6:14.1f}")
    print(f"per-entry cost ratio (single / batch): {s / b:.1f}x")


if __name__ == "__main__":
    main()
