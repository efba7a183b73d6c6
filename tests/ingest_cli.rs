//! `rxgraph ingest`, `info`, `split` and `query` through the real binary on small real
//! fixtures: every broken input is rejected with its own message, a non-zero exit, and no
//! work directory left behind.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/ingest")
        .join(name)
}

fn rxgraph() -> Command {
    let mut command = Command::cargo_bin("rxgraph").unwrap();
    command.env_remove("RXGRAPH_WORKDIR").arg("--quiet");
    command
}

/// Runs an ingest that must fail; checks the message and that nothing was left on disk.
fn assert_rejected(args: &[&str], message: &str) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("work");
    rxgraph()
        .arg("ingest")
        .args(args)
        .arg("--out")
        .arg(&out)
        .assert()
        .failure()
        .stderr(predicate::str::contains(message));
    assert!(!out.exists(), "a failed ingest left {}", out.display());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert!(leftovers.is_empty(), "a failed ingest left {leftovers:?}");
}

fn nodes(name: &str) -> String {
    fixture(name).display().to_string()
}

#[test]
fn missing_file_rejected() {
    assert_rejected(
        &[
            "--nodes",
            "/nonexistent/nodes.tsv",
            "--edges",
            &nodes("edges.sif"),
        ],
        "input file not found: /nonexistent/nodes.tsv",
    );
}

#[test]
fn wrong_column_count_rejected() {
    assert_rejected(
        &["--nodes", &nodes("nodes_columns.tsv")],
        "nodes_columns.tsv:3: expected 3 tab-separated columns, found 2",
    );
}

#[test]
fn unknown_kind_rejected() {
    assert_rejected(
        &["--nodes", &nodes("nodes_unknown_kind.tsv")],
        "nodes_unknown_kind.tsv:3: unknown node kind \"Drug\"",
    );
}

#[test]
fn duplicate_node_rejected() {
    assert_rejected(
        &["--nodes", &nodes("nodes_duplicate.tsv")],
        "nodes_duplicate.tsv:3: duplicate node \"Compound::DB00945\", first defined at",
    );
}

#[test]
fn bad_header_rejected() {
    assert_rejected(
        &["--nodes", &nodes("nodes_header.tsv")],
        "nodes_header.tsv:1: unexpected header",
    );
}

#[test]
fn edge_to_unknown_node_rejected() {
    assert_rejected(
        &["--nodes", &nodes("nodes.tsv"), "--edges", &nodes("edges_unknown_node.sif")],
        "edges_unknown_node.sif:3: edge Compound::DB00945 CtD Disease::DOID:0000000: unknown node \"Disease::DOID:0000000\"",
    );
}

#[test]
fn duplicate_edge_rejected() {
    assert_rejected(
        &["--nodes", &nodes("nodes.tsv"), "--edges", &nodes("edges_duplicate.sif")],
        "edges_duplicate.sif:3: duplicate edge Compound::DB00945 CtD Disease::DOID:1612, first listed at",
    );
}

#[test]
fn unknown_relation_rejected() {
    assert_rejected(
        &[
            "--nodes",
            &nodes("nodes.tsv"),
            "--edges",
            &nodes("edges_unknown_relation.sif"),
        ],
        "unknown relation \"CtX\"",
    );
}

#[test]
fn relation_kinds_checked() {
    assert_rejected(
        &[
            "--nodes",
            &nodes("nodes.tsv"),
            "--edges",
            &nodes("edges_wrong_kinds.sif"),
        ],
        "relation CtD joins Compound to Disease, not Disease to Compound",
    );
}

#[test]
fn non_utf8_rejected() {
    assert_rejected(
        &["--nodes", &nodes("nodes_latin1.tsv")],
        "nodes_latin1.tsv:3: line is not valid UTF-8",
    );
}

#[test]
fn byte_order_mark_rejected() {
    assert_rejected(
        &["--nodes", &nodes("nodes_bom.tsv")],
        "nodes_bom.tsv:1: file starts with a UTF-8 byte-order mark",
    );
}

