"""Write quantized_linear.pt, the TorchScript module that int8 linear layers call.

tch 0.24 binds no function for PyTorch's dynamically quantised linear layer (the fbgemm
kernels behind `torch.ao.nn.quantized.dynamic.Linear`), but it can load TorchScript and
call its methods. Each encoder loads its own copy of this module, packs every int8
weight once with `add`, and calls `linear`, which runs `quantized::linear_dynamic`: the
activations are quantised per call from their observed range.

Run from the repository root after `scripts/setup --reference`:

    .venv/bin/python src/text/encoder/make_quantized_linear.py
"""

from pathlib import Path
from typing import List, Optional

import torch


class QuantizedLinear(torch.nn.Module):
    """A registry of packed int8 weights and the dynamically quantised linear layer."""

    packed: List[torch.classes.quantized.LinearPackedParamsBase]

    def __init__(self):
        super().__init__()
        self.packed = []

    @torch.jit.export
    def add(self, weight: torch.Tensor, bias: Optional[torch.Tensor]) -> int:
        """Pack a qint8 weight [out, in] and float32 bias [out]; return its index."""
        self.packed.append(torch.ops.quantized.linear_prepack(weight, bias))
        return len(self.packed) - 1

    @torch.jit.export
    def linear(self, x: torch.Tensor, index: int) -> torch.Tensor:
        """x float32 [..., in] -> float32 [..., out] with the weight packed at index.

        reduce_range=True quantises activations to 7 bits, which the AVX2 kernels need to
        avoid overflowing their 16-bit intermediate sums.
        """
        return torch.ops.quantized.linear_dynamic(x, self.packed[index], True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x


if __name__ == "__main__":
    out = Path(__file__).resolve().parent / "quantized_linear.pt"
    torch.jit.save(torch.jit.script(QuantizedLinear()), str(out))
    print(f"wrote {out} (torch {torch.__version__})")
