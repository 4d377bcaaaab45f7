#!/usr/bin/env python3
"""Merges raw wrk latency histograms (files of "microseconds count" lines, one per window) into
one distribution per condition and prints its percentiles, so alternating short windows can be
compared as two long runs. Usage: latency.py LABEL FILE... [-- LABEL FILE...]"""
import sys


def percentiles(files):
    hist = {}
    for name in files:
        with open(name) as f:
            for line in f:
                value, count = line.split()
                hist[int(value)] = hist.get(int(value), 0) + int(count)
    total = sum(hist.values())
    out, seen = {}, 0
    wanted = [50, 90, 99, 99.9]
    for value in sorted(hist):
        seen += hist[value]
        while wanted and seen >= total * wanted[0] / 100:
            out[wanted.pop(0)] = value
    return total, out


groups, label, files = [], None, []
for arg in sys.argv[1:] + ["--"]:
    if arg == "--":
        if label:
            groups.append((label, files))
        label, files = None, []
    elif label is None:
        label = arg
    else:
        files.append(arg)
for label, files in groups:
    total, p = percentiles(files)
    print(f"{label}: {total} requests in {len(files)} windows; p50 {p[50] / 1000:.2f} ms, p90 {p[90] / 1000:.2f} ms, "
          f"p99 {p[99] / 1000:.2f} ms, p99.9 {p[99.9] / 1000:.2f} ms")
