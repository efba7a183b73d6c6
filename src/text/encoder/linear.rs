//! Dense layers in float32/float16, float32 through oneDNN on the CPU, or int8 through
//! PyTorch's dynamic quantisation.

use std::cell::RefCell;
use std::sync::Arc;

use tch::{CModule, Device, IValue, Kind, TchError, Tensor};

use crate::text::error::TextError;
use crate::text::model_dir::Weights;

/// TorchScript module written by `make_packed_linear.py` next to this file. tch 0.24 binds
/// no function for the fbgemm dynamic int8 linear kernel or for oneDNN's float32 one, but it
/// can call this module's methods: `add` and `linear` (int8), `add_float` and
/// `linear_float` (float32).
const PACKED_LINEAR_MODULE: &[u8] = include_bytes!("packed_linear.pt");

/// Numeric format of the weights and activations of every dense layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Precision {
    /// float32 weights and activations.
    Float32,
    /// float16 weights and activations (CUDA only).
    Float16,
    /// int8 weights with per-output-channel scales; activations quantised to uint8 per call
    /// from their observed range (CPU only).
    Int8,
}

impl Precision {
    /// The dtype of activations between layers.
    pub(crate) fn activation_kind(self) -> Kind {
        match self {
            Self::Float16 => Kind::Half,
            Self::Float32 | Self::Int8 => Kind::Float,
        }
    }
}

/// The weights of one encoder packed for CPU kernels (fbgemm int8, oneDNN float32) inside
/// a TorchScript module.
///
/// Each encoder owns one module, so dropping the encoder frees its packed weights.
pub(crate) struct PackedLinears {
    module: CModule,
}

impl std::fmt::Debug for PackedLinears {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("PackedLinears")
    }
}

impl PackedLinears {
    pub(crate) fn new() -> Result<Self, TextError> {
        let module = CModule::load_data_on_device(&mut &PACKED_LINEAR_MODULE[..], Device::Cpu)
            .map_err(|source| TextError::Torch {
                operation: "loading the packed linear module",
                source,
            })?;
        Ok(Self { module })
    }

    /// Reorders a float32 `weight` [out, in] into oneDNN's layout for inputs of about `rows`
    /// rows and returns the index that [`Self::linear_float`] takes.
    fn add_float(&self, weight: &Tensor, rows: i64) -> Result<i64, TchError> {
        let arguments = [IValue::Tensor(weight.shallow_clone()), IValue::Int(rows)];
        self.call_index("add_float", &arguments)
    }

    /// Computes y = x·Wᵀ + b with the float32 weight at `index`. x is float32 [..., in] on
    /// the CPU.
    fn linear_float(&self, x: &Tensor, index: i64, bias: &Tensor) -> Result<Tensor, TchError> {
        let arguments = [
            IValue::Tensor(x.shallow_clone()),
            IValue::Int(index),
            IValue::Tensor(bias.shallow_clone()),
        ];
        self.call_tensor("linear_float", &arguments)
    }

    /// Quantises `weight` [out, in] symmetrically per output row, packs it without a bias
    /// and returns the index that [`Self::linear`] takes.
    fn add(&self, weight: &Tensor) -> Result<i64, TchError> {
        let out_features = weight.size()[0];
        let scales = weight
            .f_abs()?
            .f_amax([1], false)?
            .f_clamp_min(1e-12)?
            .f_div_scalar(127.0)?
            .f_to_kind(Kind::Double)?;
        let zero_points = Tensor::f_zeros([out_features], (Kind::Int64, Device::Cpu))?;
        let quantized = weight.f_quantize_per_channel(&scales, &zero_points, 0, Kind::QInt8)?;

        let arguments = [IValue::Tensor(quantized), IValue::None];
        self.call_index("add", &arguments)
    }

    /// y = x·Wᵀ + b for the weight packed at `index`; x is float32 [..., in] on the CPU.
    fn linear(&self, x: &Tensor, index: i64) -> Result<Tensor, TchError> {
        let arguments = [IValue::Tensor(x.shallow_clone()), IValue::Int(index)];
        self.call_tensor("linear", &arguments)
    }

