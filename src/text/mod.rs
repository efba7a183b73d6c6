//! Text to vectors: a BERT sentence encoder on libtorch with its WordPiece tokenizer.
//!
//! The entry point is [`TextEncoder`]: load a local BERT model directory (by default the
//! all-MiniLM-L6-v2 model that `scripts/setup` installs), then [`TextEncoder::encode`]
//! texts into mean-pooled, L2-normalised float32 vectors that match sentence-transformers
//! on the same model. [`ModelDir`] reads the directory's files and [`TextTokenizer`] wraps
//! its tokenizer; both are public for callers that need token ids or the configuration.
//!
//! Around the encoder: [`resources`] reads the embedded identifier mappings and entity-text
//! tables, [`entity_text`] builds one text per graph node, [`corpus`] turns BC5CDR and
//! ChemProt abstracts into `Passage` nodes with mention edges, and [`cache`] keeps the
//! vectors in `W/vectors.parquet`, re-encoding only what changed.
//!
//! # Brief overview
//!
//! ```no_run
//! use rxgraph::text::{EncoderOptions, TextEncoder};
//!
//! tch::set_num_threads(2);
//! let dir = TextEncoder::default_model_dir()?;
//! let encoder = TextEncoder::load(&dir, EncoderOptions::default())?;
//! let output = encoder.encode(&["Atorvastatin lowers LDL cholesterol.", "Simvastatin is a statin."])?;
//! let cosine: f32 = output.vector(0).iter().zip(output.vector(1)).map(|(a, b)| a * b).sum();
//! println!("{} vectors of {} floats, cosine {cosine:.3}", output.len(), output.dim);
//! # Ok::<(), rxgraph::text::TextError>(())
//! ```

pub mod cache;
pub mod corpus;
pub mod encoder;
pub mod entity_text;
pub mod error;
pub mod model_dir;
pub mod resources;
pub mod tokenizer;

pub use encoder::{EncodeOutput, EncoderOptions, TextEncoder, MODEL_DIR_ENV};
pub use error::TextError;
pub use model_dir::{BertConfig, ModelDir, TokenizerFile, Weights, WeightsFile};
pub use tokenizer::{TextTokenizer, TokenizedText};
