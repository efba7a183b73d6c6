//! Nodes and edges as Parquet files that pyarrow, pandas and DuckDB read.
//!
//! `nodes.parquet`: `index` (u32, the node index), `id`, `kind`, `name`, `iri` (strings).
//! `edges.parquet`: `head`, `tail` (u32 node indices), `relation` (abbreviation),
//! `head_id`, `tail_id` (strings, for readers who do not join on the node table).

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, RecordBatch, StringArray, UInt32Array};
use arrow::datatypes::{DataType, Field, Schema as ArrowSchema};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;

use super::error::KgError;
use super::graph::{KnowledgeGraph, Node, Triple};
use super::schema::Schema;

/// Writes `batch` to `path` as zstd-compressed Parquet.
///
/// # Errors
/// The file cannot be created or written.
pub fn write_batch(path: &Path, batch: &RecordBatch) -> Result<(), KgError> {
    let file = File::create(path).map_err(|e| KgError::io("create", path, e))?;
    let properties = WriterProperties::builder()
        .set_compression(Compression::ZSTD(
            ZstdLevel::try_new(3).expect("valid zstd level"),
        ))
        .build();
    let parquet_error = |source| KgError::Parquet {
        path: path.to_owned(),
        source,
    };
    let mut writer =
        ArrowWriter::try_new(file, batch.schema(), Some(properties)).map_err(parquet_error)?;
    writer.write(batch).map_err(parquet_error)?;
    writer.close().map_err(parquet_error)?;
    Ok(())
}

/// Reads all record batches of a Parquet file.
///
/// # Errors
/// The file is missing or not valid Parquet.
pub fn read_batches(path: &Path) -> Result<Vec<RecordBatch>, KgError> {
    let file = File::open(path).map_err(|e| KgError::io("open", path, e))?;
    let parquet_error = |source| KgError::Parquet {
        path: path.to_owned(),
        source,
    };
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(parquet_error)?
        .build()
        .map_err(parquet_error)?;
    reader
        .collect::<Result<Vec<_>, _>>()
        .map_err(|source| KgError::Arrow {
            path: path.to_owned(),
            source,
        })
}

fn batch(path: &Path, columns: Vec<(&str, ArrayRef)>) -> Result<RecordBatch, KgError> {
    let fields: Vec<Field> = columns
        .iter()
        .map(|(name, a)| Field::new(*name, a.data_type().clone(), false))
        .collect();
    RecordBatch::try_new(
        Arc::new(ArrowSchema::new(fields)),
        columns.into_iter().map(|(_, a)| a).collect(),
    )
    .map_err(|source| KgError::Arrow {
        path: path.to_owned(),
        source,
    })
}

/// Writes the node table.
///
/// # Errors
/// As [`write_batch`].
pub fn write_nodes(path: &Path, graph: &KnowledgeGraph) -> Result<(), KgError> {
    let nodes = graph.nodes();
    let kinds = &graph.schema().kinds;
    let count = u32::try_from(nodes.len()).expect("fewer than 2^32 nodes");
    let columns: Vec<(&str, ArrayRef)> = vec![
        ("index", Arc::new(UInt32Array::from_iter_values(0..count))),
        (
            "id",
            Arc::new(StringArray::from_iter_values(nodes.iter().map(|n| &n.id))),
        ),
        (
            "kind",
            Arc::new(StringArray::from_iter_values(
                nodes.iter().map(|n| &kinds[n.kind as usize].name),
            )),
        ),
        (
            "name",
            Arc::new(StringArray::from_iter_values(nodes.iter().map(|n| &n.name))),
        ),
        (
            "iri",
            Arc::new(StringArray::from_iter_values(nodes.iter().map(|n| &n.iri))),
        ),
    ];
    write_batch(path, &batch(path, columns)?)
}

