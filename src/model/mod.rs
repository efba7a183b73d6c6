//! Link scorers (TransE, DistMult, ComplEx, RotatE) over structure and text, their training
//! and their checkpoints.
//!
//! - [`interaction`]: the scoring functions, one file each.
//! - [`embedding`]: entity vectors = structural rows + per-kind projections of text vectors.
//! - [`sampler`], [`loss`], [`optim`], [`trainer`]: one training step.
//! - [`fit`]: the run (epochs, validation, early stopping, checkpoints, resume).
//! - [`checkpoint`], [`trained`]: files of a model directory and [`load_model`].
//! - [`scorer`]: the [`LinkScorer`] trait that evaluation and ranking use; [`scoring`] and
//!   [`rows`] implement it over fixed vectors.
//!
//! ```
//! use rxgraph::kg::{GraphBuilder, Schema};
//! use rxgraph::model::{trainer::Trainer, LinkScorer, ModelKind, TrainConfig};
//! use rand::SeedableRng;
//!
//! let mut builder = GraphBuilder::new(Schema::hetionet());
//! for i in 0..3 {
//!     builder.add_node(&format!("Compound::DB{i}"), "Compound", "c", None).unwrap();
//!     builder.add_node(&format!("Disease::DOID:{i}"), "Disease", "d", None).unwrap();
//!     builder.add_edge(&format!("Compound::DB{i}"), "CtD", &format!("Disease::DOID:{i}"), None);
//! }
//! let graph = builder.build().unwrap();
//! let config = TrainConfig { model: ModelKind::RotatE, dim: 8, negatives: 2, ..TrainConfig::default() };
//! let mut trainer = Trainer::new(&graph, graph.edges(), &config, None, tch::Device::Cpu);
//! let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
//! trainer.train_batch(graph.edges(), &mut rng).unwrap();
//! let scores = trainer.scoring_model().score_tails(&[0, 1], 0, 3..6);
//! assert_eq!(scores.len(), 6);
//! ```

pub mod checkpoint;
mod config;
pub mod embedding;
mod error;
pub mod fit;
pub mod interaction;
pub mod loss;
pub mod optim;
pub mod rows;
pub mod sampler;
pub mod scorer;
pub mod scoring;
pub mod text;
pub mod trained;
pub mod trainer;
pub mod validate;

pub use config::{LossKind, ModelKind, OptimizerKind, TrainConfig};
pub use error::ModelError;
pub use fit::{fit, FitOptions};
pub use scorer::LinkScorer;
pub use trained::{load_model, TrainedModel};
