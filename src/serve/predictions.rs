//! Top-k candidates from a loaded model, and the materialised predictions graph.
//!
//! # Limitations
//! The ranking here is a plain one: score every candidate of the right kind, drop links that
//! are already in the graph (any split), sort. It gives no explanations.
// NOTE: replace `top_k` with the rank module's filtered top-k (and its explanations) once
// that module is merged; the response shape stays the same.

use std::collections::HashSet;

use oxigraph::model::vocab::{rdf, xsd};
use oxigraph::model::{GraphName, Literal, NamedNode, Quad};
use oxigraph::store::Store;

use super::state::{predictions_graph, ModelHandle};
use crate::kg::schema::{percent_encode, NODE_NAMESPACE, VOCAB};
use crate::kg::{KnowledgeGraph, RelationId};

/// Heads scored per scorer call while materialising (memory: 4 bytes × heads × candidates).
const MATERIALISE_BATCH: usize = 64;

/// Relations whose predictions are materialised, when the graph has them.
pub const MATERIALISED_RELATIONS: [&str; 2] = ["CtD", "CbG"];

/// Every (head, relation, tail) of the graph, for leaving known links out.
pub struct KnownEdges(HashSet<(u32, RelationId, u32)>);

impl KnownEdges {
    /// Collects the edges of `graph`.
    #[must_use]
    pub fn new(graph: &KnowledgeGraph) -> Self {
        Self(
            graph
                .edges()
                .iter()
                .map(|t| (t.head, t.relation, t.tail))
                .collect(),
        )
    }

    /// Returns whether the link is in the graph.
    #[must_use]
    pub fn contains(&self, head: u32, relation: RelationId, tail: u32) -> bool {
        self.0.contains(&(head, relation, tail))
    }
}

/// End of the relation that the query node is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The query node is the head; candidates are tails.
    Head,
    /// The query node is the tail; candidates are heads.
    Tail,
}

/// One ranked candidate.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Node index of the candidate.
    pub node: u32,
    /// Model score; higher is more plausible.
    pub score: f32,
    /// 1-based rank among candidates not linked in the graph; ties keep node order.
    pub rank: usize,
    /// Share of all candidates of the kind (known ones included) that score lower, in percent.
    pub percentile: f64,
}

/// Ranks candidates for `source` under `relation` and returns the best `k` unknown ones.
#[must_use]
pub fn top_k(
    model: &ModelHandle,
    graph: &KnowledgeGraph,
    known: &KnownEdges,
    source: u32,
    relation: RelationId,
    side: Side,
    k: usize,
) -> Vec<Candidate> {
    let schema = graph.schema();
    let rel = &schema.relations[relation as usize];
    let (candidates, scores) = match side {
        Side::Head => {
            let range = graph.kind_range(rel.target);
            let scores = model.scorer.score_tails(&[source], relation, range.clone());
            (range, scores)
        }
        Side::Tail => {
            let range = graph.kind_range(rel.source);
            let scores = model.scorer.score_heads(&[source], relation, range.clone());
            (range, scores)
        }
    };
    let is_known = |candidate: u32| match side {
        Side::Head => known.contains(source, relation, candidate),
        Side::Tail => known.contains(candidate, relation, source),
    };
    rank_row(candidates.start, &scores, k, |c| c == source || is_known(c))
}

/// Sorts one row of scores (candidate `start + i` has `scores[i]`) and keeps the best `k`
/// candidates for which `exclude` is false.
fn rank_row(start: u32, scores: &[f32], k: usize, exclude: impl Fn(u32) -> bool) -> Vec<Candidate> {
    let mut order: Vec<u32> = (0..u32::try_from(scores.len()).expect("fits u32"))
        .filter(|&i| !exclude(start + i))
        .collect();
    order.sort_by(|&a, &b| {
        scores[b as usize]
            .total_cmp(&scores[a as usize])
            .then(a.cmp(&b))
    });
    order.truncate(k);

    let mut sorted = scores.to_vec();
    sorted.sort_by(f32::total_cmp);
    #[allow(clippy::cast_precision_loss)]
    let total = scores.len() as f64;
    order
        .into_iter()
        .enumerate()
        .map(|(position, i)| {
            let score = scores[i as usize];
            let lower = sorted.partition_point(|&s| s < score);
            #[allow(clippy::cast_precision_loss)]
            let percentile = 100.0 * lower as f64 / total;
            Candidate {
                node: start + i,
                score,
                rank: position + 1,
                percentile,
            }
        })
        .collect()
}

/// Writes the top `top_n` predictions of every source for CtD and CbG into the named graph
/// `rx:predictions` of `store`, and returns the number of `rx:Prediction` nodes written.
///
/// # Errors
/// The store rejects the load.
pub fn materialise(
    store: &Store,
    graph: &KnowledgeGraph,
    known: &KnownEdges,
    model: &ModelHandle,
    top_n: usize,
) -> anyhow::Result<usize> {
    let started = std::time::Instant::now();
    let schema = graph.schema();
    let term = |local: &str| NamedNode::new_unchecked(format!("{VOCAB}{local}"));
    let named_graph = GraphName::NamedNode(predictions_graph());
    let model_literal = Literal::new_simple_literal(&model.id);
    let mut quads = Vec::new();
    let mut count = 0;

    for abbreviation in MATERIALISED_RELATIONS {
        let Some(relation) = schema.relation_id(abbreviation) else {
            continue;
        };
        let rel = &schema.relations[relation as usize];
        let heads: Vec<u32> = graph.kind_range(rel.source).collect();
        let tails = graph.kind_range(rel.target);
        let property = NamedNode::new_unchecked(schema.relation_iri(relation));

        for batch in heads.chunks(MATERIALISE_BATCH) {
            let scores = model.scorer.score_tails(batch, relation, tails.clone());
            for (row, &head) in batch.iter().enumerate() {
                let row_scores = &scores[row * tails.len()..(row + 1) * tails.len()];
                let ranked = rank_row(tails.start, row_scores, top_n, |t| {
                    t == head || known.contains(head, relation, t)
                });
                for candidate in ranked {
                    let (head_node, tail_node) = (graph.node(head), graph.node(candidate.node));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rank_row_sorts_excludes_and_ranks() {
        let scores = [0.1, 0.9, 0.5, 0.9, 0.3];
        let ranked = rank_row(10, &scores, 3, |node| node == 13);
        let nodes: Vec<u32> = ranked.iter().map(|c| c.node).collect();
        assert_eq!(nodes, [11, 12, 14]);
        assert_eq!(ranked[0].rank, 1);
        assert_eq!(ranked[2].rank, 3);
        assert!((ranked[0].percentile - 60.0).abs() < 1e-9);
    }
}
