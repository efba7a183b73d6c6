//! Corpus reading and linking over the real shared corpora and the embedded graph.
//! Each test returns early, with a note on stderr, when the shared corpora are missing.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use super::*;
use crate::kg::{ingest, KnowledgeGraph, Schema};

fn shared(name: &str) -> Option<PathBuf> {
    let dir = Path::new(SHARED_DATA).join(name);
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: {} is missing", dir.display());
        None
    }
}

/// Returns both shared corpora linked to the embedded graph, computed once for all tests.
fn linked_corpora() -> Option<&'static (Literature, KnowledgeGraph)> {
    static LINKED: OnceLock<Option<(Literature, KnowledgeGraph)>> = OnceLock::new();
    LINKED
        .get_or_init(|| {
            let (bc5cdr, chemprot) = (shared("bc5cdr")?, shared("chemprot")?);
            let sets = read_dirs(&[bc5cdr, chemprot]).unwrap();
            let mut builder = GraphBuilder::new(Schema::hetionet());
            ingest::read_into(&ingest::Sources::embedded(), &mut builder, false).unwrap();
            let literature = add_literature(&mut builder, &sets, LinkOptions::default()).unwrap();
            Some((literature, builder.build().unwrap()))
        })
        .as_ref()
}

#[test]
fn bc5cdr_sets_found_in_order() {
    let Some(dir) = shared("bc5cdr") else { return };
    let sets = read_dir(&dir).unwrap();
    let names: Vec<&str> = sets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        ["CDR_DevelopmentSet", "CDR_TestSet", "CDR_TrainingSet"]
    );
}

#[test]
fn bc5cdr_mesh_links_aspirin() {
    let Some((literature, graph)) = linked_corpora() else {
        return;
    };
    let bc5cdr_passages = literature
        .passages
        .iter()
        .filter(|p| p.corpora.contains(&"bc5cdr".to_owned()))
        .count();
    assert_eq!(bc5cdr_passages, 1_500);

    let aspirin: Vec<&MentionRecord> = literature
        .mentions
        .iter()
        .filter(|m| m.corpus == "bc5cdr" && m.node_id.as_deref() == Some("Compound::DB00945"))
        .collect();
    assert!(!aspirin.is_empty());
    assert!(
        aspirin
            .iter()
            .any(|m| m.text.eq_ignore_ascii_case("aspirin")),
        "{:?}",
        aspirin[0]
    );
    assert!(aspirin.iter().all(|m| m.link == Some(LinkMethod::Mesh)));

    let passage = graph.find("Passage::227508").unwrap();
    assert_eq!(
        graph.node(passage).name,
        "Naloxone reverses the antihypertensive effect of clonidine."
    );
    assert_eq!(
        graph.node(passage).iri,
        "https://identifiers.org/pubmed:227508"
    );
    assert!(literature.stats.edges["PmC"] > 1_000);
    assert!(literature.stats.edges["PmD"] > 500);
    assert!(literature.stats.edges["PmG"] > 1_000);
}

#[test]
fn mention_sentences_contain_mention() {
    let Some((literature, _)) = linked_corpora() else {
        return;
    };
    for mention in &literature.mentions {
        assert!(mention.sentence.contains(&mention.text), "{mention:?}");
    }
}

#[test]
fn text_relations_link_both_ends() {
    let Some((literature, _)) = linked_corpora() else {
        return;
    };
    assert!(literature.relations.iter().any(|r| r.source == "bc5cdr"));
    assert!(literature.relations.iter().any(|r| r.source == "chemprot"));
    for relation in &literature.relations {
        assert!(relation.head_id.starts_with("Compound::"), "{relation:?}");
        if relation.source == "bc5cdr" {
            assert_eq!(relation.relation, "CID");
            assert!(relation.tail_id.starts_with("Disease::"), "{relation:?}");
        } else {
            assert!(relation.relation.starts_with("CPR:"), "{relation:?}");
            assert!(relation.tail_id.starts_with("Gene::"), "{relation:?}");
        }
    }
}

#[test]
fn shared_pmid_is_one_passage() {
    let Some((literature, graph)) = linked_corpora() else {
        return;
    };
    assert_eq!(literature.passages.len(), 1_500 + 2_432 - 1);
    let passage_kind = graph.schema().kind_id("Passage").unwrap();
    assert_eq!(
        graph.kind_range(passage_kind).len(),
        literature.passages.len()
    );

    let shared_pmid = literature
        .passages
        .iter()
        .find(|p| p.pmid == "16867246")
        .unwrap();
    assert_eq!(shared_pmid.corpora, ["bc5cdr", "chemprot"]);
    assert_eq!(literature.stats.mentions_dropped, 0);
}

#[test]
fn link_rates_per_kind() {
    let Some((literature, _)) = linked_corpora() else {
        return;
    };
    let kinds: Vec<&str> = literature
        .stats
        .by_kind
        .iter()
        .map(|c| c.kind.as_str())
        .collect();
    assert_eq!(kinds, ["Compound", "Disease", "Gene"]);
    for count in &literature.stats.by_kind {
        assert!(count.share > 0.05, "{count:?}");
        assert!(count.share < 1.0, "{count:?}");
    }
}

#[test]
fn tables_encode_and_passages_read_back() {
    let Some((literature, _)) = linked_corpora() else {
        return;
    };
    let files = literature.files().unwrap();
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [PASSAGES, MENTIONS, TEXT_RELATIONS, "literature.json"]
    );

    let out = tempfile::tempdir().unwrap();
    let path = out.path().join(PASSAGES);
    std::fs::write(&path, &files[0].1).unwrap();
    let passages = read_passages(&path).unwrap();
    assert_eq!(passages, literature.passages);
}

#[test]
fn missing_and_empty_dirs_rejected() {
    let err = read_dir(Path::new("/nonexistent/corpus"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("/nonexistent/corpus"), "{err}");
    let empty = tempfile::tempdir().unwrap();
    let err = read_dir(empty.path()).unwrap_err().to_string();
    assert!(err.contains("no corpus found"), "{err}");
}

#[test]
fn malformed_corpus_file_names_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.PubTator.txt"),
        "1|t|A.\n1|a|B.\n1\t0\t1\tA\tChemical\n",
    )
    .unwrap();
    let err = read_dir(dir.path()).unwrap_err().to_string();
    assert!(err.contains("bad.PubTator.txt:3:"), "{err}");
}
