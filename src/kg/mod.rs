//! The knowledge graph: schema, ingest, the in-memory graph with its petgraph view, the RDF
//! store, splits and the work directory.
//!
//! Entry points: [`ingest::load`] reads files into a [`KnowledgeGraph`];
//! [`WorkDir::create`] stores it (Parquet, Oxigraph, splits); [`WorkDir::open`] and
//! [`WorkDir::load_graph`] read it back.

mod builder;
mod error;
#[cfg(test)]
pub(crate) mod fixture;
mod graph;
pub mod ingest;
pub mod query;
pub mod schema;
pub mod split;
pub mod store;
pub mod table;
pub mod workdir;

pub use builder::{GraphBuilder, Location};
pub use error::{KgError, Origin};
pub use graph::{KnowledgeGraph, Node, Triple};
pub use schema::{KindId, Relation, RelationId, Schema};
pub use split::{Part, Split, SplitConfig, Strategy};
pub use workdir::{CreateOptions, Manifest, WorkDir};
