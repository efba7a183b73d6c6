//! rxgraph predicts missing links in a biomedical knowledge graph to reposition drugs.
//!
//! The pipeline, one module per stage:
//! - [`kg`]: the graph from files (Hetionet TSV/SIF, TSV triples, RDF), in memory with a
//!   petgraph view, as Parquet and as an Oxigraph store; splits and the leakage check.
//! - [`serve`]: the HTTP server (REST API, SPARQL endpoint, health, metrics).
//! - [`cli`]: the `rxgraph` command line.

pub mod cli;
pub mod kg;
pub mod model;
pub mod progress;
pub mod serve;
