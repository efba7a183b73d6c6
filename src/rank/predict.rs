//! Top-k prediction: score every candidate of the right kind, remove known links, keep the
//! best k.
//!
//! A [`Query`] fixes one node, one relation and the side to rank: `(DB00945, CtD, ?)` ranks
//! new indications of aspirin, `(?, CtD, DOID:9352)` drugs against type 2 diabetes.
//! [`Ranker::rank`] makes one `score_tails` or `score_heads` call over the kind range of the
//! ranked side. It removes every candidate that forms a known link in train ∪ validation ∪
//! test ([`KnownTriples`]; for indications CtD and CpD count together) and returns the top k.
//!
//! Each [`RankedCandidate`] has its raw score, its rank among the remaining candidates, the
//! percentile of its score among *all* candidates of that kind (known links included), and a
//! calibrated probability when a [`Calibration`] is given.
//!
//! ```
//! use rxgraph::eval::{DegreePrior, FilterGroups, KnownTriples};
//! use rxgraph::kg::{GraphBuilder, Schema};
//! use rxgraph::rank::{Query, Ranker};
//!
//! let mut builder = GraphBuilder::new(Schema::hetionet());
//! for i in 0..4 {
//!     builder.add_node(&format!("DB{i}"), "Compound", &format!("drug {i}"), None).unwrap();
//!     builder.add_node(&format!("DOID:{i}"), "Disease", &format!("disease {i}"), None).unwrap();
//! }
//! builder.add_edge("Compound::DB0", "CtD", "Disease::DOID:0", None);
//! builder.add_edge("Compound::DB0", "CtD", "Disease::DOID:1", None);
//! builder.add_edge("Compound::DB1", "CpD", "Disease::DOID:0", None);
//! let graph = builder.build().unwrap();
//!
//! let prior = DegreePrior::new(&graph, graph.edges());
//! let known = KnownTriples::new(&graph, graph.edges(), &FilterGroups::indications(graph.schema()));
//! let ranker = Ranker::new(&graph, &prior, &known, None);
//! let ctd = graph.schema().relation_id("CtD").unwrap();
//! let query = Query::new(&graph, graph.find("DOID:0").unwrap(), ctd).unwrap();
//! let ranking = ranker.rank(&query, 10).unwrap();
//! // DB0 (CtD) and DB1 (CpD) are known; DB2 and DB3 remain.
//! assert_eq!(ranking.candidates.len(), 2);
//! assert_eq!(ranking.known_removed, 2);
//! ```

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::ops::Range;

use serde::Serialize;

use super::calibrate::Calibration;
use super::error::RankError;
use crate::eval::{candidate_range, KnownTriples, Side};
use crate::kg::{KnowledgeGraph, RelationId};
use crate::model::LinkScorer;

/// Largest k accepted by [`Ranker::rank`].
pub const MAX_K: usize = 10_000;

/// One question: rank the `side` end of `relation` given the node at the other end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Query {
    /// The given node.
    pub node: u32,
    /// Relation of the predicted links.
    pub relation: RelationId,
    /// The end that is ranked: `Tail` ranks diseases or genes for a compound, `Head` ranks
    /// compounds for a disease or gene.
    pub side: Side,
}

impl Query {
    /// Builds the query for `node` under `relation`, ranking the other end.
    ///
    /// # Errors
    /// [`RankError::InvalidRelation`] when the node's kind is neither end of the relation.
    pub fn new(graph: &KnowledgeGraph, node: u32, relation: RelationId) -> Result<Self, RankError> {
        let schema = graph.schema();
        let spec = &schema.relations[relation as usize];
        let kind = graph.node(node).kind;
        let side = if kind == spec.source {
            Side::Tail
        } else if kind == spec.target {
            Side::Head
        } else {
            let kind_name = &schema.kinds[kind as usize].name;
            let joining: Vec<&str> = schema
                .relations
                .iter()
                .filter(|r| r.source == kind || r.target == kind)
                .map(|r| r.abbreviation.as_str())
                .collect();
            return Err(RankError::InvalidRelation {
                relation: spec.abbreviation.clone(),
                reason: format!(
                    "it joins {} to {}, and {} is a {kind_name}; relations of a {kind_name}: {}",
                    schema.kinds[spec.source as usize].name,
                    schema.kinds[spec.target as usize].name,
                    graph.node(node).id,
                    joining.join(", ")
                ),
            });
        };
        Ok(Self {
            node,
            relation,
            side,
        })
    }

