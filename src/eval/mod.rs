//! Evaluation of link scorers: filtered rank metrics, entity-centric top-k, AUROC/AUPRC with
//! stated negatives, threshold metrics, and the degree-prior baseline beside every number.
//!
//! Entry point: [`evaluate_scorer`] runs every protocol for one [`crate::model::LinkScorer`]
//! on one split; [`EvaluationReport`] collects the model's and the baseline's results and
//! writes `metrics.json`; [`write_tables`] prints them.
//!
//! - [`ranks`]: rank of one answer with its tie rule, and MRR, Hits@k, MR, AMRI.
//! - [`ranking`]: the batched, parallel ranking of all test queries.
//! - [`filter`]: known triples and the relation groups that filter each other.
//! - [`classification`] and [`negatives`]: AUROC, AUPRC, thresholds, and their negatives.
//! - [`baseline`]: the degree prior.
//!
//! ```
//! use rxgraph::eval::{evaluate_scorer, DegreePrior, EvalConfig, KnownTriples};
//! use rxgraph::kg::{GraphBuilder, Schema, Split, SplitConfig, Strategy};
//!
//! let mut builder = GraphBuilder::new(Schema::hetionet());
//! for i in 0..30 {
//!     builder.add_node(&format!("DB{i}"), "Compound", "c", None).unwrap();
//!     builder.add_node(&format!("DOID:{i}"), "Disease", "d", None).unwrap();
//!     let (compound, disease) = (format!("Compound::DB{}", i % 7), format!("Disease::DOID:{i}"));
//!     builder.add_edge(&compound, "CtD", &disease, None);
//! }
//! let graph = builder.build().unwrap();
//! let split_config = SplitConfig::new("demo", &["CtD"], Strategy::Random, 3);
//! let split = Split::make(&graph, &split_config).unwrap();
//!
//! let config = EvalConfig::new(graph.schema(), 42);
//! let known = KnownTriples::new(&graph, graph.edges(), &config.filter_groups);
//! let prior = DegreePrior::new(&graph, &split.train(&graph));
//! let evaluation = evaluate_scorer(&prior, &graph, &split, &known, &config).unwrap();
//! let filtered = evaluation.overall.both.filtered.unwrap();
//! assert!(filtered.mrr > 0.0 && filtered.mrr <= 1.0);
//! ```

pub mod baseline;
pub mod classification;
mod error;
pub mod filter;
pub mod negatives;
pub mod protocol;
pub mod ranking;
pub mod ranks;
pub mod report;
pub mod table;

pub use baseline::DegreePrior;
pub use classification::{
    auroc, average_precision, best_f1_threshold, metrics_at, ThresholdMetrics,
};
pub use error::EvalError;
pub use filter::{FilterGroups, KnownTriples};
pub use negatives::{sample_negatives, score_all_pairs, NegativeProtocol};
pub use protocol::{evaluate_scorer, EvalConfig};
pub use ranking::{candidate_range, rank_test_triples, EntityTopK, RankingOptions, RankingOutcome};
pub use ranks::{raw_and_filtered_rank, QueryRank, Rank, RankMetrics, Side};
pub use report::{
    BinaryMetrics, EvaluationReport, ModelEvaluation, RankingMetrics, RelationEvaluation,
    SideMetrics, TopKMetrics,
};
pub use table::write_tables;
