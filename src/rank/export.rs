//! Predictions as files: the ranked table (CSV, Parquet) and the scores of every pair of a
//! relation's two kinds (Parquet, streamed in batches).
//!
//! The ranked table has one row per candidate with the columns of [`PredictionRow`].
//! [`write_all_pairs`] writes `head_id`, `tail_id`, `score` (f32), `probability` (f32, null
//! without a calibration) and `known` (a link of the relation's filter group in train ∪
//! validation ∪ test) for every pair: 1,552 × 20,945 = 32.5 million rows for CbG. It scores
//! [`ALL_PAIRS_BATCH`] heads per call and writes each batch before scoring the next, so
//! memory stays near one batch.
//!
//! ```
//! use rxgraph::rank::{write_csv, PredictionRow};
//!
//! let row = PredictionRow {
//!     rank: 1,
//!     query_id: "Disease::DOID:9352".into(),
//!     query_name: "type 2 diabetes mellitus".into(),
//!     relation: "CtD".into(),
//!     candidate_id: "Compound::DB01067".into(),
//!     candidate_name: "Glipizide".into(),
//!     score: 3.5,
//!     percentile: 99.9,
//!     probability: Some(0.2),
//!     top_metapath: Some("CbGbCtD".into()),
//!     top_metapath_share: Some(0.4),
//!     path_count: 12,
//!     passages: 0,
//! };
//! let mut out = Vec::new();
//! write_csv(&[row], &mut out).unwrap();
//! assert!(String::from_utf8(out).unwrap().starts_with("rank,query_id,"));
//! ```

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanArray, Float32Array, Float64Array, RecordBatch, StringArray, UInt64Array,
};
use arrow::datatypes::{DataType, Field, Schema as ArrowSchema};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;
use serde::Serialize;

use super::calibrate::Calibration;
use super::error::RankError;
use crate::eval::{candidate_range, KnownTriples, Side};
use crate::kg::{KnowledgeGraph, RelationId};
use crate::model::LinkScorer;

/// Heads scored per call in [`write_all_pairs`].
pub const ALL_PAIRS_BATCH: usize = 64;

/// One row of the ranked table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PredictionRow {
    /// 1-based rank among candidates that are not known links.
    pub rank: usize,
    /// Id of the queried node.
    pub query_id: String,
    /// Name of the queried node.
    pub query_name: String,
    /// Relation abbreviation.
    pub relation: String,
    /// Id of the candidate.
    pub candidate_id: String,
    /// Name of the candidate.
    pub candidate_name: String,
    /// Raw score.
    pub score: f32,
    /// Percentile of the score among all candidates of the kind, in percent.
    pub percentile: f64,
    /// Calibrated probability, when there is a calibration.
    pub probability: Option<f64>,
    /// Abbreviation of the metapath with the largest DWPC share, when paths were searched.
    pub top_metapath: Option<String>,
    /// Its share of the total DWPC, in [0, 1].
    pub top_metapath_share: Option<f64>,
    /// Number of paths of length ≤ 3 found (0 when paths were not searched).
    pub path_count: usize,
    /// Number of passages that mention both ends.
    pub passages: usize,
}

/// Writes rows as CSV with a header.
///
/// # Errors
/// Writing to `out` fails.
pub fn write_csv(rows: &[PredictionRow], out: impl std::io::Write) -> Result<(), csv::Error> {
    let mut writer = csv::Writer::from_writer(out);
    for row in rows {
        writer.serialize(row)?;
    }
    writer.flush()?;
    Ok(())
}

/// Writes rows as one zstd-compressed Parquet file.
///
/// # Errors
/// The file cannot be created or written.
pub fn write_parquet(rows: &[PredictionRow], path: &Path) -> Result<(), RankError> {
    let strings = |get: fn(&PredictionRow) -> &str| -> ArrayRef {
        Arc::new(rows.iter().map(|r| Some(get(r))).collect::<StringArray>())
    };
    let columns: Vec<(&str, ArrayRef, bool)> = vec![
        (
            "rank",
            Arc::new(rows.iter().map(|r| r.rank as u64).collect::<UInt64Array>()),
            false,
        ),
        ("query_id", strings(|r| &r.query_id), false),
        ("query_name", strings(|r| &r.query_name), false),
        ("relation", strings(|r| &r.relation), false),
        ("candidate_id", strings(|r| &r.candidate_id), false),
        ("candidate_name", strings(|r| &r.candidate_name), false),
        (
            "score",
            Arc::new(rows.iter().map(|r| r.score).collect::<Float32Array>()),
            false,
        ),
        (
            "percentile",
            Arc::new(rows.iter().map(|r| r.percentile).collect::<Float64Array>()),
            false,
        ),
        (
            "probability",
            Arc::new(rows.iter().map(|r| r.probability).collect::<Float64Array>()),
            true,
        ),
        (
            "top_metapath",
            Arc::new(
                rows.iter()
                    .map(|r| r.top_metapath.as_deref())
                    .collect::<StringArray>(),
            ),
            true,
        ),
        (
            "top_metapath_share",
            Arc::new(
                rows.iter()
                    .map(|r| r.top_metapath_share)
                    .collect::<Float64Array>(),
            ),
            true,
        ),
        (
            "path_count",
            Arc::new(
                rows.iter()
                    .map(|r| r.path_count as u64)
                    .collect::<UInt64Array>(),
            ),
            false,
        ),
        (
            "passages",
            Arc::new(
                rows.iter()
                    .map(|r| r.passages as u64)
                    .collect::<UInt64Array>(),
            ),
            false,
        ),
    ];
    let schema = Arc::new(ArrowSchema::new(
        columns
            .iter()
            .map(|(name, array, nullable)| Field::new(*name, array.data_type().clone(), *nullable))
            .collect::<Vec<_>>(),
    ));
    let batch = RecordBatch::try_new(schema, columns.into_iter().map(|(_, a, _)| a).collect())
        .map_err(|e| RankError::parquet("assemble rows for", path, e))?;
    let mut writer = parquet_writer(path, batch.schema())?;
    writer
        .write(&batch)
        .map_err(|e| RankError::parquet("write", path, e))?;
    writer
        .close()
        .map_err(|e| RankError::parquet("close", path, e))?;
    Ok(())
}

