//! Rankings computed ahead of time: the top candidates of every node of one kind, so that a
//! server returns a top-k ranking without scoring.
//!
//! A [`RankingTable`] contains, for one relation and one ranked side, the ranking of every
//! node at the other end, `depth` candidates deep. A request for the first `k ≤ depth`
//! candidates is then a copy. The result equals [`Ranker::rank`] with the same `k`: the top
//! `depth` are ordered by score and then node index, and each candidate's rank, percentile and
//! probability do not depend on `k`.
//!
//! ```
//! use rxgraph::eval::{DegreePrior, FilterGroups, KnownTriples, Side};
//! use rxgraph::kg::{GraphBuilder, Schema};
//! use rxgraph::rank::{Query, Ranker, RankingTable};
//!
//! let mut builder = GraphBuilder::new(Schema::hetionet());
//! for i in 0..4 {
//!     builder.add_node(&format!("DB{i}"), "Compound", &format!("drug {i}"), None).unwrap();
//!     builder.add_node(&format!("DOID:{i}"), "Disease", &format!("disease {i}"), None).unwrap();
//! }
//! builder.add_edge("Compound::DB0", "CtD", "Disease::DOID:0", None);
//! builder.add_edge("Compound::DB1", "CtD", "Disease::DOID:0", None);
//! let graph = builder.build().unwrap();
//!
//! let prior = DegreePrior::new(&graph, graph.edges());
//! let known = KnownTriples::new(&graph, graph.edges(), &FilterGroups::indications(graph.schema()));
//! let ranker = Ranker::new(&graph, &prior, &known, None);
//! let ctd = graph.schema().relation_id("CtD").unwrap();
//! let table = RankingTable::build(&ranker, ctd, Side::Tail, 3).unwrap();
//!
//! let query = Query::new(&graph, graph.find("DB2").unwrap(), ctd).unwrap();
//! assert_eq!(table.get(&query, 2), Some(ranker.rank(&query, 2).unwrap()));
//! // Deeper than the table: the caller ranks it.
//! assert_eq!(table.get(&query, 4), None);
//! ```

use std::ops::Range;

use super::error::RankError;
use super::predict::{check_k, Query, Ranker, Ranking};
use crate::eval::{candidate_range, Side};
use crate::kg::RelationId;

/// Source nodes ranked per scorer call while building a table; the scores take 4 bytes ×
/// this × candidates.
const BUILD_BATCH: usize = 64;

/// The top `depth` candidates of every node at the given end of one relation.
#[derive(Debug, Clone)]
pub struct RankingTable {
    relation: RelationId,
    side: Side,
    depth: usize,
    /// The nodes whose rankings are stored; `rankings[i]` belongs to `sources.start + i`.
    sources: Range<u32>,
    rankings: Vec<Ranking>,
}

impl RankingTable {
    /// Ranks the `side` candidates of `relation` for every node at the other end, keeping
    /// the best `depth` of each.
    ///
    /// # Errors
    /// [`RankError::InvalidK`] unless `depth` is a valid k, and the errors of
    /// [`Ranker::rank_many`].
    pub fn build(
        ranker: &Ranker<'_>,
        relation: RelationId,
        side: Side,
        depth: usize,
    ) -> Result<Self, RankError> {
        check_k(depth)?;
        let sources = candidate_range(ranker.graph(), relation, side.other());
        let nodes: Vec<u32> = sources.clone().collect();
        let mut rankings = Vec::with_capacity(nodes.len());
        for batch in nodes.chunks(BUILD_BATCH) {
            rankings.extend(ranker.rank_many(batch, relation, side, depth)?);
        }
        Ok(Self {
            relation,
            side,
            depth,
            sources,
            rankings,
        })
    }

    /// Returns the ranking of `query` cut to `k` candidates, or `None` when the table does
    /// not contain it: another relation or side, or `k` deeper than the table.
    #[must_use]
    pub fn get(&self, query: &Query, k: usize) -> Option<Ranking> {
        if query.relation != self.relation
            || query.side != self.side
            || k > self.depth
            || !self.sources.contains(&query.node)
        {
            return None;
        }
        let stored = &self.rankings[(query.node - self.sources.start) as usize];
        Some(Ranking {
            query: stored.query,
            candidates: stored.candidates[..k.min(stored.candidates.len())].to_vec(),
            total_candidates: stored.total_candidates,
            known_removed: stored.known_removed,
        })
    }

    /// Returns the relation of the table.
    #[must_use]
    pub fn relation(&self) -> RelationId {
        self.relation
    }

    /// Returns the ranked side.
    #[must_use]
    pub fn side(&self) -> Side {
        self.side
    }

    /// Returns the ranking of every source node, in node order.
    #[must_use]
    pub fn rankings(&self) -> &[Ranking] {
        &self.rankings
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::{DegreePrior, FilterGroups, KnownTriples};
    use crate::kg::fixture::indication_graph;
    use crate::kg::KnowledgeGraph;

    /// Uneven degrees give the prior distinct scores, and the CpD link is filtered with CtD.
    fn graph() -> KnowledgeGraph {
        let edges = [(0, 0), (0, 1), (1, 0), (2, 2), (3, 0), (3, 1), (3, 2)]
            .map(|(compound, disease)| (compound, "CtD", disease));
        let mut edges = edges.to_vec();
        edges.push((4, "CpD", 3));
        indication_graph(6, &edges)
    }

    #[test]
    fn every_cut_equals_direct_ranking() {
        let graph = graph();
        let prior = DegreePrior::new(&graph, graph.edges());
        let known = KnownTriples::new(
            &graph,
            graph.edges(),
            &FilterGroups::indications(graph.schema()),
        );
        let ranker = Ranker::new(&graph, &prior, &known, None);
        let ctd = graph.schema().relation_id("CtD").unwrap();
        for side in [Side::Tail, Side::Head] {
            let table = RankingTable::build(&ranker, ctd, side, 4).unwrap();
            let sources = candidate_range(&graph, ctd, side.other());
            assert_eq!(table.rankings().len(), sources.len());
            for node in sources {
                let query = Query::new(&graph, node, ctd).unwrap();
                for k in 1..=4 {
                    assert_eq!(table.get(&query, k), Some(ranker.rank(&query, k).unwrap()));
                }
                assert_eq!(table.get(&query, 5), None);
            }
        }
    }

    #[test]
    fn other_queries_are_not_served() {
        let graph = graph();
        let prior = DegreePrior::new(&graph, graph.edges());
        let known = KnownTriples::new(&graph, graph.edges(), &FilterGroups::none());
        let ranker = Ranker::new(&graph, &prior, &known, None);
        let ctd = graph.schema().relation_id("CtD").unwrap();
        let cpd = graph.schema().relation_id("CpD").unwrap();
        let table = RankingTable::build(&ranker, ctd, Side::Tail, 2).unwrap();
        let drug = graph.find("DB0").unwrap();
        let disease = graph.find("DOID:0").unwrap();

        let other_relation = Query::new(&graph, drug, cpd).unwrap();
        assert!(table.get(&other_relation, 1).is_none());
        let other_side = Query::new(&graph, disease, ctd).unwrap();
        assert!(table.get(&other_side, 1).is_none());
        assert!(matches!(
            RankingTable::build(&ranker, ctd, Side::Tail, 0),
            Err(RankError::InvalidK { .. })
        ));
    }
}
