//! Reading a local BERT model directory: configuration, tokenizer and weights.
//!
//! A model directory is what `save_pretrained` in Hugging Face transformers or
//! sentence-transformers writes: `config.json`, `tokenizer.json` (or only `vocab.txt`), and
//! `model.safetensors` (or a PyTorch `pytorch_model.bin` state dict). A
//! `sentence_bert_config.json`, when present, sets the maximum sequence length. Nothing is
//! downloaded: the directory must already be on disk.
//!
//! ```no_run
//! use rxgraph::text::ModelDir;
//!
//! let dir = ModelDir::open(std::path::Path::new("model"))?;
//! println!("{} layers, hidden size {}", dir.config.num_hidden_layers, dir.config.hidden_size);
//! let weights = dir.load_weights(tch::Device::Cpu)?;
//! # Ok::<(), rxgraph::text::TextError>(())
//! ```

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use tch::{Device, Kind, Tensor};

use super::error::TextError;
use super::tokenizer::TextTokenizer;

/// The fields of a Hugging Face `config.json` that a BERT encoder needs.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct BertConfig {
    /// Width of every token vector (384 for MiniLM-L6, 768 for BERT-base).
    pub hidden_size: usize,
    /// Attention heads per layer; must divide `hidden_size`.
    pub num_attention_heads: usize,
    /// Number of transformer layers.
    pub num_hidden_layers: usize,
    /// Width of the feed-forward layer inside each transformer layer.
    pub intermediate_size: usize,
    /// Number of learned position embeddings, the hard limit on tokens per text.
    pub max_position_embeddings: usize,
    /// Epsilon added to the variance in every layer norm.
    #[serde(default = "default_layer_norm_eps")]
    pub layer_norm_eps: f64,
    /// Number of rows of the word embedding matrix.
    pub vocab_size: usize,
    /// Number of token type (segment) embeddings; the encoder uses type 0 only.
    #[serde(default = "default_type_vocab_size")]
    pub type_vocab_size: usize,
    /// Activation of the feed-forward layer: `gelu` (erf), `gelu_new`, `relu`, `silu`, ….
    #[serde(default = "default_hidden_act")]
    pub hidden_act: String,
    /// `bert` when present; other architectures are rejected.
    #[serde(default)]
    pub model_type: Option<String>,
    /// Only `absolute` position embeddings are implemented.
    #[serde(default)]
    pub position_embedding_type: Option<String>,
}

fn default_layer_norm_eps() -> f64 {
    1e-12
}

fn default_type_vocab_size() -> usize {
    2
}

fn default_hidden_act() -> String {
    "gelu".into()
}

/// The source of a model directory's tokenizer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenizerFile {
    /// A `tokenizer.json` of the Hugging Face tokenizers library.
    Json(PathBuf),
    /// A WordPiece `vocab.txt`, lower-cased when `lowercase` (`do_lower_case` in
    /// `tokenizer_config.json`, true when absent).
    Vocab { path: PathBuf, lowercase: bool },
}

/// The format of a model directory's weights file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WeightsFile {
    /// `model.safetensors`.
    SafeTensors(PathBuf),
    /// `pytorch_model.bin`, a `torch.save` state dict (zip format, PyTorch ≥ 1.6).
    PyTorch(PathBuf),
}

impl WeightsFile {
    /// The path of the weights file.
    pub fn path(&self) -> &Path {
        match self {
            Self::SafeTensors(path) | Self::PyTorch(path) => path,
        }
    }
}

/// A checked model directory: its configuration and the files to load.
#[derive(Debug, Clone)]
pub struct ModelDir {
    /// The directory itself.
    pub root: PathBuf,
    /// The parsed and validated `config.json`.
    pub config: BertConfig,
    /// The tokenizer file to load.
    pub tokenizer: TokenizerFile,
    /// The weights file to load.
    pub weights: WeightsFile,
    /// `max_seq_length` from `sentence_bert_config.json`, when present.
    pub max_seq_length: Option<usize>,
}

impl ModelDir {
    /// Finds the files of a model directory and validates its `config.json`.
    pub fn open(root: &Path) -> Result<Self, TextError> {
        if !root.is_dir() {
            return Err(TextError::ModelDirNotFound {
                path: root.to_path_buf(),
            });
        }

        let config_path = root.join("config.json");
        if !config_path.is_file() {
            return Err(missing_file(
                root,
                "config.json",
                "the model configuration is required",
            ));
        }
        let config: BertConfig =
            serde_json::from_str(&read_to_string(&config_path)?).map_err(|source| {
                TextError::ConfigSyntax {
                    path: config_path.clone(),
                    source,
                }
            })?;
        validate_config(&config, &config_path)?;

        let tokenizer = find_tokenizer(root)?;
        let weights = find_weights(root)?;
        let max_seq_length = read_max_seq_length(root)?;
        Ok(Self {
            root: root.to_path_buf(),
            config,
            tokenizer,
            weights,
            max_seq_length,
        })
    }

