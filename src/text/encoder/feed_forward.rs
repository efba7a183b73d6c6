//! The position-wise feed-forward block (`BertIntermediate` + `BertOutput`).

use tch::{TchError, Tensor};

use super::embeddings::to_i64;
use super::layer_norm::LayerNorm;
use super::linear::{Linear, Precision};
use crate::text::error::TextError;
use crate::text::model_dir::{BertConfig, Weights};

/// The activation between the two dense layers, from `hidden_act` in config.json.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Activation {
    /// `gelu`: x·Φ(x) with the exact normal CDF (erf).
    Gelu,
    /// `gelu_new`, `gelu_pytorch_tanh`: the tanh approximation of GELU.
    GeluTanh,
    /// `relu`.
    Relu,
    /// `silu` or `swish`: x·sigmoid(x).
    Silu,
}

impl Activation {
    /// Parses `hidden_act`, or returns `None` for an activation that is not implemented.
    pub(crate) fn parse(name: &str) -> Option<Self> {
        match name {
            "gelu" => Some(Self::Gelu),
            "gelu_new" | "gelu_pytorch_tanh" => Some(Self::GeluTanh),
            "relu" => Some(Self::Relu),
            "silu" | "swish" => Some(Self::Silu),
            _ => None,
        }
    }

    /// Applies the activation to `x` in place, so that no second tensor of its size is
    /// allocated, and returns `x`.
    fn apply(self, x: &mut Tensor) -> Result<Tensor, TchError> {
        match self {
            Self::Gelu => x.f_gelu_("none"),
            Self::GeluTanh => x.f_gelu_("tanh"),
            Self::Relu => x.f_relu_(),
            Self::Silu => x.f_silu_(),
        }
    }
}

/// dense(hidden → intermediate), activation, dense(intermediate → hidden), residual, norm.
#[derive(Debug)]
pub(crate) struct FeedForward {
    intermediate: Linear,
    activation: Activation,
    output: Linear,
    layer_norm: LayerNorm,
}

impl FeedForward {
    /// Loads `{prefix}.intermediate.dense` and `{prefix}.output.{dense,LayerNorm}`.
    pub(crate) fn load(
        weights: &Weights,
        prefix: &str,
        config: &BertConfig,
        activation: Activation,
        precision: Precision,
    ) -> Result<Self, TextError> {
        let hidden = to_i64(config.hidden_size);
        let inner = to_i64(config.intermediate_size);
        let intermediate = Linear::load(
            weights,
            &format!("{prefix}.intermediate.dense"),
            hidden,
            inner,
            precision,
        )?;

        // NOTE: with int8, this layer stays float32. Its input, the GELU output, has the
        // longest-tailed range in the layer: quantising it too lowered the worst sentence
        // cosine on the parity texts from 0.997 to 0.990 (all-MiniLM-L6-v2, measured with
        // PyTorch's quantized::linear_dynamic). It holds a quarter of the dense FLOPs.
        let output_precision = match precision {
            Precision::Int8 => Precision::Float32,
            Precision::Float32 | Precision::Float16 => precision,
        };
        let output = Linear::load(
            weights,
            &format!("{prefix}.output.dense"),
            inner,
            hidden,
            output_precision,
        )?;
        let layer_norm = LayerNorm::load(
            weights,
            &format!("{prefix}.output.LayerNorm"),
            hidden,
            config.layer_norm_eps,
            precision,
        )?;
        Ok(Self {
            intermediate,
            activation,
            output,
            layer_norm,
        })
    }

    /// Returns the dense layers, for quantising or packing them.
    pub(crate) fn linears_mut(&mut self) -> [&mut Linear; 2] {
        [&mut self.intermediate, &mut self.output]
    }

    /// Transforms hidden [batch, seq, hidden] position by position.
    pub(crate) fn forward(&self, hidden: &Tensor) -> Result<Tensor, TchError> {
        let mut inner = self.intermediate.forward(hidden)?;
        let inner = self.activation.apply(&mut inner)?;
        // The residual is added in place, into the fresh output of the dense layer.
        let summed = self.output.forward(&inner)?.f_add_(hidden)?;
        self.layer_norm.forward(&summed)
    }
}
