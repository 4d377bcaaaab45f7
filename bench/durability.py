#!/usr/bin/env python3
"""PUT by durability level (issue 17): pgcache's PUT for a strict namespace, a relaxed one
(synchronous_commit off) and an unlogged table, each next to pgbench running the same upsert
statement (bench/pgbench/upsert.sql, upsert-relaxed.sql), in alternating rounds after a warm-up;
medians of the rounds. Run by bench/durability.sh, which starts the service twice on one database:
phase "logged" (namespaces bench, strict, and bench-relaxed, relaxed), then phase "unlogged"
(pgcache.storage.unlogged=true). Each phase writes its rows as JSON to --out; --table prints the
markdown table of both phases.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import median_of_rounds, pgbench, settle, wrk  # noqa: E402

VARIANTS = {
    "logged": [("pgcache: PUT, strict", "wrk", "bench", None), ("pgcache: PUT, relaxed", "wrk", "bench-relaxed", None),
               ("pgbench: upsert, strict", "pgbench", None, "upsert.sql"),
               ("pgbench: upsert, relaxed", "pgbench", None, "upsert-relaxed.sql")],
    "unlogged": [("pgcache: PUT, unlogged table", "wrk", "bench", None), ("pgbench: upsert, unlogged table", "pgbench", None, "upsert.sql")],
}


def run(variant, args, seconds):
    name, tool, ns, script = variant
    settle(args.db)  # the last round's writes are flushed before this one is measured
    if tool == "wrk":
        return wrk(args.base_url, "put.lua", seconds, args.connections, args.entries, {"BENCH_NS": ns})
    return pgbench(args.db, script, seconds, args.connections, args.entries)


def table(rows):
    out = ["| scenario | req/s (median) | p50 ms | p99 ms | non-2xx | rounds req/s |", "|---|---|---|---|---|---|"]
    for name, r in rows.items():
        out.append(f"| {name} | {r['rps']:.0f} | {r['p50']:.2f} | {r['p99']:.2f} | {r['non2xx']} | "
                   + ", ".join(f"{x:.0f}" for x in r["rounds"]) + " |")
    strict, relaxed = rows.get("pgcache: PUT, strict"), rows.get("pgcache: PUT, relaxed")
    if strict and relaxed:
        out.append("")
        out.append(f"relaxed / strict PUT: {relaxed['rps'] / strict['rps']:.2f}x (target 1.5x)")
    return "\n".join(out)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--phase", choices=VARIANTS)
    p.add_argument("--base-url")
    p.add_argument("--db")
    p.add_argument("--entries", type=int, default=100000)
    p.add_argument("--connections", type=int, default=32)
    p.add_argument("--duration", type=int, default=20)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--out")
    p.add_argument("--table", nargs="*", help="print the table of these phase files and exit")
    args = p.parse_args()
    if args.table is not None:
        rows = {}
        for path in args.table:
            with open(path) as f:
                rows.update(json.load(f))
        print(table(rows))
        return
    variants = VARIANTS[args.phase]
    for v in variants:
        run(v, args, args.warmup)
    results = {v[0]: [] for v in variants}
    for _ in range(args.rounds):
        for v in variants:  # alternating, so that a slow moment of the machine does not fall on one variant only
            results[v[0]].append(run(v, args, args.duration))
    with open(args.out, "w") as f:
        json.dump({name: median_of_rounds(rs) for name, rs in results.items()}, f)


if __name__ == "__main__":
    main()
