#!/usr/bin/env bash
# eth_getLogs through the JSON-RPC proxy (issue 19, docs/rpc.md "Log queries"): a chain of a few
# thousand blocks with logs made on Anvil, then an indexer-like workload (four filters scanned in
# sliding windows that overlap by half, twice, plus random windows of the same filters) replayed
# against the node directly, through the proxy with chunk caching off (logs.chunk-size=0: each
# filter cached whole) and with it on (chunk-size 100). A counting relay between the proxy and
# the node counts the eth_getLogs and the bytes that reached the node. Reports the table of
# bench/rpc_logs.py report. All traffic stays on 127.0.0.1.
# Usage: bench/rpc-logs.sh [--smoke] [--blocks N] [--workers W] [--passes P]
#        (default: 3000 blocks, 4 workers, 2 passes; --smoke: 300 blocks, about a minute, measures nothing)
source "$(dirname "$0")/lib.sh"
blocks=3000; workers=4; passes=2; chunk=100
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) blocks=300; passes=2 ;;
    --blocks) blocks="$2"; shift ;;
    --workers) workers="$2"; shift ;;
    --passes) passes="$2"; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
build_service

# Anvil as the tests install it (testing/AnvilTestResource): from npm into target/anvil
anvil="$ROOT/target/anvil/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil"
if [ ! -x "$anvil" ]; then
  need npm npm
  npm install --no-audit --no-fund --prefix "$ROOT/target/anvil" @foundry-rs/anvil-linux-amd64@1.7.1 >/dev/null
fi
work="$(mktemp -d /tmp/pgcache-bench-rpc-logs-XXXX)"
anvil_port="$(free_port)"; relay_port="$(free_port)"
"$anvil" --host 127.0.0.1 --port "$anvil_port" >"$work/anvil.log" 2>&1 &
ANVIL_PID=$!
RELAY_PID=""
trap 'stop_service; kill "$ANVIL_PID" ${RELAY_PID:+"$RELAY_PID"} 2>/dev/null || true' EXIT
node="http://127.0.0.1:$anvil_port"
for _ in $(seq 1 300); do
  curl -sf -H 'Content-Type: application/json' -d '{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}' "$node" >/dev/null && break
  sleep 0.1
done
python3 "$ROOT/bench/rpc_logs.py" chain --node "$node" --blocks "$blocks" --out "$work/chain.json"
python3 "$ROOT/bench/rpc_logs.py" relay --port "$relay_port" --target "$node" &
RELAY_PID=$!
results="$work/results.json"
last="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["last"])' "$work/chain.json")"

echo "the node directly"
python3 "$ROOT/bench/rpc_logs.py" run --url "$node" --chain "$work/chain.json" --label node --out "$results" \
  --workers "$workers" --passes "$passes"

for size in 0 "$chunk"; do
  label="chunks on"; [ "$size" = 0 ] && label="chunks off"
  echo "through the proxy, $label (logs.chunk-size=$size)"
  start_service pgcache_bench_rpc_logs -Dpgcache.purge.enabled=false \
    -Dpgcache.rpc.upstreams.bench.url="http://127.0.0.1:$relay_port" -Dpgcache.rpc.upstreams.bench.logs.chunk-size="$size"
  # every block with logs final for the proxy before the workload starts
  for _ in $(seq 1 300); do
    f="$(api GET /q/metrics | awk -F' ' '/^pgcache_rpc_finalized\{upstream="bench"\}/ { print int($2) }')"
    [ -n "$f" ] && [ "$f" -ge "$last" ] && break
    sleep 0.1
  done
  python3 "$ROOT/bench/rpc_logs.py" run --url "$BASE_URL/v1/rpc/bench" --auth "$BENCH_AUTH" --relay "http://127.0.0.1:$relay_port" \
    --chain "$work/chain.json" --label "$label" --out "$results" --workers "$workers" --passes "$passes"
  stop_service
done
echo
python3 "$ROOT/bench/rpc_logs.py" report --results "$results"
rm -rf "$work"