    /// Calls the module's `method`, which returns the index of a packed weight.
    fn call_index(&self, method: &str, arguments: &[IValue]) -> Result<i64, TchError> {
        match self.module.method_is(method, arguments)? {
            IValue::Int(index) => Ok(index),
            other => Err(TchError::Kind(format!(
                "`{method}` returned {other:?}, expected an int"
            ))),
        }
    }

    /// Calls the module's `method`, which returns a tensor.
    fn call_tensor(&self, method: &str, arguments: &[IValue]) -> Result<Tensor, TchError> {
        match self.module.method_is(method, arguments)? {
            IValue::Tensor(y) => Ok(y),
            other => Err(TchError::Kind(format!(
                "`{method}` returned {other:?}, expected a tensor"
            ))),
        }
    }
}

/// A dense layer y = x·Wᵀ + b (`torch.nn.Linear`).
#[derive(Debug)]
pub(crate) enum Linear {
    /// Weight [out, in] and bias [out] in the activation dtype, on the model's device.
    Float { weight: Tensor, bias: Tensor },
    /// A float32 layer that records the max |input| of each input channel, [in], over
    /// every call, until [`Linear::quantize`] turns it into an int8 layer.
    Observed {
        weight: Tensor,
        bias: Tensor,
        input_max: RefCell<Option<Tensor>>,
    },
    /// A float32 layer whose weight oneDNN has reordered (CPU only).
    OneDnn {
        linears: Arc<PackedLinears>,
        /// Index of the weight in `linears`.
        index: i64,
        bias: Tensor,
    },
    /// An int8 layer.
    Int8(Int8Linear),
}

/// An int8 layer with SmoothQuant scaling and per-token activation scales.
///
/// Dynamic quantisation with one scale per tensor, as in `torch.ao.quantization
/// .quantize_dynamic`, lets a few outlier tokens and channels of BERT's hidden states set
/// the scale of all others: on all-MiniLM-L6-v2 the sentence vectors then fall to cosine
/// 0.88 against float32 (measured on the parity fixture texts). Two rescalings keep every
/// vector above 0.99 on the same texts:
/// - SmoothQuant (Xiao et al., 2023, arXiv:2211.10438, α = 0.5) divides input channel j
///   by c_j = sqrt(max|x_j| / max|W_j|) and multiplies weight column j by c_j, with
///   max|x_j| observed on calibration texts, so outlier channels move into the weights;
/// - each token (row) is divided by its max |x| before the kernel quantises the whole
///   tensor, and the output row is multiplied back, so every token gets its own scale.
#[derive(Debug)]
pub(crate) struct Int8Linear {
    linears: Arc<PackedLinears>,
    /// Index of the packed weight W·diag(c) [out, in] in `linears`.
    index: i64,
    /// 1 / c, float32 [in].
    inverse_smoothing: Tensor,
    /// float32 [out], added after the per-token rescaling.
    bias: Tensor,
}

impl Linear {
    /// Loads `{prefix}.weight` [out, in] and `{prefix}.bias` [out]. For int8 the layer is
    /// loaded as float32 and observes its inputs until it is quantised.
    pub(crate) fn load(
        weights: &Weights,
        prefix: &str,
        in_features: i64,
        out_features: i64,
        precision: Precision,
    ) -> Result<Self, TextError> {
        let weight = weights.get(&format!("{prefix}.weight"), &[out_features, in_features])?;
        let bias = weights.get(&format!("{prefix}.bias"), &[out_features])?;
        Self::from_tensors(weight, bias, precision)
    }

    /// Loads several layers that read the same input as one layer whose outputs are their
    /// outputs concatenated, so that one matrix product replaces several.
    pub(crate) fn load_fused(
        weights: &Weights,
        prefixes: &[String],
        in_features: i64,
        out_features: i64,
        precision: Precision,
    ) -> Result<Self, TextError> {
        let mut weight_parts = Vec::with_capacity(prefixes.len());
        let mut bias_parts = Vec::with_capacity(prefixes.len());
        for prefix in prefixes {
            let weight = weights.get(&format!("{prefix}.weight"), &[out_features, in_features])?;
            weight_parts.push(weight);
            bias_parts.push(weights.get(&format!("{prefix}.bias"), &[out_features])?);
        }
        let concatenate = |parts: &[Tensor]| {
            Tensor::f_cat(parts, 0).map_err(|source| TextError::Torch {
                operation: "fusing linear layers",
                source,
            })
        };
        Self::from_tensors(
            concatenate(&weight_parts)?,
            concatenate(&bias_parts)?,
            precision,
        )
    }

