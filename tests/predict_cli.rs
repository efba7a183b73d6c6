//! `rxgraph predict` and `rxgraph report` through the real binary on the embedded Hetionet
//! graph, ranked with the degree-prior baseline (no trained model is needed).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use assert_cmd::Command;
use predicates::prelude::*;
use rxgraph::kg::{KnowledgeGraph, WorkDir};

/// Returns one embedded-graph work directory per test binary (an ingest takes about 20 s),
/// with the literature corpora when `../shared/data` has them.
fn workdir() -> &'static Path {
    static DIR: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("work");
        let mut ingest = rxgraph();
        ingest.args(["ingest", "--out"]).arg(&out);
        // The research-use corpora are not embedded; use the shared copies when present.
        let corpora = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
        for corpus in ["bc5cdr", "chemprot"] {
            if corpora.join(corpus).is_dir() {
                ingest.arg("--literature").arg(corpora.join(corpus));
            }
        }
        ingest.assert().success();
        (dir, out)
    });
    path
}

fn graph() -> &'static KnowledgeGraph {
    static GRAPH: OnceLock<KnowledgeGraph> = OnceLock::new();
    GRAPH.get_or_init(|| WorkDir::open(workdir()).unwrap().load_graph().unwrap())
}

fn rxgraph() -> Command {
    let mut command = Command::cargo_bin("rxgraph").unwrap();
    command.arg("--quiet");
    command
}

fn predict(args: &[&str]) -> Command {
    let mut command = rxgraph();
    command
        .args(["predict", "--workdir"])
        .arg(workdir())
        .args(args);
    command
}

/// Known compound–disease pairs under CtD or CpD.
fn known_indications(graph: &KnowledgeGraph) -> HashSet<(String, String)> {
    let schema = graph.schema();
    let relations = [
        schema.relation_id("CtD").unwrap(),
        schema.relation_id("CpD").unwrap(),
    ];
    graph
        .edges()
        .iter()
        .filter(|t| relations.contains(&t.relation))
        .map(|t| (graph.node(t.head).id.clone(), graph.node(t.tail).id.clone()))
        .collect()
}

fn python() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python")
}

#[test]
fn disease_candidates_are_new_and_explained() {
    let known = known_indications(graph());
    for disease in [
        "DOID:2377",
        "type 2 diabetes mellitus",
        "Disease::DOID:1612",
    ] {
        let output = predict(&[
            "--baseline",
            "--disease",
            disease,
            "--k",
            "15",
            "--explain",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let query = json["query"]["id"].as_str().unwrap().to_owned();
        let candidates = json["candidates"].as_array().unwrap();
        assert_eq!(candidates.len(), 15, "{disease}");
        assert!(json["known_removed"].as_u64().unwrap() > 0, "{disease}");
        for (index, candidate) in candidates.iter().enumerate() {
            let id = candidate["id"].as_str().unwrap();
            assert!(id.starts_with("Compound::"), "{id}");
            assert!(
                !known.contains(&(id.to_owned(), query.clone())),
                "{id} already treats {query}"
            );
            assert_eq!(candidate["rank"].as_u64().unwrap(), index as u64 + 1);
            let paths = candidate["explanation"]["path_count"].as_u64().unwrap();
            assert!(paths >= 1, "{id} for {query} has no path");
            let share: f64 = candidate["explanation"]["metapaths"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["share"].as_f64().unwrap())
                .sum();
            assert!((share - 1.0).abs() < 1e-6, "shares of {id} sum to {share}");
            let probability = candidate["probability"].as_f64().unwrap();
            assert!((0.0..=1.0).contains(&probability));
        }
    }
}

#[test]
fn scores_and_percentiles_descend() {
    let output = predict(&[
        "--baseline",
        "--drug",
        "DB00945",
        "--format",
        "json",
        "--k",
        "50",
    ])
    .output()
    .unwrap();
    assert!(output.status.success());
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let candidates = json["candidates"].as_array().unwrap();
    assert!(!candidates.is_empty());
    let scores: Vec<f64> = candidates
        .iter()
        .map(|c| c["score"].as_f64().unwrap())
        .collect();
    let percentiles: Vec<f64> = candidates
        .iter()
        .map(|c| c["percentile"].as_f64().unwrap())
        .collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    assert!(
        percentiles.windows(2).all(|w| w[0] >= w[1]),
        "{percentiles:?}"
    );
    assert!(candidates
        .iter()
        .all(|c| c["id"].as_str().unwrap().starts_with("Disease::")));
}

#[test]
fn drug_targets_have_gene_facts() {
    let output = predict(&[
        "--baseline",
        "--drug",
        "Acetylsalicylic acid",
        "--relation",
        "CbG",
        "--k",
        "5",
        "--explain",
        "--format",
        "json",
    ])
    .output()
    .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["total_candidates"].as_u64().unwrap(), 20_945);
    for candidate in json["candidates"].as_array().unwrap() {
        let gene = &candidate["gene"];
        assert!(gene["symbol"].is_string(), "{candidate}");
        assert!(gene["pathways"]["count"].is_u64());
    }
}

#[test]
fn target_query_ranks_compounds() {
    predict(&["--baseline", "--target", "CDK2", "--k", "3"])
        .assert()
        .success()
        .stdout(predicate::str::contains("CDK2 (Gene::1017) – CbG"));
}

#[test]
fn csv_and_parquet_read_in_python() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("ms.csv");
    let parquet = dir.path().join("ms.parquet");
    for out in [&csv, &parquet] {
        predict(&[
            "--baseline",
            "--disease",
            "multiple sclerosis",
            "--k",
            "12",
            "--explain",
            "--out",
        ])
        .arg(out)
        .assert()
        .success();
    }
    let script = "import csv, sys, pyarrow.parquet as pq\n\
                  rows = list(csv.DictReader(open(sys.argv[1], newline='')))\n\
                  table = pq.read_table(sys.argv[2])\n\
                  assert len(rows) == 12, len(rows)\n\
                  assert table.num_rows == 12, table.num_rows\n\
                  assert rows[0]['candidate_id'] == table.column('candidate_id')[0].as_py()\n\
                  assert [int(r['rank']) for r in rows] == list(range(1, 13))\n\
                  print('ok', table.schema.names)";
    Command::new(python())
        .args(["-c", script])
        .arg(&csv)
        .arg(&parquet)
        .assert()
        .success()
        .stdout(predicate::str::contains("ok"));
}