    /// Returns the index range of the ranked candidates.
    #[must_use]
    pub fn candidates(&self, graph: &KnowledgeGraph) -> Range<u32> {
        candidate_range(graph, self.relation, self.side)
    }

    /// Returns `(head, tail)` of the triple that links the given node and `candidate`.
    #[must_use]
    pub fn pair(&self, candidate: u32) -> (u32, u32) {
        match self.side {
            Side::Tail => (self.node, candidate),
            Side::Head => (candidate, self.node),
        }
    }
}

/// One predicted link.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RankedCandidate {
    /// Node index of the candidate.
    pub node: u32,
    /// Raw score from the scorer (higher is likelier); NaN scores are stored as −∞.
    pub score: f32,
    /// 1-based rank among the candidates that are not known links. Ties are broken by node
    /// index (the lower index ranks first), so ranks are distinct and reproducible.
    pub rank: usize,
    /// Share of all candidates of the kind, known links included, whose score is at most
    /// this one, in percent (100 for the best score).
    pub percentile: f64,
    /// Calibrated probability of a link, when the relation has a calibration.
    pub probability: Option<f64>,
}

/// Result of one query.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranking {
    /// The query.
    pub query: Query,
    /// The top candidates, best first.
    pub candidates: Vec<RankedCandidate>,
    /// Number of candidates of the ranked kind, known links included.
    pub total_candidates: usize,
    /// Number of candidates removed as known links.
    pub known_removed: usize,
}

/// Scores, filters and ranks candidates for queries with one scorer.
pub struct Ranker<'a> {
    graph: &'a KnowledgeGraph,
    scorer: &'a dyn LinkScorer,
    known: &'a KnownTriples,
    calibration: Option<&'a Calibration>,
}

impl<'a> Ranker<'a> {
    /// Creates a ranker. `known` should index every edge of the graph (train ∪ validation ∪
    /// test) with the filter groups that make CtD and CpD filter each other.
    #[must_use]
    pub fn new(
        graph: &'a KnowledgeGraph,
        scorer: &'a dyn LinkScorer,
        known: &'a KnownTriples,
        calibration: Option<&'a Calibration>,
    ) -> Self {
        Self {
            graph,
            scorer,
            known,
            calibration,
        }
    }

