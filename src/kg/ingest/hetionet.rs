//! Hetionet's TSV layouts: the node table (`id name kind`) and SIF edge files
//! (`source metaedge target`), either one file per metaedge or the upstream
//! `hetionet-v1.0-edges.sif.gz` with every metaedge in one file.

use crate::kg::builder::{GraphBuilder, Location};
use crate::kg::error::KgError;

use super::lines::LineReader;
use super::Progress;

/// Columns of a Hetionet node file.
pub const NODE_COLUMNS: [&str; 3] = ["id", "name", "kind"];
/// Columns of a Hetionet SIF edge file.
pub const SIF_COLUMNS: [&str; 3] = ["source", "metaedge", "target"];

/// Reads a node file into `builder`; returns the number of nodes read.
///
/// # Errors
/// A bad header, a line with other than three columns, an empty or inconsistent id, an
/// unknown kind, or a duplicate node.
pub fn read_nodes(
    reader: &mut LineReader,
    builder: &mut GraphBuilder,
    progress: &Progress,
) -> Result<u64, KgError> {
    reader.expect_header(&NODE_COLUMNS)?;
    let file = builder.register_file(reader.path());
    let mut count = 0;
    while let Some(record) = reader.next_record(NODE_COLUMNS.len()) {
        let (line, fields) = record?;
        let location = Some(Location { file, line });
        builder.add_node(fields[0], fields[2], fields[1], location)?;
        count += 1;
        progress.inc(1);
    }
    Ok(count)
}

/// Reads a SIF edge file into `builder`; returns the number of edges read. Edges are
/// checked against the nodes and the schema when the graph is built.
///
/// # Errors
/// A bad header or a line with other than three columns.
pub fn read_sif(
    reader: &mut LineReader,
    builder: &mut GraphBuilder,
    progress: &Progress,
) -> Result<u64, KgError> {
    reader.expect_header(&SIF_COLUMNS)?;
    let file = builder.register_file(reader.path());
    let mut count = 0;
    while let Some(record) = reader.next_record(SIF_COLUMNS.len()) {
        let (line, fields) = record?;
        builder.add_edge(
            fields[0],
            fields[1],
            fields[2],
            Some(Location { file, line }),
        );
        count += 1;
        progress.inc(1);
    }
    Ok(count)
}
