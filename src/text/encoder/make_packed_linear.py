"""Write packed_linear.pt, the TorchScript module that packed dense layers call.

tch 0.24 binds no function for two CPU kernels that the encoder uses, but it can load
TorchScript and call its methods. Each encoder loads its own copy of this module and packs
every weight once:

- int8: `add` packs a qint8 weight for fbgemm, and `linear` runs
  `quantized::linear_dynamic`, which quantises the activations per call from their range.
- float32: `add_float` reorders a weight into oneDNN's blocked layout, and `linear_float`
  runs oneDNN's matrix product on it (`mkldnn::_linear_pointwise`). On the development
  machine's AMD EPYC (2 threads) this product ran 11-13 % faster than the MKL `sgemm`
  behind `torch.nn.functional.linear` at the encoder's shapes; MKL with a prepacked
  weight (`mkl::_mkl_linear`) was no faster than plain MKL.

Run from the repository root after `scripts/setup --reference`:

    .venv/bin/python src/text/encoder/make_packed_linear.py
"""

from pathlib import Path
from typing import List, Optional

import torch


class PackedLinear(torch.nn.Module):
    """Registries of packed weights and the dense layers that use them."""

    packed: List[torch.classes.quantized.LinearPackedParamsBase]
    packed_float: List[torch.Tensor]

    def __init__(self):
        super().__init__()
        self.packed = []
        self.packed_float = []

    @torch.jit.export
    def add(self, weight: torch.Tensor, bias: Optional[torch.Tensor]) -> int:
        """Pack a qint8 weight [out, in] and float32 bias [out]; return its index."""
        self.packed.append(torch.ops.quantized.linear_prepack(weight, bias))
        return len(self.packed) - 1

    @torch.jit.export
    def linear(self, x: torch.Tensor, index: int) -> torch.Tensor:
        """x float32 [..., in] -> float32 [..., out] with the int8 weight packed at index.

        reduce_range=True quantises activations to 7 bits, which the AVX2 kernels need to
        avoid overflowing their 16-bit intermediate sums.
        """
        return torch.ops.quantized.linear_dynamic(x, self.packed[index], True)

    @torch.jit.export
    def add_float(self, weight: torch.Tensor, rows: int) -> int:
        """Reorder a float32 weight [out, in] for inputs of about `rows` rows; return its index."""
        self.packed_float.append(torch.ops.mkldnn._reorder_linear_weight(weight, rows))
        return len(self.packed_float) - 1

    @torch.jit.export
    def linear_float(self, x: torch.Tensor, index: int, bias: torch.Tensor) -> torch.Tensor:
        """x float32 [..., in] -> float32 [..., out] with the float32 weight at index."""
        return torch.ops.mkldnn._linear_pointwise(
            x, self.packed_float[index], bias, "none", [], ""
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x


if __name__ == "__main__":
    out = Path(__file__).resolve().parent / "packed_linear.pt"
    torch.jit.save(torch.jit.script(PackedLinear()), str(out))
    print(f"wrote {out} (torch {torch.__version__})")
