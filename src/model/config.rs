//! Model and training configuration, read from a TOML file in `models/`.
//!
//! Every field has a default, so a file names only what it changes. Unknown fields and
//! values are rejected with the allowed set; [`TrainConfig::validate`] checks ranges.
//!
//! | field | meaning | default |
//! |---|---|---|
//! | `model` | scorer: `transe`, `distmult`, `complex`, `rotate` | `transe` |
//! | `dim` | embedding dimension (complex models: complex components, stored as 2·dim reals) | 128 |
//! | `text` | add a per-kind linear projection of each entity's frozen text vector (`W/vectors.parquet`) | false |
//! | `inverse_relations` | also train (t, r⁻¹, h) for every training triple; head scores then use r⁻¹ | false |
//! | `split` | split of the work directory to train on | `indication-random` |
//! | `epochs` | maximum number of epochs | 50 |
//! | `batch_size` | positive triples per batch | 1024 |
//! | `negatives` | negatives per positive, half with a corrupted head and half with a corrupted tail | 32 |
//! | `shared_negatives` | draw one set of negatives per batch, shared by its positives; batches then hold one relation | true |
//! | `loss` | `softplus` (logistic) or `margin` (margin ranking) | `softplus` |
//! | `margin` | γ: added to scores in the softplus loss, the margin of the ranking loss | 6.0 |
//! | `adversarial_temperature` | α of self-adversarial negative weights softmax(α·s); 0 weighs negatives equally | 1.0 |
//! | `optimizer` | `adam` or `adagrad` (both update only the entity rows a batch touches) | `adam` |
//! | `learning_rate` | step size | 0.01 |
//! | `p_norm` | TransE distance norm, 1 or 2 | 1 |
//! | `regularization` | weight of the L2 penalty on the embeddings a batch uses | 0.0 |
//! | `validate_every` | epochs between validation rounds (filtered MRR of the target relations) | 5 |
//! | `patience` | validation rounds without improvement before stopping; 0 never stops early | 3 |
//! | `seed` | seed of initialisation and sampling | 42 |
//!
//! ```
//! use rxgraph::model::{ModelKind, TrainConfig};
//!
//! let config = TrainConfig::from_toml("model = \"rotate\"\ndim = 64\n").unwrap();
//! assert_eq!(config.model, ModelKind::RotatE);
//! assert_eq!(config.negatives, 32);
//! assert!(TrainConfig::from_toml("dim = 0").is_err());
//! ```

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::error::ModelError;

/// Scoring function of a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    /// Translation, `-‖h + r − t‖`.
    TransE,
    /// Diagonal bilinear, `⟨h, r, t⟩`.
    DistMult,
    /// Complex bilinear, `Re⟨h, r, conj(t)⟩`.
    ComplEx,
    /// Rotation in the complex plane, `-‖h ∘ r − t‖`.
    RotatE,
}

impl ModelKind {
    /// Returns the model's usual name (`TransE`, `RotatE`).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::TransE => "TransE",
            Self::DistMult => "DistMult",
            Self::ComplEx => "ComplEx",
            Self::RotatE => "RotatE",
        }
    }
}

/// Training loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LossKind {
    /// Logistic loss: `softplus(−(s⁺ + γ)) + Σ wᵢ softplus(sᵢ⁻ + γ)`.
    Softplus,
    /// Margin ranking loss: `Σ wᵢ max(0, γ − s⁺ + sᵢ⁻)`.
    Margin,
}

/// Optimiser of the embeddings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OptimizerKind {
    /// Adam with lazy (row-wise) moments for entity rows.
    Adam,
    /// Adagrad with row-wise accumulators.
    Adagrad,
}

/// A complete model and training configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[allow(missing_docs)]
pub struct TrainConfig {
    pub model: ModelKind,
    pub dim: usize,
    pub text: bool,
    pub inverse_relations: bool,
    pub split: String,
    pub epochs: usize,
    pub batch_size: usize,
    pub negatives: usize,
    pub shared_negatives: bool,
    pub loss: LossKind,
    pub margin: f64,
    pub adversarial_temperature: f64,
    pub optimizer: OptimizerKind,
    pub learning_rate: f64,
    pub p_norm: u8,
    pub regularization: f64,
    pub validate_every: usize,
    pub patience: usize,
    pub seed: u64,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            model: ModelKind::TransE,
            dim: 128,
            text: false,
            inverse_relations: false,
            split: "indication-random".into(),
            epochs: 50,
            batch_size: 1024,
            negatives: 32,
            shared_negatives: true,
            loss: LossKind::Softplus,
            margin: 6.0,
            adversarial_temperature: 1.0,
            optimizer: OptimizerKind::Adam,
            learning_rate: 0.01,
            p_norm: 1,
            regularization: 0.0,
            validate_every: 5,
            patience: 3,
            seed: 42,
        }
    }
}

