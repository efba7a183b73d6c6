//! Token, position and token-type embeddings (`BertEmbeddings`).

use tch::{TchError, Tensor};

use super::layer_norm::LayerNorm;
use super::linear::Precision;
use crate::text::error::TextError;
use crate::text::model_dir::{BertConfig, Weights};

/// Sum of word, absolute position and token-type-0 embeddings, then layer norm.
///
/// Every text is a single segment, so token type ids are all zero as in sentence-transformers.
#[derive(Debug)]
pub(crate) struct Embeddings {
    /// [vocab_size, hidden]
    word: Tensor,
    /// [max_position_embeddings, hidden]
    position: Tensor,
    /// [hidden]: row 0 of the token type embeddings.
    token_type_zero: Tensor,
    layer_norm: LayerNorm,
}

impl Embeddings {
    pub(crate) fn load(
        weights: &Weights,
        config: &BertConfig,
        precision: Precision,
    ) -> Result<Self, TextError> {
        let hidden = to_i64(config.hidden_size);
        let kind = precision.activation_kind();
        let load = |name: &str, rows: usize| {
            weights
                .get(
                    &format!("embeddings.{name}.weight"),
                    &[to_i64(rows), hidden],
                )?
                .f_to_kind(kind)
                .map_err(|source| TextError::Torch {
                    operation: "converting embeddings",
                    source,
                })
        };

        let word = load("word_embeddings", config.vocab_size)?;
        let position = load("position_embeddings", config.max_position_embeddings)?;
        let token_type = load("token_type_embeddings", config.type_vocab_size)?;
        let token_type_zero = token_type.f_get(0).map_err(|source| TextError::Torch {
            operation: "selecting token type 0",
            source,
        })?;
        let layer_norm = LayerNorm::load(
            weights,
            "embeddings.LayerNorm",
            hidden,
            config.layer_norm_eps,
            precision,
        )?;
        Ok(Self {
            word,
            position,
            token_type_zero,
            layer_norm,
        })
    }

    /// Embeds input ids [batch, seq] (int64) into [batch, seq, hidden].
    pub(crate) fn forward(&self, input_ids: &Tensor) -> Result<Tensor, TchError> {
        let seq_len = input_ids.size()[1];
        let words = Tensor::f_embedding(&self.word, input_ids, -1, false, false)?;

        // Same order of additions as transformers: (words + token types) + positions.
        let positions = self.position.f_narrow(0, 0, seq_len)?;
        let summed = words.f_add(&self.token_type_zero)?.f_add(&positions)?;
        self.layer_norm.forward(&summed)
    }
}

/// Converts a configuration size to a tensor dimension.
pub(crate) fn to_i64(size: usize) -> i64 {
    i64::try_from(size).expect("model sizes from config.json fit in i64")
}
