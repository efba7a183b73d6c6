//! Ranked candidates with their evidence: paths, passages and, for genes, target facts.
//!
//! [`Evidence`] gathers the optional sources (a [`PathExplainer`], a [`MentionIndex`],
//! [`GeneAnnotations`]); [`Evidence::candidates`] turns a [`Ranking`] into
//! [`CandidateEvidence`] rows that the CLI prints and the report renders.
//!
//! ```
//! use rxgraph::eval::{DegreePrior, FilterGroups, KnownTriples};
//! use rxgraph::kg::{GraphBuilder, Schema};
//! use rxgraph::rank::{Evidence, ExplainOptions, PathExplainer, Query, Ranker};
//!
//! let mut builder = GraphBuilder::new(Schema::hetionet());
//! builder.add_node("DB1", "Compound", "drug one", None).unwrap();
//! builder.add_node("DB2", "Compound", "drug two", None).unwrap();
//! builder.add_node("DOID:1", "Disease", "disease", None).unwrap();
//! builder.add_edge("Compound::DB1", "CtD", "Disease::DOID:1", None);
//! builder.add_edge("Compound::DB1", "CrC", "Compound::DB2", None);
//! let graph = builder.build().unwrap();
//!
//! let prior = DegreePrior::new(&graph, graph.edges());
//! let known = KnownTriples::new(&graph, graph.edges(), &FilterGroups::indications(graph.schema()));
//! let ranker = Ranker::new(&graph, &prior, &known, None);
//! let ctd = graph.schema().relation_id("CtD").unwrap();
//! let query = Query::new(&graph, graph.find("DOID:1").unwrap(), ctd).unwrap();
//! let ranking = ranker.rank(&query, 5).unwrap();
//!
//! let explainer = PathExplainer::new(&graph, ExplainOptions::default());
//! let evidence = Evidence { explainer: Some(&explainer), mentions: None, annotations: None };
//! let rows = evidence.candidates(&graph, &ranking, &[ctd]);
//! assert_eq!(rows[0].name, "drug two");
//! assert_eq!(rows[0].explanation.as_ref().unwrap().metapaths[0].abbreviation, "CrCtD");
//! ```

use std::path::Path;

use serde::Serialize;

use super::error::RankError;
use super::explain::{Explanation, PathExplainer};
use super::export::PredictionRow;
use super::facts::{gene_facts, GeneAnnotations, GeneFacts};
use super::literature::{MentionIndex, PassageEvidence};
use super::predict::{RankedCandidate, Ranking};
use crate::kg::{KnowledgeGraph, RelationId};

/// Passages listed per candidate.
pub const PASSAGES_PER_CANDIDATE: usize = 5;

/// The optional evidence sources; `None` leaves that evidence out.
#[derive(Clone, Copy, Default)]
pub struct Evidence<'a> {
    /// Path search in the graph.
    pub explainer: Option<&'a PathExplainer<'a>>,
    /// Passages by mentioned node.
    pub mentions: Option<&'a MentionIndex>,
    /// Gene names and UniProt accessions; target facts are collected only when this is set.
    pub annotations: Option<&'a GeneAnnotations>,
}

/// One ranked candidate with its evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CandidateEvidence {
    /// Rank, score, percentile and probability.
    #[serde(flatten)]
    pub ranked: RankedCandidate,
    /// Node id.
    pub id: String,
    /// Node name.
    pub name: String,
    /// Paths between the query node and the candidate, compound end first.
    pub explanation: Option<Explanation>,
    /// Passages that mention both.
    pub passages: Vec<PassageEvidence>,
    /// Facts about the candidate when it is a gene.
    pub gene: Option<GeneFacts>,
}