impl TrainConfig {
    /// Parses and validates TOML text.
    ///
    /// # Errors
    /// [`ModelError::ConfigSyntax`] for invalid TOML, unknown fields or values;
    /// [`ModelError::InvalidConfig`] for values out of range.
    pub fn from_toml(text: &str) -> Result<Self, ModelError> {
        let config: Self = toml::from_str(text).map_err(|e| ModelError::ConfigSyntax {
            path: "<text>".into(),
            message: e.to_string(),
        })?;
        config.validate()?;
        Ok(config)
    }

    /// Reads and validates a TOML file.
    ///
    /// # Errors
    /// As [`TrainConfig::from_toml`], with the path, or the file cannot be read.
    pub fn read(path: &Path) -> Result<Self, ModelError> {
        let text = std::fs::read_to_string(path).map_err(|e| ModelError::io("read", path, e))?;
        let config: Self = toml::from_str(&text).map_err(|e| ModelError::ConfigSyntax {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        config.validate()?;
        Ok(config)
    }

    /// Checks every numeric field against its range.
    ///
    /// # Errors
    /// [`ModelError::InvalidConfig`] naming the first field out of range.
    pub fn validate(&self) -> Result<(), ModelError> {
        let positive = "an integer ≥ 1";
        if self.dim == 0 || self.dim > 65_536 {
            return Err(ModelError::invalid(
                "dim",
                self.dim,
                "an integer in 1..=65536",
            ));
        }
        if self.epochs == 0 {
            return Err(ModelError::invalid("epochs", self.epochs, positive));
        }
        if self.batch_size == 0 {
            return Err(ModelError::invalid("batch_size", self.batch_size, positive));
        }
        if self.negatives == 0 {
            return Err(ModelError::invalid("negatives", self.negatives, positive));
        }
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return Err(ModelError::invalid(
                "learning_rate",
                self.learning_rate,
                "a number > 0",
            ));
        }
        if !(self.margin.is_finite() && self.margin >= 0.0) {
            return Err(ModelError::invalid("margin", self.margin, "a number ≥ 0"));
        }
        if !(self.adversarial_temperature.is_finite() && self.adversarial_temperature >= 0.0) {
            let value = self.adversarial_temperature;
            return Err(ModelError::invalid(
                "adversarial_temperature",
                value,
                "a number ≥ 0",
            ));
        }
        if !(self.regularization.is_finite() && self.regularization >= 0.0) {
            return Err(ModelError::invalid(
                "regularization",
                self.regularization,
                "a number ≥ 0",
            ));
        }
        if !matches!(self.p_norm, 1 | 2) {
            return Err(ModelError::invalid("p_norm", self.p_norm, "1 or 2"));
        }
        if self.validate_every == 0 {
            return Err(ModelError::invalid(
                "validate_every",
                self.validate_every,
                positive,
            ));
        }
        if self.split.is_empty() {
            return Err(ModelError::invalid(
                "split",
                "\"\"",
                "the name of a split in W/splits/",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(text: &str) -> String {
        TrainConfig::from_toml(text).unwrap_err().to_string()
    }

    #[test]
    fn defaults_are_valid() {
        assert_eq!(TrainConfig::from_toml("").unwrap(), TrainConfig::default());
    }

    #[test]
    fn unknown_model_lists_allowed() {
        let message = error_of("model = \"rescal\"");
        assert!(message.contains("rescal"), "{message}");
        assert!(message.contains("rotate"), "{message}");
        assert!(message.contains("distmult"), "{message}");
    }

    #[test]
    fn zero_dimension_rejected() {
        let message = error_of("dim = 0");
        assert!(message.contains("`dim`"), "{message}");
        assert!(message.contains("1..=65536"), "{message}");
    }

    #[test]
    fn zero_negatives_rejected() {
        let message = error_of("negatives = 0");
        assert!(message.contains("`negatives`"), "{message}");
    }

    #[test]
    fn unknown_field_rejected() {
        let message = error_of("dimension = 64");
        assert!(message.contains("dimension"), "{message}");
        assert!(message.contains("dim"), "{message}");
    }

    #[test]
    fn bad_norm_and_rate_rejected() {
        assert!(error_of("p_norm = 3").contains("1 or 2"));
        assert!(error_of("learning_rate = 0.0").contains("`learning_rate`"));
    }

    #[test]
    fn shipped_configs_parse() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
        for name in ["default", "transe", "distmult", "complex", "rotate"] {
            let path = dir.join(format!("{name}.toml"));
            TrainConfig::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        }
    }
}
