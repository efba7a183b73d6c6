//! Ranking latency: score every candidate, remove known links, keep the top 20.
//!
//! - `disease_vs_compounds/1552`: multiple sclerosis (DOID:2377) against all compounds (CtD).
//! - `drug_vs_genes/20945`: aspirin (DB00945) against all genes (CbG).
//!
//! Each runs with the degree-prior baseline on the embedded graph. With
//! `RXGRAPH_BENCH_WORKDIR=W` set, the graph comes from that work directory and, when
//! `W/models/` holds a trained model, the same two cases also run with it (`model/...`).
//!
//! Run: `cargo bench --bench rank`.

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rxgraph::eval::{DegreePrior, FilterGroups, KnownTriples};
use rxgraph::kg::ingest::{self, Sources};
use rxgraph::kg::{KnowledgeGraph, WorkDir};
use rxgraph::model::LinkScorer;
use rxgraph::rank::{Query, Ranker};

const K: usize = 20;

fn bench_cases(c: &mut Criterion, label: &str, graph: &KnowledgeGraph, scorer: &dyn LinkScorer) {
    let known = KnownTriples::new(
        graph,
        graph.edges(),
        &FilterGroups::indications(graph.schema()),
    );
    let ranker = Ranker::new(graph, scorer, &known, None);
    let schema = graph.schema();
    let cases = [
        ("disease_vs_compounds", "DOID:2377", "CtD"),
        ("drug_vs_genes", "DB00945", "CbG"),
    ];

    let mut group = c.benchmark_group(format!("rank/{label}"));
    for (name, node, relation) in cases {
        let relation = schema.relation_id(relation).unwrap();
        let query = Query::new(graph, graph.find(node).unwrap(), relation).unwrap();
        let candidates = query.candidates(graph).len();
        group.throughput(Throughput::Elements(candidates as u64));
        group.bench_function(BenchmarkId::new(name, candidates), |b| {
            b.iter(|| ranker.rank(&query, K).unwrap());
        });
    }
    group.finish();
}

fn bench_rank(c: &mut Criterion) {
    let workdir = std::env::var_os("RXGRAPH_BENCH_WORKDIR").map(PathBuf::from);
    let graph = match &workdir {
        Some(dir) => WorkDir::open(dir).unwrap().load_graph().unwrap(),
        None => ingest::load(&Sources::embedded(), false).unwrap(),
    };

    let prior = DegreePrior::new(&graph, graph.edges());
    bench_cases(c, "baseline", &graph, &prior);

    let model_dir = workdir.and_then(|dir| {
        std::fs::read_dir(dir.join("models"))
            .ok()?
            .flatten()
            .map(|e| e.path())
            .find(|p| p.join("model.safetensors").is_file())
    });
    if let Some(dir) = model_dir {
        let model = rxgraph::model::load_model(&dir, &graph, tch::Device::Cpu).unwrap();
        bench_cases(c, "model", &graph, &model);
    }
}

criterion_group!(benches, bench_rank);
criterion_main!(benches);
