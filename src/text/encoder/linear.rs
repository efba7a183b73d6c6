//! Dense layers in float32/float16, or int8 through PyTorch's dynamic quantisation.

use std::sync::Arc;

use tch::{CModule, Device, IValue, Kind, TchError, Tensor};

use crate::text::error::TextError;
use crate::text::model_dir::Weights;

/// TorchScript module written by `make_quantized_linear.py` next to this file. tch 0.24
/// binds no function for the fbgemm dynamic int8 linear kernel, but it can call this
/// module's `add` (pack a weight) and `linear` (run `quantized::linear_dynamic`) methods.
const QUANTIZED_LINEAR_MODULE: &[u8] = include_bytes!("quantized_linear.pt");

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

/// The int8 weights of one encoder, packed for fbgemm inside a TorchScript module.
///
/// Each encoder owns one module, so dropping the encoder frees its packed weights.
pub(crate) struct QuantizedLinears {
    module: CModule,
}

impl std::fmt::Debug for QuantizedLinears {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("QuantizedLinears")
    }
}

impl QuantizedLinears {
    pub(crate) fn new() -> Result<Self, TextError> {
        let module = CModule::load_data_on_device(&mut &QUANTIZED_LINEAR_MODULE[..], Device::Cpu)
            .map_err(|source| TextError::Torch { operation: "loading the int8 linear module", source })?;
        Ok(Self { module })
    }

    /// Quantises `weight` [out, in] symmetrically per output row, packs it with `bias` [out]
    /// and returns the index that [`Self::linear`] takes.
    fn add(&self, weight: &Tensor, bias: &Tensor) -> Result<i64, TchError> {
        let out_features = weight.size()[0];
        let scales = weight
            .f_abs()?
            .f_amax([1], false)?
            .f_clamp_min(1e-12)?
            .f_div_scalar(127.0)?
            .f_to_kind(Kind::Double)?;
        let zero_points = Tensor::f_zeros([out_features], (Kind::Int64, Device::Cpu))?;
        let quantized = weight.f_quantize_per_channel(&scales, &zero_points, 0, Kind::QInt8)?;

        let arguments = [IValue::Tensor(quantized), IValue::Tensor(bias.shallow_clone())];
        match self.module.method_is("add", &arguments)? {
            IValue::Int(index) => Ok(index),
            other => Err(TchError::Kind(format!("`add` returned {other:?}, expected an int"))),
        }
    }

    /// y = x·Wᵀ + b for the weight packed at `index`; x is float32 [..., in] on the CPU.
    fn linear(&self, x: &Tensor, index: i64) -> Result<Tensor, TchError> {
        let arguments = [IValue::Tensor(x.shallow_clone()), IValue::Int(index)];
        match self.module.method_is("linear", &arguments)? {
            IValue::Tensor(y) => Ok(y),
            other => Err(TchError::Kind(format!("`linear` returned {other:?}, expected a tensor"))),
        }
    }
}

/// A dense layer y = x·Wᵀ + b (`torch.nn.Linear`).
#[derive(Debug)]
pub(crate) enum Linear {
    /// Weight [out, in] and bias [out] in the activation dtype, on the model's device.
    Float { weight: Tensor, bias: Tensor },
    /// A weight packed at `index` in `linears`.
    Int8 { linears: Arc<QuantizedLinears>, index: i64 },
}

impl Linear {
    /// Loads `{prefix}.weight` [out, in] and `{prefix}.bias` [out].
    pub(crate) fn load(
        weights: &Weights,
        prefix: &str,
        in_features: i64,
        out_features: i64,
        precision: Precision,
        linears: Option<&Arc<QuantizedLinears>>,
    ) -> Result<Self, TextError> {
        let weight = weights.get(&format!("{prefix}.weight"), &[out_features, in_features])?;
        let bias = weights.get(&format!("{prefix}.bias"), &[out_features])?;
        Self::from_tensors(weight, bias, precision, linears)
    }

    /// Loads several layers that read the same input as one layer whose outputs are their
    /// outputs concatenated, so that one matrix product replaces several.
    pub(crate) fn load_fused(
        weights: &Weights,
        prefixes: &[String],
        in_features: i64,
        out_features: i64,
        precision: Precision,
        linears: Option<&Arc<QuantizedLinears>>,
    ) -> Result<Self, TextError> {
        let mut weight_parts = Vec::with_capacity(prefixes.len());
        let mut bias_parts = Vec::with_capacity(prefixes.len());
        for prefix in prefixes {
            weight_parts.push(weights.get(&format!("{prefix}.weight"), &[out_features, in_features])?);
            bias_parts.push(weights.get(&format!("{prefix}.bias"), &[out_features])?);
        }
        let concatenate = |parts: &[Tensor]| {
            Tensor::f_cat(parts, 0)
                .map_err(|source| TextError::Torch { operation: "fusing linear layers", source })
        };
        Self::from_tensors(concatenate(&weight_parts)?, concatenate(&bias_parts)?, precision, linears)
    }

    fn from_tensors(
        weight: Tensor,
        bias: Tensor,
        precision: Precision,
        linears: Option<&Arc<QuantizedLinears>>,
    ) -> Result<Self, TextError> {
        match (precision, linears) {
            (Precision::Int8, Some(linears)) => {
                let index = linears.add(&weight, &bias).map_err(|source| TextError::Torch {
                    operation: "quantising a linear layer to int8",
                    source,
                })?;
                Ok(Self::Int8 { linears: Arc::clone(linears), index })
            }
            (Precision::Int8, None) => Err(TextError::InvalidOptions(
                "int8 layers need the quantized linear module".into(),
            )),
            (Precision::Float32 | Precision::Float16, _) => {
                let kind = precision.activation_kind();
                let convert = |tensor: Tensor| {
                    tensor.f_to_kind(kind).map_err(|source| TextError::Torch {
                        operation: "converting weights to the activation dtype",
                        source,
                    })
                };
                Ok(Self::Float { weight: convert(weight)?, bias: convert(bias)? })
            }
        }
    }

    /// Applies the layer to x [..., in], returning [..., out] in the activation dtype.
    pub(crate) fn forward(&self, x: &Tensor) -> Result<Tensor, TchError> {
        match self {
            Self::Float { weight, bias } => x.f_linear(weight, Some(bias)),
            Self::Int8 { linears, index } => linears.linear(x, *index),
        }
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
        let linears = Arc::new(QuantizedLinears::new().unwrap());
        let float = Linear::from_tensors(weight.copy(), bias.copy(), Precision::Float32, None).unwrap();
        let int8 = Linear::from_tensors(weight, bias, Precision::Int8, Some(&linears)).unwrap();

        let expected = float.forward(&x).unwrap();
        let actual = int8.forward(&x).unwrap();

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
}