    fn from_tensors(weight: Tensor, bias: Tensor, precision: Precision) -> Result<Self, TextError> {
        if precision == Precision::Int8 {
            return Ok(Self::Observed {
                weight,
                bias,
                input_max: RefCell::new(None),
            });
        }
        let kind = precision.activation_kind();
        let convert = |tensor: Tensor| {
            tensor.f_to_kind(kind).map_err(|source| TextError::Torch {
                operation: "converting weights to the activation dtype",
                source,
            })
        };
        Ok(Self::Float {
            weight: convert(weight)?,
            bias: convert(bias)?,
        })
    }

    /// Moves a float32 CPU layer's weight into oneDNN's layout, for inputs of about `rows`
    /// rows. Other layers are left as they are. The results equal those of
    /// `torch.nn.functional.linear` up to float32 rounding.
    pub(crate) fn pack(
        &mut self,
        linears: &Arc<PackedLinears>,
        rows: i64,
    ) -> Result<(), TextError> {
        let Self::Float { weight, bias } = self else {
            return Ok(());
        };
        if weight.kind() != Kind::Float || weight.device() != Device::Cpu {
            return Ok(());
        }
        let index = linears
            .add_float(weight, rows)
            .map_err(|source| TextError::Torch {
                operation: "packing a linear layer for oneDNN",
                source,
            })?;
        *self = Self::OneDnn {
            linears: Arc::clone(linears),
            index,
            bias: bias.shallow_clone(),
        };
        Ok(())
    }

    /// Turns an observed layer into an int8 layer; other layers are left as they are.
    ///
    /// Fails when the layer has observed no input.
    pub(crate) fn quantize(&mut self, linears: &Arc<PackedLinears>) -> Result<(), TextError> {
        let Self::Observed {
            weight,
            bias,
            input_max,
        } = self
        else {
            return Ok(());
        };
        let input_max = input_max.borrow_mut().take().ok_or_else(|| {
            TextError::InvalidOptions("an int8 layer saw no calibration input".into())
        })?;
        let quantized = Int8Linear::new(linears, weight, bias, &input_max).map_err(|source| {
            TextError::Torch {
                operation: "quantising a linear layer",
                source,
            }
        })?;
        *self = Self::Int8(quantized);
        Ok(())
    }

    /// Applies the layer to x [..., in], returning [..., out] in the activation dtype.
    pub(crate) fn forward(&self, x: &Tensor) -> Result<Tensor, TchError> {
        match self {
            Self::Float { weight, bias } => x.f_linear(weight, Some(bias)),
            Self::Observed {
                weight,
                bias,
                input_max,
            } => {
                let in_features = weight.size()[1];
                let batch_max = x
                    .f_abs()?
                    .f_reshape([-1, in_features])?
                    .f_amax([0], false)?;
                let mut observed = input_max.borrow_mut();
                let updated = match observed.take() {
                    Some(previous) => previous.f_maximum(&batch_max)?,
                    None => batch_max,
                };
                *observed = Some(updated);
                x.f_linear(weight, Some(bias))
            }
            Self::OneDnn {
                linears,
                index,
                bias,
            } => linears.linear_float(x, *index, bias),
            Self::Int8(layer) => layer.forward(x),
        }
    }
}

