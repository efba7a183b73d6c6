//! Corpus reading and linking over the real shared corpora and the embedded graph.
//! Each test returns early, with a note on stderr, when the shared corpora are missing.

use std::path::{Path, PathBuf};

use super::*;
use crate::kg::{ingest, Schema};

fn shared(name: &str) -> Option<PathBuf> {
    let dir = Path::new(SHARED_DATA).join(name);
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: {} is missing", dir.display());
        None
    }
}

fn embedded_builder() -> GraphBuilder {
    let mut builder = GraphBuilder::new(Schema::hetionet());
    ingest::read_into(&ingest::Sources::embedded(), &mut builder, false).unwrap();
    builder
}

#[test]
fn bc5cdr_mesh_links_aspirin() {
    let Some(dir) = shared("bc5cdr") else { return };
    let sets = read_dir(&dir).unwrap();
    assert_eq!(sets.len(), 3);
    assert_eq!(sets[0].name, "CDR_DevelopmentSet");

    let mut builder = embedded_builder();
    let literature = add_literature(&mut builder, &sets, LinkOptions::default()).unwrap();
    assert_eq!(literature.passages.len(), 1_500);

    let aspirin: Vec<&MentionRecord> =
        literature.mentions.iter().filter(|m| m.node_id.as_deref() == Some("Compound::DB00945")).collect();
    assert!(!aspirin.is_empty());
    assert!(aspirin.iter().any(|m| m.text.eq_ignore_ascii_case("aspirin")), "{:?}", aspirin[0]);
    assert!(aspirin.iter().all(|m| m.link == Some(LinkMethod::Mesh)));

    // Every mention's sentence contains the mention text.
    for mention in &literature.mentions {
        assert!(mention.sentence.contains(&mention.text), "{mention:?}");
    }

    let graph = builder.build().unwrap();
    let passage = graph.find("Passage::227508").unwrap();
    assert_eq!(graph.node(passage).name, "Naloxone reverses the antihypertensive effect of clonidine.");
    assert_eq!(graph.node(passage).iri, "https://identifiers.org/pubmed:227508");
    assert!(literature.stats.edges["PmC"] > 1_000);
    assert!(literature.stats.edges["PmD"] > 500);
}

#[test]
fn bc5cdr_cid_relations_link_both_ends() {
    let Some(dir) = shared("bc5cdr") else { return };
    let sets = read_dir(&dir).unwrap();
    let mut builder = embedded_builder();
    let literature = add_literature(&mut builder, &sets, LinkOptions::default()).unwrap();
    assert!(!literature.relations.is_empty());
    for relation in &literature.relations {
        assert!(relation.head_id.starts_with("Compound::"), "{relation:?}");
        assert!(relation.tail_id.starts_with("Disease::"), "{relation:?}");
        assert_eq!(relation.relation, "CID");
    }
}

#[test]
fn shared_pmid_is_one_passage() {
    let (Some(bc5cdr), Some(chemprot)) = (shared("bc5cdr"), shared("chemprot")) else { return };
    let mut sets = read_dir(&bc5cdr).unwrap();
    sets.extend(read_dir(&chemprot).unwrap());
    let mut builder = embedded_builder();
    let literature = add_literature(&mut builder, &sets, LinkOptions::default()).unwrap();

    assert_eq!(literature.passages.len(), 1_500 + 2_432 - 1);
    let shared_pmid = literature.passages.iter().find(|p| p.pmid == "16867246").unwrap();
    assert_eq!(shared_pmid.corpora, ["bc5cdr", "chemprot"]);
    assert_eq!(literature.stats.mentions_dropped, 0);

    let kinds: Vec<&str> = literature.stats.by_kind.iter().map(|c| c.kind.as_str()).collect();
    assert_eq!(kinds, ["Compound", "Disease", "Gene"]);
    for count in &literature.stats.by_kind {
        assert!(count.share > 0.05, "{count:?}");
        assert!(count.share < 1.0, "{count:?}");
    }
    builder.build().unwrap();
}

#[test]
fn tables_encode_and_passages_read_back() {
    let Some(dir) = shared("bc5cdr") else { return };
    let sets = read_dir(&dir).unwrap();
    let mut builder = embedded_builder();
    let literature = add_literature(&mut builder, &sets[..1], LinkOptions::default()).unwrap();
    let files = literature.files().unwrap();
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, [PASSAGES, MENTIONS, TEXT_RELATIONS, "literature.json"]);

    let out = tempfile::tempdir().unwrap();
    let path = out.path().join(PASSAGES);
    std::fs::write(&path, &files[0].1).unwrap();
    let passages = read_passages(&path).unwrap();
    assert_eq!(passages, literature.passages);
}

#[test]
fn missing_and_empty_dirs_rejected() {
    let err = read_dir(Path::new("/nonexistent/corpus")).unwrap_err().to_string();
    assert!(err.contains("/nonexistent/corpus"), "{err}");
    let empty = tempfile::tempdir().unwrap();
    let err = read_dir(empty.path()).unwrap_err().to_string();
    assert!(err.contains("no corpus found"), "{err}");
}

#[test]
fn malformed_corpus_file_names_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.PubTator.txt"), "1|t|A.\n1|a|B.\n1\t0\t1\tA\tChemical\n").unwrap();
    let err = read_dir(dir.path()).unwrap_err().to_string();
    assert!(err.contains("bad.PubTator.txt:3:"), "{err}");
}