    /// The maximum tokens per text: `max_seq_length` of sentence-transformers when given,
    /// capped by the number of position embeddings.
    pub fn default_max_length(&self) -> usize {
        let positions = self.config.max_position_embeddings;
        self.max_seq_length
            .map_or(positions, |length| length.min(positions))
    }

    /// Loads the tokenizer, truncating to `max_length` tokens.
    pub fn load_tokenizer(&self, max_length: usize) -> Result<TextTokenizer, TextError> {
        match &self.tokenizer {
            TokenizerFile::Json(path) => TextTokenizer::from_file(path, max_length),
            TokenizerFile::Vocab { path, lowercase } => {
                TextTokenizer::from_vocab(path, *lowercase, max_length)
            }
        }
    }

    /// Reads every tensor of the weights file onto `device`.
    pub fn load_weights(&self, device: Device) -> Result<Weights, TextError> {
        let path = self.weights.path();
        let read_error = |source| TextError::WeightsRead {
            path: path.to_path_buf(),
            source,
        };
        let tensors = match &self.weights {
            WeightsFile::SafeTensors(_) => Tensor::read_safetensors(path).map_err(read_error)?,
            WeightsFile::PyTorch(_) => Tensor::loadz_multi(path).map_err(read_error)?,
        };
        Ok(Weights::new(path, tensors, device))
    }
}

fn validate_config(config: &BertConfig, path: &Path) -> Result<(), TextError> {
    let invalid = |field: &'static str, value: String, reason: &str| TextError::ConfigValue {
        path: path.to_path_buf(),
        field,
        value,
        reason: reason.into(),
    };

    if let Some(model_type) = &config.model_type {
        if model_type != "bert" {
            return Err(invalid(
                "model_type",
                model_type.clone(),
                "only BERT models (BERT, BioBERT, PubMedBERT, SapBERT, MiniLM) are supported",
            ));
        }
    }
    if let Some(kind) = &config.position_embedding_type {
        if kind != "absolute" {
            return Err(invalid(
                "position_embedding_type",
                kind.clone(),
                "only absolute position embeddings are implemented",
            ));
        }
    }
    let sizes = [
        ("hidden_size", config.hidden_size),
        ("num_attention_heads", config.num_attention_heads),
        ("num_hidden_layers", config.num_hidden_layers),
        ("intermediate_size", config.intermediate_size),
        ("max_position_embeddings", config.max_position_embeddings),
        ("vocab_size", config.vocab_size),
        ("type_vocab_size", config.type_vocab_size),
    ];
    for (field, value) in sizes {
        if value == 0 {
            return Err(invalid(field, "0".into(), "must be positive"));
        }
    }
    if config.hidden_size % config.num_attention_heads != 0 {
        return Err(invalid(
            "num_attention_heads",
            config.num_attention_heads.to_string(),
            &format!("must divide hidden_size {}", config.hidden_size),
        ));
    }
    if !(config.layer_norm_eps > 0.0 && config.layer_norm_eps.is_finite()) {
        return Err(invalid(
            "layer_norm_eps",
            config.layer_norm_eps.to_string(),
            "must be positive",
        ));
    }
    Ok(())
}

fn find_tokenizer(root: &Path) -> Result<TokenizerFile, TextError> {
    let json = root.join("tokenizer.json");
    if json.is_file() {
        return Ok(TokenizerFile::Json(json));
    }
    let vocab = root.join("vocab.txt");
    if vocab.is_file() {
        return Ok(TokenizerFile::Vocab {
            path: vocab,
            lowercase: read_do_lower_case(root)?,
        });
    }
    Err(missing_file(
        root,
        "tokenizer.json",
        "a tokenizer.json or a WordPiece vocab.txt is required",
    ))
}

fn read_do_lower_case(root: &Path) -> Result<bool, TextError> {
    let path = root.join("tokenizer_config.json");
    if !path.is_file() {
        return Ok(true);
    }
    let value: serde_json::Value =
        serde_json::from_str(&read_to_string(&path)?).map_err(|source| {
            TextError::ConfigSyntax {
                path: path.clone(),
                source,
            }
        })?;
    Ok(value
        .get("do_lower_case")
        .and_then(serde_json::Value::as_bool)
        .unwrap_or(true))
}

fn find_weights(root: &Path) -> Result<WeightsFile, TextError> {
    let safetensors = root.join("model.safetensors");
    if safetensors.is_file() {
        return Ok(WeightsFile::SafeTensors(safetensors));
    }
    let pytorch = root.join("pytorch_model.bin");
    if pytorch.is_file() {
        return Ok(WeightsFile::PyTorch(pytorch));
    }
    Err(missing_file(
        root,
        "model.safetensors",
        "the weights must be in model.safetensors or pytorch_model.bin",
    ))
}

