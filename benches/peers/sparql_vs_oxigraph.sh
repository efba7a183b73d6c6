#!/usr/bin/env bash
# SPARQL latency of `rxgraph serve` next to Oxigraph's own server, over the same store.
#
#   benches/peers/sparql_vs_oxigraph.sh [--workdir DIR] [--runs 10]
#
# Both servers open the work directory's RocksDB store read-only at the same time, on free
# loopback ports. `rxgraph serve` runs without a model, so it queries that store directly
# and not an in-memory copy. The peer is `oxigraph serve-read-only` from the PyPI wheel
# `oxigraph` 0.5.13, the same Oxigraph version that the crate links. Each graph-only
# example query in queries/ runs once to warm up, then --runs times on each server,
# alternating, with Accept: application/sparql-results+json. Prints the median latency of
# each and the ratio rxgraph / Oxigraph. Prediction queries are left out because Oxigraph
# has no predictions graph.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
workdir=""
runs=10
while (($#)); do
    case "$1" in
        --workdir) workdir="$2"; shift 2 ;;
        --runs) runs="$2"; shift 2 ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) echo "sparql_vs_oxigraph: unknown option '$1'" >&2; exit 2 ;;
    esac
done

log() { echo "sparql_vs_oxigraph: $*" >&2; }

venv="${RXGRAPH_VENV:-$root/.venv}"
if [[ ! -x "$venv/bin/oxigraph" ]]; then
    log "installing the oxigraph server into $venv"
    "$venv/bin/python" -m pip install -q "oxigraph==0.5.13"
fi
binary="$root/target/release/rxgraph"
[[ -x "$binary" ]] || { log "build first: cargo build --release"; exit 1; }

scratch="$(mktemp -d)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do
        kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
    done
    rm -rf "$scratch"
}
trap cleanup EXIT

if [[ -z "$workdir" ]]; then
    workdir="$scratch/work"
    log "ingesting the embedded graph into $workdir"
    "$binary" --quiet ingest --out "$workdir"
fi

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
wait_ready() {
    local url="$1" pid="$2"
    until [[ "$(curl -s -o /dev/null -w '%{http_code}' "$url")" == 200 ]]; do
        kill -0 "$pid" 2>/dev/null || { log "server $pid ended early"; exit 1; }
        sleep 0.05
    done
}

ours_port="$(free_port)"
"$binary" --quiet serve --workdir "$workdir" --bind "127.0.0.1:$ours_port" --timeout-ms 60000 \
    2>"$scratch/rxgraph.log" &
pids+=($!)
wait_ready "http://127.0.0.1:$ours_port/healthz" "${pids[-1]}"

peer_port="$(free_port)"
"$venv/bin/oxigraph" serve-read-only --location "$workdir/store" --bind "127.0.0.1:$peer_port" \
    2>"$scratch/oxigraph.log" &
pids+=($!)
wait_ready "http://127.0.0.1:$peer_port/query?query=ASK%7B%7D" "${pids[-1]}"

python3 - "$runs" "http://127.0.0.1:$ours_port/sparql" "http://127.0.0.1:$peer_port/query" \
    "$root/queries" <<'PY'
import json
import statistics
import sys
import time
import urllib.parse
import urllib.request

runs, ours, peer, queries = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
names = ["relation_counts", "drug_indications", "class_members"]

def timed(endpoint, text):
    request = urllib.request.Request(
        endpoint,
        data=urllib.parse.urlencode({"query": text}).encode(),
        headers={"Accept": "application/sparql-results+json",
                 "Content-Type": "application/x-www-form-urlencoded"},
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request) as response:
        body = response.read()
    return time.perf_counter() - started, body

print(f"{'query':<20} {'rxgraph ms':>11} {'oxigraph ms':>12} {'ratio':>6}")
ratios = []
for name in names:
    text = open(f"{queries}/{name}.rq").read()
    _, ours_body = timed(ours, text)
    _, peer_body = timed(peer, text)
    ours_times, peer_times = [], []
    for _ in range(runs):
        ours_times.append(timed(ours, text)[0])
        peer_times.append(timed(peer, text)[0])
    ours_ms = 1000 * statistics.median(ours_times)
    peer_ms = 1000 * statistics.median(peer_times)
    ratios.append(ours_ms / peer_ms)
    same_rows = json.loads(ours_body)["results"] == json.loads(peer_body)["results"]
    same = "same results" if same_rows else "RESULTS DIFFER"
    print(f"{name:<20} {ours_ms:>11.2f} {peer_ms:>12.2f} {ours_ms / peer_ms:>6.2f}  {same}")
print(f"geometric mean ratio rxgraph / oxigraph: {statistics.geometric_mean(ratios):.2f}")
PY
