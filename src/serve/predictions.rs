//! Ranked predictions for the API and the materialised predictions graph.
//!
//! Both go through the rank module's [`Ranker`] with the same known links as `rxgraph
//! predict` (every edge of the graph, CtD and CpD filtering each other) and the same
//! calibration. So the server returns the candidates, ranks and percentiles that the CLI prints.
//!
//! With a model, start-up ranks every compound for CtD and CbG and every disease for CtD
//! once ([`RankingTable`]). Those rankings fill the materialised graph and serve top-k
//! requests up to their depth without scoring. Other requests are scored when they arrive.

use oxigraph::model::vocab::{rdf, xsd};
use oxigraph::model::{GraphName, Literal, NamedNode, Quad};
use oxigraph::store::Store;

use super::state::{predictions_graph, ModelHandle};
use crate::eval::{KnownTriples, Side};
use crate::kg::schema::{percent_encode, NODE_NAMESPACE, VOCAB};
use crate::kg::KnowledgeGraph;
use crate::rank::{
    check_k, Calibration, CandidateEvidence, Evidence, ExplainOptions, GeneAnnotations,
    MentionIndex, PathExplainer, Query, RankError, Ranker, Ranking, RankingTable,
};

/// Relations whose predictions are materialised, when the graph has them: the tails of
/// each (diseases and genes of every compound).
pub const MATERIALISED_RELATIONS: [&str; 2] = ["CtD", "CbG"];

/// Rankings computed at start-up: the materialised ones, and the compounds of every disease.
/// Ranking genes for CbG's heads would keep 20,945 rankings, so those are scored per request.
const TABLES: [(&str, Side); 3] = [
    ("CtD", Side::Tail),
    ("CbG", Side::Tail),
    ("CtD", Side::Head),
];

/// Ranking inputs of the server: the known links, the calibration and the evidence sources,
/// loaded once at start-up.
pub struct RankingContext {
    /// Every edge of the graph, with the indication filter groups.
    pub known: KnownTriples,
    /// Platt fits of the model on its split's validation links, when the model has a split.
    pub calibration: Option<Calibration>,
    /// Passages by mentioned node, when the work directory has them.
    pub mentions: Option<MentionIndex>,
    /// Gene names and UniProt accessions for target facts.
    pub annotations: GeneAnnotations,
    /// Rankings of the model computed at start-up ([`Self::build_tables`]).
    pub tables: Vec<RankingTable>,
}

impl RankingContext {
    /// Returns a ranker over `model` for `graph`.
    #[must_use]
    pub fn ranker<'a>(&'a self, graph: &'a KnowledgeGraph, model: &'a ModelHandle) -> Ranker<'a> {
        Ranker::new(
            graph,
            model.scorer.as_ref(),
            &self.known,
            self.calibration.as_ref(),
        )
    }

    /// Ranks the candidates of [`TABLES`] for `model`, `depth` deep, so that
    /// [`Self::rank`] returns them without scoring. Depth 0 keeps no rankings.
    ///
    /// # Errors
    /// The errors of [`RankingTable::build`].
    pub fn build_tables(
        &mut self,
        graph: &KnowledgeGraph,
        model: &ModelHandle,
        depth: usize,
    ) -> Result<(), RankError> {
        let started = std::time::Instant::now();
        let schema = graph.schema();
        let ranker = self.ranker(graph, model);
        let tables = if depth == 0 {
            Vec::new()
        } else {
            TABLES
                .iter()
                .filter_map(|&(abbreviation, side)| {
                    let relation = schema.relation_id(abbreviation)?;
                    Some(RankingTable::build(&ranker, relation, side, depth))
                })
                .collect::<Result<_, _>>()?
        };
        self.tables = tables;
        tracing::info!(
            tables = self.tables.len(),
            depth,
            elapsed_ms = started.elapsed().as_millis(),
            "rankings computed"
        );
        Ok(())
    }

    /// Ranks `query` (from a table when one contains it) and, with `explain`, collects paths,
    /// passages and target facts for each candidate as `rxgraph predict --explain` does.
    ///
    /// # Errors
    /// The errors of [`Ranker::rank`].
    pub fn rank(
        &self,
        graph: &KnowledgeGraph,
        model: &ModelHandle,
        query: &Query,
        k: usize,
        explain: bool,
    ) -> Result<(Ranking, Option<Vec<CandidateEvidence>>), RankError> {
        check_k(k)?;
        let ranking = match self.tables.iter().find_map(|table| table.get(query, k)) {
            Some(ranking) => ranking,
            None => self.ranker(graph, model).rank(query, k)?,
        };
        if !explain {
            return Ok((ranking, None));
        }
        // The explainer's degree tables take one pass over the edges, a few milliseconds,
        // so they are built per request instead of being kept for the server's lifetime.
        let explainer = PathExplainer::new(graph, ExplainOptions::default());
        let evidence = Evidence {
            explainer: Some(&explainer),
            mentions: self.mentions.as_ref(),
            annotations: Some(&self.annotations),
        };
        let excluded = self.known.groups().members(query.relation);
        let candidates = evidence.candidates(graph, &ranking, &excluded);
        Ok((ranking, Some(candidates)))
    }
}

