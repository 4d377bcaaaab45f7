#!/usr/bin/env bash
# Per-entry cost of one batch-put of N entries against N single PUTs, measured in one run
# against the same freshly started service and database. Usage: bench/batch-vs-single.sh [--smoke]
source "$(dirname "$0")/lib.sh"
rounds=7; size=1000
[ "${1:-}" = "--smoke" ] && { rounds=2; size=100; }
build_service
trap stop_service EXIT
start_service pgcache_bench_batch
python3 "$ROOT/bench/batch_vs_single.py" "$BASE_URL" "$size" "$rounds"
