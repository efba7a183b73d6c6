//! Ranked predictions: score every candidate for a query, remove known links, keep the top
//! k, calibrate the scores and explain each candidate.
//!
//! Entry points:
//! - [`resolve_entity`] turns an id or a name into a node, with closest matches on a miss.
//! - [`Query`] and [`Ranker`] score, filter and rank ([`predict`]).
//! - [`Calibration`] maps scores to probabilities with Platt scaling ([`calibrate`]).
//! - [`PathExplainer`] finds metapaths weighted by DWPC ([`explain`]); [`MentionIndex`]
//!   finds passages naming both ends ([`literature`]); [`gene_facts`] describes a target
//!   ([`facts`]); [`Evidence`] gathers all three per candidate ([`evidence`]).
//! - [`RankingTable`] keeps the top candidates of every node of a kind, ranked once, for
//!   a server ([`table`]).
//! - [`export`] writes the ranked table as CSV or Parquet and the scores of all pairs.
//!
//! ```
//! use rxgraph::eval::{DegreePrior, FilterGroups, KnownTriples};
//! use rxgraph::kg::{GraphBuilder, Schema};
//! use rxgraph::rank::{resolve_entity, Query, Ranker};
//!
//! let mut builder = GraphBuilder::new(Schema::hetionet());
//! builder.add_node("DB1", "Compound", "drug one", None).unwrap();
//! builder.add_node("DB2", "Compound", "drug two", None).unwrap();
//! builder.add_node("DOID:1", "Disease", "asthma", None).unwrap();
//! builder.add_node("DOID:2", "Disease", "gout", None).unwrap();
//! builder.add_edge("Compound::DB1", "CtD", "Disease::DOID:1", None);
//! builder.add_edge("Compound::DB1", "CtD", "Disease::DOID:2", None);
//! let graph = builder.build().unwrap();
//!
//! let prior = DegreePrior::new(&graph, graph.edges());
//! let known = KnownTriples::new(&graph, graph.edges(), &FilterGroups::indications(graph.schema()));
//! let disease = resolve_entity(&graph, "Asthma", &[graph.schema().kind_id("Disease").unwrap()]).unwrap();
//! let query = Query::new(&graph, disease, graph.schema().relation_id("CtD").unwrap()).unwrap();
//! let ranking = Ranker::new(&graph, &prior, &known, None).rank(&query, 20).unwrap();
//! assert_eq!(graph.node(ranking.candidates[0].node).name, "drug two");
//! ```

pub mod calibrate;
mod error;
pub mod evidence;
pub mod explain;
pub mod export;
pub mod facts;
pub mod literature;
pub mod predict;
pub mod resolve;
pub mod table;

pub use calibrate::{Calibration, PlattScaling, RelationCalibration};
pub use error::RankError;
pub use evidence::{prediction_rows, CandidateEvidence, Evidence};
pub use explain::{ExplainOptions, Explanation, MetapathEvidence, PathEvidence, PathExplainer};
pub use export::{write_all_pairs, write_csv, write_parquet, PredictionRow};
pub use facts::{gene_facts, FactGroup, GeneAnnotations, GeneFacts};
pub use literature::{MentionIndex, PassageEvidence};
pub use predict::{check_k, Query, RankedCandidate, Ranker, Ranking, MAX_K};
pub use resolve::{closest_matches, resolve_entity};
pub use table::RankingTable;
