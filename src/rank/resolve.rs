//! Resolution of the entity a user names: an id or a name, checked against the kinds a
//! question accepts.
//!
//! [`resolve_entity`] tries, in order: the full id (`Gene::1017`), the source id under each
//! accepted kind (`DOID:9352`, `1017` as a gene), a source id that only one node has
//! (`DB00945`), and the name compared case-insensitively. A miss returns
//! [`RankError::UnknownEntity`] with the closest names (substring matches first, then by
//! Levenshtein distance), and a name that several nodes share returns
//! [`RankError::AmbiguousName`] listing their ids.
//!
//! ```
//! use rxgraph::kg::{GraphBuilder, Schema};
//! use rxgraph::rank::resolve_entity;
//!
//! let mut builder = GraphBuilder::new(Schema::hetionet());
//! builder.add_node("DB00945", "Compound", "Aspirin", None).unwrap();
//! builder.add_node("DB00316", "Compound", "Acetaminophen", None).unwrap();
//! let graph = builder.build().unwrap();
//! let compound = graph.schema().kind_id("Compound").unwrap();
//!
//! let aspirin = resolve_entity(&graph, "aspirin", &[compound]).unwrap();
//! assert_eq!(graph.node(aspirin).id, "Compound::DB00945");
//! let error = resolve_entity(&graph, "asprin", &[compound]).unwrap_err().to_string();
//! assert!(error.contains("Aspirin (Compound::DB00945)"), "{error}");
//! ```

use super::error::RankError;
use crate::kg::{KindId, KnowledgeGraph};

/// Number of closest matches listed in an error.
pub const SUGGESTIONS: usize = 5;

/// Finds the node that `text` names among the nodes of `kinds`.
///
/// # Errors
/// [`RankError::UnknownEntity`] with the closest matches when nothing matches,
/// [`RankError::AmbiguousName`] when a name belongs to several nodes, and
/// [`RankError::WrongKind`] when the id or exact name belongs to a node of another kind.
pub fn resolve_entity(
    graph: &KnowledgeGraph,
    text: &str,
    kinds: &[KindId],
) -> Result<u32, RankError> {
    let text = text.trim();
    let schema = graph.schema();
    if text.is_empty() {
        return Err(RankError::UnknownEntity {
            query: String::new(),
            expected: kind_names(graph, kinds),
            suggestions: Vec::new(),
        });
    }
    let accepts = |node: u32| kinds.contains(&graph.node(node).kind);
    let expected = kind_names(graph, kinds);

    // Ids: the full id, then `Kind::text` for each accepted kind, then a unique source id.
    let by_kind = kinds
        .iter()
        .find_map(|&kind| graph.find(&format!("{}::{text}", schema.kinds[kind as usize].name)));
    if let Some(node) = graph.find(text).filter(|&n| accepts(n)).or(by_kind) {
        return Ok(node);
    }
    if let Some(node) = graph.find(text) {
        let found = graph.node(node);
        return Err(RankError::WrongKind {
            id: found.id.clone(),
            kind: schema.kinds[found.kind as usize].name.clone(),
            expected,
            hint: "give an entity of the kind the question asks for".into(),
        });
    }

    // Names, compared case-insensitively.
    let lower = text.to_lowercase();
    let in_kinds = || {
        kinds
            .iter()
            .flat_map(|&kind| graph.kind_range(kind))
            .filter(|&n| graph.node(n).name.to_lowercase() == lower)
            .collect::<Vec<u32>>()
    };
    let exact = in_kinds();
    match exact.len() {
        1 => return Ok(exact[0]),
        0 => {}
        _ => {
            return Err(RankError::AmbiguousName {
                query: text.to_owned(),
                matches: exact.iter().map(|&n| label(graph, n)).collect(),
            })
        }
    }
    if let Some(other) = (0..graph.node_count())
        .map(|n| u32::try_from(n).expect("node indices fit u32"))
        .find(|&n| graph.node(n).name.to_lowercase() == lower)
    {
        let found = graph.node(other);
        return Err(RankError::WrongKind {
            id: found.id.clone(),
            kind: schema.kinds[found.kind as usize].name.clone(),
            expected,
            hint: "give an entity of the kind the question asks for".into(),
        });
    }

    Err(RankError::UnknownEntity {
        query: text.to_owned(),
        expected,
        suggestions: closest_matches(graph, &lower, kinds, SUGGESTIONS),
    })
}

/// Returns up to `limit` nodes of `kinds` whose names are closest to `query` (lower case):
/// names containing the query, or contained in it, first (shorter names first), then the
/// others by Levenshtein distance. Each entry reads `name (id)`.
#[must_use]
pub fn closest_matches(
    graph: &KnowledgeGraph,
    query: &str,
    kinds: &[KindId],
    limit: usize,
) -> Vec<String> {
    let query_chars: Vec<char> = query.chars().collect();
    let mut scored: Vec<(usize, usize, u32)> = kinds
        .iter()
        .flat_map(|&kind| graph.kind_range(kind))
        .filter_map(|node| {
            let name = graph.node(node).name.to_lowercase();
            let id = graph.node(node).source_id().to_lowercase();
            if name.contains(query) || (name.len() >= 3 && query.contains(&name)) {
                return Some((0, name.len(), node));
            }
            let name_chars: Vec<char> = name.chars().collect();
            let distance = levenshtein(&query_chars, &name_chars)
                .min(levenshtein(&query_chars, &id.chars().collect::<Vec<_>>()));
            // Suggest only names within about half the query's length of edits.
            (distance <= query_chars.len().div_ceil(2).max(2)).then_some((1 + distance, 0, node))
        })
        .collect();
    scored.sort_unstable();
    scored
        .into_iter()
        .take(limit)
        .map(|(_, _, node)| label(graph, node))
        .collect()
}

