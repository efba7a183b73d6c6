//! One evaluation of one scorer on one split: the ranking protocol, entity-centric top-k and
//! both classification protocols, per target relation.
//!
//! ```
//! use rxgraph::eval::{evaluate_scorer, DegreePrior, EvalConfig, KnownTriples};
//! use rxgraph::kg::{GraphBuilder, Schema, Split, SplitConfig, Strategy};
//!
//! let mut builder = GraphBuilder::new(Schema::hetionet());
//! for i in 0..20 {
//!     builder.add_node(&format!("DB{i}"), "Compound", "c", None).unwrap();
//!     builder.add_node(&format!("DOID:{i}"), "Disease", "d", None).unwrap();
//!     builder.add_edge(&format!("Compound::DB{i}"), "CtD", &format!("Disease::DOID:{i}"), None);
//! }
//! let graph = builder.build().unwrap();
//! let split_config = SplitConfig::new("demo", &["CtD"], Strategy::Random, 1);
//! let split = Split::make(&graph, &split_config).unwrap();
//!
//! let config = EvalConfig::new(graph.schema(), 42);
//! let known = KnownTriples::new(&graph, graph.edges(), &config.filter_groups);
//! let prior = DegreePrior::new(&graph, &split.train(&graph));
//! let evaluation = evaluate_scorer(&prior, &graph, &split, &known, &config).unwrap();
//! assert_eq!(evaluation.relations[0].relation, "CtD");
//! ```

use std::collections::BTreeMap;
use std::time::Instant;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::classification::{auroc, average_precision, best_f1_threshold, metrics_at};
use super::error::EvalError;
use super::filter::{FilterGroups, KnownTriples};
use super::negatives::{sample_negatives, score_all_pairs, NegativeProtocol};
use super::ranking::{rank_test_triples, EntityTopK, RankingOptions};
use super::ranks::{QueryRank, RankMetrics, Side};
use super::report::{
    BinaryMetrics, ModelEvaluation, RankingMetrics, RelationEvaluation, SideMetrics, TopKMetrics,
};
use crate::kg::{KnowledgeGraph, RelationId, Split, Triple};
use crate::model::LinkScorer;

/// Settings of an evaluation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalConfig {
    /// Relations whose known triples filter each other's candidates.
    pub filter_groups: FilterGroups,
    /// Batch size and top-k cut-offs of the ranking protocol.
    pub ranking: RankingOptions,
    /// Seed of the 1:1 negatives; recorded in the report.
    pub seed: u64,
    /// Also compute AUROC and AUPRC against every unknown pair (slower: 32.5 million pairs
    /// for CbG in Hetionet).
    pub all_pairs: bool,
}

impl EvalConfig {
    /// Returns the defaults: CtD and CpD filter each other, batches of 256, k ∈ {10, 50, 100},
    /// both negative protocols.
    #[must_use]
    pub fn new(schema: &crate::kg::Schema, seed: u64) -> Self {
        Self {
            filter_groups: FilterGroups::indications(schema),
            ranking: RankingOptions::default(),
            seed,
            all_pairs: true,
        }
    }
}

/// Evaluates `scorer` on the test triples of `split`'s target relations.
///
/// `known` must index every true triple (train ∪ valid ∪ test, normally `graph.edges()`)
/// with `config.filter_groups`. Build it once and share it between the model and the baseline.
///
/// # Errors
/// A split without test triples, an invalid setting, or a scorer that returns a score matrix
/// of the wrong size.
pub fn evaluate_scorer(
    scorer: &dyn LinkScorer,
    graph: &KnowledgeGraph,
    split: &Split,
    known: &KnownTriples,
    config: &EvalConfig,
) -> Result<ModelEvaluation, EvalError> {
    let started = Instant::now();
    let test = split.test(graph);
    let valid = split.valid(graph);
    if test.is_empty() {
        return Err(EvalError::NoTestTriples {
            split: split.config.name.clone(),
        });
    }

    let outcome = rank_test_triples(scorer, graph, &test, known, &config.ranking)?;
    let mut relations = Vec::new();
    for &relation in &split.target_relations {
        let of_relation = |t: &&Triple| t.relation == relation;
        let relation_test: Vec<Triple> = test.iter().filter(of_relation).copied().collect();
        if relation_test.is_empty() {
            continue;
        }
        let relation_valid: Vec<Triple> = valid.iter().filter(of_relation).copied().collect();
        let ranks: Vec<QueryRank> = outcome
            .ranks
            .iter()
            .filter(|r| r.triple.relation == relation)
            .copied()
            .collect();
        let top_k: Vec<&EntityTopK> = outcome
            .top_k
            .iter()
            .filter(|e| e.relation == relation)
            .collect();

        let (classification, threshold) = classify(
            scorer,
            graph,
            relation,
            &relation_valid,
            &relation_test,
            known,
            config,
        )?;
        relations.push(RelationEvaluation {
            relation: graph.schema().relations[relation as usize]
                .abbreviation
                .clone(),
            test_triples: relation_test.len(),
            valid_triples: relation_valid.len(),
            ranking: ranking_metrics(&ranks),
            top_k: top_k_metrics(&top_k, &config.ranking.top_k),
            classification,
            threshold,
        });
    }

    let evaluation = ModelEvaluation {
        model: scorer.name().to_owned(),
        overall: ranking_metrics(&outcome.ranks),
        relations,
        seconds: started.elapsed().as_secs_f64(),
    };
    tracing::info!(
        model = %evaluation.model,
        filtered_mrr = evaluation.overall.both.filtered.map(|m| m.mrr),
        seconds = evaluation.seconds,
        "evaluated"
    );
    Ok(evaluation)
}

