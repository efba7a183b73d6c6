//! The evaluation report: every metric of every scorer on one split, with the settings needed
//! to reproduce it, written as `metrics.json`.
//!
//! A report contains the model's evaluation (when there is a model) and always the degree-prior
//! baseline's, computed with the same split, filter, negatives and seed. [`super::table`]
//! prints it as text.
//!
//! ```
//! use rxgraph::eval::{evaluate_scorer, DegreePrior, EvalConfig, EvaluationReport, KnownTriples};
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
//! let config = EvalConfig::new(graph.schema(), 42);
//! let known = KnownTriples::new(&graph, graph.edges(), &config.filter_groups);
//! let prior = DegreePrior::new(&graph, &split.train(&graph));
//! let baseline = evaluate_scorer(&prior, &graph, &split, &known, &config).unwrap();
//!
//! let report = EvaluationReport::new(&graph, &split, &config, None, baseline);
//! let dir = tempfile::tempdir().unwrap();
//! report.write(&dir.path().join("metrics.json")).unwrap();
//! ```

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::classification::ThresholdMetrics;
use super::error::EvalError;
use super::negatives::NegativeProtocol;
use super::protocol::EvalConfig;
use super::ranks::{RankMetrics, Side};
use crate::kg::split::LeakageReport;
use crate::kg::{KnowledgeGraph, Split, SplitConfig};

/// Version of the `metrics.json` layout; raised when a field changes meaning.
pub const REPORT_VERSION: u32 = 1;

/// All metrics of one evaluation run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvaluationReport {
    /// Layout version, [`REPORT_VERSION`].
    pub version: u32,
    /// Name of the split.
    pub split: String,
    /// Settings the split was made with.
    pub split_config: SplitConfig,
    /// Leakage between the split's training part and its held-out parts.
    pub leakage: LeakageReport,
    /// Seed of the 1:1 negatives.
    pub seed: u64,
    /// Groups of relations whose known triples filter each other's candidates.
    pub filter_groups: Vec<Vec<String>>,
    /// Query nodes per scorer call in the ranking protocol.
    pub batch_size: usize,
    /// Negative protocols used, each with the rule that chose its negatives.
    pub negative_protocols: Vec<ProtocolDescription>,
    /// The model's evaluation; `None` when only the baseline was run.
    pub model: Option<ModelEvaluation>,
    /// The degree-prior baseline's evaluation on the same split.
    pub baseline: ModelEvaluation,
}

/// One negative protocol and what it means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProtocolDescription {
    /// Protocol.
    pub protocol: NegativeProtocol,
    /// Rule that chose its negatives.
    pub description: String,
}

/// All metrics of one scorer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelEvaluation {
    /// Scorer name (`degree prior`, `TransE`).
    pub model: String,
    /// Ranking metrics over all target relations together.
    pub overall: RankingMetrics,
    /// Metrics per target relation that has test triples.
    pub relations: Vec<RelationEvaluation>,
    /// Wall-clock time of the evaluation, in seconds.
    pub seconds: f64,
}

/// Metrics of one scorer on one target relation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RelationEvaluation {
    /// Relation abbreviation (`CtD`).
    pub relation: String,
    /// Number of test triples.
    pub test_triples: usize,
    /// Number of validation triples (used to choose the threshold).
    pub valid_triples: usize,
    /// Raw and filtered rank metrics per side.
    pub ranking: RankingMetrics,
    /// Entity-centric Recall@k and Precision@k per side and cut-off.
    pub top_k: Vec<TopKMetrics>,
    /// AUROC and AUPRC, one entry per negative protocol.
    pub classification: Vec<BinaryMetrics>,
    /// Accuracy, precision, recall and F1 on the 1:1 test set at the threshold that maximises
    /// F1 on the 1:1 validation set; `None` without validation triples.
    pub threshold: Option<ThresholdMetrics>,
}