impl Int8Linear {
    /// Smooths and packs `weight` [out, in] given the observed max |input| [in].
    fn new(
        linears: &Arc<PackedLinears>,
        weight: &Tensor,
        bias: &Tensor,
        input_max: &Tensor,
    ) -> Result<Self, TchError> {
        // c_j = sqrt(max|x_j|) / sqrt(max|W_j|), which is SmoothQuant with α = 0.5.
        let weight_max = weight.f_abs()?.f_amax([0], false)?.f_clamp_min(1e-5)?;
        let smoothing = input_max.f_clamp_min(1e-5)?.f_div(&weight_max)?.f_sqrt()?;
        let smoothed_weight = weight.f_mul(&smoothing.f_unsqueeze(0)?)?;

        let index = linears.add(&smoothed_weight)?;
        Ok(Self {
            linears: Arc::clone(linears),
            index,
            inverse_smoothing: smoothing.f_reciprocal()?,
            bias: bias.shallow_clone(),
        })
    }

    fn forward(&self, x: &Tensor) -> Result<Tensor, TchError> {
        let mut smoothed = x.f_mul(&self.inverse_smoothing)?;

        // Scale every token to max |x| = 1, so the per-tensor quantisation is per token.
        // max |x| as max(max x, −min x) needs no temporary of the input's size.
        let token_max = smoothed
            .f_amax([-1], true)?
            .f_maximum(&smoothed.f_amin([-1], true)?.f_neg()?)?
            .f_clamp_min(1e-6)?;
        let normalized = smoothed.f_div_(&token_max)?;
        let product = self.linears.linear(&normalized, self.index)?;
        // bias + product · token_max in one pass over the output.
        self.bias.f_addcmul(&product, &token_max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int8_linear_matches_float() {
        tch::manual_seed(0);
        let weight = Tensor::randn([48, 32], (Kind::Float, Device::Cpu)) * 0.1;
        let bias = Tensor::randn([48], (Kind::Float, Device::Cpu));
        let x = Tensor::randn([5, 7, 32], (Kind::Float, Device::Cpu));
        let linears = Arc::new(PackedLinears::new().unwrap());
        let float = Linear::from_tensors(weight.copy(), bias.copy(), Precision::Float32).unwrap();
        let mut int8 = Linear::from_tensors(weight, bias, Precision::Int8).unwrap();

        let expected = float.forward(&x).unwrap();
        let observed = int8.forward(&x).unwrap();
        int8.quantize(&linears).unwrap();
        let actual = int8.forward(&x).unwrap();

        assert!(observed.allclose(&expected, 1e-6, 1e-6, false));
        assert!(matches!(int8, Linear::Int8(_)));
        assert_eq!(actual.size(), vec![5, 7, 48]);
        let cosine = f64::try_from(Tensor::cosine_similarity(
            &expected.flatten(0, -1),
            &actual.flatten(0, -1),
            0,
            1e-8,
        ))
        .unwrap();
        assert!(cosine > 0.999, "cosine {cosine}");
    }

    #[test]
    fn onednn_linear_matches_float() {
        tch::manual_seed(0);
        let weight = Tensor::randn([48, 32], (Kind::Float, Device::Cpu)) * 0.1;
        let bias = Tensor::randn([48], (Kind::Float, Device::Cpu));
        let linears = Arc::new(PackedLinears::new().unwrap());
        let float = Linear::from_tensors(weight.copy(), bias.copy(), Precision::Float32).unwrap();
        let mut packed = Linear::from_tensors(weight, bias, Precision::Float32).unwrap();
        packed.pack(&linears, 35).unwrap();
        assert!(matches!(packed, Linear::OneDnn { .. }));

        // Row counts other than the one the weight was packed for work too.
        for shape in [[5i64, 7, 32], [1, 1, 32], [2, 300, 32]] {
            let x = Tensor::randn(shape, (Kind::Float, Device::Cpu));
            let expected = float.forward(&x).unwrap();
            let actual = packed.forward(&x).unwrap();
            assert_eq!(actual.size(), expected.size());
            assert!(actual.allclose(&expected, 1e-5, 1e-5, false), "{shape:?}");
        }
    }

    #[test]
    fn unobserved_layer_cannot_quantize() {
        let weight = Tensor::ones([4, 2], (Kind::Float, Device::Cpu));
        let bias = Tensor::zeros([4], (Kind::Float, Device::Cpu));
        let mut layer = Linear::from_tensors(weight, bias, Precision::Int8).unwrap();
        let linears = Arc::new(PackedLinears::new().unwrap());

        assert!(layer.quantize(&linears).is_err());
    }
}
