"""Train PyKEEN on an rxgraph split and compare it with an rxgraph model trained alike.

Usage (from scripts/bench-pykeen, which also trains the rxgraph model):

    python benches/peers/pykeen_compare.py --workdir W --split indication-random \
        --model transe --dim 256 --negatives 64 --batch-size 1024 --epochs 2 \
        --learning-rate 0.01 --margin 6 --threads 2 --rxgraph-model W/models/bench-transe

It exports the split as TSV (train: every training edge; valid and test: the target
relations) to W/export/<split>/, trains PyKEEN's model of the same kind, dimension,
negatives per positive, batch size, epochs, loss (NSSA: softplus with self-adversarial
weights), Adam learning rate and thread count, and then ranks the test triples of both
models with one protocol written here: candidates are the nodes of the relation's
source or target kind, known triples (train, valid, test) are filtered out, ties count
half, both directions. It prints positive triples/s and filtered MRR for both, and the
ratios.

Differences that remain: PyKEEN's basic sampler corrupts with any entity, rxgraph's with
entities of the right kind; PyKEEN's RotatE uses the L2 norm of the complex difference,
rxgraph's the sum of moduli (Sun et al., 2019).
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import torch
from safetensors.numpy import load_file


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--split", default="indication-random")
    parser.add_argument("--model", choices=["transe", "rotate"], default="transe")
    parser.add_argument("--dim", type=int, default=256)
    parser.add_argument("--negatives", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=1024)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--learning-rate", type=float, default=0.01)
    parser.add_argument("--margin", type=float, default=6.0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--rxgraph-model", type=Path, required=True, help="model directory of `rxgraph train`")
    return parser.parse_args()


def export_split(workdir: Path, split: str, relation_to_id: dict):
    """Write train/valid/test TSVs (head, relation, tail ids) and return them with the node table.

    The returned arrays hold node indices and relation ids (positions in schema.json)."""
    nodes = pq.read_table(workdir / "nodes.parquet").to_pandas()
    edges = pq.read_table(workdir / "splits" / split / "edges.parquet").to_pandas()
    targets = json.loads((workdir / "splits" / split / "split.json").read_text())["config"]["relations"]
    parts = {
        "train": edges[edges.part == "train"],
        "valid": edges[(edges.part == "valid") & edges.relation.isin(targets)],
        "test": edges[(edges.part == "test") & edges.relation.isin(targets)],
    }
    out = workdir / "export" / split
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in parts.items():
        frame[["head_id", "relation", "tail_id"]].to_csv(out / f"{name}.tsv", sep="\t", header=False, index=False)
    arrays = {
        name: np.column_stack(
            [frame["head"].to_numpy(), frame["relation"].map(relation_to_id).to_numpy(), frame["tail"].to_numpy()]
        ).astype(np.int64)
        for name, frame in parts.items()
    }
    return nodes, arrays, out


def kind_ranges(nodes):
    """Node-index range of each kind (nodes are sorted by kind)."""
    ranges = {}
    for kind, group in nodes.groupby("kind"):
        ranges[kind] = (int(group["index"].min()), int(group["index"].max()) + 1)
    return ranges


def filtered_mrr(score_tails, score_heads, test, known, relation_kinds, ranges):
    """Mean reciprocal rank over both directions; `score_*` return [queries, candidates] arrays."""
    reciprocal = []
    for relation in sorted(set(test[:, 1])):
        rows = test[test[:, 1] == relation]
        source, target = (ranges[k] for k in relation_kinds[relation])
        for direction, (start, end) in (("tail", target), ("head", source)):
            queries = rows[:, 0] if direction == "tail" else rows[:, 2]
            answers = rows[:, 2] if direction == "tail" else rows[:, 0]
            scores = (score_tails if direction == "tail" else score_heads)(queries, relation, start, end)
            for query, answer, row in zip(queries, answers, scores):
                target_score = row[answer - start]
                mask = np.ones(end - start, dtype=bool)
                for candidate in range(start, end):
                    triple = (query, relation, candidate) if direction == "tail" else (candidate, relation, query)
                    if candidate != answer and triple in known:
                        mask[candidate - start] = False
                mask[answer - start] = False
                higher = np.sum(row[mask] > target_score)
                equal = np.sum(row[mask] == target_score)
                reciprocal.append(1.0 / (1.0 + higher + equal / 2.0))
    return float(np.mean(reciprocal))


def rxgraph_scorers(model_dir: Path, model: str):
    """Score functions over a model.safetensors written by `rxgraph train` (text off)."""
    tensors = load_file(str(model_dir / "model.safetensors"))
    manifest = json.loads((model_dir / "manifest.json").read_text())
    entities = torch.from_numpy(tensors["entities"])
    relations = torch.from_numpy(tensors["relations"])

    def score(h, r, t):
        if model == "transe":
            return -(h + r - t).abs().sum(-1)
        half = h.shape[-1] // 2
        rr, ri = torch.cos(r), torch.sin(r)
        hr, hi, tr, ti = h[..., :half], h[..., half:], t[..., :half], t[..., half:]
        re, im = hr * rr - hi * ri - tr, hr * ri + hi * rr - ti
        return -torch.sqrt(re**2 + im**2 + 1e-9).sum(-1)

    def tails(queries, relation, start, end):
        h = entities[torch.as_tensor(queries, dtype=torch.long)].unsqueeze(1)
        return score(h, relations[relation].view(1, 1, -1), entities[start:end].unsqueeze(0)).numpy()

    def heads(queries, relation, start, end):
        t = entities[torch.as_tensor(queries, dtype=torch.long)].unsqueeze(1)
        return score(entities[start:end].unsqueeze(0), relations[relation].view(1, 1, -1), t).numpy()

    return tails, heads, manifest


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    from pykeen.losses import NSSALoss
    from pykeen.models import RotatE, TransE
    from pykeen.training import SLCWATrainingLoop
    from pykeen.triples import TriplesFactory

    schema = json.loads((args.workdir / "schema.json").read_text())
    kinds = [k["name"] for k in schema["kinds"]]
    relation_names = [r["abbreviation"] for r in schema["relations"]]
    nodes, parts, export_dir = export_split(args.workdir, args.split, {name: i for i, name in enumerate(relation_names)})
    relation_kinds = {i: (kinds[r["source"]], kinds[r["target"]]) for i, r in enumerate(schema["relations"])}
    ranges = kind_ranges(nodes)
    known = {tuple(int(x) for x in row) for part in parts.values() for row in part}
    test = parts["test"]

    # PyKEEN: entity and relation ids equal rxgraph's node indices and relation ids.
    entity_to_id = {node_id: int(index) for node_id, index in zip(nodes["id"], nodes["index"])}
    relation_to_id = {name: i for i, name in enumerate(relation_names)}
    labeled = np.loadtxt(export_dir / "train.tsv", dtype=str, delimiter="\t", comments=None)
    factory = TriplesFactory.from_labeled_triples(labeled, entity_to_id=entity_to_id, relation_to_id=relation_to_id)
    torch.manual_seed(args.seed)
    model_class = TransE if args.model == "transe" else RotatE
    extra = {"scoring_fct_norm": 1} if args.model == "transe" else {}
    loss = NSSALoss(margin=args.margin, adversarial_temperature=1.0)
    model = model_class(triples_factory=factory, embedding_dim=args.dim, loss=loss, random_seed=args.seed, **extra)
    loop = SLCWATrainingLoop(
        model=model,
        triples_factory=factory,
        optimizer=torch.optim.Adam(model.get_grad_params(), lr=args.learning_rate),
        negative_sampler="basic",
        negative_sampler_kwargs={"num_negs_per_pos": args.negatives},
    )
    started = time.perf_counter()
    loop.train(triples_factory=factory, num_epochs=args.epochs, batch_size=args.batch_size, use_tqdm=False)
    pykeen_seconds = time.perf_counter() - started
    pykeen_rate = args.epochs * factory.num_triples / pykeen_seconds

    model.eval()

    def pykeen_tails(queries, relation, start, end):
        batch = torch.as_tensor([[int(q), int(relation)] for q in queries], dtype=torch.long)
        with torch.no_grad():
            return model.score_t(batch)[:, start:end].numpy()

    def pykeen_heads(queries, relation, start, end):
        batch = torch.as_tensor([[int(relation), int(q)] for q in queries], dtype=torch.long)
        with torch.no_grad():
            return model.score_h(batch)[:, start:end].numpy()

    pykeen_mrr = filtered_mrr(pykeen_tails, pykeen_heads, test, known, relation_kinds, ranges)

    # PyKEEN's own filtered rank-based evaluation of the same test triples, as a PyKEEN user
    # runs it: every entity is a candidate (PyKEEN has no per-relation kind constraint).
    from pykeen.evaluation import RankBasedEvaluator

    test_factory = TriplesFactory(
        mapped_triples=torch.as_tensor(test, dtype=torch.long),
        entity_to_id=factory.entity_to_id,
        relation_to_id=factory.relation_to_id,
    )
    valid_mapped = torch.as_tensor(parts["valid"], dtype=torch.long)
    started = time.perf_counter()
    RankBasedEvaluator().evaluate(
        model,
        test_factory.mapped_triples,
        additional_filter_triples=[factory.mapped_triples, valid_mapped],
        batch_size=256,
        use_tqdm=False,
    )
    pykeen_eval_seconds = time.perf_counter() - started

    rx_tails, rx_heads, manifest = rxgraph_scorers(args.rxgraph_model, args.model)
    rx_mrr = filtered_mrr(rx_tails, rx_heads, test, known, relation_kinds, ranges)
    rx_rate = manifest["triples_per_s"]

    print(f"split {args.split}: {factory.num_triples} training triples, {len(test)} test triples")
    print(f"settings: {args.model} dim={args.dim} negatives={args.negatives} batch={args.batch_size} "
          f"epochs={args.epochs} lr={args.learning_rate} margin={args.margin} threads={args.threads}")
    print(f"{'tool':<10}{'triples/s':>12}{'test filtered MRR':>20}")
    print(f"{'rxgraph':<10}{rx_rate:>12.0f}{rx_mrr:>20.4f}")
    print(f"{'pykeen':<10}{pykeen_rate:>12.0f}{pykeen_mrr:>20.4f}")
    print(f"ratio rxgraph/pykeen: throughput {rx_rate / pykeen_rate:.2f}x, MRR {rx_mrr / max(pykeen_mrr, 1e-12):.2f}x")
    print(f"pykeen RankBasedEvaluator, filtered, {len(test)} test triples against all "
          f"{factory.num_entities} entities: {pykeen_eval_seconds * 1000:.0f} ms")


if __name__ == "__main__":
    main()
