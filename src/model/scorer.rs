//! The interface every link scorer offers to evaluation and ranking.

use std::ops::Range;

use crate::kg::{RelationId, Triple};

/// Scores (head, relation, tail) triples; a higher score means a more plausible link.
///
/// Candidate sets are index ranges because nodes of one kind are contiguous
/// (see [`crate::kg::KnowledgeGraph::kind_range`]). Scores are returned on the CPU as `f32`.
pub trait LinkScorer: Send + Sync {
    /// Scores every tail in `candidates` for each head in `heads` under `relation`.
    /// Returns a row-major `heads.len() × candidates.len()` matrix.
    fn score_tails(&self, heads: &[u32], relation: RelationId, candidates: Range<u32>) -> Vec<f32>;

    /// Scores every head in `candidates` for each tail in `tails` under `relation`.
    /// Returns a row-major `tails.len() × candidates.len()` matrix.
    fn score_heads(&self, tails: &[u32], relation: RelationId, candidates: Range<u32>) -> Vec<f32>;

    /// Scores the given triples, one score each.
    fn score_triples(&self, triples: &[Triple]) -> Vec<f32>;

    /// Short name for tables and reports (`TransE`, `degree prior`).
    fn name(&self) -> &str;
}