/// Computes raw and filtered metrics per side and for both sides together.
fn ranking_metrics(ranks: &[QueryRank]) -> RankingMetrics {
    let side = |wanted: Option<Side>| {
        let chosen: Vec<&QueryRank> = ranks
            .iter()
            .filter(|r| wanted.is_none_or(|s| r.side == s))
            .collect();
        let raw: Vec<_> = chosen.iter().map(|r| r.raw).collect();
        let filtered: Vec<_> = chosen.iter().map(|r| r.filtered).collect();
        SideMetrics {
            raw: RankMetrics::from_ranks(&raw),
            filtered: RankMetrics::from_ranks(&filtered),
        }
    };
    RankingMetrics {
        head: side(Some(Side::Head)),
        tail: side(Some(Side::Tail)),
        both: side(None),
    }
}

/// Averages the expected hits of each query node into Recall@k and Precision@k, per side.
fn top_k_metrics(entities: &[&EntityTopK], cut_offs: &[usize]) -> Vec<TopKMetrics> {
    let mut by_side: BTreeMap<&str, Vec<&EntityTopK>> = BTreeMap::new();
    for entity in entities {
        by_side
            .entry(entity.side.as_str())
            .or_default()
            .push(entity);
    }
    let mut metrics = Vec::new();
    for (side, group) in by_side {
        let count = group.len() as f64;
        for (index, &k) in cut_offs.iter().enumerate() {
            let recall = group
                .iter()
                .map(|e| e.expected_hits[index] / e.answers as f64)
                .sum::<f64>()
                / count;
            let precision = group
                .iter()
                .map(|e| e.expected_hits[index] / k as f64)
                .sum::<f64>()
                / count;
            let side = if side == "head" {
                Side::Head
            } else {
                Side::Tail
            };
            metrics.push(TopKMetrics {
                side,
                k,
                entities: group.len(),
                recall,
                precision,
            });
        }
    }
    metrics
}

/// Computes AUROC and AUPRC under both negative protocols, and the threshold metrics on the
/// 1:1 test set at the threshold that maximises F1 on the 1:1 validation set.
fn classify(
    scorer: &dyn LinkScorer,
    graph: &KnowledgeGraph,
    relation: RelationId,
    valid: &[Triple],
    test: &[Triple],
    known: &KnownTriples,
    config: &EvalConfig,
) -> Result<(Vec<BinaryMetrics>, Option<super::ThresholdMetrics>), EvalError> {
    // One random stream per relation and part, so each is reproducible on its own.
    let draw = |count: usize, stream: u64| {
        let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
        rng.set_stream(2 * u64::from(relation) + stream);
        sample_negatives(graph, relation, count, known, &mut rng)
    };
    let score = |triples: &[Triple]| score_triples_checked(scorer, triples);

    let test_positive = score(test)?;
    let test_negative = score(&draw(test.len(), 1))?;
    let mut classification = vec![binary_metrics(
        NegativeProtocol::OneToOne,
        &test_positive,
        &test_negative,
    )];

    let threshold = if valid.is_empty() {
        None
    } else {
        let valid_positive = score(valid)?;
        let valid_negative = score(&draw(valid.len(), 0))?;
        best_f1_threshold(&valid_positive, &valid_negative)
            .map(|threshold| metrics_at(threshold, &test_positive, &test_negative))
    };

    if config.all_pairs {
        let batch_size = config.ranking.batch_size;
        let (positive, negative) =
            score_all_pairs(scorer, graph, relation, test, known, batch_size)?;
        classification.push(binary_metrics(
            NegativeProtocol::AllPairs,
            &positive,
            &negative,
        ));
    }
    Ok((classification, threshold))
}

fn binary_metrics(
    protocol: NegativeProtocol,
    positives: &[f32],
    negatives: &[f32],
) -> BinaryMetrics {
    BinaryMetrics {
        negatives_protocol: protocol,
        positives: positives.len(),
        negatives: negatives.len(),
        negatives_per_positive: negatives.len() as f64 / positives.len().max(1) as f64,
        auroc: auroc(positives, negatives),
        auprc: average_precision(positives, negatives),
    }
}

fn score_triples_checked(
    scorer: &dyn LinkScorer,
    triples: &[Triple],
) -> Result<Vec<f32>, EvalError> {
    let scores = scorer.score_triples(triples);
    if scores.len() != triples.len() {
        return Err(EvalError::ScoreShape {
            scorer: scorer.name().to_owned(),
            operation: "score_triples",
            expected: triples.len(),
            found: scores.len(),
        });
    }
    Ok(scores)
}
