//! Ranked predictions for the API and the materialised predictions graph.
//!
//! Both go through the rank module's [`Ranker`] with the same known links as `rxgraph
//! predict` (every edge of the graph, CtD and CpD filtering each other) and the same
//! calibration. So the server returns the candidates, ranks and percentiles that the CLI prints.

use oxigraph::model::vocab::{rdf, xsd};
use oxigraph::model::{GraphName, Literal, NamedNode, Quad};
use oxigraph::store::Store;

use super::state::{predictions_graph, ModelHandle};
use crate::eval::{KnownTriples, Side};
use crate::kg::schema::{percent_encode, NODE_NAMESPACE, VOCAB};
use crate::kg::KnowledgeGraph;
use crate::rank::{
    Calibration, CandidateEvidence, Evidence, ExplainOptions, GeneAnnotations, MentionIndex,
    PathExplainer, Query, RankError, Ranker, Ranking,
};

/// Source nodes ranked per scorer call while materialising (memory: 4 bytes × sources ×
/// candidates).
const MATERIALISE_BATCH: usize = 64;

/// Relations whose predictions are materialised, when the graph has them.
pub const MATERIALISED_RELATIONS: [&str; 2] = ["CtD", "CbG"];

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

    /// Ranks `query` and, with `explain`, collects paths, passages and target facts for each
    /// candidate as `rxgraph predict --explain` does.
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
    ) -> Result<(Ranking, Vec<CandidateEvidence>), RankError> {
        let ranking = self.ranker(graph, model).rank(query, k)?;
        // The explainer's degree tables take one pass over the edges, a few milliseconds,
        // so they are built per request instead of being kept for the server's lifetime.
        let explainer = explain.then(|| PathExplainer::new(graph, ExplainOptions::default()));
        let evidence = if explain {
            Evidence {
                explainer: explainer.as_ref(),
                mentions: self.mentions.as_ref(),
                annotations: Some(&self.annotations),
            }
        } else {
            Evidence::default()
        };
        let excluded = self.known.groups().members(query.relation);
        let candidates = evidence.candidates(graph, &ranking, &excluded);
        Ok((ranking, candidates))
    }
}

/// Writes the top `top_n` predictions of every compound for CtD and CbG into the named graph
/// `rx:predictions` of `store`, and returns the number of `rx:Prediction` nodes written.
///
/// # Errors
/// `top_n` is out of range, or the store rejects the load.
pub fn materialise(
    store: &Store,
    graph: &KnowledgeGraph,
    context: &RankingContext,
    model: &ModelHandle,
    top_n: usize,
) -> anyhow::Result<usize> {
    let started = std::time::Instant::now();
    let schema = graph.schema();
    let ranker = context.ranker(graph, model);
    let term = |local: &str| NamedNode::new_unchecked(format!("{VOCAB}{local}"));
    let named_graph = GraphName::NamedNode(predictions_graph());
    let model_literal = Literal::new_simple_literal(&model.id);
    let mut quads = Vec::new();
    let mut count = 0;

    for abbreviation in MATERIALISED_RELATIONS {
        let Some(relation) = schema.relation_id(abbreviation) else {
            continue;
        };
        let heads: Vec<u32> = graph
            .kind_range(schema.relations[relation as usize].source)
            .collect();
        let property = NamedNode::new_unchecked(schema.relation_iri(relation));

        for batch in heads.chunks(MATERIALISE_BATCH) {
            for ranking in ranker.rank_many(batch, relation, Side::Tail, top_n)? {
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
    }

    let mut loader = store.bulk_loader();
    loader.load_quads(quads)?;
    loader.commit()?;
    tracing::info!(
        predictions = count,
        top_n,
        elapsed_ms = started.elapsed().as_millis(),
        "predictions materialised"
    );
    Ok(count)
}