#[test]
fn invalid_rdf_rejected() {
    assert_rejected(&["--rdf", &nodes("broken.nt")], "broken.nt: invalid RDF");
}

#[test]
fn crlf_nodes_load() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("work");
    rxgraph()
        .args([
            "ingest",
            "--nodes",
            &nodes("nodes_crlf.tsv"),
            "--edges",
            &nodes("edges.sif.gz"),
            "--out",
        ])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("6 nodes, 5 edges"));
    assert!(out.join("manifest.json").is_file());
}

#[test]
fn existing_workdir_kept_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("work");
    let ingest = |force: bool| {
        let mut command = rxgraph();
        command
            .args([
                "ingest",
                "--nodes",
                &nodes("nodes.tsv"),
                "--edges",
                &nodes("edges.sif"),
                "--out",
            ])
            .arg(&out);
        if force {
            command.arg("--force");
        }
        command.assert()
    };
    ingest(false).success();
    ingest(false)
        .failure()
        .stderr(predicate::str::contains("it already exists; pass --force"));
    ingest(true).success();
    assert!(out.join("manifest.json").is_file());
}

#[test]
fn existing_workdir_rejected_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("work");
    std::fs::create_dir(&out).unwrap();
    // The input file is missing: an ingest that read its inputs first would fail on that.
    rxgraph()
        .args(["ingest", "--nodes", "/nonexistent/nodes.tsv", "--out"])
        .arg(&out)
        .assert()
        .failure()
        .stderr(predicate::str::contains("it already exists; pass --force"))
        .stderr(predicate::str::contains("not found").not());
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 0);
}

/// Ingests the small fixture graph into `out`.
fn ingest_fixture(out: &Path) {
    rxgraph()
        .args([
            "ingest",
            "--nodes",
            &nodes("nodes.tsv"),
            "--edges",
            &nodes("edges.sif"),
            "--out",
        ])
        .arg(out)
        .assert()
        .success();
}

#[test]
fn ingest_stores_gene_annotation_tables() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("work");
    ingest_fixture(&out);
    for table in [
        "mappings/gene_entrez_xrefs.tsv.gz",
        "texts/gene_ncbi.tsv.gz",
    ] {
        let stored = std::fs::read(out.join(table)).unwrap();
        assert!(stored.starts_with(&[0x1f, 0x8b]), "{table} is not gzip");
        let source = std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("data")
                .join(table),
        );
        assert!(
            stored == source.unwrap(),
            "{table} differs from data/{table}"
        );
    }
}

#[test]
fn generic_triples_and_rdf_load() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("work");
    rxgraph()
        .args([
            "ingest",
            "--node-kinds",
            &nodes("node_kinds.tsv"),
            "--triples",
            &nodes("triples.tsv"),
            "--rdf",
            &nodes("graph.ttl"),
            "--out",
        ])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("6 nodes, 4 edges"))
        .stdout(predicate::str::contains("inhibits"));

    // The RDF edge keeps the input IRIs; the generic relation is queryable under rx:.
    rxgraph()
        .args(["query", "--workdir"])
        .arg(&out)
        .arg("SELECT ?d WHERE { <https://identifiers.org/drugbank:DB00945> <https://w3id.org/rxgraph/vocab#CtD> ?d }")
        .assert()
        .success()
        .stdout(predicate::str::contains("<http://purl.obolibrary.org/obo/DOID_1612>"));
}

#[test]
fn split_command_rejects_unknown_relation() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("work");
    rxgraph()
        .args([
            "ingest",
            "--nodes",
            &nodes("nodes.tsv"),
            "--edges",
            &nodes("edges.sif"),
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    rxgraph()
        .args(["split", "--name", "x", "--relations", "CtX", "--workdir"])
        .arg(&out)
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "invalid split \"x\": unknown relation \"CtX\"",
        ));
}

