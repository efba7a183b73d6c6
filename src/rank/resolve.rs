//! Resolution of the entity a user names: an id or a name, checked against the kinds a
//! question accepts.
//!
//! [`resolve_entity`] tries, in order: the full id (`Gene::1017`), the source id under each
//! accepted kind (`DOID:9352`, `1017` as a gene), a source id that only one node has
//! (`DB00945`), and the name compared case-insensitively. A miss returns
//! [`RankError::UnknownEntity`] with the closest names (see [`fuzzy_matches`]), or for an
//! input shaped like an id, the ids one edit away. A name that several nodes share returns
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

    // An unknown id is compared with ids only: its closest names by edit distance are
    // unrelated entities.
    let suggestions = if looks_like_id(graph, &lower, kinds) {
        closest_ids(graph, &lower, kinds, SUGGESTIONS)
    } else {
        closest_matches(graph, &lower, kinds, SUGGESTIONS)
    };
    Err(RankError::UnknownEntity {
        query: text.to_owned(),
        expected,
        suggestions,
    })
}

/// Maximum edits between an unknown id and a suggested id.
const MAX_ID_EDITS: usize = 1;

/// Returns whether `query` (lower case) has the form of a source id of `kinds`: no spaces,
/// a digit, and the same text before its first digit as one of their ids (`db`, `doid:`,
/// or nothing for the numeric gene ids).
fn looks_like_id(graph: &KnowledgeGraph, query: &str, kinds: &[KindId]) -> bool {
    let prefix = |text: &str| -> String {
        text.chars()
            .take_while(|c| !c.is_ascii_digit())
            .collect::<String>()
            .to_lowercase()
    };
    if query.contains(char::is_whitespace) || !query.contains(|c: char| c.is_ascii_digit()) {
        return false;
    }
    let query_prefix = prefix(query.rsplit("::").next().unwrap_or(query));
    kinds.iter().any(|&kind| {
        graph
            .kind_range(kind)
            .any(|node| prefix(graph.node(node).source_id()) == query_prefix)
    })
}

/// Returns up to `limit` nodes of `kinds` whose source id is within [`MAX_ID_EDITS`] edits
/// of `query` (lower case, with or without its `Kind::` part), fewest edits first. Each
/// entry reads `name (id)`.
fn closest_ids(graph: &KnowledgeGraph, query: &str, kinds: &[KindId], limit: usize) -> Vec<String> {
    let query: Vec<char> = query.rsplit("::").next().unwrap_or(query).chars().collect();
    let mut scored: Vec<(usize, u32)> = kinds
        .iter()
        .flat_map(|&kind| graph.kind_range(kind))
        .filter_map(|node| {
            let id: Vec<char> = graph
                .node(node)
                .source_id()
                .to_lowercase()
                .chars()
                .collect();
            if id.len().abs_diff(query.len()) > MAX_ID_EDITS {
                return None;
            }
            let edits = levenshtein(&query, &id);
            (edits <= MAX_ID_EDITS).then_some((edits, node))
        })
        .collect();
    scored.sort_unstable();
    scored
        .into_iter()
        .take(limit)
        .map(|(_, node)| label(graph, node))
        .collect()
}

/// Maximum query length, in characters, that fuzzy matching compares by edits. A longer
/// query matches only by substring, which bounds the work per node at this many rows of an
/// edit-distance table.
pub const MAX_FUZZY_QUERY_CHARS: usize = 64;

/// Returns up to `limit` nodes of `kinds` whose names are closest to `query` (lower case),
/// ranked by [`fuzzy_matches`]. Each entry reads `name (id)`.
#[must_use]
pub fn closest_matches(
    graph: &KnowledgeGraph,
    query: &str,
    kinds: &[KindId],
    limit: usize,
) -> Vec<String> {
    let candidates = kinds
        .iter()
        .flat_map(|&kind| graph.kind_range(kind))
        .map(|node| {
            let found = graph.node(node);
            (
                node,
                found.name.to_lowercase(),
                found.source_id().to_lowercase(),
            )
        });
    fuzzy_matches(query, candidates, limit)
        .into_iter()
        .map(|node| label(graph, node))
        .collect()
}

