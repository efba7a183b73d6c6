//! Entity search by name or identifier: case-insensitive prefix and substring matching,
//! with fuzzy matching when those find nothing.
//!
//! Matches rank by how they match (exact identifier, exact name, name prefix, prefix of a
//! word in the name, identifier prefix, substring of name or identifier), then by degree
//! (better-connected entities first), then by name. When none of these match, the closest
//! names by edit distance are returned, ranked by [`fuzzy_matches`] as in the suggestions of
//! `rxgraph predict`. There are no synonyms in the graph, so a
//! brand name finds nothing unless it is the node's name or close to it.

use std::ops::Range;

use crate::kg::{KindId, KnowledgeGraph};
use crate::rank::resolve::fuzzy_matches;

/// Kind of match between a node and a search text; lower is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MatchKind {
    /// The text is the full or source identifier.
    ExactId,
    /// The text is the name.
    ExactName,
    /// The name starts with the text.
    NamePrefix,
    /// A word of the name starts with the text.
    WordPrefix,
    /// The source identifier starts with the text.
    IdPrefix,
    /// The text occurs inside the name or identifier.
    Substring,
    /// Nothing above matched, and the name or identifier is within a few edits of the text
    /// (see [`fuzzy_matches`]).
    Fuzzy,
}

impl MatchKind {
    /// Returns the name used in JSON responses.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ExactId => "exact_id",
            Self::ExactName => "exact_name",
            Self::NamePrefix => "name_prefix",
            Self::WordPrefix => "word_prefix",
            Self::IdPrefix => "id_prefix",
            Self::Substring => "substring",
            Self::Fuzzy => "fuzzy",
        }
    }
}

/// One search result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// Node index.
    pub node: u32,
    /// Kind of match.
    pub matched: MatchKind,
}

/// Lower-cased names and identifiers of all nodes, with their degrees.
pub struct SearchIndex {
    names: Vec<String>,
    ids: Vec<String>,
    source_ids: Vec<String>,
    degrees: Vec<usize>,
    /// Index range of each kind's nodes.
    kind_ranges: Vec<Range<u32>>,
}

impl SearchIndex {
    /// Builds the index over every node of `graph`.
    #[must_use]
    pub fn new(graph: &KnowledgeGraph) -> Self {
        let nodes = graph.nodes();
        Self {
            names: nodes.iter().map(|n| n.name.to_lowercase()).collect(),
            ids: nodes.iter().map(|n| n.id.to_lowercase()).collect(),
            source_ids: nodes.iter().map(|n| n.source_id().to_lowercase()).collect(),
            degrees: (0..graph.node_count())
                .map(|i| graph.degree(u32::try_from(i).expect("node index fits u32")))
                .collect(),
            kind_ranges: (0..graph.schema().kinds.len())
                .map(|k| graph.kind_range(KindId::try_from(k).expect("kind ids fit KindId")))
                .collect(),
        }
    }

    /// Returns the degree (edges in either direction) of `node`.
    #[must_use]
    pub fn degree(&self, node: u32) -> usize {
        self.degrees[node as usize]
    }

    /// Returns up to `limit` nodes matching `text`, optionally of one kind, best first. When
    /// no name or identifier matches exactly, by prefix or as a substring, returns the fuzzy
    /// matches instead.
    #[must_use]
    pub fn search(&self, text: &str, kind: Option<KindId>, limit: usize) -> Vec<Hit> {
        let text = text.trim().to_lowercase();
        if text.is_empty() || limit == 0 {
            return Vec::new();
        }

        let mut hits: Vec<Hit> = self
            .nodes(kind)
            .filter_map(|i| {
                let matched = self.match_kind(i, &text)?;
                Some(Hit {
                    node: u32::try_from(i).expect("node index fits u32"),
                    matched,
                })
            })
            .collect();

        hits.sort_by(|a, b| {
            a.matched
                .cmp(&b.matched)
                .then(self.degree(b.node).cmp(&self.degree(a.node)))
                .then(self.names[a.node as usize].cmp(&self.names[b.node as usize]))
        });
        hits.truncate(limit);
        if hits.is_empty() {
            hits = self.fuzzy_search(&text, kind, limit);
        }
        hits
    }

    fn fuzzy_search(&self, text: &str, kind: Option<KindId>, limit: usize) -> Vec<Hit> {
        let candidates = self.nodes(kind).map(|i| {
            (
                u32::try_from(i).expect("node index fits u32"),
                &self.names[i],
                &self.source_ids[i],
            )
        });
        fuzzy_matches(text, candidates, limit)
            .into_iter()
            .map(|node| Hit {
                node,
                matched: MatchKind::Fuzzy,
            })
            .collect()
    }