impl Evidence<'_> {
    /// Collects the evidence of every candidate of `ranking`. Direct edges of `excluded`
    /// relations (the queried relation's filter group) do not count as paths.
    #[must_use]
    pub fn candidates(
        &self,
        graph: &KnowledgeGraph,
        ranking: &Ranking,
        excluded: &[RelationId],
    ) -> Vec<CandidateEvidence> {
        let gene_kind = graph.schema().kind_id("Gene");
        ranking
            .candidates
            .iter()
            .map(|ranked| {
                let (head, tail) = ranking.query.pair(ranked.node);
                let node = graph.node(ranked.node);
                let explanation = self
                    .explainer
                    .map(|explainer| explainer.explain(head, tail, excluded));
                let passages = self.mentions.map_or_else(Vec::new, |mentions| {
                    mentions.co_mentions(
                        &graph.node(head).id,
                        &graph.node(tail).id,
                        PASSAGES_PER_CANDIDATE,
                    )
                });
                let gene = self
                    .annotations
                    .filter(|_| Some(node.kind) == gene_kind)
                    .map(|annotations| gene_facts(graph, ranked.node, annotations));
                CandidateEvidence {
                    ranked: *ranked,
                    id: node.id.clone(),
                    name: node.name.clone(),
                    explanation,
                    passages,
                    gene,
                }
            })
            .collect()
    }
}

/// Reads the passages index and the gene annotations of the work directory at `workdir`.
/// `data_dir` replaces the work directory's gene tables (a warning names the tables it
/// lacks). A work directory from an older ingest without the tables falls back to the
/// copies compiled into rxgraph.
///
/// # Errors
/// A present file is unreadable or malformed.
pub fn read_sources(
    workdir: &Path,
    data_dir: Option<&Path>,
) -> Result<(Option<MentionIndex>, GeneAnnotations), RankError> {
    let mentions = MentionIndex::read(workdir)?;
    if mentions.is_none() {
        tracing::info!(
            "no mentions.parquet in the work directory: explanations have no literature passages"
        );
    }
    let annotations = match data_dir {
        Some(dir) => {
            let annotations = GeneAnnotations::read(&[dir.to_path_buf()])?;
            let missing = annotations.missing_tables();
            if !missing.is_empty() {
                tracing::warn!(
                    data_dir = %dir.display(),
                    missing = %missing.join(", "),
                    "--data-dir lacks gene annotation tables: target facts have no gene names \
                     or UniProt accessions from them"
                );
            }
            annotations
        }
        None => stored_annotations(workdir)?,
    };
    for source in &annotations.sources {
        tracing::info!(path = %source.display(), "gene annotations read");
    }
    Ok((mentions, annotations))
}

/// Reads the gene tables that `ingest` stored in the work directory, completed by the
/// compiled-in copies for a work directory written before ingest stored them.
fn stored_annotations(workdir: &Path) -> Result<GeneAnnotations, RankError> {
    let mut annotations = GeneAnnotations::read(&[workdir.to_path_buf()])?;
    let missing = annotations.missing_tables();
    if !missing.is_empty() {
        tracing::info!(
            workdir = %workdir.display(),
            missing = %missing.join(", "),
            "the work directory lacks gene annotation tables (an older ingest wrote none): \
             using the copies compiled into rxgraph; run `rxgraph ingest --force` to store them"
        );
        annotations.add_embedded(&missing)?;
    }
    Ok(annotations)
}

/// Flattens candidates into table rows.
#[must_use]
pub fn prediction_rows(
    graph: &KnowledgeGraph,
    ranking: &Ranking,
    candidates: &[CandidateEvidence],
) -> Vec<PredictionRow> {
    let query = graph.node(ranking.query.node);
    let relation = &graph.schema().relations[ranking.query.relation as usize].abbreviation;
    candidates
        .iter()
        .map(|c| {
            let top = c.explanation.as_ref().and_then(|e| e.metapaths.first());
            PredictionRow {
                rank: c.ranked.rank,
                query_id: query.id.clone(),
                query_name: query.name.clone(),
                relation: relation.clone(),
                candidate_id: c.id.clone(),
                candidate_name: c.name.clone(),
                score: c.ranked.score,
                percentile: c.ranked.percentile,
                probability: c.ranked.probability,
                top_metapath: top.map(|m| m.abbreviation.clone()),
                top_metapath_share: top.map(|m| m.share),
                path_count: c.explanation.as_ref().map_or(0, |e| e.path_count),
                passages: c.passages.len(),
            }
        })
        .collect()
}
