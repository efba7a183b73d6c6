#!/usr/bin/env bash
# Load test of `rxgraph serve` on loopback with wrk: 64 connections, mixed REST and SPARQL.
#
#   benches/peers/serve_load.sh [--workdir DIR] [--model DIR] [--duration-s 15]
#                               [--only-predictions] [--predictions-top-n N] [--workers N]
#
# Starts its own server on a free loopback port and stops it by PID at the end. Measures
# the cold start (process start to /healthz 200), then runs wrk with
# benches/peers/mixed.lua. The mix is entity search, entity lookup and a small SPARQL
# query, plus top-k predictions when a model is given: CtD and CbG both ways, each for a
# source drawn at random from every compound, disease and gene of the graph. With
# --only-predictions (needs --model) it sends top-k predictions only.
# --predictions-top-n goes to the server; 0 turns off the rankings computed at start-up,
# so that every request is scored; --workers sets the server's HTTP worker threads.
# Prints req/s, p50, p99 and errors.
# Without --workdir it ingests the embedded graph into a temporary directory first.
# Installs the Debian package wrk when it is missing.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
workdir=""
model=""
duration_s=15
mix=mixed
server_args=()
while (($#)); do
    case "$1" in
        --workdir) workdir="$2"; shift 2 ;;
        --model) model="$2"; shift 2 ;;
        --duration-s) duration_s="$2"; shift 2 ;;
        --only-predictions) mix=predictions; shift ;;
        --predictions-top-n | --workers) server_args+=("$1" "$2"); shift 2 ;;
        -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
        *) echo "serve_load: unknown option '$1'" >&2; exit 2 ;;
    esac
done

log() { echo "serve_load: $*" >&2; }
if [[ "$mix" == predictions && -z "$model" ]]; then
    log "--only-predictions needs --model DIR"
    exit 2
fi

if ! command -v wrk >/dev/null; then
    log "installing wrk"
    sudo_cmd=()
    [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq wrk >/dev/null
fi

binary="$root/target/release/rxgraph"
[[ -x "$binary" ]] || { log "build first: cargo build --release"; exit 1; }
scratch="$(mktemp -d)"
server_pid=""
cleanup() {
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid"
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$scratch"
}
trap cleanup EXIT

if [[ -z "$workdir" ]]; then
    workdir="$scratch/work"
    log "ingesting the embedded graph into $workdir"
    "$binary" --quiet ingest --out "$workdir"
fi

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
model_args=()
[[ -n "$model" ]] && model_args=(--model "$model")

started_ns="$(date +%s%N)"
"$binary" --quiet serve --workdir "$workdir" --bind "127.0.0.1:$port" "${model_args[@]}" \
    "${server_args[@]}" 2>"$scratch/server.log" &
server_pid=$!
until [[ "$(curl -s -o /dev/null -w '%{http_code}' "$base/healthz")" == 200 ]]; do
    kill -0 "$server_pid" 2>/dev/null || { cat "$scratch/server.log" >&2; exit 1; }
    sleep 0.05
done
ready_ns="$(date +%s%N)"
echo "cold start (process start to /healthz 200): $(((ready_ns - started_ns) / 1000000)) ms"

# Every compound, disease and gene id, for the top-k requests' random sources.
: >"$scratch/sources.txt"
if [[ -n "$model" ]]; then
    sources_query='PREFIX rx: <https://w3id.org/rxgraph/vocab#>
SELECT ?id WHERE { ?node rx:id ?id
  FILTER(STRSTARTS(?id, "Compound::") || STRSTARTS(?id, "Disease::") || STRSTARTS(?id, "Gene::")) }'
    curl -sf -H 'Accept: text/csv' --data-urlencode "query=$sources_query" "$base/sparql" \
        | tail -n +2 | tr -d '\r' >"$scratch/sources.txt" \
        || { log "failed to list the graph's ids over SPARQL at $base/sparql"; exit 1; }
fi

RXGRAPH_SOURCES="$scratch/sources.txt" RXGRAPH_MIX="$mix" RXGRAPH_PREDICTIONS=$([[ -n "$model" ]] && echo 1 || echo 0) \
    wrk -t2 -c64 -d"${duration_s}s" --latency -s "$root/benches/peers/mixed.lua" "$base" \
    >"$scratch/wrk.txt"
cat "$scratch/wrk.txt" >&2

python3 - "$scratch/wrk.txt" <<'PY'
import re
import sys

text = open(sys.argv[1]).read()
def find(pattern, default="0"):
    match = re.search(pattern, text)
    return match.group(1) if match else default
rate = find(r"Requests/sec:\s+([\d.]+)")
p50 = find(r"(?m)^\s+50%\s+(\S+)")
p99 = find(r"(?m)^\s+99%\s+(\S+)")
non_2xx = find(r"Non-2xx or 3xx responses:\s+(\d+)")
socket_errors = find(r"Socket errors:\s+(.*)", "none")
print(f"requests/s: {rate}")
print(f"p50: {p50}  p99: {p99}")
print(f"non-2xx responses: {non_2xx}")
print(f"socket errors: {socket_errors}")
PY