    /// Returns the graph.
    #[must_use]
    pub fn graph(&self) -> &'a KnowledgeGraph {
        self.graph
    }

    /// Returns the scorer.
    #[must_use]
    pub fn scorer(&self) -> &'a dyn LinkScorer {
        self.scorer
    }

    /// Returns the known links of the query's node in the query's filter group, sorted.
    #[must_use]
    pub fn known_candidates(&self, query: &Query) -> &'a [u32] {
        match query.side {
            Side::Tail => self.known.tails_of(query.node, query.relation),
            Side::Head => self.known.heads_of(query.node, query.relation),
        }
    }

    /// Scores every candidate of the query's ranked kind, in index order. NaN scores become
    /// −∞ so that they rank last.
    ///
    /// # Errors
    /// [`RankError::ScoreShape`] when the scorer returns the wrong number of scores.
    pub fn score_all(&self, query: &Query) -> Result<Vec<f32>, RankError> {
        let range = query.candidates(self.graph);
        let (operation, mut scores) = match query.side {
            Side::Tail => (
                "score_tails",
                self.scorer
                    .score_tails(&[query.node], query.relation, range.clone()),
            ),
            Side::Head => (
                "score_heads",
                self.scorer
                    .score_heads(&[query.node], query.relation, range.clone()),
            ),
        };
        if scores.len() != range.len() {
            return Err(RankError::ScoreShape {
                scorer: self.scorer.name().to_owned(),
                operation,
                expected: range.len(),
                found: scores.len(),
            });
        }
        replace_nan(&mut scores);
        Ok(scores)
    }

    /// Ranks the candidates of `query` and returns the best `k` that are not known links.
    ///
    /// # Errors
    /// [`RankError::InvalidK`] unless `1 ≤ k ≤ MAX_K`, and the errors of [`Self::score_all`].
    pub fn rank(&self, query: &Query, k: usize) -> Result<Ranking, RankError> {
        check_k(k)?;
        let scores = self.score_all(query)?;
        Ok(self.rank_scores(query, &scores, k))
    }

    /// Ranks the `side` candidates of each of `nodes` under `relation` with one scorer call
    /// and returns one ranking per node, in order. Each row is ranked as [`Self::rank`] would.
    ///
    /// # Errors
    /// [`RankError::InvalidK`] unless `1 ≤ k ≤ MAX_K`, and [`RankError::ScoreShape`] when
    /// the scorer returns the wrong number of scores.
    pub fn rank_many(
        &self,
        nodes: &[u32],
        relation: RelationId,
        side: Side,
        k: usize,
    ) -> Result<Vec<Ranking>, RankError> {
        check_k(k)?;
        let range = candidate_range(self.graph, relation, side);
        let (operation, mut scores) = match side {
            Side::Tail => (
                "score_tails",
                self.scorer.score_tails(nodes, relation, range.clone()),
            ),
            Side::Head => (
                "score_heads",
                self.scorer.score_heads(nodes, relation, range.clone()),
            ),
        };
        if scores.len() != nodes.len() * range.len() {
            return Err(RankError::ScoreShape {
                scorer: self.scorer.name().to_owned(),
                operation,
                expected: nodes.len() * range.len(),
                found: scores.len(),
            });
        }
        replace_nan(&mut scores);
        let width = range.len();
        Ok(nodes
            .iter()
            .enumerate()
            .map(|(i, &node)| {
                let query = Query {
                    node,
                    relation,
                    side,
                };
                self.rank_scores(&query, &scores[i * width..(i + 1) * width], k)
            })
            .collect())
    }

    /// Ranks precomputed scores of all candidates (from [`Self::score_all`]); `k` is not
    /// checked.
    #[must_use]
    pub fn rank_scores(&self, query: &Query, scores: &[f32], k: usize) -> Ranking {
        let range = query.candidates(self.graph);
        let known = self.known_candidates(query);
        let top = top_k_unknown(scores, range.start, known, k);

        // Scores of known candidates, best first, to count how many beat each candidate.
        let mut known_scores: Vec<f32> = known
            .iter()
            .filter(|n| range.contains(n))
            .map(|&n| scores[(n - range.start) as usize])
            .collect();
        known_scores.sort_unstable_by(|a, b| b.total_cmp(a));
        let known_removed = known_scores.len();

        let calibration = self
            .calibration
            .and_then(|c| c.relation(self.graph, query.relation));
        let total = scores.len();
        let mut candidates = Vec::with_capacity(top.len());
        let mut known_above = 0;
        let mut first_of_score = 0;
        for (index, &(score, node)) in top.iter().enumerate() {
            // Unknown candidates with a strictly higher score are exactly those ranked before
            // the first candidate with this score.
            if index > 0 && top[index - 1].0 > score {
                first_of_score = index;
            }
            while known_above < known_scores.len() && known_scores[known_above] > score {
                known_above += 1;
            }
            #[allow(clippy::cast_precision_loss)]
            let percentile = 100.0 * (total - first_of_score - known_above) as f64 / total as f64;
            candidates.push(RankedCandidate {
                node,
                score,
                rank: index + 1,
                percentile,
                probability: calibration.map(|c| c.platt.probability(score)),
            });
        }
        Ranking {
            query: *query,
            candidates,
            total_candidates: total,
            known_removed,
        }
    }
}

/// Replaces NaN scores by −∞ so that they rank last.
fn replace_nan(scores: &mut [f32]) {
    for score in scores {
        if score.is_nan() {
            *score = f32::NEG_INFINITY;
        }
    }
}

/// Checks that `1 ≤ k ≤ MAX_K`.
///
/// # Errors
/// [`RankError::InvalidK`] otherwise.
pub fn check_k(k: usize) -> Result<(), RankError> {
    if k == 0 || k > MAX_K {
        return Err(RankError::InvalidK {
            k: i64::try_from(k).unwrap_or(i64::MAX),
            max: MAX_K,
        });
    }
    Ok(())
}

/// A (score, node) pair ordered so that the *worse* candidate is greater: a lower score, or
/// an equal score with a higher node index. A max-heap of these keeps the worst on top.
#[derive(Clone, Copy, PartialEq)]
struct Worst(f32, u32);

impl Eq for Worst {}

