#!/usr/bin/env bash
# Encode the same BC5CDR abstracts with rxgraph (float32 and int8) and with
# sentence-transformers, one after the other on the same threads, and print the
# throughput ratio. The Python peer needs `scripts/setup --reference` in the venv that
# RXGRAPH_VENV names (default .venv); PEER_PYTHON names another interpreter for the peer.
#
#   benches/peers/encode_compare.sh [passages] [threads]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
passages="${1:-256}"
threads="${2:-2}"

source <(scripts/env)
cargo build --release --quiet --example encode_throughput -j "$threads"
ours_f32="$(target/release/examples/encode_throughput --passages "$passages" --threads "$threads")"
ours_int8="$(target/release/examples/encode_throughput --int8 --passages "$passages" --threads "$threads")"
peer="$("${PEER_PYTHON:-$RXGRAPH_VENV/bin/python}" benches/peers/encode_sentence_transformers.py --passages "$passages" --threads "$threads" 2>/dev/null)"
printf '%s\n%s\n%s\n' "$ours_f32" "$ours_int8" "$peer"

rate() { sed -E 's/.*= ([0-9.]+) passages\/s.*/\1/' <<<"$1"; }
awk -v f32="$(rate "$ours_f32")" -v int8="$(rate "$ours_int8")" -v peer="$(rate "$peer")" \
    'BEGIN { printf "ratio rxgraph/sentence-transformers: f32 %.2fx, int8 %.2fx\n", f32 / peer, int8 / peer }'
