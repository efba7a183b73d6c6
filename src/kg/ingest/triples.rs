//! Generic inputs: a node-kind file (`id kind name`) and TSV triples (`head relation tail`).
//!
//! Ids are the user's own; a node `x` of kind `Protein` becomes `Protein::x`. Triples name
//! nodes by the same ids. A relation that is not in the schema is added with the kinds of the
//! first edge that uses it, and later edges must join the same kinds.

use std::collections::HashMap;

use crate::kg::builder::{GraphBuilder, Location};
use crate::kg::error::KgError;
use crate::kg::schema::Relation;

use super::lines::LineReader;
use super::Progress;

/// Columns of a node-kind file.
pub const NODE_KIND_COLUMNS: [&str; 3] = ["id", "kind", "name"];
/// Columns of a triples file.
pub const TRIPLE_COLUMNS: [&str; 3] = ["head", "relation", "tail"];

/// Reads a node-kind file; returns a map from the user's id to the full node id.
///
/// # Errors
/// A bad header, a wrong column count, an invalid id or a duplicate node.
pub fn read_node_kinds(
    reader: &mut LineReader,
    builder: &mut GraphBuilder,
    progress: &Progress,
) -> Result<HashMap<String, String>, KgError> {
    reader.expect_header(&NODE_KIND_COLUMNS)?;
    let file = builder.register_file(reader.path());
    let mut ids = HashMap::new();
    while let Some(record) = reader.next_record(NODE_KIND_COLUMNS.len()) {
        let (line, fields) = record?;
        let (id, kind, name) = (fields[0], fields[1], fields[2]);
        builder.add_node(id, kind, name, Some(Location { file, line }))?;
        let full = if id.starts_with(&format!("{kind}::")) {
            id.to_owned()
        } else {
            format!("{kind}::{id}")
        };
        ids.insert(id.to_owned(), full);
        progress.inc(1);
    }
    Ok(ids)
}

/// Reads a triples file, adding unknown relations with the kinds of their first edge.
///
/// # Errors
/// A bad header, a wrong column count, or an edge to a node that the node-kind file lacks.
pub fn read_triples(
    reader: &mut LineReader,
    builder: &mut GraphBuilder,
    ids: &HashMap<String, String>,
    progress: &Progress,
) -> Result<u64, KgError> {
    reader.expect_header(&TRIPLE_COLUMNS)?;
    let file = builder.register_file(reader.path());
    let mut count = 0;
    while let Some(record) = reader.next_record(TRIPLE_COLUMNS.len()) {
        let (line, fields) = record?;
        let location = Some(Location { file, line });
        let full = |id: &str| ids.get(id).cloned().unwrap_or_else(|| id.to_owned());
        let (head, tail) = (full(fields[0]), full(fields[2]));
        let relation = fields[1];
        if relation.is_empty() {
            return Err(KgError::InvalidField {
                origin: reader.origin(),
                field: "relation",
                value: String::new(),
                reason: "the relation is empty".into(),
            });
        }

        if builder.schema().relation_id(relation).is_none() {
            if let (Some(source), Some(target)) =
                (builder.node_kind(&head), builder.node_kind(&tail))
            {
                let (source, target) = (source.to_owned(), target.to_owned());
                let schema = builder.schema();
                let relation_spec = Relation {
                    abbreviation: relation.to_owned(),
                    verb: relation.to_owned(),
                    source: schema.kind_id(&source).expect("kind of an added node"),
                    target: schema.kind_id(&target).expect("kind of an added node"),
                    symmetric: false,
                };
                builder.add_relation(relation_spec);
            }
        }
        builder.add_edge(&head, relation, &tail, location);
        count += 1;
        progress.inc(1);
    }
    Ok(count)
}