fn read_max_seq_length(root: &Path) -> Result<Option<usize>, TextError> {
    let path = root.join("sentence_bert_config.json");
    if !path.is_file() {
        return Ok(None);
    }
    let value: serde_json::Value =
        serde_json::from_str(&read_to_string(&path)?).map_err(|source| {
            TextError::ConfigSyntax {
                path: path.clone(),
                source,
            }
        })?;
    let length = value
        .get("max_seq_length")
        .and_then(serde_json::Value::as_u64);
    Ok(length.and_then(|length| usize::try_from(length).ok()))
}

fn read_to_string(path: &Path) -> Result<String, TextError> {
    std::fs::read_to_string(path).map_err(|source| TextError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn missing_file(dir: &Path, file: &str, hint: &'static str) -> TextError {
    TextError::MissingFile {
        dir: dir.to_path_buf(),
        file: file.into(),
        hint,
    }
}

/// The tensors of a weights file, by name, with shape checks on lookup.
///
/// Names are stored without a leading `bert.` (the prefix of `BertForMaskedLM` and other
/// task heads), and the `gamma`/`beta` names of converted TensorFlow checkpoints are
/// renamed to `weight`/`bias`, as transformers does when it loads them.
#[derive(Debug)]
pub struct Weights {
    path: PathBuf,
    tensors: HashMap<String, Tensor>,
    device: Device,
}

impl Weights {
    fn new(path: &Path, tensors: Vec<(String, Tensor)>, device: Device) -> Self {
        let tensors = tensors
            .into_iter()
            .map(|(name, tensor)| {
                let name = name.strip_prefix("bert.").unwrap_or(&name);
                let name = match name.strip_suffix(".gamma") {
                    Some(stem) => format!("{stem}.weight"),
                    None => match name.strip_suffix(".beta") {
                        Some(stem) => format!("{stem}.bias"),
                        None => name.to_string(),
                    },
                };
                (name, tensor)
            })
            .collect();
        Self {
            path: path.to_path_buf(),
            tensors,
            device,
        }
    }

    /// Returns the float32 tensor `name` on the target device after checking its shape.
    pub fn get(&self, name: &str, expected: &[i64]) -> Result<Tensor, TextError> {
        let tensor = self
            .tensors
            .get(name)
            .ok_or_else(|| TextError::MissingTensor {
                path: self.path.clone(),
                name: name.to_string(),
            })?;
        let actual = tensor.size();
        if actual != expected {
            return Err(TextError::ShapeMismatch {
                path: self.path.clone(),
                name: name.to_string(),
                expected: expected.to_vec(),
                actual,
            });
        }
        tensor
            .f_to_device(self.device)
            .and_then(|tensor| tensor.f_to_kind(Kind::Float))
            .map_err(|source| TextError::Torch {
                operation: "copying weights to the device",
                source,
            })
    }

    /// The weights file these tensors came from.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config_json() -> serde_json::Value {
        serde_json::json!({
            "hidden_size": 8, "num_attention_heads": 2, "num_hidden_layers": 1,
            "intermediate_size": 16, "max_position_embeddings": 12, "vocab_size": 10,
        })
    }

    #[test]
    fn config_defaults_follow_transformers() {
        let config: BertConfig = serde_json::from_value(config_json()).unwrap();

        assert_eq!(config.layer_norm_eps, 1e-12);
        assert_eq!(config.type_vocab_size, 2);
        assert_eq!(config.hidden_act, "gelu");
    }

    #[test]
    fn config_rejects_heads_not_dividing_hidden() {
        let mut json = config_json();
        json["num_attention_heads"] = 3.into();
        let config: BertConfig = serde_json::from_value(json).unwrap();

        let error = validate_config(&config, Path::new("config.json")).unwrap_err();

        assert!(
            error.to_string().contains("num_attention_heads = 3"),
            "{error}"
        );
    }

    #[test]
    fn config_rejects_other_architectures() {
        let mut json = config_json();
        json["model_type"] = "roberta".into();
        let config: BertConfig = serde_json::from_value(json).unwrap();

        let error = validate_config(&config, Path::new("config.json")).unwrap_err();

        assert!(
            error.to_string().contains("model_type = roberta"),
            "{error}"
        );
    }

    #[test]
    fn weights_strip_prefix_and_rename_gamma() {
        let tensors = vec![
            (
                "bert.embeddings.LayerNorm.gamma".to_string(),
                Tensor::ones([4], (Kind::Float, Device::Cpu)),
            ),
            (
                "pooler.dense.bias".to_string(),
                Tensor::zeros([4], (Kind::Float, Device::Cpu)),
            ),
        ];
        let weights = Weights::new(Path::new("w.bin"), tensors, Device::Cpu);

        assert!(weights.get("embeddings.LayerNorm.weight", &[4]).is_ok());
        assert!(weights.get("pooler.dense.bias", &[4]).is_ok());
        let error = weights.get("pooler.dense.bias", &[5]).unwrap_err();
        assert!(matches!(error, TextError::ShapeMismatch { .. }), "{error}");
    }
}
