//! `rxgraph evaluate` through the real binary: the baseline on a real work directory writes
//! metrics.json and prints its tables; bad inputs fail with a clear message.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

fn rxgraph() -> Command {
    let mut command = Command::cargo_bin("rxgraph").unwrap();
    command
        .env_remove("RXGRAPH_WORKDIR")
        .env_remove("RXGRAPH_SEED")
        .arg("--quiet");
    command
}

fn ingest(dir: &Path) -> PathBuf {
    let work = dir.join("work");
    rxgraph()
        .args(["ingest", "--out"])
        .arg(&work)
        .assert()
        .success();
    work
}

#[test]
fn evaluate_baseline_writes_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let work = ingest(dir.path());

    rxgraph()
        .args([
            "evaluate",
            "--split",
            "indication-random",
            "--seed",
            "7",
            "--workdir",
        ])
        .arg(&work)
        .assert()
        .success()
        .stdout(predicate::str::contains("leakage: 0 held-out triples"))
        .stdout(predicate::str::contains("degree prior"))
        .stdout(predicate::str::contains("CpD"));

    let path = work.join("eval/indication-random/metrics.json");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(report["split"], "indication-random");
    assert_eq!(report["seed"], 7);
    assert_eq!(report["leakage"]["duplicates"], 0);
    assert!(report["model"].is_null());
    assert_eq!(report["baseline"]["model"], "degree prior");
    assert_eq!(report["filter_groups"][0][0], "CtD");
    let relations = report["baseline"]["relations"].as_array().unwrap();
    assert_eq!(relations.len(), 2);
    let protocols: Vec<&str> = relations[0]["classification"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["negatives_protocol"].as_str().unwrap())
        .collect();
    assert_eq!(protocols, ["one-to-one", "all-pairs"]);
    let mrr = report["baseline"]["overall"]["both"]["filtered"]["mrr"]
        .as_f64()
        .unwrap();
    assert!(mrr > 0.0, "{mrr}");
    assert!(mrr <= 1.0, "{mrr}");

    // Bad inputs that need a real work directory.
    rxgraph()
        .args(["evaluate", "--split", "no-such-split", "--workdir"])
        .arg(&work)
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "unknown split \"no-such-split\" (--split)",
        ))
        .stderr(predicate::str::contains(
            "available: indication-disease, indication-random",
        ));
    rxgraph()
        .args(["evaluate", "--filter-group", "CtD,CxD", "--workdir"])
        .arg(&work)
        .assert()
        .failure()
        .stderr(predicate::str::contains("unknown relation \"CxD\""));
    let model = dir.path().join("model");
    std::fs::create_dir(&model).unwrap();
    rxgraph()
        .args(["evaluate", "--workdir"])
        .arg(&work)
        .arg("--model")
        .arg(&model)
        .assert()
        .failure()
        .stderr(predicate::str::contains("without --model"));
}

#[test]
fn missing_work_dir_rejected() {
    rxgraph()
        .args(["evaluate", "--workdir", "/nonexistent/work"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("/nonexistent/work"))
        .stderr(predicate::str::contains("rxgraph ingest"));
}

#[test]
fn missing_model_dir_rejected() {
    rxgraph()
        .args([
            "evaluate",
            "--workdir",
            "/nonexistent/work",
            "--model",
            "/nonexistent/model",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "model directory not found: /nonexistent/model (--model)",
        ));
}

#[test]
fn invalid_device_rejected() {
    rxgraph()
        .args([
            "evaluate",
            "--workdir",
            "/nonexistent/work",
            "--device",
            "tpu",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains("invalid --device \"tpu\""));
}
