//! Known true triples, indexed for the filtered protocol.
//!
//! The filtered protocol removes from each candidate list every other candidate that forms a
//! known true triple, so that a model is not penalised for ranking another correct answer
//! first. "Known" means train ∪ valid ∪ test. Relations can be grouped: within a
//! [`FilterGroups`] group a triple of any member relation filters candidates of every member,
//! so a known Compound–palliates–Disease (CpD) link removes that compound from the candidates
//! of a Compound–treats–Disease (CtD) query and the other way round.
//!
//! ```
//! use rxgraph::eval::{FilterGroups, KnownTriples};
//! use rxgraph::kg::{GraphBuilder, Schema};
//!
//! let mut builder = GraphBuilder::new(Schema::hetionet());
//! builder.add_node("DB1", "Compound", "c", None).unwrap();
//! builder.add_node("DOID:1", "Disease", "d", None).unwrap();
//! builder.add_edge("Compound::DB1", "CpD", "Disease::DOID:1", None);
//! let graph = builder.build().unwrap();
//!
//! let groups = FilterGroups::indications(graph.schema());
//! let known = KnownTriples::new(&graph, graph.edges(), &groups);
//! let ctd = graph.schema().relation_id("CtD").unwrap();
//! assert_eq!(known.tails_of(0, ctd), &[1]);
//! ```

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::error::EvalError;
use crate::kg::{KnowledgeGraph, RelationId, Schema, Triple};

/// Relations whose known triples filter each other's candidates.
///
/// A relation in no group forms a group of its own.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilterGroups {
    /// Groups of relation ids; each relation is in at most one group.
    groups: Vec<Vec<RelationId>>,
}

impl FilterGroups {
    /// Returns groups with no shared filtering: each relation filters only itself.
    #[must_use]
    pub fn none() -> Self {
        Self::default()
    }

    /// Returns the default groups: the indication relations CtD and CpD filter each other
    /// (when the schema has both).
    #[must_use]
    pub fn indications(schema: &Schema) -> Self {
        match (schema.relation_id("CtD"), schema.relation_id("CpD")) {
            (Some(treats), Some(palliates)) => Self {
                groups: vec![vec![treats, palliates]],
            },
            _ => Self::none(),
        }
    }

    /// Builds groups from relation abbreviations, e.g. `[["CtD", "CpD"]]`.
    ///
    /// # Errors
    /// An unknown abbreviation, or a relation listed in two groups.
    pub fn from_abbreviations(schema: &Schema, groups: &[Vec<String>]) -> Result<Self, EvalError> {
        let mut ids: Vec<Vec<RelationId>> = Vec::with_capacity(groups.len());
        for group in groups {
            let mut members = Vec::with_capacity(group.len());
            for abbreviation in group {
                let id =
                    schema
                        .relation_id(abbreviation)
                        .ok_or_else(|| EvalError::UnknownRelation {
                            abbreviation: abbreviation.clone(),
                            context: format!("filter group {}", group.join(",")),
                        })?;
                if ids.iter().flatten().chain(&members).any(|&seen| seen == id) {
                    return Err(EvalError::OverlappingFilterGroups {
                        relation: abbreviation.clone(),
                    });
                }
                members.push(id);
            }
            ids.push(members);
        }
        Ok(Self { groups: ids })
    }

    /// Returns the relations that share filtering with `relation`, `relation` included.
    #[must_use]
    pub fn members(&self, relation: RelationId) -> Vec<RelationId> {
        self.groups
            .iter()
            .find(|group| group.contains(&relation))
            .cloned()
            .unwrap_or_else(|| vec![relation])
    }

    /// Returns the groups as relation abbreviations, for reports.
    #[must_use]
    pub fn abbreviations(&self, schema: &Schema) -> Vec<Vec<String>> {
        self.groups
            .iter()
            .map(|g| {
                g.iter()
                    .map(|&r| schema.relations[r as usize].abbreviation.clone())
                    .collect()
            })
            .collect()
    }

    /// Returns a key shared by all members of `relation`'s group.
    fn key(&self, relation: RelationId) -> RelationId {
        self.groups
            .iter()
            .find(|group| group.contains(&relation))
            .map_or(relation, |group| group[0])
    }
}

/// Known true triples indexed by (filter group, head) and (filter group, tail).
///
/// Symmetric relations are indexed both ways, because each such edge is stored once.
#[derive(Debug, Clone)]
pub struct KnownTriples {
    groups: FilterGroups,
    tails: HashMap<(RelationId, u32), Vec<u32>>,
    heads: HashMap<(RelationId, u32), Vec<u32>>,
}