/// Writes the score of every (head, tail) pair of `relation`'s kinds to a Parquet file, one
/// row group per batch of heads, and returns the number of rows.
///
/// # Errors
/// The file cannot be written, or the scorer returns the wrong number of scores.
pub fn write_all_pairs(
    scorer: &dyn LinkScorer,
    graph: &KnowledgeGraph,
    relation: RelationId,
    known: &KnownTriples,
    calibration: Option<&Calibration>,
    path: &Path,
) -> Result<usize, RankError> {
    let heads: Vec<u32> = candidate_range(graph, relation, Side::Head).collect();
    let tails = candidate_range(graph, relation, Side::Tail);
    let platt = calibration
        .and_then(|c| c.relation(graph, relation))
        .map(|c| c.platt);
    let schema = Arc::new(ArrowSchema::new(vec![
        Field::new("head_id", DataType::Utf8, false),
        Field::new("tail_id", DataType::Utf8, false),
        Field::new("score", DataType::Float32, false),
        Field::new("probability", DataType::Float32, true),
        Field::new("known", DataType::Boolean, false),
    ]));
    let mut writer = parquet_writer(path, schema.clone())?;
    let tail_ids: Vec<&str> = tails.clone().map(|t| graph.node(t).id.as_str()).collect();

    let mut rows = 0;
    for chunk in heads.chunks(ALL_PAIRS_BATCH) {
        let scores = scorer.score_tails(chunk, relation, tails.clone());
        if scores.len() != chunk.len() * tails.len() {
            return Err(RankError::ScoreShape {
                scorer: scorer.name().to_owned(),
                operation: "score_tails",
                expected: chunk.len() * tails.len(),
                found: scores.len(),
            });
        }
        let head_ids: StringArray = chunk
            .iter()
            .flat_map(|&h| std::iter::repeat_n(Some(graph.node(h).id.as_str()), tails.len()))
            .collect();
        let tail_column: StringArray = std::iter::repeat_n(&tail_ids, chunk.len())
            .flat_map(|ids| ids.iter().map(|id| Some(*id)))
            .collect();
        #[allow(clippy::cast_possible_truncation)]
        let probabilities: Float32Array = scores
            .iter()
            .map(|&s| platt.map(|p| p.probability(s) as f32))
            .collect();
        let known_column: BooleanArray = chunk
            .iter()
            .flat_map(|&h| {
                tails
                    .clone()
                    .map(move |t| Some(known.contains(h, relation, t)))
            })
            .collect();
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(head_ids),
                Arc::new(tail_column),
                Arc::new(Float32Array::from(scores)),
                Arc::new(probabilities),
                Arc::new(known_column),
            ],
        )
        .map_err(|e| RankError::parquet("assemble rows for", path, e))?;
        rows += batch.num_rows();
        writer
            .write(&batch)
            .map_err(|e| RankError::parquet("write", path, e))?;
        writer
            .flush()
            .map_err(|e| RankError::parquet("write", path, e))?;
    }
    writer
        .close()
        .map_err(|e| RankError::parquet("close", path, e))?;
    Ok(rows)
}

fn parquet_writer(path: &Path, schema: Arc<ArrowSchema>) -> Result<ArrowWriter<File>, RankError> {
    let file = File::create(path).map_err(|e| RankError::io("create", path, e))?;
    let properties = WriterProperties::builder()
        .set_compression(Compression::ZSTD(
            ZstdLevel::try_new(3).expect("valid zstd level"),
        ))
        .build();
    ArrowWriter::try_new(file, schema, Some(properties))
        .map_err(|e| RankError::parquet("create", path, e))
}
