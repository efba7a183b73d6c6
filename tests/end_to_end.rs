//! The whole path through the binary on a small real subgraph: `ingest` from files, `train`,
//! `predict` and `report` to files, then `rxgraph serve` as a child process on a loopback
//! port, read through the REST API and through Python's SPARQLWrapper.
//!
//! The subgraph is the embedded Hetionet without its three gene–gene and gene–pathway
//! metaedges (GiG, GcG, GpPW): 47,031 nodes and about 40,000 edges, which keeps training and
//! start-up to seconds.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command as ProcessCommand, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use flate2::read::GzDecoder;
use serde_json::Value;

const TYPE_2_DIABETES: &str = "Disease::DOID:9352";
const DROPPED_METAEDGES: [&str; 3] = ["GiG", "GcG", "GpPW"];

fn rxgraph() -> Command {
    let mut command = Command::cargo_bin("rxgraph").unwrap();
    command.arg("--quiet");
    command
}

fn read_gz(path: &Path) -> String {
    let mut text = String::new();
    GzDecoder::new(std::fs::File::open(path).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    text
}

/// Writes the subgraph's node and edge files into `dir`; returns their paths and the
/// compounds known to treat or palliate type 2 diabetes.
fn write_subgraph(dir: &Path) -> (PathBuf, PathBuf, HashSet<String>) {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/hetionet");
    let nodes = dir.join("nodes.tsv");
    std::fs::write(&nodes, read_gz(&data.join("hetionet-v1.0-nodes.tsv.gz"))).unwrap();

    let edges_text = read_gz(&data.join("hetionet-v1.0-edges-12.sif.gz"));
    let mut subgraph_edges = String::new();
    let mut known = HashSet::new();
    for (number, line) in edges_text.lines().enumerate() {
        let fields: Vec<&str> = line.split('\t').collect();
        if number > 0 && DROPPED_METAEDGES.contains(&fields[1]) {
            continue;
        }
        if matches!(fields[1], "CtD" | "CpD") && fields[2] == TYPE_2_DIABETES {
            known.insert(fields[0].to_owned());
        }
        subgraph_edges.push_str(line);
        subgraph_edges.push('\n');
    }
    let edges = dir.join("edges.sif");
    std::fs::write(&edges, subgraph_edges).unwrap();
    (nodes, edges, known)
}

/// A server child process, stopped when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `rxgraph serve` on a free loopback port and waits until `/healthz` returns 200.
fn serve(workdir: &Path, model: &Path) -> Server {
    let mut child = ProcessCommand::new(assert_cmd::cargo::cargo_bin("rxgraph"))
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--predictions-top-n",
            "137",
            "--workdir",
        ])
        .arg(workdir)
        .arg("--model")
        .arg(model)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();

    // The log line `listening addr=127.0.0.1:PORT` gives the port that the OS picked.
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("the server exited before it logged its address")
            .unwrap();
        if let Some(rest) = line
            .split("addr=")
            .nth(1)
            .filter(|_| line.contains("listening"))
        {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    // Keep draining the log so that the server never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));

    let server = Server {
        child,
        base: format!("http://{addr}"),
    };
    let started = Instant::now();
    while get(&format!("{}/healthz", server.base)).0 != 200 {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the server was not ready within 120 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    server
}

fn get(url: &str) -> (u16, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into();
    match agent.get(url).call() {
        Ok(mut response) => (
            response.status().as_u16(),
            response.body_mut().read_to_string().unwrap_or_default(),
        ),
        Err(_) => (0, String::new()),
    }
}

#[test]
fn cli_files_server_and_sparql_client() {
    let dir = tempfile::tempdir().unwrap();
    let (nodes, edges, known) = write_subgraph(dir.path());
    let workdir = dir.path().join("work");

    rxgraph()
        .args(["ingest", "--nodes"])
        .arg(&nodes)
        .arg("--edges")
        .arg(&edges)
        .arg("--out")
        .arg(&workdir)
        .assert()
        .success();

    let config = dir.path().join("tiny.toml");
    std::fs::write(
        &config,
        "model = \"transe\"\ndim = 16\nepochs = 2\nnegatives = 8\nsplit = \"indication-disease\"\n",
    )
    .unwrap();
    let model = workdir.join("models/tiny");
    rxgraph()
        .args(["train", "--device", "cpu", "--workdir"])
        .arg(&workdir)
        .arg("--config")
        .arg(&config)
        .arg("--out")
        .arg(&model)
        .assert()
        .success();
    assert!(model.join("model.safetensors").is_file());

    // predict: new drugs for type 2 diabetes, none of them a known treatment, with explanations.
    let predictions = dir.path().join("t2d.json");
    rxgraph()
        .args([
            "predict",
            "--explain",
            "--k",
            "5",
            "--disease",
            "DOID:9352",
            "--workdir",
        ])
        .arg(&workdir)
        .arg("--model")
        .arg(&model)
        .arg("--out")
        .arg(&predictions)
        .assert()
        .success();
    let predicted: Value =
        serde_json::from_str(&std::fs::read_to_string(&predictions).unwrap()).unwrap();
    let candidates = predicted["candidates"].as_array().unwrap();
    assert_eq!(candidates.len(), 5);
    let predicted_ids: Vec<&str> = candidates
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    // Without the gene–gene edges, a candidate may have no path of length ≤ 3 to the disease.
    // Each path that is listed runs from the candidate to the disease.
    let mut explained = 0;
    for candidate in candidates {
        let id = candidate["id"].as_str().unwrap();
        assert!(!known.contains(id), "{id} already treats type 2 diabetes");
        let explanation = &candidate["explanation"];
        let metapaths = explanation["metapaths"].as_array().unwrap();
        let counted: u64 = metapaths
            .iter()
            .map(|m| m["path_count"].as_u64().unwrap())
            .sum();
        assert_eq!(explanation["path_count"].as_u64().unwrap(), counted, "{id}");
        for path in metapaths
            .iter()
            .flat_map(|m| m["top_paths"].as_array().unwrap())
        {
            let names = path["names"].as_array().unwrap();
            assert_eq!(names[0], candidate["name"], "{id}: {path}");
            assert_eq!(
                names[names.len() - 1],
                "type 2 diabetes mellitus",
                "{id}: {path}"
            );
        }
        explained += usize::from(counted > 0);
    }
    assert!(explained > 0, "no candidate has an explanation path");

    // report: a self-contained page with plots.
    let report = dir.path().join("t2d.html");
    rxgraph()
        .args(["report", "--disease", "DOID:9352", "--workdir"])
        .arg(&workdir)
        .arg("--model")
        .arg(&model)
        .arg("--out")
        .arg(&report)
        .assert()
        .success();
    let page = std::fs::read_to_string(&report).unwrap();
    assert!(page.contains("<svg"), "the report has no plot");
    assert!(
        page.contains(predicted_ids[0]),
        "the report lacks the top candidate"
    );
    assert!(!page.contains("<script src="), "the report loads a script");

    // serve: the REST ranking equals the CLI's, and the SPARQL predictions graph agrees.
    let server = serve(&workdir, &model);
    let (status, body) = get(&format!(
        "{}/api/v1/predictions?source=DOID:9352&relation=CtD&k=5",
        server.base
    ));
    assert_eq!(status, 200, "{body}");
    let rest: Value = serde_json::from_str(&body).unwrap();
    let rest_ids: Vec<&str> = rest["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(rest_ids, predicted_ids);

    let top_score = rest["candidates"][0]["score"].as_f64().unwrap();
    let script = r#"
import sys
from SPARQLWrapper import JSON, SPARQLWrapper
sparql = SPARQLWrapper(sys.argv[1])
sparql.setQuery("""
PREFIX rx: <https://w3id.org/rxgraph/vocab#>
SELECT ?drug ?score WHERE {
  GRAPH rx:predictions { ?p rx:object <http://purl.obolibrary.org/obo/DOID_9352> ; rx:subject ?drug ; rx:score ?score }
} ORDER BY DESC(?score) LIMIT 1
""")
sparql.setReturnFormat(JSON)
rows = sparql.query().convert()["results"]["bindings"]
print(rows[0]["drug"]["value"], rows[0]["score"]["value"])
"#;
    let python = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python");
    let mut child = ProcessCommand::new(&python)
        .args(["-", &format!("{}/sparql", server.base)])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("failed to run {}: {e}; run scripts/setup", python.display()));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "SPARQLWrapper failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    // The materialised graph stores scores as xsd:double literals, so compare scores with a
    // tolerance: a candidate tied with the top one within it may come first there.
    let stdout = String::from_utf8_lossy(&output.stdout);
    let (sparql_iri, sparql_score) = stdout.trim().split_once(' ').unwrap();
    let sparql_score: f64 = sparql_score.parse().unwrap();
    let tolerance = 1e-5 * (1.0 + top_score.abs());
    assert!(
        (sparql_score - top_score).abs() <= tolerance,
        "SPARQL top score {sparql_score}, REST top score {top_score}"
    );
    let tied_with_top = rest["candidates"].as_array().unwrap().iter().any(|c| {
        c["iri"] == sparql_iri && (c["score"].as_f64().unwrap() - top_score).abs() <= tolerance
    });
    assert!(
        tied_with_top,
        "SPARQL's top drug {sparql_iri} is not REST's top candidate: {body}"
    );
}