/// Rank metrics for head queries, tail queries and both together.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RankingMetrics {
    /// Queries (?, r, t): heads ranked (compounds for a disease).
    pub head: SideMetrics,
    /// Queries (h, r, ?): tails ranked (diseases for a compound).
    pub tail: SideMetrics,
    /// Head and tail queries pooled.
    pub both: SideMetrics,
}

/// Raw and filtered rank metrics of one set of queries; `None` for an empty set.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SideMetrics {
    /// Ranked among all candidates of the right kind.
    pub raw: Option<RankMetrics>,
    /// Ranked after removing the other known true triples.
    pub filtered: Option<RankMetrics>,
}

/// Entity-centric top-k metrics, macro-averaged over the query nodes.
///
/// For each node with test answers (each test disease, for `side: head`), all candidates are
/// ranked with known triples removed except that node's test answers. Recall@k is the share of
/// its answers among the first k, Precision@k the share of the k places they take. Ties at the
/// k-th place count fractionally, as their expected share under a random order.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TopKMetrics {
    /// End that was ranked (`head`: compounds per disease, i.e. disease-centric).
    pub side: Side,
    /// Cut-off.
    pub k: usize,
    /// Number of query nodes averaged over.
    pub entities: usize,
    /// Mean Recall@k, in [0, 1].
    pub recall: f64,
    /// Mean Precision@k, in [0, 1].
    pub precision: f64,
}

/// AUROC and AUPRC under one negative protocol.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BinaryMetrics {
    /// Negative protocol used.
    pub negatives_protocol: NegativeProtocol,
    /// Number of positive (test) triples.
    pub positives: usize,
    /// Number of negatives.
    pub negatives: usize,
    /// Negatives per positive, the stated ratio.
    pub negatives_per_positive: f64,
    /// Area under the ROC curve; `None` without positives or negatives.
    pub auroc: Option<f64>,
    /// Average precision; `None` without positives.
    pub auprc: Option<f64>,
}

impl EvaluationReport {
    /// Assembles a report from the evaluations of the model (if any) and the baseline.
    #[must_use]
    pub fn new(
        graph: &KnowledgeGraph,
        split: &Split,
        config: &EvalConfig,
        model: Option<ModelEvaluation>,
        baseline: ModelEvaluation,
    ) -> Self {
        let mut negative_protocols = vec![ProtocolDescription {
            protocol: NegativeProtocol::OneToOne,
            description: "one negative per positive: a (head, tail) pair drawn uniformly from \
                          the relation's kinds, not a known triple of its filter group; seeded"
                .into(),
        }];
        if config.all_pairs {
            negative_protocols.push(ProtocolDescription {
                protocol: NegativeProtocol::AllPairs,
                description: "every (head, tail) pair of the relation's kinds that is not a \
                              known triple of its filter group"
                    .into(),
            });
        }
        Self {
            version: REPORT_VERSION,
            split: split.config.name.clone(),
            split_config: split.config.clone(),
            leakage: split.leakage.clone(),
            seed: config.seed,
            filter_groups: config.filter_groups.abbreviations(graph.schema()),
            batch_size: config.ranking.batch_size,
            negative_protocols,
            model,
            baseline,
        }
    }

    /// Returns the evaluations in table order: the model first, then the baseline.
    #[must_use]
    pub fn evaluations(&self) -> Vec<&ModelEvaluation> {
        self.model
            .iter()
            .chain(std::iter::once(&self.baseline))
            .collect()
    }

    /// Writes the report as pretty-printed JSON, creating the parent directory.
    ///
    /// # Errors
    /// The directory or file cannot be written.
    pub fn write(&self, path: &Path) -> Result<(), EvalError> {
        let failed = |source| EvalError::Write {
            path: path.to_owned(),
            source,
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(failed)?;
        }
        let json = serde_json::to_string_pretty(self).expect("an evaluation report serialises");
        std::fs::write(path, json + "\n").map_err(failed)
    }
}
