//! Reading graphs from files: Hetionet TSV/SIF (the embedded default), generic TSV
//! triples with a node-kind file, and N-Triples/Turtle.
//!
//! [`Sources`] names the inputs; [`load`] reads them all into one id space and returns a
//! checked [`KnowledgeGraph`]. Errors name the file, the line and what to fix.
//!
//! ```no_run
//! use rxgraph::kg::ingest::{load, Sources};
//!
//! let graph = load(&Sources::embedded(), false).unwrap();
//! assert_eq!(graph.node_count(), 47_031);
//! ```

mod hetionet;
mod lines;
mod rdf;
mod triples;

use std::path::{Path, PathBuf};

pub use hetionet::{NODE_COLUMNS, SIF_COLUMNS};
pub use lines::LineReader;
pub use triples::{NODE_KIND_COLUMNS, TRIPLE_COLUMNS};

use super::builder::GraphBuilder;
use super::error::KgError;
use super::graph::KnowledgeGraph;
use super::schema::Schema;
pub use crate::progress::Progress;

/// Path (relative to the repository) of the embedded Hetionet node file.
pub const EMBEDDED_NODES: &str = "data/hetionet/hetionet-v1.0-nodes.tsv.gz";
/// Path (relative to the repository) of the embedded Hetionet edge file (12 metaedges).
pub const EMBEDDED_EDGES: &str = "data/hetionet/hetionet-v1.0-edges-12.sif.gz";

static EMBEDDED_NODES_BYTES: &[u8] =
    include_bytes!("../../../data/hetionet/hetionet-v1.0-nodes.tsv.gz");
static EMBEDDED_EDGES_BYTES: &[u8] =
    include_bytes!("../../../data/hetionet/hetionet-v1.0-edges-12.sif.gz");

/// The input files of one ingest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sources {
    /// Use the Hetionet files compiled into the binary (ignores `nodes` and `edges`).
    pub embedded: bool,
    /// Hetionet node files (`id name kind`).
    pub nodes: Vec<PathBuf>,
    /// Hetionet SIF edge files (`source metaedge target`), per metaedge or all in one.
    pub edges: Vec<PathBuf>,
    /// Generic node-kind files (`id kind name`).
    pub node_kinds: Vec<PathBuf>,
    /// Generic triple files (`head relation tail`).
    pub triples: Vec<PathBuf>,
    /// N-Triples (`.nt`) or Turtle (`.ttl`) files, optionally gzipped.
    pub rdf: Vec<PathBuf>,
}

impl Sources {
    /// Returns the embedded default: Hetionet v1.0 nodes and 12 of its metaedges.
    #[must_use]
    pub fn embedded() -> Self {
        Self {
            embedded: true,
            ..Self::default()
        }
    }

    /// Returns whether no input is named.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        !self.embedded
            && self.nodes.is_empty()
            && self.edges.is_empty()
            && self.node_kinds.is_empty()
            && self.triples.is_empty()
            && self.rdf.is_empty()
    }

    /// Returns the input files, for hashing into the work-directory manifest.
    #[must_use]
    pub fn files(&self) -> Vec<&Path> {
        [
            &self.nodes,
            &self.edges,
            &self.node_kinds,
            &self.triples,
            &self.rdf,
        ]
        .into_iter()
        .flatten()
        .map(PathBuf::as_path)
        .collect()
    }
}

/// Reads every source into one graph, then checks all edges.
///
/// # Errors
/// The first problem found, with file and line: see [`KgError`].
pub fn load(sources: &Sources, show_progress: bool) -> Result<KnowledgeGraph, KgError> {
    let mut builder = GraphBuilder::new(Schema::hetionet());
    read_into(sources, &mut builder, show_progress)?;
    let progress = Progress::new(show_progress, 0, "checking edges");
    let graph = builder.build();
    progress.finish();
    graph
}

/// Reads every source into `builder` (so callers can add more records before building).
///
/// # Errors
/// As [`load`], except edge checks, which happen in [`GraphBuilder::build`].
pub fn read_into(
    sources: &Sources,
    builder: &mut GraphBuilder,
    show_progress: bool,
) -> Result<(), KgError> {
    if !sources.node_kinds.is_empty() || !sources.rdf.is_empty() {
        builder.allow_new_kinds();
    }

    let mut node_readers = Vec::new();
    let mut edge_readers = Vec::new();
    if sources.embedded {
        node_readers.push(LineReader::from_bytes(
            Path::new(EMBEDDED_NODES),
            EMBEDDED_NODES_BYTES,
        )?);
        edge_readers.push(LineReader::from_bytes(
            Path::new(EMBEDDED_EDGES),
            EMBEDDED_EDGES_BYTES,
        )?);
    } else {
        for path in &sources.nodes {
            node_readers.push(LineReader::open(path)?);
        }
        for path in &sources.edges {
            edge_readers.push(LineReader::open(path)?);
        }
    }

    let progress = Progress::new(show_progress, 0, "reading nodes");
    for reader in &mut node_readers {
        let count = hetionet::read_nodes(reader, builder, &progress)?;
        tracing::debug!(path = %reader.path().display(), count, "read nodes");
    }
    let mut ids = std::collections::HashMap::new();
    for path in &sources.node_kinds {
        let mut reader = LineReader::open(path)?;
        ids.extend(triples::read_node_kinds(&mut reader, builder, &progress)?);
    }
    progress.finish();

    let progress = Progress::new(show_progress, 0, "reading edges");
    for reader in &mut edge_readers {
        let count = hetionet::read_sif(reader, builder, &progress)?;
        tracing::debug!(path = %reader.path().display(), count, "read edges");
    }
    for path in &sources.triples {
        let mut reader = LineReader::open(path)?;
        triples::read_triples(&mut reader, builder, &ids, &progress)?;
    }
    for path in &sources.rdf {
        let format = rdf::format_for(path).ok_or_else(|| KgError::InvalidField {
            origin: super::error::Origin {
                path: path.clone(),
                line: 0,
            },
            field: "file name",
            value: path.display().to_string(),
            reason: "expected an extension .nt or .ttl (optionally followed by .gz)".into(),
        })?;
        rdf::read_rdf(path, format, builder, &progress)?;
    }
    progress.finish();
    Ok(())
}

/// Returns the compiled-in bytes of the embedded node and edge files.
#[must_use]
pub fn embedded_bytes() -> (&'static [u8], &'static [u8]) {
    (EMBEDDED_NODES_BYTES, EMBEDDED_EDGES_BYTES)
}