fn kind_names(graph: &KnowledgeGraph, kinds: &[KindId]) -> String {
    kinds
        .iter()
        .map(|&k| graph.schema().kinds[k as usize].name.as_str())
        .collect::<Vec<_>>()
        .join(" or ")
}

fn label(graph: &KnowledgeGraph, node: u32) -> String {
    let node = graph.node(node);
    format!("{} ({})", node.name, node.id)
}

/// Computes the Levenshtein edit distance (insertions, deletions, substitutions) of two
/// character sequences in O(|a|·|b|) time and O(|b|) memory.
fn levenshtein(a: &[char], b: &[char]) -> usize {
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kg::{GraphBuilder, Schema};

    fn graph() -> KnowledgeGraph {
        let mut builder = GraphBuilder::new(Schema::hetionet());
        builder
            .add_node("DB00945", "Compound", "Aspirin", None)
            .unwrap();
        builder
            .add_node("DB00316", "Compound", "Acetaminophen", None)
            .unwrap();
        builder.add_node("DB1", "Compound", "Twin", None).unwrap();
        builder.add_node("DB2", "Compound", "twin", None).unwrap();
        builder
            .add_node("DOID:9352", "Disease", "type 2 diabetes mellitus", None)
            .unwrap();
        builder.add_node("1017", "Gene", "CDK2", None).unwrap();
        builder.add_node("1018", "Gene", "CDK3", None).unwrap();
        builder.build().unwrap()
    }

    fn kind(graph: &KnowledgeGraph, name: &str) -> KindId {
        graph.schema().kind_id(name).unwrap()
    }

    #[test]
    fn ids_and_names_resolve() {
        let g = graph();
        let compound = kind(&g, "Compound");
        let gene = kind(&g, "Gene");
        let disease = kind(&g, "Disease");
        assert_eq!(
            g.node(resolve_entity(&g, "DB00945", &[compound]).unwrap())
                .name,
            "Aspirin"
        );
        assert_eq!(
            g.node(resolve_entity(&g, "Gene::1017", &[gene]).unwrap())
                .name,
            "CDK2"
        );
        assert_eq!(
            g.node(resolve_entity(&g, "1018", &[gene]).unwrap()).name,
            "CDK3"
        );
        assert_eq!(
            g.node(resolve_entity(&g, "cdk2", &[gene]).unwrap()).id,
            "Gene::1017"
        );
        let diabetes = resolve_entity(&g, " Type 2 Diabetes Mellitus ", &[disease]).unwrap();
        assert_eq!(g.node(diabetes).id, "Disease::DOID:9352");
    }

    #[test]
    fn misspelt_name_lists_closest() {
        let g = graph();
        let error = resolve_entity(&g, "asprin", &[kind(&g, "Compound")]).unwrap_err();
        let RankError::UnknownEntity { suggestions, .. } = &error else {
            panic!("expected UnknownEntity, got {error}");
        };
        assert_eq!(suggestions[0], "Aspirin (Compound::DB00945)");
    }

    #[test]
    fn substring_suggested_first() {
        let g = graph();
        let error = resolve_entity(&g, "diabetes", &[kind(&g, "Disease")]).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("type 2 diabetes mellitus (Disease::DOID:9352)"),
            "{error}"
        );
    }

    #[test]
    fn shared_name_is_ambiguous() {
        let g = graph();
        let error = resolve_entity(&g, "TWIN", &[kind(&g, "Compound")]).unwrap_err();
        let RankError::AmbiguousName { matches, .. } = &error else {
            panic!("expected AmbiguousName, got {error}");
        };
        assert_eq!(matches.len(), 2);
    }

    #[test]
    fn other_kind_is_rejected() {
        let g = graph();
        let error = resolve_entity(&g, "DOID:9352", &[kind(&g, "Compound")]).unwrap_err();
        assert!(matches!(error, RankError::WrongKind { .. }), "{error}");
        let by_name = resolve_entity(&g, "aspirin", &[kind(&g, "Gene")]).unwrap_err();
        assert!(matches!(by_name, RankError::WrongKind { .. }), "{by_name}");
    }

    #[test]
    fn nonsense_gives_no_panic() {
        let g = graph();
        for text in ["", "  ", "::", "Gene::", "zzzzzzzzzzzzzzzzzzzzzzz", "ü∂ƒ"] {
            assert!(
                resolve_entity(&g, text, &[kind(&g, "Gene")]).is_err(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn levenshtein_counts_edits() {
        let chars = |s: &str| s.chars().collect::<Vec<_>>();
        assert_eq!(levenshtein(&chars("kitten"), &chars("sitting")), 3);
        assert_eq!(levenshtein(&chars(""), &chars("abc")), 3);
        assert_eq!(levenshtein(&chars("same"), &chars("same")), 0);
    }
}
