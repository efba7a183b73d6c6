//! Filtered evaluation time of the degree-prior baseline on the embedded Hetionet graph.
//!
//! - `filtered_ranking/CtD_test_<n>`: head and tail queries of the CtD test triples of the
//!   `indication-random` split, ranked against all 1,552 compounds and all 137 diseases.
//! - `filtered_ranking/CbG_test_<n>`: the CbG test triples of `target-random`, tails ranked
//!   against all 20,945 genes.
//!
//! Throughput is in queries (two per test triple). The baseline scores cheaply, so these
//! measure the ranking and filtering machinery; a trained model adds its scoring time.
//!
//! Run: `cargo bench --bench eval`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rxgraph::eval::{rank_test_triples, DegreePrior, FilterGroups, KnownTriples, RankingOptions};
use rxgraph::kg::ingest::{self, Sources};
use rxgraph::kg::{KnowledgeGraph, Split, SplitConfig, Strategy, Triple};

fn test_triples(
    graph: &KnowledgeGraph,
    relations: &[&str],
    relation: &str,
) -> (Split, Vec<Triple>) {
    let config = SplitConfig::new("bench", relations, Strategy::Random, 42);
    let split = Split::make(graph, &config).unwrap();
    let id = graph.schema().relation_id(relation).unwrap();
    let test = split
        .test(graph)
        .into_iter()
        .filter(|t| t.relation == id)
        .collect();
    (split, test)
}

fn bench_ranking(c: &mut Criterion) {
    let graph = ingest::load(&Sources::embedded(), false).unwrap();
    let known = KnownTriples::new(
        &graph,
        graph.edges(),
        &FilterGroups::indications(graph.schema()),
    );
    let options = RankingOptions::default();

    let mut group = c.benchmark_group("filtered_ranking");
    group.sample_size(10);
    for (relation, relations) in [("CtD", &["CtD", "CpD"][..]), ("CbG", &["CbG"][..])] {
        let (split, test) = test_triples(&graph, relations, relation);
        let prior = DegreePrior::new(&graph, &split.train(&graph));
        group.throughput(Throughput::Elements(2 * test.len() as u64));
        let id = BenchmarkId::new(relation, format!("test_{}", test.len()));
        group.bench_function(id, |b| {
            b.iter(|| rank_test_triples(&prior, &graph, &test, &known, &options).unwrap());
        });
    }
    group.finish();
}

criterion_group!(benches, bench_ranking);
criterion_main!(benches);