#[test]
fn split_command_lists_relations_and_kinds() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("work");
    ingest_fixture(&out);
    let split = |extra: &[&str]| {
        let mut command = rxgraph();
        command
            .args(["split", "--name", "x", "--workdir"])
            .arg(&out)
            .args(extra);
        command.assert().failure()
    };
    split(&["--relations", "CtX"])
        .stderr(predicate::str::contains("unknown relation \"CtX\""))
        .stderr(predicate::str::contains("relations in this graph: "))
        .stderr(predicate::str::contains("CtD"));
    split(&["--relations", "CtD", "--held-out-kind", "Drug"])
        .stderr(predicate::str::contains("unknown node kind \"Drug\""))
        .stderr(predicate::str::contains(
            "kinds that CtD join: Compound, Disease",
        ));
}

#[test]
fn query_rejects_update_as_read_only() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("work");
    ingest_fixture(&out);
    rxgraph()
        .args(["query", "--workdir"])
        .arg(&out)
        .arg("INSERT DATA { <a:b> <a:c> <a:d> }")
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "`rxgraph query` is read-only and rejects SPARQL updates",
        ))
        .stderr(predicate::str::contains("rxgraph serve --workdir"))
        .stderr(predicate::str::contains("--allow-update"))
        .stderr(predicate::str::contains("invalid SPARQL query").not());
    rxgraph()
        .args(["query", "--workdir"])
        .arg(&out)
        .arg("ASK { <a:b> <a:c> <a:d> }")
        .assert()
        .success()
        .stdout(predicate::str::contains("false"));
}

#[test]
fn split_and_info_label_train_counts() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("work");
    ingest_fixture(&out);
    // Of the two CbG pairs one is held out for test. CtD, GiG and CrC stay in training.
    rxgraph()
        .args(["split", "--name", "targets", "--relations", "CbG"])
        .args([
            "--valid-fraction",
            "0",
            "--test-fraction",
            "0.5",
            "--workdir",
        ])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "split targets: 1 train, 0 valid, 1 test edges of CbG; leakage 0",
        ))
        .stdout(predicate::str::contains(
            "training uses 4 edges in all: 1 of CbG and 3 of other relations",
        ));
    let info = rxgraph()
        .args(["info", "--workdir"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(info.status.success());
    let stdout = String::from_utf8(info.stdout).unwrap();
    let header = stdout.lines().find(|l| l.starts_with("split ")).unwrap();
    let columns: Vec<&str> = header.split_whitespace().collect();
    assert_eq!(
        columns,
        [
            "split",
            "relations",
            "train",
            "valid",
            "test",
            "leakage",
            "train",
            "all"
        ]
    );
    let row = stdout.lines().find(|l| l.starts_with("targets ")).unwrap();
    let values: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(values, ["targets", "CbG", "1", "0", "1", "0", "4"]);
    assert!(
        stdout.contains("train, valid, test: edges of the split's relations"),
        "{stdout}"
    );

    let json = rxgraph()
        .args(["info", "--json", "--workdir"])
        .arg(&out)
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(json["splits"]["targets"]["train"], 1);
    assert_eq!(json["splits"]["targets"]["train_all"], 4);
}

#[test]
fn query_rejects_invalid_sparql() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("work");
    rxgraph()
        .args([
            "ingest",
            "--nodes",
            &nodes("nodes.tsv"),
            "--edges",
            &nodes("edges.sif"),
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    rxgraph()
        .args(["query", "--workdir"])
        .arg(&out)
        .arg("SELEC ?x WHERE { ?x ?p ?o }")
        .assert()
        .failure()
        .stderr(predicate::str::contains("invalid SPARQL query"));
}

#[test]
fn info_rejects_missing_workdir() {
    rxgraph()
        .args(["info", "--workdir", "/nonexistent/work"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "invalid work directory /nonexistent/work: no such directory",
        ));
}
