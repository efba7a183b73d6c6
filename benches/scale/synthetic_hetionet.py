"""Write a synthetic graph with Hetionet's degree distribution at N times its size.

Usage:

    python3 benches/scale/synthetic_hetionet.py --scale 10 --out /tmp/scale10

Reads the embedded graph (data/hetionet/) and writes OUT/nodes.tsv.gz and OUT/edges.sif.gz
in the Hetionet layout that `rxgraph ingest --nodes ... --edges ...` reads. Every node is
copied N times (`Gene::1017` becomes `Gene::1017~0` ... `Gene::1017~{N-1}`), so each kind
has N times its nodes. For each metaedge, every copy of a node keeps that node's head
degree and tail degree, and head and tail stubs are paired at random (a configuration
model). Pairs that repeat an edge or join a node to itself are dropped, about 1 % here.
Each metaedge thus has about N times its edges with the same degree distribution. Only
the Python standard library is used; the seed is fixed.
"""

import argparse
import collections
import gzip
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NODES = ROOT / "data" / "hetionet" / "hetionet-v1.0-nodes.tsv.gz"
EDGES = ROOT / "data" / "hetionet" / "hetionet-v1.0-edges-12.sif.gz"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, default=10, help="copies of each node (default 10)")
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--seed", type=int, default=42)
    return parser.parse_args()


def read_rows(path):
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        next(lines)  # header
        for line in lines:
            yield line.rstrip("\n").split("\t")


def main():
    args = parse_args()
    if args.scale < 1:
        raise SystemExit("--scale must be at least 1")
    rng = random.Random(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)

    node_count = 0
    with gzip.open(args.out / "nodes.tsv.gz", "wt", encoding="utf-8", compresslevel=1) as out:
        out.write("id\tname\tkind\n")
        for node_id, name, kind in read_rows(NODES):
            for copy in range(args.scale):
                out.write(f"{node_id}~{copy}\t{name} ({copy})\t{kind}\n")
                node_count += 1

    # Head and tail degree of every node, per metaedge.
    heads = collections.defaultdict(collections.Counter)
    tails = collections.defaultdict(collections.Counter)
    for source, metaedge, target in read_rows(EDGES):
        heads[metaedge][source] += 1
        tails[metaedge][target] += 1

    edge_count = 0
    dropped = 0
    with gzip.open(args.out / "edges.sif.gz", "wt", encoding="utf-8", compresslevel=1) as out:
        out.write("source\tmetaedge\ttarget\n")
        for metaedge in sorted(heads):
            head_stubs = [
                f"{node}~{copy}"
                for node, degree in heads[metaedge].items()
                for copy in range(args.scale)
                for _ in range(degree)
            ]
            tail_stubs = [
                f"{node}~{copy}"
                for node, degree in tails[metaedge].items()
                for copy in range(args.scale)
                for _ in range(degree)
            ]
            rng.shuffle(tail_stubs)
            seen = set()
            for head, tail in zip(head_stubs, tail_stubs):
                # Symmetric metaedges (GiG, CrC, DrD) store each pair once.
                key = (head, tail) if head <= tail else (tail, head)
                if head == tail or key in seen:
                    dropped += 1
                    continue
                seen.add(key)
                out.write(f"{head}\t{metaedge}\t{tail}\n")
                edge_count += 1
    print(f"{node_count} nodes, {edge_count} edges ({dropped} repeated or self pairs dropped) in {args.out}")


if __name__ == "__main__":
    main()