/// Ranks `candidates`, given as (node, lower-case name, lower-case source id), by how close
/// they are to `query` (lower case), and returns up to `limit` nodes, best first.
///
/// A candidate matches in one of three ways, for a query of n characters:
/// - its name contains the query, or the query contains a name of 3 or more characters
///   as whole words. These come first, shorter names first.
/// - the query is within n / 3 edits (at least 1) of a part of the name that starts at the
///   beginning of a word, such as a prefix of the name or a run of its words. So
///   `type 2 diabtes` and `diabtes` both match `type 2 diabetes mellitus` with 1 edit.
/// - the whole name or the source id is within n / 2 edits (rounded up, at least 2).
///
/// Edits are Levenshtein edits (insertions, deletions, substitutions of characters). The
/// second and third groups are ranked together: by the edits to the closest part of the
/// name, then by the edits to the whole name or id, then shorter names first. A query
/// longer than [`MAX_FUZZY_QUERY_CHARS`] characters matches only by the first rule.
#[must_use]
pub fn fuzzy_matches<Name, Id>(
    query: &str,
    candidates: impl IntoIterator<Item = (u32, Name, Id)>,
    limit: usize,
) -> Vec<u32>
where
    Name: AsRef<str>,
    Id: AsRef<str>,
{
    let query_chars: Vec<char> = query.chars().collect();
    if query_chars.is_empty() || limit == 0 {
        return Vec::new();
    }
    let compare_edits = query_chars.len() <= MAX_FUZZY_QUERY_CHARS;
    // Limits of the part distance and of the whole-name distance.
    let part_limit = (query_chars.len() / 3).max(1);
    let whole_limit = query_chars.len().div_ceil(2).max(2);

    // Sort key: (group, edits to the closest word-start part, edits to the whole name or
    // id, name length, node).
    let mut scored: Vec<(u8, usize, usize, usize, u32)> = candidates
        .into_iter()
        .filter_map(|(node, name, id)| {
            let (name, id) = (name.as_ref(), id.as_ref());
            if name.contains(query) || (name.len() >= 3 && contains_words(query, name)) {
                return Some((0, 0, 0, name.len(), node));
            }
            if !compare_edits {
                return None;
            }
            let name_chars: Vec<char> = name.chars().collect();
            let id_chars: Vec<char> = id.chars().collect();
            // Each distance is at least the difference in length to the query (the part
            // distance when the name is the shorter), which rules out most names of a long
            // query before any table is filled.
            let length_allows = |len: usize| query_chars.len().abs_diff(len) <= whole_limit;
            if query_chars.len() > name_chars.len() + part_limit
                && !length_allows(name_chars.len())
                && !length_allows(id_chars.len())
            {
                return None;
            }
            let whole =
                levenshtein(&query_chars, &name_chars).min(levenshtein(&query_chars, &id_chars));
            let part = word_start_distance(&query_chars, &name_chars).min(whole);
            (part <= part_limit || whole <= whole_limit).then_some((
                1,
                part,
                whole,
                name.len(),
                node,
            ))
        })
        .collect();
    scored.sort_unstable();
    scored
        .into_iter()
        .take(limit)
        .map(|(.., node)| node)
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

/// Returns whether `name` occurs in `text` as whole words: bounded on both sides by an end
/// of `text` or a character that is not alphanumeric.
fn contains_words(text: &str, name: &str) -> bool {
    text.match_indices(name).any(|(start, _)| {
        let before = text[..start].chars().next_back();
        let after = text[start + name.len()..].chars().next();
        before.is_none_or(|c| !c.is_alphanumeric()) && after.is_none_or(|c| !c.is_alphanumeric())
    })
}

/// Computes the fewest Levenshtein edits that turn `query` into a run of `name` that starts
/// at index 0 or at a word start (an alphanumeric character after one that is not) and ends
/// anywhere. The run from index 0 to the end is the whole name, so the result is
/// at most the Levenshtein distance of the two.
fn word_start_distance(query: &[char], name: &[char]) -> usize {
    // Column j of row i is the cost of aligning the query's first i characters with a run
    // that ends before name[j]. In row 0 a run costs nothing where it starts at a word
    // start, and one edit per name character after the last word start otherwise.
    let mut previous = vec![0; name.len() + 1];
    for j in 1..=name.len() {
        let starts_word =
            j < name.len() && name[j].is_alphanumeric() && !name[j - 1].is_alphanumeric();
        previous[j] = if starts_word { 0 } else { previous[j - 1] + 1 };
    }
    let mut current = vec![0; name.len() + 1];
    for (i, q) in query.iter().enumerate() {
        current[0] = i + 1;
        for (j, n) in name.iter().enumerate() {
            let substitution = previous[j] + usize::from(q != n);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous.into_iter().min().unwrap_or(query.len())
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
    fn unknown_id_lists_close_ids_only() {
        let g = graph();
        let compound = kind(&g, "Compound");
        let suggestions = |text: &str| match resolve_entity(&g, text, &[compound]) {
            Err(RankError::UnknownEntity { suggestions, .. }) => suggestions,
            other => panic!("expected UnknownEntity for {text}, got {other:?}"),
        };
        assert_eq!(suggestions("DB0945"), ["Aspirin (Compound::DB00945)"]);
        assert!(suggestions("DB99999").is_empty());
        assert!(suggestions("Compound::DB77777").is_empty());
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

    /// Returns a graph with the diabetes diseases of Hetionet v1.0 and some of its other
    /// disease names, with their real ids.
    fn diseases() -> KnowledgeGraph {
        let mut builder = GraphBuilder::new(Schema::hetionet());
        for (id, name) in [
            ("DOID:9352", "type 2 diabetes mellitus"),
            ("DOID:9744", "type 1 diabetes mellitus"),
            ("DOID:11714", "gestational diabetes"),
            ("DOID:1612", "breast cancer"),
            ("DOID:1319", "brain cancer"),
            ("DOID:10652", "Alzheimer's disease"),
        ] {
            builder.add_node(id, "Disease", name, None).unwrap();
        }
        builder.add_node("26136", "Gene", "TES", None).unwrap();
        builder.build().unwrap()
    }

    #[test]
    fn misspelt_prefix_lists_long_name() {
        let g = diseases();
        let disease = kind(&g, "Disease");
        let error = resolve_entity(&g, "type 2 diabtes", &[disease]).unwrap_err();
        let RankError::UnknownEntity { suggestions, .. } = &error else {
            panic!("expected UnknownEntity, got {error}");
        };
        assert_eq!(
            suggestions.first().map(String::as_str),
            Some("type 2 diabetes mellitus (Disease::DOID:9352)"),
            "{suggestions:?}"
        );
        assert_eq!(
            suggestions.get(1).map(String::as_str),
            Some("type 1 diabetes mellitus (Disease::DOID:9744)"),
            "{suggestions:?}"
        );
        assert_eq!(suggestions.len(), 2, "{suggestions:?}");
    }

    #[test]
    fn misspelt_word_lists_names() {
        let g = diseases();
        let disease = kind(&g, "Disease");
        let matches = closest_matches(&g, "diabtes", &[disease], SUGGESTIONS);
        assert_eq!(matches.len(), 3, "{matches:?}");
        for diabetes in ["DOID:9352", "DOID:9744", "DOID:11714"] {
            assert!(
                matches.iter().any(|m| m.contains(diabetes)),
                "{diabetes} missing from {matches:?}"
            );
        }
        let breast = closest_matches(&g, "brest cancer", &[disease], SUGGESTIONS);
        assert_eq!(breast[0], "breast cancer (Disease::DOID:1612)");
        let alzheimer = closest_matches(&g, "alzheimers", &[disease], SUGGESTIONS);
        assert_eq!(alzheimer, ["Alzheimer's disease (Disease::DOID:10652)"]);
    }

    #[test]
    fn short_name_inside_word_not_matched() {
        // "tes" ends "diabtes" but is no word of the query, so the gene TES is no match.
        let g = diseases();
        let kinds = [kind(&g, "Disease"), kind(&g, "Gene")];
        let matches = closest_matches(&g, "type 2 diabtes", &kinds, SUGGESTIONS);
        assert!(!matches.iter().any(|m| m.contains("TES")), "{matches:?}");
        let as_word = closest_matches(&g, "tes gene", &kinds, SUGGESTIONS);
        assert_eq!(as_word, ["TES (Gene::26136)"]);
    }

    #[test]
    fn fuzzy_matches_rank_and_limit() {
        let candidates = [
            (0, "type 1 diabetes mellitus", "doid:9744"),
            (1, "type 2 diabetes mellitus", "doid:9352"),
            (2, "breast cancer", "doid:1612"),
        ];
        assert_eq!(fuzzy_matches("type 2 diabtes", candidates, 10), [1, 0]);
        assert_eq!(fuzzy_matches("type 2 diabtes", candidates, 1), [1]);
        assert_eq!(fuzzy_matches("doid:9353", candidates, 10).first(), Some(&1));
        assert!(fuzzy_matches("", candidates, 10).is_empty());
        assert!(fuzzy_matches("type 2 diabtes", candidates, 0).is_empty());
    }

    #[test]
    fn length_bound_keeps_limit_cases() {
        // A 10-character query allows 5 edits to a whole name: "abcde" is 5 deletions away,
        // "abcd" 6, and the id "abcdefghijklmno" 5 insertions. Shorter names rank first.
        let candidates = [
            (0, "abcde", "x"),
            (1, "abcd", "y"),
            (2, "zz", "abcdefghijklmno"),
        ];
        assert_eq!(fuzzy_matches("abcdefghij", candidates, 10), [2, 0]);
    }

    #[test]
    fn long_query_matches_substrings_only() {
        let long = "b".repeat(MAX_FUZZY_QUERY_CHARS + 1);
        let near = format!("{long}x");
        let candidates = [(0, near.as_str(), "id0"), (1, "breast cancer", "id1")];
        assert_eq!(fuzzy_matches(&long[1..], candidates, 10), [0]);
        assert!(fuzzy_matches(&format!("{long}y"), candidates, 10).is_empty());
    }

    #[test]
    fn word_start_distance_counts_edits() {
        let chars = |s: &str| s.chars().collect::<Vec<_>>();
        let name = chars("type 2 diabetes mellitus");
        assert_eq!(word_start_distance(&chars("type 2 diabtes"), &name), 1);
        assert_eq!(word_start_distance(&chars("diabtes"), &name), 1);
        assert_eq!(word_start_distance(&chars("melitus"), &name), 1);
        // A run starts at a word, so "abetes" pays for the skipped "di".
        assert_eq!(word_start_distance(&chars("abetes"), &chars("diabetes")), 2);
        assert_eq!(word_start_distance(&chars("abc"), &chars("")), 3);
        assert_eq!(word_start_distance(&chars(""), &chars("abc")), 0);
    }

    #[test]
    fn levenshtein_counts_edits() {
        let chars = |s: &str| s.chars().collect::<Vec<_>>();
        assert_eq!(levenshtein(&chars("kitten"), &chars("sitting")), 3);
        assert_eq!(levenshtein(&chars(""), &chars("abc")), 3);
        assert_eq!(levenshtein(&chars("same"), &chars("same")), 0);
    }
}