/// Writes `triples` as an edge table, with an optional extra string column (e.g. split part).
///
/// # Errors
/// As [`write_batch`].
pub fn write_triples(
    path: &Path,
    graph: &KnowledgeGraph,
    triples: &[Triple],
    extra: Option<(&str, Vec<&str>)>,
) -> Result<(), KgError> {
    let relations = &graph.schema().relations;
    let mut columns: Vec<(&str, ArrayRef)> = vec![
        (
            "head",
            Arc::new(UInt32Array::from_iter_values(
                triples.iter().map(|t| t.head),
            )),
        ),
        (
            "relation",
            Arc::new(StringArray::from_iter_values(
                triples
                    .iter()
                    .map(|t| &relations[t.relation as usize].abbreviation),
            )),
        ),
        (
            "tail",
            Arc::new(UInt32Array::from_iter_values(
                triples.iter().map(|t| t.tail),
            )),
        ),
        (
            "head_id",
            Arc::new(StringArray::from_iter_values(
                triples.iter().map(|t| &graph.node(t.head).id),
            )),
        ),
        (
            "tail_id",
            Arc::new(StringArray::from_iter_values(
                triples.iter().map(|t| &graph.node(t.tail).id),
            )),
        ),
    ];
    if let Some((name, values)) = extra {
        columns.push((name, Arc::new(StringArray::from_iter_values(values))));
    }
    write_batch(path, &batch(path, columns)?)
}

fn column<'a, T: 'static>(
    path: &Path,
    batch: &'a RecordBatch,
    name: &str,
) -> Result<&'a T, KgError> {
    batch
        .column_by_name(name)
        .and_then(|c| c.as_any().downcast_ref::<T>())
        .ok_or_else(|| KgError::WorkDir {
            path: path.to_owned(),
            reason: format!(
                "column {name:?} is missing or has the wrong type; re-run `rxgraph ingest`"
            ),
        })
}

/// Reads a node table written by [`write_nodes`].
///
/// # Errors
/// A missing file or column, or a kind not in `schema`.
pub fn read_nodes(path: &Path, schema: &Schema) -> Result<Vec<Node>, KgError> {
    let mut nodes = Vec::new();
    for batch in read_batches(path)? {
        let ids = column::<StringArray>(path, &batch, "id")?;
        let kinds = column::<StringArray>(path, &batch, "kind")?;
        let names = column::<StringArray>(path, &batch, "name")?;
        let iris = column::<StringArray>(path, &batch, "iri")?;
        for row in 0..batch.num_rows() {
            let kind = schema
                .kind_id(kinds.value(row))
                .ok_or_else(|| KgError::WorkDir {
                    path: path.to_owned(),
                    reason: format!("node kind {:?} is not in schema.json", kinds.value(row)),
                })?;
            nodes.push(Node {
                id: ids.value(row).to_owned(),
                kind,
                name: names.value(row).to_owned(),
                iri: iris.value(row).to_owned(),
            });
        }
    }
    Ok(nodes)
}

/// Reads an edge table; returns the triples and the extra string column if named.
///
/// # Errors
/// A missing file or column, or a relation not in `schema`.
pub fn read_triples(
    path: &Path,
    schema: &Schema,
    extra: Option<&str>,
) -> Result<(Vec<Triple>, Vec<String>), KgError> {
    let mut triples = Vec::new();
    let mut extras = Vec::new();
    for batch in read_batches(path)? {
        let heads = column::<UInt32Array>(path, &batch, "head")?;
        let tails = column::<UInt32Array>(path, &batch, "tail")?;
        let relations = column::<StringArray>(path, &batch, "relation")?;
        let extra_column = extra
            .map(|name| column::<StringArray>(path, &batch, name))
            .transpose()?;
        for row in 0..batch.num_rows() {
            let relation =
                schema
                    .relation_id(relations.value(row))
                    .ok_or_else(|| KgError::WorkDir {
                        path: path.to_owned(),
                        reason: format!(
                            "relation {:?} is not in schema.json",
                            relations.value(row)
                        ),
                    })?;
            triples.push(Triple {
                head: heads.value(row),
                relation,
                tail: tails.value(row),
            });
            if let Some(values) = extra_column {
                extras.push(values.value(row).to_owned());
            }
        }
    }
    Ok((triples, extras))
}

/// Returns whether a Parquet column has the given Arrow type (used in tests).
#[must_use]
pub fn has_type(batch: &RecordBatch, name: &str, data_type: &DataType) -> bool {
    batch
        .column_by_name(name)
        .is_some_and(|c| c.data_type() == data_type)
}
