//! Frozen text vectors of entities, read from `W/vectors.parquet` (written by `rxgraph embed`).
//!
//! Columns: `id` (utf8, node id such as `Compound::DB00945`), `kind`, `text_hash`, `model_id`
//! (utf8) and `vector` (fixed-size list of `f32`). Rows whose id is not a node of the graph
//! are skipped; nodes without a row get a zero vector, so their text part is zero.
//!
//! ```
//! use rxgraph::kg::{GraphBuilder, Schema};
//! use rxgraph::model::text::{write_vectors, TextVectors};
//!
//! let mut builder = GraphBuilder::new(Schema::hetionet());
//! builder.add_node("Compound::DB00945", "Compound", "Aspirin", None).unwrap();
//! builder.add_node("Disease::DOID:1612", "Disease", "breast cancer", None).unwrap();
//! let graph = builder.build().unwrap();
//!
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("vectors.parquet");
//! write_vectors(&path, &graph, &[("Compound::DB00945", vec![0.6, 0.8])]).unwrap();
//! let text = TextVectors::read(&path, &graph).unwrap();
//! assert_eq!(text.dim, 2);
//! assert_eq!(text.present, vec![true, false]);
//! ```

use std::path::Path;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, FixedSizeListArray, Float32Array, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Schema as ArrowSchema};

use super::error::ModelError;
use crate::kg::{table, KnowledgeGraph};

/// Text vectors for every node of a graph, in node-index order.
#[derive(Debug, Clone, PartialEq)]
pub struct TextVectors {
    /// Width of each vector.
    pub dim: usize,
    /// Row-major `node_count × dim` values; zero rows for nodes without a vector.
    pub values: Vec<f32>,
    /// Whether each node has a vector.
    pub present: Vec<bool>,
}

impl TextVectors {
    /// Reads `vectors.parquet` and aligns it with the nodes of `graph`.
    ///
    /// # Errors
    /// [`ModelError::MissingVectors`] if the file does not exist (with the command that
    /// writes it); [`ModelError::InvalidVectors`] for a missing column, a wrong type,
    /// vectors of different widths or no vector for any node of the graph.
    pub fn read(path: &Path, graph: &KnowledgeGraph) -> Result<Self, ModelError> {
        if !path.is_file() {
            return Err(ModelError::MissingVectors {
                path: path.to_owned(),
            });
        }
        let invalid = |reason: String| ModelError::InvalidVectors {
            path: path.to_owned(),
            reason,
        };

        let mut dim = None;
        let mut values = Vec::new();
        let mut present = vec![false; graph.node_count()];
        for batch in table::read_batches(path)? {
            let ids = batch
                .column_by_name("id")
                .and_then(|c| c.as_any().downcast_ref::<StringArray>())
                .ok_or_else(|| invalid("column `id` is missing or not utf8".into()))?;
            let vectors = batch
                .column_by_name("vector")
                .and_then(|c| c.as_any().downcast_ref::<FixedSizeListArray>())
                .ok_or_else(|| {
                    invalid("column `vector` is missing or not a fixed-size list".into())
                })?;
            let floats = vectors
                .values()
                .as_any()
                .downcast_ref::<Float32Array>()
                .ok_or_else(|| invalid("column `vector` does not hold float32 values".into()))?;
            let width = usize::try_from(vectors.value_length()).unwrap_or(0);
            let dim = *dim.get_or_insert(width);
            if width != dim || width == 0 {
                return Err(invalid(format!(
                    "vectors of width {width} and {dim} in one file"
                )));
            }
            if values.is_empty() {
                values = vec![0.0f32; graph.node_count() * dim];
            }

            // Copy each row to its node's slot; the fixed-size list may start at an offset.
            for row in 0..batch.num_rows() {
                let Some(node) = graph.find(ids.value(row)) else {
                    continue;
                };
                let node = node as usize;
                let start = (vectors.offset() + row) * dim;
                values[node * dim..(node + 1) * dim]
                    .copy_from_slice(&floats.values()[start..start + dim]);
                present[node] = true;
            }
        }

        let Some(dim) = dim else {
            return Err(invalid("the file has no rows".into()));
        };
        if !present.iter().any(|p| *p) {
            return Err(invalid(
                "no `id` matches a node of the graph; re-run `rxgraph embed`".into(),
            ));
        }
        if values.iter().any(|v| !v.is_finite()) {
            return Err(invalid(
                "a vector contains NaN or infinity; re-run `rxgraph embed`".into(),
            ));
        }
        Ok(Self {
            dim,
            values,
            present,
        })
    }
}

/// Writes `vectors.parquet` with one row per `(node id, vector)`, in the layout of
/// `rxgraph embed`; `text_hash` and `model_id` are placeholders. For tests and tools.
///
/// # Errors
/// Vectors of different widths, an id that is not a node of `graph`, or a write failure.
pub fn write_vectors(
    path: &Path,
    graph: &KnowledgeGraph,
    rows: &[(&str, Vec<f32>)],
) -> Result<(), ModelError> {
    let invalid = |reason: String| ModelError::InvalidVectors {
        path: path.to_owned(),
        reason,
    };
    let dim = rows.first().map_or(0, |(_, v)| v.len());
    if rows.iter().any(|(_, v)| v.len() != dim) || dim == 0 {
        return Err(invalid("vectors must be non-empty and of one width".into()));
    }
    let mut kinds = Vec::with_capacity(rows.len());
    for (id, _) in rows {
        let node = graph
            .find(id)
            .ok_or_else(|| invalid(format!("{id:?} is not a node of the graph")))?;
        kinds.push(
            graph.schema().kinds[graph.node(node).kind as usize]
                .name
                .clone(),
        );
    }

    let item = Arc::new(Field::new("item", DataType::Float32, false));
    let floats = Float32Array::from_iter_values(rows.iter().flat_map(|(_, v)| v.iter().copied()));
    let width = i32::try_from(dim).map_err(|_| invalid(format!("width {dim} does not fit i32")))?;
    let vectors = FixedSizeListArray::try_new(item, width, Arc::new(floats), None)
        .map_err(|e| invalid(e.to_string()))?;
    let columns: Vec<(&str, ArrayRef)> = vec![
        (
            "id",
            Arc::new(StringArray::from_iter_values(
                rows.iter().map(|(id, _)| *id),
            )),
        ),
        ("kind", Arc::new(StringArray::from_iter_values(&kinds))),
        (
            "text_hash",
            Arc::new(StringArray::from_iter_values(rows.iter().map(|_| ""))),
        ),
        (
            "model_id",
            Arc::new(StringArray::from_iter_values(rows.iter().map(|_| "test"))),
        ),
        ("vector", Arc::new(vectors)),
    ];
    let fields: Vec<Field> = columns
        .iter()
        .map(|(name, a)| Field::new(*name, a.data_type().clone(), false))
        .collect();
    let batch = RecordBatch::try_new(
        Arc::new(ArrowSchema::new(fields)),
        columns.into_iter().map(|(_, a)| a).collect(),
    )
    .map_err(|e| invalid(e.to_string()))?;
    table::write_batch(path, &batch)?;
    Ok(())
}