impl PartialOrd for Worst {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Worst {
    fn cmp(&self, other: &Self) -> Ordering {
        other.0.total_cmp(&self.0).then(self.1.cmp(&other.1))
    }
}

/// Returns the best `k` (score, node) pairs whose node is not in `known` (sorted), best
/// first; `scores[i]` belongs to node `start + i`. O(n log k).
fn top_k_unknown(scores: &[f32], start: u32, known: &[u32], k: usize) -> Vec<(f32, u32)> {
    let mut heap: BinaryHeap<Worst> = BinaryHeap::with_capacity(k + 1);
    let mut known = known.iter().copied().peekable();
    // The worst score kept once the heap is full: most candidates score below it and are
    // dropped by one comparison. Ties go on to the full ordering, which compares nodes.
    let mut threshold = f32::NEG_INFINITY;
    for (offset, &score) in scores.iter().enumerate() {
        if score < threshold {
            continue;
        }
        let node = start + u32::try_from(offset).expect("candidate ranges fit u32");
        while known.next_if(|&n| n < node).is_some() {}
        if known.next_if_eq(&node).is_some() {
            continue;
        }
        if heap.len() < k {
            heap.push(Worst(score, node));
        } else if let Some(mut worst) = heap.peek_mut() {
            if Worst(score, node) < *worst {
                *worst = Worst(score, node);
            }
        }
        if heap.len() == k {
            threshold = heap.peek().map_or(threshold, |worst| worst.0);
        }
    }
    heap.into_sorted_vec()
        .into_iter()
        .map(|Worst(score, node)| (score, node))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn top_k_skips_known_and_orders() {
        let scores = [0.5, 0.9, 0.1, 0.9, 0.7];
        let top = top_k_unknown(&scores, 10, &[11], 3);
        assert_eq!(top, vec![(0.9, 13), (0.7, 14), (0.5, 10)]);
    }

    #[test]
    fn ties_break_by_node_index() {
        let scores = [1.0, 1.0, 1.0];
        let top = top_k_unknown(&scores, 0, &[], 2);
        assert_eq!(top, vec![(1.0, 0), (1.0, 1)]);
    }

    #[test]
    fn rank_many_equals_rank_per_node() {
        use crate::eval::{DegreePrior, FilterGroups};
        use crate::kg::fixture::indication_graph;

        let edges = [(0, 0), (0, 1), (1, 1), (2, 3), (3, 3), (4, 3)].map(|(c, d)| (c, "CtD", d));
        let graph = indication_graph(5, &edges);
        let prior = DegreePrior::new(&graph, graph.edges());
        let known = KnownTriples::new(
            &graph,
            graph.edges(),
            &FilterGroups::indications(graph.schema()),
        );
        let ranker = Ranker::new(&graph, &prior, &known, None);
        let ctd = graph.schema().relation_id("CtD").unwrap();
        let compounds: Vec<u32> = graph
            .kind_range(graph.schema().kind_id("Compound").unwrap())
            .collect();

        let many = ranker.rank_many(&compounds, ctd, Side::Tail, 3).unwrap();
        assert_eq!(many.len(), compounds.len());
        for (&node, ranking) in compounds.iter().zip(&many) {
            let single = ranker
                .rank(&Query::new(&graph, node, ctd).unwrap(), 3)
                .unwrap();
            assert_eq!(ranking, &single, "node {node}");
        }
    }

    #[test]
    fn k_out_of_range_is_rejected() {
        assert!(check_k(0).is_err());
        assert!(check_k(MAX_K + 1).is_err());
        assert!(check_k(1).is_ok());
        assert!(check_k(MAX_K).is_ok());
    }

    proptest! {
        #[test]
        fn top_k_matches_full_sort(
            scores in proptest::collection::vec(-5i8..5, 1..200),
            known_mask in proptest::collection::vec(any::<bool>(), 200),
            k in 1usize..50,
        ) {
            let scores: Vec<f32> = scores.into_iter().map(f32::from).collect();
            let known: Vec<u32> = (0..scores.len() as u32).filter(|&i| known_mask[i as usize]).collect();
            let mut expected: Vec<(f32, u32)> = scores
                .iter()
                .enumerate()
                .map(|(i, &s)| (s, i as u32))
                .filter(|(_, n)| !known.contains(n))
                .collect();
            expected.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            expected.truncate(k);
            prop_assert_eq!(top_k_unknown(&scores, 0, &known, k), expected);
        }
    }
}
