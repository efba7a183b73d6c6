//! The filtered ranking protocol: score every candidate of the right kind for each test
//! query, in batches and in parallel, and rank the true answers.
//!
//! Each test triple (h, r, t) gives two queries: (h, r, ?) ranks t among all nodes of r's
//! target kind, and (?, r, t) ranks h among all nodes of r's source kind. No negatives are
//! sampled. Queries that share their given node (two test diseases of one compound) share one
//! score row, so a batch of `batch_size` distinct nodes needs `batch_size × candidates` `f32`
//! scores per rayon worker: 256 × 20,945 genes is 21 MB.
//!
//! The same score rows give the entity-centric top-k metrics: for each test disease, the
//! compounds ranked for it (filtered), and how many of its test compounds are among the top k.
//!
//! ```
//! use rxgraph::eval::{rank_test_triples, DegreePrior, FilterGroups, KnownTriples, RankingOptions};
//! use rxgraph::kg::{GraphBuilder, Schema};
//!
//! let mut builder = GraphBuilder::new(Schema::hetionet());
//! for i in 0..4 {
//!     builder.add_node(&format!("DB{i}"), "Compound", "c", None).unwrap();
//!     builder.add_node(&format!("DOID:{i}"), "Disease", "d", None).unwrap();
//! }
//! builder.add_edge("Compound::DB0", "CtD", "Disease::DOID:0", None);
//! builder.add_edge("Compound::DB0", "CtD", "Disease::DOID:1", None);
//! let graph = builder.build().unwrap();
//! let (train, test) = (&graph.edges()[..1], &graph.edges()[1..]);
//!
//! let scorer = DegreePrior::new(&graph, train);
//! let groups = FilterGroups::indications(graph.schema());
//! let known = KnownTriples::new(&graph, graph.edges(), &groups);
//! let options = RankingOptions::default();
//! let outcome = rank_test_triples(&scorer, &graph, test, &known, &options).unwrap();
//! assert_eq!(outcome.ranks.len(), 2); // one head and one tail query
//! ```

use std::collections::BTreeMap;
use std::ops::Range;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::error::EvalError;
use super::filter::KnownTriples;
use super::ranks::{raw_and_filtered_rank, QueryRank, Rank, Side};
use crate::kg::{KnowledgeGraph, RelationId, Triple};
use crate::model::LinkScorer;
use crate::progress::Progress;

/// Settings of the ranking protocol.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RankingOptions {
    /// Distinct query nodes scored per scorer call; memory per worker is
    /// `batch_size × candidates × 4` bytes.
    pub batch_size: usize,
    /// Cut-offs of the entity-centric Recall@k and Precision@k.
    pub top_k: Vec<usize>,
    /// Draw a progress bar (only on a terminal).
    #[serde(skip)]
    pub show_progress: bool,
}

impl Default for RankingOptions {
    fn default() -> Self {
        Self {
            batch_size: 256,
            top_k: vec![10, 50, 100],
            show_progress: false,
        }
    }
}

/// The entity-centric result of one query node: the expected number of its test answers
/// among the top k candidates, for each k of [`RankingOptions::top_k`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntityTopK {
    /// Relation of the query.
    pub relation: RelationId,
    /// End that was predicted (`head`: compounds ranked for a disease).
    pub side: Side,
    /// The given node (the disease, for a disease-centric query).
    pub entity: u32,
    /// Number of test answers of this node.
    pub answers: usize,
    /// Expected hits among the top k, one per cut-off; ties are split as in [`Rank`].
    pub expected_hits: Vec<f64>,
}

/// Ranks and entity-centric results of one scorer on one set of test triples.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RankingOutcome {
    /// One rank per test triple and side.
    pub ranks: Vec<QueryRank>,
    /// One entry per distinct query node, relation and side.
    pub top_k: Vec<EntityTopK>,
}

/// Queries of one relation and side that share their given node.
struct QueryGroup {
    anchor: u32,
    answers: Vec<u32>,
}