    /// Returns the indices of the nodes of `kind`, or of all nodes. Nodes are stored by
    /// kind, so a kind is a range.
    fn nodes(&self, kind: Option<KindId>) -> Range<usize> {
        kind.map_or(0..self.names.len(), |k| {
            let range = self.kind_ranges[k as usize].clone();
            range.start as usize..range.end as usize
        })
    }

    fn match_kind(&self, i: usize, text: &str) -> Option<MatchKind> {
        let (name, id, source_id) = (&self.names[i], &self.ids[i], &self.source_ids[i]);
        if id == text || source_id == text {
            Some(MatchKind::ExactId)
        } else if name == text {
            Some(MatchKind::ExactName)
        } else {
            // One pass over the places where the text occurs in the name, first to last.
            let mut in_name = false;
            for (position, _) in name.match_indices(text) {
                if position == 0 {
                    return Some(MatchKind::NamePrefix);
                }
                in_name = true;
                let before = name[..position].chars().next_back();
                if before.is_some_and(|c| !c.is_alphanumeric()) {
                    return Some(MatchKind::WordPrefix);
                }
            }
            if source_id.starts_with(text) {
                Some(MatchKind::IdPrefix)
            } else if in_name || id.contains(text) {
                Some(MatchKind::Substring)
            } else {
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kg::{GraphBuilder, Schema};

    fn graph() -> KnowledgeGraph {
        let mut builder = GraphBuilder::new(Schema::hetionet());
        for (id, name) in [
            ("DB00945", "Aspirin"),
            ("DB00316", "Acetaminophen"),
            ("DB01050", "Ibuprofen"),
            ("DB09999", "Aspirin lysine"),
            ("DB08888", "Low-dose aspirin"),
        ] {
            builder.add_node(id, "Compound", name, None).unwrap();
        }
        builder
            .add_node("DOID:1612", "Disease", "breast cancer", None)
            .unwrap();
        builder.add_edge("Compound::DB00945", "CtD", "Disease::DOID:1612", None);
        builder.build().unwrap()
    }

    #[test]
    fn search_ranks_exact_before_prefix_before_word() {
        let graph = graph();
        let index = SearchIndex::new(&graph);
        let hits = index.search("aspirin", None, 10);
        let names: Vec<&str> = hits
            .iter()
            .map(|h| graph.node(h.node).name.as_str())
            .collect();
        assert_eq!(names, ["Aspirin", "Aspirin lysine", "Low-dose aspirin"]);
        assert_eq!(hits[0].matched, MatchKind::ExactName);
    }

    #[test]
    fn search_finds_ids_and_filters_kind() {
        let graph = graph();
        let index = SearchIndex::new(&graph);
        let hits = index.search("db00945", None, 10);
        assert_eq!(hits[0].matched, MatchKind::ExactId);
        let disease = graph.schema().kind_id("Disease").unwrap();
        assert!(index.search("aspirin", Some(disease), 10).is_empty());
        assert_eq!(index.search("cancer", Some(disease), 10).len(), 1);
    }

    #[test]
    fn misspelling_falls_back_to_fuzzy() {
        let mut builder = GraphBuilder::new(Schema::hetionet());
        for (id, name) in [
            ("DOID:9352", "type 2 diabetes mellitus"),
            ("DOID:9744", "type 1 diabetes mellitus"),
            ("DOID:1612", "breast cancer"),
        ] {
            builder.add_node(id, "Disease", name, None).unwrap();
        }
        builder.add_node("26136", "Gene", "TES", None).unwrap();
        let graph = builder.build().unwrap();
        let index = SearchIndex::new(&graph);

        let hits = index.search("Type 2 Diabtes", None, 10);
        let ids: Vec<&str> = hits
            .iter()
            .map(|h| graph.node(h.node).id.as_str())
            .collect();
        assert_eq!(ids, ["Disease::DOID:9352", "Disease::DOID:9744"]);
        assert!(
            hits.iter().all(|h| h.matched == MatchKind::Fuzzy),
            "{hits:?}"
        );
        assert_eq!(MatchKind::Fuzzy.as_str(), "fuzzy");

        let gene = graph.schema().kind_id("Gene").unwrap();
        assert!(index.search("type 2 diabtes", Some(gene), 10).is_empty());
        assert_eq!(index.search("diabtes", None, 1).len(), 1);
    }

    #[test]
    fn exact_match_skips_fuzzy() {
        let graph = graph();
        let index = SearchIndex::new(&graph);
        let hits = index.search("ibuprofen", None, 10);
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert_eq!(hits[0].matched, MatchKind::ExactName);
    }

    #[test]
    fn search_respects_limit_and_empty_text() {
        let graph = graph();
        let index = SearchIndex::new(&graph);
        assert_eq!(index.search("a", None, 2).len(), 2);
        assert!(index.search("  ", None, 10).is_empty());
    }
}
