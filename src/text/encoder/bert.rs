//! The BERT encoder stack: embeddings, then transformer layers (`BertModel` without pooler).
//!
//! Port of `transformers/models/bert/modeling_bert.py` from Hugging Face transformers 5.25.0
//! (PyPI) for inference only: no dropout, no cross-attention, no key/value cache, absolute
//! positions and token type 0.

use tch::{TchError, Tensor};

use super::attention::Attention;
use super::embeddings::Embeddings;
use super::feed_forward::{Activation, FeedForward};
use super::linear::{Linear, Precision};
use crate::text::error::TextError;
use crate::text::model_dir::{BertConfig, Weights};

/// One transformer layer: self-attention, then the feed-forward block (`BertLayer`).
#[derive(Debug)]
struct Layer {
    attention: Attention,
    feed_forward: FeedForward,
}

impl Layer {
    fn forward(&self, hidden: &Tensor, attend: &Tensor) -> Result<Tensor, TchError> {
        let attended = self.attention.forward(hidden, attend)?;
        self.feed_forward.forward(&attended)
    }
}

/// The embeddings and the layers of a BERT model, loaded from a weights file.
#[derive(Debug)]
pub(crate) struct Bert {
    embeddings: Embeddings,
    layers: Vec<Layer>,
}

impl Bert {
    /// Loads every tensor that `config` implies, checking each shape.
    pub(crate) fn load(
        weights: &Weights,
        config: &BertConfig,
        config_path: &std::path::Path,
        precision: Precision,
    ) -> Result<Self, TextError> {
        let activation =
            Activation::parse(&config.hidden_act).ok_or_else(|| TextError::ConfigValue {
                path: config_path.to_path_buf(),
                field: "hidden_act",
                value: config.hidden_act.clone(),
                reason: "supported activations: gelu, gelu_new, gelu_pytorch_tanh, relu, silu, \
                         swish"
                    .into(),
            })?;

        let embeddings = Embeddings::load(weights, config, precision)?;
        let mut layers = Vec::with_capacity(config.num_hidden_layers);
        for index in 0..config.num_hidden_layers {
            let prefix = format!("encoder.layer.{index}");
            let attention =
                Attention::load(weights, &format!("{prefix}.attention"), config, precision)?;
            let feed_forward = FeedForward::load(weights, &prefix, config, activation, precision)?;
            layers.push(Layer {
                attention,
                feed_forward,
            });
        }
        Ok(Self { embeddings, layers })
    }

    /// Calls `change` on every dense layer of every layer: to quantise the layers that
    /// observed the calibration texts, or to pack float32 weights for oneDNN.
    pub(crate) fn for_each_linear(
        &mut self,
        mut change: impl FnMut(&mut Linear) -> Result<(), TextError>,
    ) -> Result<(), TextError> {
        for layer in &mut self.layers {
            for linear in layer
                .attention
                .linears_mut()
                .into_iter()
                .chain(layer.feed_forward.linears_mut())
            {
                change(linear)?;
            }
        }
        Ok(())
    }

    /// Runs the encoder on input ids [batch, seq] (int64) with `attention_mask`
    /// [batch, seq] (int64, 1 at tokens, 0 at padding), both on the model's device.
    ///
    /// Returns the last hidden states [batch, seq, hidden] in the model's dtype.
    pub(crate) fn forward(
        &self,
        input_ids: &Tensor,
        attention_mask: &Tensor,
    ) -> Result<Tensor, TchError> {
        let (batch, seq_len) = (input_ids.size()[0], input_ids.size()[1]);
        let attend = attention_mask.f_gt(0)?.f_view([batch, 1, 1, seq_len])?;

        let mut hidden = self.embeddings.forward(input_ids)?;
        for (index, layer) in self.layers.iter().enumerate() {
            let _span = tracing::trace_span!("bert_layer", index).entered();
            hidden = layer.forward(&hidden, &attend)?;
        }
        Ok(hidden)
    }
}