/// Ranks the head and the tail of every triple in `test` against all nodes of the right kind.
///
/// `known` contains the true triples to filter (train ∪ valid ∪ test). Results come in the
/// order relation, side (tail first), query node.
///
/// # Errors
/// A triple whose nodes are not of its relation's kinds, a scorer that returns a matrix of the
/// wrong size, or a zero batch size or cut-off.
pub fn rank_test_triples(
    scorer: &dyn LinkScorer,
    graph: &KnowledgeGraph,
    test: &[Triple],
    known: &KnownTriples,
    options: &RankingOptions,
) -> Result<RankingOutcome, EvalError> {
    check_options(options)?;
    check_kinds(graph, test)?;
    let mut by_relation: BTreeMap<RelationId, Vec<Triple>> = BTreeMap::new();
    for triple in test {
        by_relation
            .entry(triple.relation)
            .or_default()
            .push(*triple);
    }
    let progress = Progress::new(
        options.show_progress,
        2 * test.len() as u64,
        "ranking test triples",
    );

    let mut outcome = RankingOutcome::default();
    for (&relation, triples) in &by_relation {
        for side in [Side::Tail, Side::Head] {
            let candidates = candidate_range(graph, relation, side);
            let groups = group_queries(triples, side);
            let results: Vec<(Vec<QueryRank>, EntityTopK)> = groups
                .par_chunks(options.batch_size)
                .map(|batch| {
                    let ranked = rank_batch(
                        scorer,
                        known,
                        relation,
                        side,
                        &candidates,
                        batch,
                        &options.top_k,
                    );
                    progress.inc(batch.iter().map(|g| g.answers.len() as u64).sum());
                    ranked
                })
                .collect::<Result<Vec<_>, _>>()?
                .into_iter()
                .flatten()
                .collect();
            for (ranks, top_k) in results {
                outcome.ranks.extend(ranks);
                outcome.top_k.push(top_k);
            }
        }
    }
    progress.finish();
    Ok(outcome)
}

fn check_options(options: &RankingOptions) -> Result<(), EvalError> {
    if options.batch_size == 0 {
        return Err(EvalError::InvalidSetting {
            name: "batch_size",
            value: "0".into(),
            reason: "at least one query node per batch is needed".into(),
        });
    }
    if options.top_k.contains(&0) {
        return Err(EvalError::InvalidSetting {
            name: "top_k",
            value: format!("{:?}", options.top_k),
            reason: "every cut-off k must be at least 1".into(),
        });
    }
    Ok(())
}

/// Returns the index range of the nodes that can fill `side` of `relation`.
#[must_use]
pub fn candidate_range(graph: &KnowledgeGraph, relation: RelationId, side: Side) -> Range<u32> {
    let spec = &graph.schema().relations[relation as usize];
    match side {
        Side::Head => graph.kind_range(spec.source),
        Side::Tail => graph.kind_range(spec.target),
    }
}

/// Checks that every triple's head and tail are of its relation's source and target kinds.
fn check_kinds(graph: &KnowledgeGraph, triples: &[Triple]) -> Result<(), EvalError> {
    for triple in triples {
        for (node, side) in [(triple.head, Side::Head), (triple.tail, Side::Tail)] {
            let range = candidate_range(graph, triple.relation, side);
            if !range.contains(&node) {
                return Err(EvalError::WrongKind {
                    head: triple.head,
                    relation: graph.schema().relations[triple.relation as usize]
                        .abbreviation
                        .clone(),
                    tail: triple.tail,
                    node,
                    start: range.start,
                    end: range.end,
                });
            }
        }
    }
    Ok(())
}

/// Groups the triples by their given node: the head for tail queries, the tail for head
/// queries.
fn group_queries(triples: &[Triple], side: Side) -> Vec<QueryGroup> {
    let mut by_anchor: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for triple in triples {
        let (anchor, answer) = match side {
            Side::Tail => (triple.head, triple.tail),
            Side::Head => (triple.tail, triple.head),
        };
        by_anchor.entry(anchor).or_default().push(answer);
    }
    by_anchor
        .into_iter()
        .map(|(anchor, answers)| QueryGroup { anchor, answers })
        .collect()
}

