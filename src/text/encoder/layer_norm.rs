//! Layer normalisation over the hidden dimension (`torch.nn.LayerNorm`).

use tch::{TchError, Tensor};

use super::linear::Precision;
use crate::text::error::TextError;
use crate::text::model_dir::Weights;

/// y = (x − mean) / sqrt(var + eps) · γ + β over the last dimension.
#[derive(Debug)]
pub(crate) struct LayerNorm {
    weight: Tensor,
    bias: Tensor,
    eps: f64,
}

impl LayerNorm {
    /// Loads `{prefix}.weight` and `{prefix}.bias`, both [hidden].
    pub(crate) fn load(
        weights: &Weights,
        prefix: &str,
        hidden: i64,
        eps: f64,
        precision: Precision,
    ) -> Result<Self, TextError> {
        let load = |name: &str| {
            weights
                .get(&format!("{prefix}.{name}"), &[hidden])?
                .f_to_kind(precision.activation_kind())
                .map_err(|source| TextError::Torch {
                    operation: "converting layer norm weights",
                    source,
                })
        };
        Ok(Self {
            weight: load("weight")?,
            bias: load("bias")?,
            eps,
        })
    }

    /// Normalises x [..., hidden].
    pub(crate) fn forward(&self, x: &Tensor) -> Result<Tensor, TchError> {
        let hidden = self.weight.size()[0];
        x.f_layer_norm(
            [hidden],
            Some(&self.weight),
            Some(&self.bias),
            self.eps,
            true,
        )
    }
}
