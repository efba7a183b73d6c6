//! Multi-head self-attention with its output projection (`BertAttention`).

use tch::{TchError, Tensor};

use super::embeddings::to_i64;
use super::layer_norm::LayerNorm;
use super::linear::{Linear, Precision};
use crate::text::error::TextError;
use crate::text::model_dir::{BertConfig, Weights};

/// Scaled dot-product self-attention, then dense + residual + layer norm.
#[derive(Debug)]
pub(crate) struct Attention {
    /// Query, key and value projections fused into one [3·hidden, hidden] layer.
    query_key_value: Linear,
    output: Linear,
    layer_norm: LayerNorm,
    num_heads: i64,
    head_dim: i64,
}

impl Attention {
    /// Loads `{prefix}.self.{query,key,value}` and `{prefix}.output.{dense,LayerNorm}`.
    pub(crate) fn load(
        weights: &Weights,
        prefix: &str,
        config: &BertConfig,
        precision: Precision,
    ) -> Result<Self, TextError> {
        let hidden = to_i64(config.hidden_size);
        let num_heads = to_i64(config.num_attention_heads);
        let projections = ["query", "key", "value"].map(|name| format!("{prefix}.self.{name}"));
        let query_key_value = Linear::load_fused(weights, &projections, hidden, hidden, precision)?;
        let output = Linear::load(
            weights,
            &format!("{prefix}.output.dense"),
            hidden,
            hidden,
            precision,
        )?;
        let layer_norm = LayerNorm::load(
            weights,
            &format!("{prefix}.output.LayerNorm"),
            hidden,
            config.layer_norm_eps,
            precision,
        )?;
        Ok(Self {
            query_key_value,
            output,
            layer_norm,
            num_heads,
            head_dim: hidden / num_heads,
        })
    }

    /// Returns the dense layers, for quantising or packing them.
    pub(crate) fn linears_mut(&mut self) -> [&mut Linear; 2] {
        [&mut self.query_key_value, &mut self.output]
    }

    /// Attends over hidden [batch, seq, hidden]; `attend` [batch, 1, 1, seq] (bool) is true
    /// at real tokens and false at padding, which no query attends to.
    pub(crate) fn forward(&self, hidden: &Tensor, attend: &Tensor) -> Result<Tensor, TchError> {
        let (batch, seq_len) = (hidden.size()[0], hidden.size()[1]);

        // Project once, then split into [3, batch, heads, seq, head_dim].
        let projected = self.query_key_value.forward(hidden)?;
        let heads = projected
            .f_view([batch, seq_len, 3, self.num_heads, self.head_dim])?
            .f_permute([2, 0, 3, 1, 4])?;
        let (query, key, value) = (heads.f_get(0)?, heads.f_get(1)?, heads.f_get(2)?);

        // softmax(q·kᵀ / sqrt(head_dim) + mask)·v; the default scale is 1/sqrt(head_dim).
        let context = Tensor::f_scaled_dot_product_attention(
            &query,
            &key,
            &value,
            Some(attend),
            0.0,
            false,
            None::<f64>,
            false,
        )?;
        let context = context.f_transpose(1, 2)?.f_reshape([batch, seq_len, -1])?;

        // The residual is added in place, into the fresh output of the dense layer.
        let summed = self.output.forward(&context)?.f_add_(hidden)?;
        self.layer_norm.forward(&summed)
    }
}