/// Scores one batch of query nodes and ranks their answers.
fn rank_batch(
    scorer: &dyn LinkScorer,
    known: &KnownTriples,
    relation: RelationId,
    side: Side,
    candidates: &Range<u32>,
    batch: &[QueryGroup],
    top_k: &[usize],
) -> Result<Vec<(Vec<QueryRank>, EntityTopK)>, EvalError> {
    let anchors: Vec<u32> = batch.iter().map(|g| g.anchor).collect();
    let (scores, operation) = match side {
        Side::Tail => (
            scorer.score_tails(&anchors, relation, candidates.clone()),
            "score_tails",
        ),
        Side::Head => (
            scorer.score_heads(&anchors, relation, candidates.clone()),
            "score_heads",
        ),
    };
    let width = candidates.len();
    if scores.len() != anchors.len() * width {
        return Err(EvalError::ScoreShape {
            scorer: scorer.name().to_owned(),
            operation,
            expected: anchors.len() * width,
            found: scores.len(),
        });
    }

    let mut results = Vec::with_capacity(batch.len());
    for (group, row) in batch.iter().zip(scores.chunks_exact(width.max(1))) {
        let known_answers = match side {
            Side::Tail => known.tails_of(group.anchor, relation),
            Side::Head => known.heads_of(group.anchor, relation),
        };
        let position = |node: u32| (node - candidates.start) as usize;
        let known_positions: Vec<usize> = known_answers
            .iter()
            .filter(|n| candidates.contains(n))
            .map(|&n| position(n))
            .collect();
        let answer_positions: Vec<usize> = group.answers.iter().map(|&n| position(n)).collect();

        // Standard filtered rank: every other known true candidate is removed.
        let mut ranks = Vec::with_capacity(group.answers.len());
        for (&answer, &node) in answer_positions.iter().zip(&group.answers) {
            let others: Vec<usize> = known_positions
                .iter()
                .copied()
                .filter(|&p| p != answer)
                .collect();
            let (raw, filtered) = raw_and_filtered_rank(row, answer, &others);
            let triple = match side {
                Side::Tail => Triple {
                    head: group.anchor,
                    relation,
                    tail: node,
                },
                Side::Head => Triple {
                    head: node,
                    relation,
                    tail: group.anchor,
                },
            };
            ranks.push(QueryRank {
                triple,
                side,
                raw,
                filtered,
            });
        }

        // Top-k filter: known candidates are removed except this node's test answers, which
        // compete with each other for the k places.
        let non_answers: Vec<usize> = known_positions
            .iter()
            .copied()
            .filter(|p| !answer_positions.contains(p))
            .collect();
        let answer_ranks: Vec<Rank> = answer_positions
            .iter()
            .map(|&answer| raw_and_filtered_rank(row, answer, &non_answers).1)
            .collect();
        let expected_hits = top_k
            .iter()
            .map(|&k| answer_ranks.iter().map(|r| r.top_k_probability(k)).sum())
            .collect();
        let top = EntityTopK {
            relation,
            side,
            entity: group.anchor,
            answers: group.answers.len(),
            expected_hits,
        };
        results.push((ranks, top));
    }
    Ok(results)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::FilterGroups;
    use crate::kg::fixture::indication_graph;

    /// Scores a candidate by its node index, so higher indices rank first.
    struct IndexScorer;

    impl LinkScorer for IndexScorer {
        fn score_tails(&self, heads: &[u32], _: RelationId, candidates: Range<u32>) -> Vec<f32> {
            heads
                .iter()
                .flat_map(|_| candidates.clone().map(|c| c as f32))
                .collect()
        }
        fn score_heads(&self, tails: &[u32], _: RelationId, candidates: Range<u32>) -> Vec<f32> {
            tails
                .iter()
                .flat_map(|_| candidates.clone().map(|c| c as f32))
                .collect()
        }
        fn score_triples(&self, triples: &[Triple]) -> Vec<f32> {
            triples.iter().map(|t| (t.head + t.tail) as f32).collect()
        }
        fn name(&self) -> &str {
            "index"
        }
    }

    /// Three compounds, three diseases; DB0 treats all diseases and palliates none.
    fn graph() -> KnowledgeGraph {
        indication_graph(
            3,
            &[(0, "CtD", 0), (0, "CtD", 1), (0, "CtD", 2), (2, "CpD", 0)],
        )
    }

    #[test]
    fn ranks_hand_computed() {
        let g = graph();
        let ctd = g.schema().relation_id("CtD").unwrap();
        let (db0, doid0) = (g.find("DB0").unwrap(), g.find("DOID:0").unwrap());
        let test = [Triple {
            head: db0,
            relation: ctd,
            tail: doid0,
        }];
        let known = KnownTriples::new(&g, g.edges(), &FilterGroups::indications(g.schema()));
        let outcome =
            rank_test_triples(&IndexScorer, &g, &test, &known, &RankingOptions::default()).unwrap();

        // Tail query (DB0, CtD, ?): DOID:0 is the lowest of three diseases, raw rank 3; the
        // other two are known CtD tails of DB0, so the filtered rank is 1.
        let tail = outcome.ranks.iter().find(|r| r.side == Side::Tail).unwrap();
        assert_eq!(tail.raw.optimistic, 3);
        assert_eq!(
            tail.filtered,
            Rank {
                optimistic: 1,
                pessimistic: 1,
                candidates: 1
            }
        );

        // Head query (?, CtD, DOID:0): DB0 is the lowest compound, raw rank 3; DB2 palliates
        // DOID:0, and CpD filters CtD candidates, so only DB1 stays above DB0.
        let head = outcome.ranks.iter().find(|r| r.side == Side::Head).unwrap();
        assert_eq!(head.raw.optimistic, 3);
        assert_eq!(
            head.filtered,
            Rank {
                optimistic: 2,
                pessimistic: 2,
                candidates: 2
            }
        );
    }

    #[test]
    fn top_k_counts_answers_among_first_k() {
        let g = graph();
        let ctd = g.schema().relation_id("CtD").unwrap();
        let db0 = g.find("DB0").unwrap();
        let test: Vec<Triple> = g
            .edges()
            .iter()
            .filter(|t| t.relation == ctd)
            .copied()
            .collect();
        let known = KnownTriples::new(&g, g.edges(), &FilterGroups::none());
        let options = RankingOptions {
            top_k: vec![1, 2, 5],
            ..RankingOptions::default()
        };
        let outcome = rank_test_triples(&IndexScorer, &g, &test, &known, &options).unwrap();

        // All three diseases are test answers of DB0, so every place in the top k is a hit.
        let tails = outcome
            .top_k
            .iter()
            .find(|e| e.side == Side::Tail && e.entity == db0)
            .unwrap();
        assert_eq!(tails.answers, 3);
        assert_eq!(tails.expected_hits, vec![1.0, 2.0, 3.0]);
    }

    #[test]
    fn answer_of_wrong_kind_rejected() {
        let g = graph();
        let ctd = g.schema().relation_id("CtD").unwrap();
        let (db0, db1) = (g.find("DB0").unwrap(), g.find("DB1").unwrap());
        let test = [Triple {
            head: db0,
            relation: ctd,
            tail: db1,
        }];
        let known = KnownTriples::new(&g, g.edges(), &FilterGroups::none());
        let error = rank_test_triples(&IndexScorer, &g, &test, &known, &RankingOptions::default())
            .unwrap_err();
        assert!(matches!(error, EvalError::WrongKind { .. }), "{error}");
    }

    #[test]
    fn zero_batch_size_rejected() {
        let g = graph();
        let known = KnownTriples::new(&g, g.edges(), &FilterGroups::none());
        let options = RankingOptions {
            batch_size: 0,
            ..RankingOptions::default()
        };
        let error = rank_test_triples(&IndexScorer, &g, g.edges(), &known, &options).unwrap_err();
        assert!(error.to_string().contains("batch_size = 0"), "{error}");
    }
}
