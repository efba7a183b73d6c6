//! Text of graph nodes and literature: entity texts, annotated corpora linked to the
//! graph, and the vector cache.
//!
//! - [`resources`]: the embedded identifier mappings and entity-text tables (`data/`).
//! - [`entity_text`]: one descriptive text per node.
//! - [`corpus`]: BC5CDR and ChemProt abstracts as `Passage` nodes with mention edges.
//! - [`cache`]: vectors of those texts in `W/vectors.parquet`, re-encoding only what changed.

pub mod cache;
pub mod corpus;
pub mod entity_text;
pub mod resources;
