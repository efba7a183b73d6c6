//! The literature tables as Parquet bytes, and `passages.parquet` read back.

use std::path::Path;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, BooleanArray, RecordBatch, StringArray, UInt32Array};
use arrow::datatypes::{Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;

use super::{MentionRecord, PassageRecord, TextRelationRecord};
use crate::kg::table::read_batches;
use crate::kg::KgError;

/// File name of the passage table in a work directory.
pub const PASSAGES: &str = "passages.parquet";
/// File name of the mention table in a work directory.
pub const MENTIONS: &str = "mentions.parquet";
/// File name of the text-relation table in a work directory.
pub const TEXT_RELATIONS: &str = "text_relations.parquet";

/// Encodes `passages.parquet`.
pub(super) fn passages(passages: &[PassageRecord]) -> Result<Vec<u8>, KgError> {
    let strings = |f: fn(&PassageRecord) -> String| -> ArrayRef {
        Arc::new(StringArray::from_iter_values(passages.iter().map(f)))
    };
    encode(
        PASSAGES,
        vec![
            ("pmid", strings(|p| p.pmid.clone()), false),
            ("title", strings(|p| p.title.clone()), false),
            ("abstract", strings(|p| p.abstract_text.clone()), false),
            ("corpus", strings(|p| p.corpora.join(",")), false),
            ("sets", strings(|p| p.sets.join(",")), false),
        ],
    )
}

/// Encodes `mentions.parquet`.
pub(super) fn mentions(mentions: &[MentionRecord]) -> Result<Vec<u8>, KgError> {
    let offsets = |f: fn(&MentionRecord) -> usize| -> ArrayRef {
        Arc::new(UInt32Array::from_iter_values(
            mentions
                .iter()
                .map(|m| u32::try_from(f(m)).expect("offsets fit u32")),
        ))
    };
    encode(
        MENTIONS,
        vec![
            (
                "pmid",
                Arc::new(StringArray::from_iter_values(
                    mentions.iter().map(|m| &m.pmid),
                )),
                false,
            ),
            (
                "node_id",
                Arc::new(
                    mentions
                        .iter()
                        .map(|m| m.node_id.as_deref())
                        .collect::<StringArray>(),
                ),
                true,
            ),
            ("start", offsets(|m| m.start), false),
            ("end", offsets(|m| m.end), false),
            (
                "text",
                Arc::new(StringArray::from_iter_values(
                    mentions.iter().map(|m| &m.text),
                )),
                false,
            ),
            (
                "entity_type",
                Arc::new(StringArray::from_iter_values(
                    mentions.iter().map(|m| &m.entity_type),
                )),
                false,
            ),
            (
                "corpus",
                Arc::new(StringArray::from_iter_values(
                    mentions.iter().map(|m| m.corpus),
                )),
                false,
            ),
            (
                "link",
                Arc::new(
                    mentions
                        .iter()
                        .map(|m| m.link.map(|l| l.as_str()))
                        .collect::<StringArray>(),
                ),
                true,
            ),
            ("sentence_index", offsets(|m| m.sentence_index), false),
            (
                "sentence",
                Arc::new(StringArray::from_iter_values(
                    mentions.iter().map(|m| &m.sentence),
                )),
                false,
            ),
        ],
    )
}

/// Encodes `text_relations.parquet`.
pub(super) fn text_relations(relations: &[TextRelationRecord]) -> Result<Vec<u8>, KgError> {
    let strings = |f: fn(&TextRelationRecord) -> &str| -> ArrayRef {
        Arc::new(StringArray::from_iter_values(relations.iter().map(f)))
    };
    encode(
        TEXT_RELATIONS,
        vec![
            ("pmid", strings(|r| &r.pmid), false),
            ("head_id", strings(|r| &r.head_id), false),
            ("relation", strings(|r| &r.relation), false),
            ("tail_id", strings(|r| &r.tail_id), false),
            ("source", strings(|r| r.source), false),
            ("label", strings(|r| &r.label), false),
            (
                "evaluated",
                Arc::new(
                    relations
                        .iter()
                        .map(|r| Some(r.evaluated))
                        .collect::<BooleanArray>(),
                ),
                false,
            ),
        ],
    )
}

fn encode(name: &str, columns: Vec<(&str, ArrayRef, bool)>) -> Result<Vec<u8>, KgError> {
    let path = Path::new(name);
    let fields: Vec<Field> = columns
        .iter()
        .map(|(n, a, nullable)| Field::new(*n, a.data_type().clone(), *nullable))
        .collect();
    let batch = RecordBatch::try_new(
        Arc::new(Schema::new(fields)),
        columns.into_iter().map(|(_, a, _)| a).collect(),
    )
    .map_err(|source| KgError::Arrow {
        path: path.to_owned(),
        source,
    })?;

    let properties = WriterProperties::builder()
        .set_compression(Compression::ZSTD(
            ZstdLevel::try_new(3).expect("valid zstd level"),
        ))
        .build();
    let parquet_error = |source| KgError::Parquet {
        path: path.to_owned(),
        source,
    };
    let mut writer = ArrowWriter::try_new(Vec::new(), batch.schema(), Some(properties))
        .map_err(parquet_error)?;
    writer.write(&batch).map_err(parquet_error)?;
    writer.into_inner().map_err(parquet_error)
}

/// Reads `passages.parquet` of a work directory.
///
/// # Errors
/// The file is missing, not Parquet, or lacks a column.
pub fn read_passages(path: &Path) -> Result<Vec<PassageRecord>, KgError> {
    let mut passages = Vec::new();
    for batch in read_batches(path)? {
        let column = |name: &str| {
            batch.column_by_name(name).and_then(|c| c.as_any().downcast_ref::<StringArray>()).ok_or_else(|| KgError::WorkDir {
                path: path.to_owned(),
                reason: format!("column {name:?} of {PASSAGES} is missing or not a string; re-run `rxgraph ingest`"),
            })
        };
        let (pmids, titles, abstracts, corpora, sets) = (
            column("pmid")?,
            column("title")?,
            column("abstract")?,
            column("corpus")?,
            column("sets")?,
        );
        let split = |array: &StringArray, row: usize| {
            array.value(row).split(',').map(str::to_owned).collect()
        };
        for row in 0..batch.num_rows() {
            passages.push(PassageRecord {
                pmid: pmids.value(row).to_owned(),
                title: titles.value(row).to_owned(),
                abstract_text: abstracts.value(row).to_owned(),
                corpora: split(corpora, row),
                sets: split(sets, row),
            });
        }
    }
    Ok(passages)
}