/// Writes the rankings of [`MATERIALISED_RELATIONS`] from `context`'s tables (every
/// compound's top diseases and genes) into the named graph `rx:predictions` of `store`, and
/// returns the number of `rx:Prediction` nodes written.
///
/// # Errors
/// The store rejects the load.
pub fn materialise(
    store: &Store,
    graph: &KnowledgeGraph,
    context: &RankingContext,
    model: &ModelHandle,
) -> anyhow::Result<usize> {
    let started = std::time::Instant::now();
    let schema = graph.schema();
    let term = |local: &str| NamedNode::new_unchecked(format!("{VOCAB}{local}"));
    let named_graph = GraphName::NamedNode(predictions_graph());
    let model_literal = Literal::new_simple_literal(&model.id);
    let mut quads = Vec::new();
    let mut count = 0;

    for table in &context.tables {
        let relation = table.relation();
        let abbreviation = schema.relations[relation as usize].abbreviation.as_str();
        if table.side() != Side::Tail || !MATERIALISED_RELATIONS.contains(&abbreviation) {
            continue;
        }
        let property = NamedNode::new_unchecked(schema.relation_iri(relation));

        for ranking in table.rankings() {
            let head_node = graph.node(ranking.query.node);
            for candidate in &ranking.candidates {
                let tail_node = graph.node(candidate.node);
                let subject = NamedNode::new_unchecked(format!(
                    "{NODE_NAMESPACE}prediction/{}/{abbreviation}/{}/{}",
                    percent_encode(&model.id),
                    percent_encode(&head_node.id),
                    percent_encode(&tail_node.id)
                ));
                let mut push = |predicate: NamedNode, object: oxigraph::model::Term| {
                    quads.push(Quad::new(
                        subject.clone(),
                        predicate,
                        object,
                        named_graph.clone(),
                    ));
                };
                push(rdf::TYPE.into_owned(), term("Prediction").into());
                push(
                    term("subject"),
                    NamedNode::new_unchecked(&head_node.iri).into(),
                );
                push(term("relation"), property.clone().into());
                push(
                    term("object"),
                    NamedNode::new_unchecked(&tail_node.iri).into(),
                );
                push(
                    term("score"),
                    Literal::from(f64::from(candidate.score)).into(),
                );
                push(
                    term("rank"),
                    Literal::new_typed_literal(candidate.rank.to_string(), xsd::INTEGER).into(),
                );
                push(
                    term("percentile"),
                    Literal::from(candidate.percentile).into(),
                );
                push(term("model"), model_literal.clone().into());
                count += 1;
            }
        }
    }

    let mut loader = store.bulk_loader();
    loader.load_quads(quads)?;
    loader.commit()?;
    tracing::info!(
        predictions = count,
        elapsed_ms = started.elapsed().as_millis(),
        "predictions materialised"
    );
    Ok(count)
}
