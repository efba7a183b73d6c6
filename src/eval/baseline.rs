//! The degree-prior baseline: a link scorer that uses only the number of training links each
//! node has in the relation.
//!
//! For (h, r, t) it scores `ln(1 + d_r(h)) + ln(1 + d_r(t))`, where `d_r(n)` is the number of
//! training triples of relation r that touch node n. That is the logarithm of the product
//! `(1 + d_r(h)) · (1 + d_r(t))`, the preferential-attachment score, so it ranks exactly as
//! the product does; the logarithm keeps the scores small and in the `f32` range. In a tail
//! query the head term is constant, so tails are ranked by their training degree alone.
//!
//! Well-studied drugs and diseases have many indications, so this prior is strong on random
//! splits and a model must beat it to show that it learned more than node popularity. Every
//! report prints it beside the model.
//!
//! ```
//! use rxgraph::eval::DegreePrior;
//! use rxgraph::kg::{GraphBuilder, Schema};
//! use rxgraph::model::LinkScorer;
//!
//! let mut builder = GraphBuilder::new(Schema::hetionet());
//! for id in ["DB1", "DB2"] {
//!     builder.add_node(id, "Compound", "c", None).unwrap();
//! }
//! builder.add_node("DOID:1", "Disease", "d", None).unwrap();
//! builder.add_edge("Compound::DB1", "CtD", "Disease::DOID:1", None);
//! let graph = builder.build().unwrap();
//!
//! let prior = DegreePrior::new(&graph, graph.edges());
//! let ctd = graph.schema().relation_id("CtD").unwrap();
//! let scores = prior.score_heads(&[2], ctd, 0..2);
//! assert!(scores[0] > scores[1]); // DB1 has a training CtD edge, DB2 none
//! ```
//!
//! # Limitations
//! Degrees come from the triples given to [`DegreePrior::new`], which must be the training
//! part only: test triples would leak the answers into the degrees. A node held out with all
//! its target edges (the disease-held-out split) has degree 0, so the prior cannot tell such
//! nodes apart and ranks them as one tie.

use std::collections::HashMap;
use std::ops::Range;

use crate::kg::{KnowledgeGraph, RelationId, Triple};
use crate::model::LinkScorer;

/// Per-relation training degrees of the nodes, as a [`LinkScorer`].
#[derive(Debug, Clone)]
pub struct DegreePrior {
    /// `ln(1 + degree)` per relation, indexed by node.
    log_degrees: HashMap<RelationId, Vec<f32>>,
}

impl DegreePrior {
    /// Counts the degree of every node in every relation of `train`.
    ///
    /// Pass the training triples only (`split.train(&graph)`), never validation or test.
    #[must_use]
    pub fn new(graph: &KnowledgeGraph, train: &[Triple]) -> Self {
        let mut degrees: HashMap<RelationId, Vec<u32>> = HashMap::new();
        for triple in train {
            let counts = degrees
                .entry(triple.relation)
                .or_insert_with(|| vec![0; graph.node_count()]);
            counts[triple.head as usize] += 1;
            counts[triple.tail as usize] += 1;
        }
        let log_degrees = degrees
            .into_iter()
            .map(|(relation, counts)| {
                #[allow(clippy::cast_precision_loss)]
                let logs = counts.into_iter().map(|d| (d as f32).ln_1p()).collect();
                (relation, logs)
            })
            .collect();
        Self { log_degrees }
    }

    /// Returns `ln(1 + d_r(node))`; 0 for a relation without training triples.
    #[must_use]
    pub fn log_degree(&self, relation: RelationId, node: u32) -> f32 {
        self.log_degrees
            .get(&relation)
            .map_or(0.0, |logs| logs[node as usize])
    }

    fn score_rows(&self, given: &[u32], relation: RelationId, candidates: Range<u32>) -> Vec<f32> {
        let mut scores = Vec::with_capacity(given.len() * candidates.len());
        for &node in given {
            let fixed = self.log_degree(relation, node);
            scores.extend(
                candidates
                    .clone()
                    .map(|c| fixed + self.log_degree(relation, c)),
            );
        }
        scores
    }
}

impl LinkScorer for DegreePrior {
    fn score_tails(&self, heads: &[u32], relation: RelationId, candidates: Range<u32>) -> Vec<f32> {
        self.score_rows(heads, relation, candidates)
    }

    fn score_heads(&self, tails: &[u32], relation: RelationId, candidates: Range<u32>) -> Vec<f32> {
        self.score_rows(tails, relation, candidates)
    }

    fn score_triples(&self, triples: &[Triple]) -> Vec<f32> {
        triples
            .iter()
            .map(|t| self.log_degree(t.relation, t.head) + self.log_degree(t.relation, t.tail))
            .collect()
    }

    fn name(&self) -> &'static str {
        "degree prior"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kg::fixture::indication_graph;

    fn graph() -> KnowledgeGraph {
        indication_graph(
            3,
            &[(0, "CtD", 0), (0, "CtD", 1), (1, "CtD", 1), (2, "CpD", 2)],
        )
    }

    #[test]
    fn scores_are_log_degree_sums() {
        let g = graph();
        let ctd = g.schema().relation_id("CtD").unwrap();
        let prior = DegreePrior::new(&g, g.edges());
        let (db0, doid1) = (g.find("DB0").unwrap(), g.find("DOID:1").unwrap());
        let score = prior.score_triples(&[Triple {
            head: db0,
            relation: ctd,
            tail: doid1,
        }])[0];
        assert!(
            (score - (3.0f32.ln() + 3.0f32.ln())).abs() < 1e-6,
            "{score}"
        );
    }

    #[test]
    fn other_relations_do_not_count() {
        let g = graph();
        let ctd = g.schema().relation_id("CtD").unwrap();
        let prior = DegreePrior::new(&g, g.edges());
        assert_eq!(prior.log_degree(ctd, g.find("DB2").unwrap()), 0.0);
    }

    #[test]
    fn matrix_rows_match_triple_scores() {
        let g = graph();
        let ctd = g.schema().relation_id("CtD").unwrap();
        let prior = DegreePrior::new(&g, g.edges());
        let compounds = g.kind_range(g.schema().kind_id("Compound").unwrap());
        let diseases = g.kind_range(g.schema().kind_id("Disease").unwrap());
        let heads: Vec<u32> = compounds.clone().collect();
        let matrix = prior.score_tails(&heads, ctd, diseases.clone());
        assert_eq!(matrix.len(), heads.len() * diseases.len());
        for (row, &head) in heads.iter().enumerate() {
            for (column, tail) in diseases.clone().enumerate() {
                let single = prior.score_triples(&[Triple {
                    head,
                    relation: ctd,
                    tail,
                }])[0];
                assert_eq!(matrix[row * diseases.len() + column], single);
            }
        }
        let by_head = prior.score_heads(&[diseases.start], ctd, compounds.clone());
        assert_eq!(by_head.len(), compounds.len());
    }

    #[test]
    fn empty_train_scores_zero() {
        let g = graph();
        let prior = DegreePrior::new(&g, &[]);
        assert!(prior.score_triples(g.edges()).iter().all(|&s| s == 0.0));
    }
}
