//! The embedded Hetionet graph end to end: ingest through the binary, then the counts in
//! the Parquet tables, the petgraph view and the RDF store must all equal Hetionet's own
//! published metaedge counts (`data/hetionet/metaedges.tsv`).

use std::collections::HashMap;
use std::path::Path;

use assert_cmd::Command;
use rxgraph::kg::{query, store, WorkDir};

fn published_counts() -> HashMap<String, usize> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/hetionet/metaedges.tsv");
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .skip(1)
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            (fields[1].to_owned(), fields[2].parse().unwrap())
        })
        .collect()
}

fn sparql_count(rdf: &oxigraph::store::Store, query_text: &str) -> usize {
    let mut out = Vec::new();
    query::run(rdf, query_text, "tsv", &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let value = text.lines().nth(1).unwrap();
    value.split('"').nth(1).unwrap_or(value).parse().unwrap()
}

#[test]
fn embedded_graph_counts_match_hetionet() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("work");
    Command::cargo_bin("rxgraph")
        .unwrap()
        .args(["--quiet", "ingest", "--out"])
        .arg(&out)
        .assert()
        .success();

    let workdir = WorkDir::open(&out).unwrap();
    let graph = workdir.load_graph().unwrap();
    assert_eq!(graph.node_count(), 47_031);
    assert_eq!(graph.edges().len(), 333_582);
    assert_eq!(graph.petgraph().edge_count(), 333_582);

    let published = published_counts();
    let relation_counts = graph.relation_counts();
    assert_eq!(relation_counts.len(), 12);
    let rdf = store::open_store(&workdir.store_path()).unwrap();
    for (relation, count) in relation_counts {
        let abbreviation = &graph.schema().relations[relation as usize].abbreviation;
        assert_eq!(
            count, published[abbreviation],
            "{abbreviation} edges in the graph"
        );
        let iri = graph.schema().relation_iri(relation);
        let in_store = sparql_count(
            &rdf,
            &format!("SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{iri}> ?o }}"),
        );
        assert_eq!(in_store, count, "{abbreviation} edges in the RDF store");
    }

    let nodes_in_store = sparql_count(
        &rdf,
        "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?kind . ?kind <http://www.w3.org/2000/01/rdf-schema#subClassOf> <https://w3id.org/rxgraph/vocab#Entity> }",
    );
    assert_eq!(nodes_in_store, 47_031);

    let names = workdir.split_names();
    assert_eq!(
        names,
        [
            "indication-disease",
            "indication-random",
            "target-compound",
            "target-random"
        ]
    );
    for name in names {
        let split = workdir.split(&name, &graph).unwrap();
        assert_eq!(split.leakage.total(), 0, "leakage in split {name}");
        assert!(
            !split.test(&graph).is_empty(),
            "split {name} has a test part"
        );
    }
}
