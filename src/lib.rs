//! rxgraph predicts missing links in a biomedical knowledge graph to reposition drugs.
//!
//! The pipeline, one module per stage (arrows point one way: `cli` → `serve`/`report` → `rank` →
//! `eval`/`model` → `text`/`kg`):
//! - [`kg`]: the graph from files (Hetionet TSV/SIF, TSV triples, RDF), in memory with a
//!   petgraph view, as Parquet and as an Oxigraph store; splits and the leakage check.
//! - [`text`]: the BERT-family text encoder on libtorch, entity texts, literature passages
//!   linked to the graph, and the vector cache.
//! - [`model`]: link scorers.
//! - [`eval`]: filtered rank metrics, classification metrics, the degree-prior baseline.
//! - [`rank`]: top-k candidates with known links removed, calibration and explanations.
//! - [`report`]: the HTML candidate report with plots, and its CSV and Parquet tables.
//! - [`serve`]: the HTTP server (REST API, SPARQL endpoint, health, metrics).
//! - [`cli`]: the `rxgraph` command line.

pub mod cli;
pub mod eval;
pub mod kg;
pub mod memory;
pub mod model;
pub mod progress;
pub mod rank;
pub mod report;
pub mod serve;
pub mod text;