impl KnownTriples {
    /// Indexes `known` (usually every edge of the graph, which is train ∪ valid ∪ test).
    #[must_use]
    pub fn new(graph: &KnowledgeGraph, known: &[Triple], groups: &FilterGroups) -> Self {
        let mut tails: HashMap<(RelationId, u32), Vec<u32>> = HashMap::new();
        let mut heads: HashMap<(RelationId, u32), Vec<u32>> = HashMap::new();
        for triple in known {
            let key = groups.key(triple.relation);
            tails
                .entry((key, triple.head))
                .or_default()
                .push(triple.tail);
            heads
                .entry((key, triple.tail))
                .or_default()
                .push(triple.head);
            if graph.schema().relations[triple.relation as usize].symmetric {
                tails
                    .entry((key, triple.tail))
                    .or_default()
                    .push(triple.head);
                heads
                    .entry((key, triple.head))
                    .or_default()
                    .push(triple.tail);
            }
        }

        // Sorted, duplicate-free lists allow binary search in `contains`.
        for list in tails.values_mut().chain(heads.values_mut()) {
            list.sort_unstable();
            list.dedup();
        }
        Self {
            groups: groups.clone(),
            tails,
            heads,
        }
    }

    /// Returns the known tails of `head` under any relation of `relation`'s group, sorted.
    #[must_use]
    pub fn tails_of(&self, head: u32, relation: RelationId) -> &[u32] {
        self.tails
            .get(&(self.groups.key(relation), head))
            .map_or(&[], Vec::as_slice)
    }

    /// Returns the known heads of `tail` under any relation of `relation`'s group, sorted.
    #[must_use]
    pub fn heads_of(&self, tail: u32, relation: RelationId) -> &[u32] {
        self.heads
            .get(&(self.groups.key(relation), tail))
            .map_or(&[], Vec::as_slice)
    }

    /// Returns whether (head, any relation of `relation`'s group, tail) is known.
    #[must_use]
    pub fn contains(&self, head: u32, relation: RelationId, tail: u32) -> bool {
        self.tails_of(head, relation).binary_search(&tail).is_ok()
    }

    /// Returns the filter groups this index was built with.
    #[must_use]
    pub fn groups(&self) -> &FilterGroups {
        &self.groups
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kg::fixture::indication_graph;

    fn graph() -> KnowledgeGraph {
        indication_graph(3, &[(0, "CtD", 0), (0, "CpD", 1), (1, "CtD", 1)])
    }

    #[test]
    fn grouped_relations_filter_each_other() {
        let g = graph();
        let ctd = g.schema().relation_id("CtD").unwrap();
        let cpd = g.schema().relation_id("CpD").unwrap();
        let known = KnownTriples::new(&g, g.edges(), &FilterGroups::indications(g.schema()));
        let db0 = g.find("DB0").unwrap();
        let doid1 = g.find("DOID:1").unwrap();
        assert!(known.contains(db0, ctd, doid1));
        assert!(known.contains(db0, cpd, g.find("DOID:0").unwrap()));
        assert_eq!(known.heads_of(doid1, cpd).len(), 2);
    }

    #[test]
    fn ungrouped_relations_filter_only_themselves() {
        let g = graph();
        let ctd = g.schema().relation_id("CtD").unwrap();
        let known = KnownTriples::new(&g, g.edges(), &FilterGroups::none());
        assert!(!known.contains(g.find("DB0").unwrap(), ctd, g.find("DOID:1").unwrap()));
        assert_eq!(
            known.heads_of(g.find("DOID:1").unwrap(), ctd),
            &[g.find("DB1").unwrap()]
        );
    }

    #[test]
    fn groups_from_abbreviations_reject_bad_input() {
        let schema = Schema::hetionet();
        let unknown =
            FilterGroups::from_abbreviations(&schema, &[vec!["CtD".into(), "CxD".into()]]);
        assert!(unknown
            .unwrap_err()
            .to_string()
            .contains("unknown relation \"CxD\""));
        let twice = vec![
            vec!["CtD".to_owned(), "CpD".to_owned()],
            vec!["CpD".to_owned()],
        ];
        let overlap = FilterGroups::from_abbreviations(&schema, &twice)
            .unwrap_err()
            .to_string();
        assert!(
            overlap.contains("CpD is in more than one filter group"),
            "{overlap}"
        );
    }
}
