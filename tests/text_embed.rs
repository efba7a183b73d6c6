//! Entity texts and literature passages through the real encoder (the packaged
//! all-MiniLM-L6-v2 that `scripts/setup` installs) and the real `rxgraph` binary.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use rxgraph::text::cache::read_vectors;
use rxgraph::text::entity_text::{EntityTextOptions, EntityTexts};
use rxgraph::text::{EncoderOptions, TextEncoder};

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn shared_training_set() -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/bc5cdr/CDR_TrainingSet.PubTator.txt");
    if path.is_file() {
        Some(path)
    } else {
        eprintln!("skipped: {} is missing", path.display());
        None
    }
}

#[test]
fn statins_closer_than_antibiotic() {
    let texts = EntityTexts::load(&EntityTextOptions::default()).unwrap();
    let compounds = [
        ("DB01076", "Atorvastatin"),
        ("DB00641", "Simvastatin"),
        ("DB01060", "Amoxicillin"),
    ];
    let compound_texts: Vec<String> = compounds
        .iter()
        .map(|(id, name)| texts.text(&format!("Compound::{id}"), "Compound", name))
        .collect();

    let dir = TextEncoder::default_model_dir().expect("the packaged model; run scripts/setup");
    let encoder = TextEncoder::load(&dir, EncoderOptions::default()).unwrap();
    let refs: Vec<&str> = compound_texts.iter().map(String::as_str).collect();
    let output = encoder.encode(&refs).unwrap();
    let (atorvastatin, simvastatin, amoxicillin) =
        (output.vector(0), output.vector(1), output.vector(2));

    let statins = cosine(atorvastatin, simvastatin);
    assert!(
        statins > cosine(atorvastatin, amoxicillin),
        "{statins} {compound_texts:?}"
    );
    assert!(
        statins > cosine(simvastatin, amoxicillin),
        "{statins} {compound_texts:?}"
    );
}

/// Copies the PubTator blocks of the first two training abstracts that mention aspirin
/// (MeSH D001241) into `dir/aspirin.PubTator.txt`.
fn write_aspirin_corpus(training: &Path, dir: &Path) {
    let text = std::fs::read_to_string(training).unwrap();
    let blocks: Vec<&str> = text
        .split("\n\n")
        .filter(|block| block.contains("\tD001241"))
        .take(2)
        .collect();
    assert_eq!(blocks.len(), 2);
    std::fs::write(dir.join("aspirin.PubTator.txt"), blocks.join("\n\n") + "\n").unwrap();
}

#[test]
fn ingest_then_embed_reuses_cache() {
    let Some(training) = shared_training_set() else {
        return;
    };
    let temp = tempfile::tempdir().unwrap();
    let corpus = temp.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    write_aspirin_corpus(&training, &corpus);
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ingest");
    let work = temp.path().join("work");

    Command::cargo_bin("rxgraph")
        .unwrap()
        .args(["--quiet", "ingest", "--nodes"])
        .arg(fixtures.join("nodes.tsv"))
        .arg("--edges")
        .arg(fixtures.join("edges.sif"))
        .arg("--literature")
        .arg(&corpus)
        .arg("--out")
        .arg(&work)
        .assert()
        .success();
    for name in [
        "passages.parquet",
        "mentions.parquet",
        "text_relations.parquet",
        "literature.json",
    ] {
        assert!(work.join(name).is_file(), "{name} is missing");
    }

    let embed = || {
        let mut command = Command::cargo_bin("rxgraph").unwrap();
        command
            .env("RUST_LOG", "rxgraph=info")
            .env("NO_COLOR", "1")
            .args(["embed", "--device", "cpu", "--workdir"])
            .arg(&work);
        command
    };
    embed()
        .assert()
        .success()
        .stderr(predicate::str::contains("encoded=8"));
    let first = read_vectors(&work.join("vectors.parquet")).unwrap();
    assert_eq!(first.len(), 8, "6 fixture nodes and 2 passages");
    assert_eq!(first.dim, 384);
    assert!(first.ids.iter().any(|id| id.starts_with("Passage::")));

    embed()
        .assert()
        .success()
        .stderr(predicate::str::contains("encoded=0").and(predicate::str::contains("reused=8")));
    let second = read_vectors(&work.join("vectors.parquet")).unwrap();
    assert_eq!(first, second);

    let python = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python");
    if python.is_file() {
        let script = "import sys, pyarrow.parquet as pq\n\
                      t = pq.read_table(sys.argv[1])\n\
                      assert t.column_names == ['id', 'kind', 'text_hash', 'model_id', 'vector'], t.column_names\n\
                      assert str(t.schema.field('vector').type) == 'fixed_size_list<item: float not null>[384]', t.schema\n\
                      print(t.num_rows)";
        std::process::Command::new(python)
            .args(["-c", script])
            .arg(work.join("vectors.parquet"))
            .output()
            .map(|out| {
                assert!(
                    out.status.success(),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                );
                assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "8");
            })
            .unwrap();
    }
}

#[test]
fn malformed_literature_rejected() {
    let temp = tempfile::tempdir().unwrap();
    let corpus = temp.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    std::fs::write(
        corpus.join("bad.PubTator.txt"),
        "1|t|Aspirin.\n1|a|Text.\n1\t0\t7\tAspirin\tDrug\tD001241\n",
    )
    .unwrap();
    let work = temp.path().join("work");
    Command::cargo_bin("rxgraph")
        .unwrap()
        .args(["--quiet", "ingest", "--no-literature"])
        .arg("--out")
        .arg(temp.path().join("unused"))
        .args(["--literature", "x"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("cannot be used with"));
    Command::cargo_bin("rxgraph")
        .unwrap()
        .args(["--quiet", "ingest", "--literature"])
        .arg(&corpus)
        .arg("--out")
        .arg(&work)
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "bad.PubTator.txt:3: invalid entity type \"Drug\"",
        ));
    assert!(!work.exists());
}
