//! Literature evidence: PubMed passages that mention both ends of a predicted link.
//!
//! [`MentionIndex::read`] loads `W/mentions.parquet` (written by the corpus step: one row per
//! entity mention with `pmid`, `node_id`, `sentence_index` and `sentence`; rows without a
//! `node_id` are skipped). [`MentionIndex::co_mentions`] returns the passages that mention
//! both nodes, preferring sentences that name both.
//!
//! ```
//! use rxgraph::rank::MentionIndex;
//!
//! let mut index = MentionIndex::default();
//! index.add("123", "Compound::DB00945", 1, "Aspirin lowers the risk of colorectal cancer.");
//! index.add("123", "Disease::DOID:9256", 1, "Aspirin lowers the risk of colorectal cancer.");
//! let passages = index.co_mentions("Compound::DB00945", "Disease::DOID:9256", 5);
//! assert_eq!(passages[0].pmid, "123");
//! assert!(passages[0].same_sentence);
//! ```

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use arrow::array::{Array, AsArray};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Int64Type};
use serde::Serialize;

use super::error::RankError;
use crate::kg::table;

/// File name of the mention table in a work directory.
pub const MENTIONS_FILE: &str = "mentions.parquet";

/// One passage that mentions both ends of a link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PassageEvidence {
    /// PubMed id.
    pub pmid: String,
    /// Sentences naming both ends, or else the first sentence naming each end.
    pub sentences: Vec<String>,
    /// Whether some sentence names both ends.
    pub same_sentence: bool,
}

/// Mentions by node id: which sentences of which passages name the node.
#[derive(Debug, Clone, Default)]
pub struct MentionIndex {
    /// node id → pmid → sentence indices.
    by_node: HashMap<String, BTreeMap<String, BTreeSet<i64>>>,
    /// (pmid, sentence index) → sentence.
    sentences: HashMap<(String, i64), String>,
}

impl MentionIndex {
    /// Reads `dir/mentions.parquet`; returns `None` when the file does not exist.
    ///
    /// # Errors
    /// The file is not valid Parquet or lacks the `pmid`, `node_id`, `sentence_index` or
    /// `sentence` column.
    pub fn read(dir: &Path) -> Result<Option<Self>, RankError> {
        let path = dir.join(MENTIONS_FILE);
        if !path.is_file() {
            return Ok(None);
        }
        let batches =
            table::read_batches(&path).map_err(|e| RankError::parquet("read", &path, e))?;
        let invalid = |reason: String| RankError::InvalidTable {
            path: path.clone(),
            reason,
        };

        let mut index = Self::default();
        for batch in batches {
            let column = |name: &str, data_type: &DataType| {
                let array = batch
                    .column_by_name(name)
                    .ok_or_else(|| invalid(format!("column {name} is missing")))?;
                cast(array, data_type).map_err(|e| invalid(format!("column {name}: {e}")))
            };
            let pmids = column("pmid", &DataType::Utf8)?;
            let nodes = column("node_id", &DataType::Utf8)?;
            let sentence_indices = column("sentence_index", &DataType::Int64)?;
            let sentences = column("sentence", &DataType::Utf8)?;
            let (pmids, nodes) = (pmids.as_string::<i32>(), nodes.as_string::<i32>());
            let sentence_indices = sentence_indices.as_primitive::<Int64Type>();
            let sentences = sentences.as_string::<i32>();
            for row in 0..batch.num_rows() {
                if nodes.is_null(row) || pmids.is_null(row) || sentences.is_null(row) {
                    continue;
                }
                index.add(
                    pmids.value(row),
                    nodes.value(row),
                    sentence_indices.value(row),
                    sentences.value(row),
                );
            }
        }
        tracing::debug!(path = %path.display(), nodes = index.by_node.len(), "mentions read");
        Ok(Some(index))
    }

    /// Records that sentence `sentence_index` of passage `pmid` mentions `node_id`.
    pub fn add(&mut self, pmid: &str, node_id: &str, sentence_index: i64, sentence: &str) {
        self.by_node
            .entry(node_id.to_owned())
            .or_default()
            .entry(pmid.to_owned())
            .or_default()
            .insert(sentence_index);
        self.sentences
            .entry((pmid.to_owned(), sentence_index))
            .or_insert_with(|| sentence.to_owned());
    }

    /// Returns the number of passages that mention `node_id`.
    #[must_use]
    pub fn passage_count(&self, node_id: &str) -> usize {
        self.by_node.get(node_id).map_or(0, BTreeMap::len)
    }

    /// Returns up to `limit` passages that mention both nodes, those with a sentence naming
    /// both first, then by PubMed id.
    #[must_use]
    pub fn co_mentions(&self, first: &str, second: &str, limit: usize) -> Vec<PassageEvidence> {
        let (Some(a), Some(b)) = (self.by_node.get(first), self.by_node.get(second)) else {
            return Vec::new();
        };
        let mut passages: Vec<PassageEvidence> = a
            .iter()
            .filter_map(|(pmid, sentences_a)| {
                let sentences_b = b.get(pmid)?;
                let shared: Vec<i64> = sentences_a.intersection(sentences_b).copied().collect();
                let chosen: Vec<i64> = if shared.is_empty() {
                    let mut both = vec![*sentences_a.first()?, *sentences_b.first()?];
                    both.sort_unstable();
                    both.dedup();
                    both
                } else {
                    shared.clone()
                };
                Some(PassageEvidence {
                    pmid: pmid.clone(),
                    sentences: chosen
                        .iter()
                        .filter_map(|&i| self.sentences.get(&(pmid.clone(), i)).cloned())
                        .collect(),
                    same_sentence: !shared.is_empty(),
                })
            })
            .collect();
        passages.sort_by(|x, y| {
            y.same_sentence
                .cmp(&x.same_sentence)
                .then_with(|| x.pmid.cmp(&y.pmid))
        });
        passages.truncate(limit);
        passages
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separate_sentences_listed_both() {
        let mut index = MentionIndex::default();
        index.add("1", "A", 0, "About A.");
        index.add("1", "B", 2, "About B.");
        index.add("2", "A", 1, "A and B.");
        index.add("2", "B", 1, "A and B.");
        index.add("3", "A", 0, "Only A.");
        let passages = index.co_mentions("A", "B", 10);
        assert_eq!(passages.len(), 2);
        assert_eq!(passages[0].pmid, "2");
        assert_eq!(passages[0].sentences, ["A and B."]);
        assert!(!passages[1].same_sentence);
        assert_eq!(passages[1].sentences, ["About A.", "About B."]);
    }

    #[test]
    fn missing_node_gives_nothing() {
        let index = MentionIndex::default();
        assert!(index.co_mentions("A", "B", 3).is_empty());
        assert!(MentionIndex::read(Path::new("/nonexistent"))
            .unwrap()
            .is_none());
    }
}