#[test]
fn all_pairs_parquet_marks_known() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ctd.parquet");
    predict(&["--baseline", "--all", "--relation", "CtD", "--out"])
        .arg(&out)
        .assert()
        .success();
    let known = known_indications(graph()).len();
    let script = format!(
        "import sys, pyarrow.parquet as pq\n\
         t = pq.read_table(sys.argv[1])\n\
         assert t.num_rows == 1552 * 137, t.num_rows\n\
         known = sum(t.column('known').to_pylist())\n\
         assert known == {known}, known\n\
         print('ok')"
    );
    Command::new(python())
        .args(["-c", &script])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("ok"));
}

#[test]
fn report_renders_table_plots_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("ms.html");
    rxgraph()
        .args(["report", "--baseline", "--workdir"])
        .arg(workdir())
        .args(["--disease", "DOID:2377", "--k", "10", "--out"])
        .arg(&html)
        .assert()
        .success();
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("id=\"candidate-table\""));
    assert!(page.contains("multiple sclerosis"));
    assert!(page.contains("id=\"split-note\""));
    assert!(page.contains("known links of multiple sclerosis"));
    assert!(
        page.matches("<svg").count() >= 3,
        "histogram, ROC and PR plots"
    );
    assert!(page.contains("id=\"evidence\""));
    assert!(page.contains("Compound–treats–Disease"));
    assert!(page.contains("Model card"));
    assert!(!page.contains("<script"));
    assert!(
        !page.contains("src=\"http"),
        "the page loads nothing from the network"
    );
    assert_eq!(page.matches("<tr><td class=\"n\">").count(), 10);
    assert!(html.with_extension("csv").is_file());
    assert!(html.with_extension("parquet").is_file());
}

