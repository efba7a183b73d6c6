//! Filtered mean reciprocal rank for early stopping, over any [`LinkScorer`].
//!
//! Each triple (h, r, t) is ranked twice: t among all nodes of r's target kind, and h among
//! all nodes of r's source kind. Other candidates that form a known triple (given in
//! `known`, usually train ∪ valid) are left out, as in the filtered setting of Bordes et al.
//! (2013). Ties count half: rank = 1 + #higher + #equal / 2, the mean of the optimistic and
//! pessimistic rank. The full evaluation (Hits@k, per relation, baselines) is in `eval`.
//!
//! ```
//! use rxgraph::kg::{GraphBuilder, Schema};
//! use rxgraph::model::validate::{filtered_ranking, KnownTriples};
//! # use rxgraph::model::LinkScorer;
//! # struct Constant;
//! # impl LinkScorer for Constant {
//! #     fn score_tails(&self, h: &[u32], _: u16, c: std::ops::Range<u32>) -> Vec<f32> { vec![0.0; h.len() * c.len()] }
//! #     fn score_heads(&self, t: &[u32], _: u16, c: std::ops::Range<u32>) -> Vec<f32> { vec![0.0; t.len() * c.len()] }
//! #     fn score_triples(&self, t: &[rxgraph::kg::Triple]) -> Vec<f32> { vec![0.0; t.len()] }
//! #     fn name(&self) -> &str { "constant" }
//! # }
//!
//! let mut builder = GraphBuilder::new(Schema::hetionet());
//! for i in 0..3 {
//!     builder.add_node(&format!("Compound::DB{i}"), "Compound", "c", None).unwrap();
//!     builder.add_node(&format!("Disease::DOID:{i}"), "Disease", "d", None).unwrap();
//! }
//! builder.add_edge("Compound::DB0", "CtD", "Disease::DOID:0", None);
//! let graph = builder.build().unwrap();
//! let known = KnownTriples::new(&graph, graph.edges());
//! // A constant scorer ties all 3 candidates: rank 1 + 2/2 = 2 in both directions.
//! let ranking = filtered_ranking(&Constant, &graph, graph.edges(), &known);
//! assert!((ranking.mrr - 0.5).abs() < 1e-9);
//! ```

use std::collections::HashSet;

use crate::kg::{KnowledgeGraph, RelationId, Triple};

use super::LinkScorer;

/// Queries scored per call of the scorer.
const QUERY_CHUNK: usize = 256;

/// Known triples to filter out of the candidate lists.
#[derive(Debug, Clone, Default)]
pub struct KnownTriples {
    set: HashSet<(u32, RelationId, u32)>,
}

impl KnownTriples {
    /// Collects `triples`; a triple of a symmetric relation is also known reversed.
    #[must_use]
    pub fn new(graph: &KnowledgeGraph, triples: &[Triple]) -> Self {
        let mut set = HashSet::with_capacity(triples.len());
        for t in triples {
            set.insert((t.head, t.relation, t.tail));
            if graph.schema().relations[t.relation as usize].symmetric {
                set.insert((t.tail, t.relation, t.head));
            }
        }
        Self { set }
    }

    /// Returns whether (head, relation, tail) is known.
    #[must_use]
    pub fn contains(&self, head: u32, relation: RelationId, tail: u32) -> bool {
        self.set.contains(&(head, relation, tail))
    }
}

/// Filtered ranking summary over both directions.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Ranking {
    /// Mean reciprocal rank, in (0, 1]; 0 when there were no triples.
    pub mrr: f64,
    /// Share of ranks ≤ 10.
    pub hits_at_10: f64,
    /// Number of ranks (two per triple).
    pub count: usize,
}

/// Ranks every triple's tail and head among the nodes of the relation's kinds, filtered.
#[must_use]
pub fn filtered_ranking(
    scorer: &dyn LinkScorer,
    graph: &KnowledgeGraph,
    triples: &[Triple],
    known: &KnownTriples,
) -> Ranking {
    let mut reciprocal_sum = 0.0;
    let mut hits = 0usize;
    let mut count = 0usize;
    let mut record = |rank: f64| {
        reciprocal_sum += 1.0 / rank;
        hits += usize::from(rank <= 10.0);
        count += 1;
    };

    for relation in relations_of(triples) {
        let of_relation: Vec<Triple> = triples
            .iter()
            .filter(|t| t.relation == relation)
            .copied()
            .collect();
        let spec = &graph.schema().relations[relation as usize];
        let (heads, tails) = (graph.kind_range(spec.source), graph.kind_range(spec.target));

        for chunk in of_relation.chunks(QUERY_CHUNK) {
            // Tail ranking: the query is (h, r, ?).
            let queries: Vec<u32> = chunk.iter().map(|t| t.head).collect();
            let scores = scorer.score_tails(&queries, relation, tails.clone());
            for (row, t) in scores.chunks(tails.len().max(1)).zip(chunk) {
                let is_filtered = |c: u32| c != t.tail && known.contains(t.head, relation, c);
                record(rank_of(row, tails.start, t.tail, is_filtered));
            }

            // Head ranking: the query is (?, r, t).
            let queries: Vec<u32> = chunk.iter().map(|t| t.tail).collect();
            let scores = scorer.score_heads(&queries, relation, heads.clone());
            for (row, t) in scores.chunks(heads.len().max(1)).zip(chunk) {
                let is_filtered = |c: u32| c != t.head && known.contains(c, relation, t.tail);
                record(rank_of(row, heads.start, t.head, is_filtered));
            }
        }
    }

    if count == 0 {
        return Ranking::default();
    }
    #[allow(clippy::cast_precision_loss)]
    let n = count as f64;
    #[allow(clippy::cast_precision_loss)]
    Ranking {
        mrr: reciprocal_sum / n,
        hits_at_10: hits as f64 / n,
        count,
    }
}

/// Returns the rank of candidate `answer` in `scores` (candidates `start..`), skipping
/// filtered candidates; ties count half.
fn rank_of(scores: &[f32], start: u32, answer: u32, is_filtered: impl Fn(u32) -> bool) -> f64 {
    let target = scores[(answer - start) as usize];
    // A NaN score ranks last rather than tying with everything.
    #[allow(clippy::cast_precision_loss)]
    if target.is_nan() {
        return scores.len() as f64;
    }
    let (mut higher, mut equal) = (0usize, 0usize);
    for (candidate, &score) in (start..).zip(scores) {
        if candidate == answer || (score < target) || is_filtered(candidate) {
            continue;
        }
        if score > target {
            higher += 1;
        } else {
            equal += 1;
        }
    }
    #[allow(clippy::cast_precision_loss)]
    let rank = 1.0 + higher as f64 + equal as f64 / 2.0;
    rank
}

fn relations_of(triples: &[Triple]) -> Vec<RelationId> {
    let mut relations: Vec<RelationId> = triples.iter().map(|t| t.relation).collect();
    relations.sort_unstable();
    relations.dedup();
    relations
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rank_counts_higher_and_half_ties() {
        let scores = [0.1, 0.9, 0.5, 0.5, 0.7];
        assert!((rank_of(&scores, 10, 12, |_| false) - 3.5).abs() < 1e-9);
    }

    #[test]
    fn rank_skips_filtered() {
        let scores = [0.1, 0.9, 0.5, 0.5, 0.7];
        assert!((rank_of(&scores, 10, 12, |c| c == 11) - 2.5).abs() < 1e-9);
    }

    #[test]
    fn best_score_ranks_first() {
        assert!((rank_of(&[0.3, 0.2], 0, 0, |_| false) - 1.0).abs() < 1e-9);
    }
}
