//! Errors of the `model` module: configuration, text vectors, training and checkpoints.

use std::path::PathBuf;

/// An error while configuring, training, saving or loading a link scorer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    /// A configuration field has a value outside its allowed set or range.
    #[error("invalid config field `{field}` = {value}; allowed: {allowed}")]
    InvalidConfig {
        /// Name of the field as written in the TOML file.
        field: &'static str,
        /// Value that was given.
        value: String,
        /// Allowed values or range.
        allowed: String,
    },
    /// A configuration file is not valid TOML or has an unknown field or value.
    #[error("invalid config {}: {message}", path.display())]
    ConfigSyntax {
        /// Configuration file.
        path: PathBuf,
        /// Parser message, naming the field and the allowed values.
        message: String,
    },
    /// Text is switched on but the work directory has no text vectors.
    #[error(
        "text = true but {} does not exist; run `rxgraph embed --workdir W` first, \
         or set `text = false` in the model config",
        path.display()
    )]
    MissingVectors {
        /// Expected path of `vectors.parquet`.
        path: PathBuf,
    },
    /// The text-vector file has a missing column, a wrong type or inconsistent widths.
    #[error("invalid text vectors in {}: {reason}", path.display())]
    InvalidVectors {
        /// Path of `vectors.parquet`.
        path: PathBuf,
        /// Description of the problem.
        reason: String,
    },
    /// The loss became NaN or infinite.
    #[error(
        "loss is {loss} at epoch {epoch}, batch {batch}; training stopped and the last good \
         checkpoint is kept; lower `learning_rate` or switch the loss"
    )]
    NonFiniteLoss {
        /// 1-based epoch.
        epoch: usize,
        /// 1-based batch within the epoch.
        batch: usize,
        /// Loss value (NaN or ±inf).
        loss: f64,
    },
    /// A checkpoint directory is missing files, or they do not fit the graph or config.
    #[error("invalid checkpoint {}: {reason}", path.display())]
    Checkpoint {
        /// Checkpoint directory or file.
        path: PathBuf,
        /// Description of the problem and the fix.
        reason: String,
    },
    /// The training split has nothing to train or validate on.
    #[error("split {split:?}: {reason}")]
    Data {
        /// Split name.
        split: String,
        /// Description of the missing data.
        reason: String,
    },
    /// Reading or writing a file failed.
    #[error("failed to {action} {}: {source}", path.display())]
    Io {
        /// What was being done (`read`, `write`, `rename` …).
        action: &'static str,
        /// File or directory involved.
        path: PathBuf,
        /// Underlying error.
        source: std::io::Error,
    },
    /// The work directory, graph or split could not be read.
    #[error(transparent)]
    Kg(#[from] crate::kg::KgError),
}

impl ModelError {
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        Self::Io {
            action,
            path: path.into(),
            source,
        }
    }

    pub(crate) fn invalid(field: &'static str, value: impl ToString, allowed: &str) -> Self {
        Self::InvalidConfig {
            field,
            value: value.to_string(),
            allowed: allowed.to_owned(),
        }
    }
}