#[test]
fn unknown_name_lists_matches() {
    predict(&["--baseline", "--disease", "diabetes"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("closest matches"))
        .stderr(predicate::str::contains(
            "type 2 diabetes mellitus (Disease::DOID:9352)",
        ));
}

#[test]
fn misspelt_name_lists_matches() {
    predict(&["--baseline", "--disease", "type 2 diabtes"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("closest matches"))
        .stderr(predicate::str::contains(
            "type 2 diabetes mellitus (Disease::DOID:9352)",
        ));
}

#[test]
fn unknown_id_fails_cleanly() {
    predict(&["--baseline", "--drug", "DB99999999"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "no Compound has the id or name \"DB99999999\"",
        ))
        .stderr(predicate::str::contains("panicked").not());
}

#[test]
fn workdir_without_model_fails() {
    predict(&["--disease", "DOID:2377"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("no trained model"))
        .stderr(predicate::str::contains("--baseline"));
}

#[test]
fn missing_model_dir_fails() {
    predict(&["--model", "/nonexistent/model", "--disease", "DOID:2377"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "no trained model in /nonexistent/model",
        ));
}

#[test]
fn k_out_of_range_fails() {
    for k in ["0", "-3", "10001"] {
        predict(&["--baseline", "--disease", "DOID:2377", "--k", k])
            .assert()
            .failure()
            .stderr(predicate::str::contains("invalid k"));
    }
}

#[test]
fn relation_of_other_kinds_fails() {
    predict(&["--baseline", "--disease", "DOID:2377", "--relation", "CbG"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "relation CbG cannot answer this question",
        ));
    predict(&["--baseline", "--disease", "DOID:2377", "--relation", "CxD"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("no such relation"));
}

#[test]
fn wrong_kind_id_fails() {
    predict(&["--baseline", "--drug", "DOID:2377"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("is a Disease, not a Compound"));
}

#[test]
fn missing_workdir_fails() {
    rxgraph()
        .args([
            "predict",
            "--baseline",
            "--workdir",
            "/nonexistent/work",
            "--disease",
            "x",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "failed to open --workdir /nonexistent/work",
        ));
}

#[test]
fn passages_quote_both_ends() {
    if !workdir().join("mentions.parquet").is_file() {
        eprintln!("skipped: the work directory has no literature (no corpora in ../shared/data)");
        return;
    }
    let output = predict(&[
        "--baseline",
        "--disease",
        "breast cancer",
        "--k",
        "100",
        "--explain",
        "--format",
        "json",
    ])
    .output()
    .unwrap();
    assert!(output.status.success());
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let with_passages: Vec<&serde_json::Value> = json["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| !c["passages"].as_array().unwrap().is_empty())
        .collect();
    assert!(
        !with_passages.is_empty(),
        "no top-100 candidate for breast cancer has a passage"
    );
    let passage = &with_passages[0]["passages"][0];
    assert!(passage["pmid"]
        .as_str()
        .unwrap()
        .chars()
        .all(|c| c.is_ascii_digit()));
    assert!(!passage["sentences"].as_array().unwrap().is_empty());
}

/// Makes a work directory in `dir` whose entries link to those of the shared one, leaving
/// out the gene annotation tables (`mappings/`, `texts/`).
fn linked_workdir(dir: &Path) -> PathBuf {
    let out = dir.join("work");
    std::fs::create_dir(&out).unwrap();
    for entry in std::fs::read_dir(workdir()).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name != "mappings" && name != "texts" {
            std::os::unix::fs::symlink(entry.path(), out.join(name)).unwrap();
        }
    }
    out
}

/// Runs `predict` for the top targets of aspirin with gene facts, from `cwd`, and returns
/// the full gene names of the candidates (`None` where the gene has none) and stderr.
fn target_gene_names(workdir: &Path, cwd: &Path, extra: &[&str]) -> (Vec<Option<String>>, String) {
    let output = Command::cargo_bin("rxgraph")
        .unwrap()
        .current_dir(cwd)
        .env_remove("RUST_LOG")
        .env_remove("RXGRAPH_QUIET")
        .env_remove("RXGRAPH_DATA_DIR")
        .args(["predict", "--baseline", "--workdir"])
        .arg(workdir)
        .args(["--drug", "DB00945", "--relation", "CbG", "--k", "5"])
        .args(["--explain", "--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{stderr}");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let names = json["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["gene"]["name"].as_str().map(str::to_owned))
        .collect();
    (names, stderr)
}

#[test]
fn gene_names_come_from_workdir() {
    let dir = tempfile::tempdir().unwrap();
    let linked = linked_workdir(dir.path());

    // A table in the work directory is the one read, whatever the current directory.
    std::fs::create_dir(linked.join("texts")).unwrap();
    let mut table = String::from("node_id\tfield\ttext\tsource\tlicense\n");
    let gene = graph().schema().kind_id("Gene").unwrap();
    for node in graph().kind_range(gene) {
        let id = &graph().node(node).id;
        table.push_str(&format!(
            "{id}\tdescription\tstored name of {id}\ttest\tCC0\n"
        ));
    }
    std::fs::write(linked.join("texts/gene_ncbi.tsv"), table).unwrap();
    let (names, _) = target_gene_names(&linked, dir.path(), &[]);
    assert_eq!(names.len(), 5);
    for name in &names {
        let name = name.as_deref().unwrap_or_default();
        assert!(name.starts_with("stored name of Gene::"), "{name:?}");
    }

    // --data-dir replaces the work directory's tables, and one without them is reported.
    let empty = tempfile::tempdir().unwrap();
    let data_dir = empty.path().to_str().unwrap();
    let (names, stderr) = target_gene_names(&linked, dir.path(), &["--data-dir", data_dir]);
    assert!(names.iter().all(Option::is_none), "{names:?}");
    assert!(
        stderr.contains("--data-dir lacks gene annotation tables"),
        "{stderr}"
    );
}

#[test]
fn old_workdir_uses_embedded_gene_tables() {
    let dir = tempfile::tempdir().unwrap();
    let linked = linked_workdir(dir.path());
    let (names, stderr) = target_gene_names(&linked, dir.path(), &[]);
    assert!(
        stderr.contains("the work directory lacks gene annotation tables"),
        "{stderr}"
    );
    assert_eq!(names.len(), 5);
    assert!(names.iter().all(Option::is_some), "{names:?}");
}
