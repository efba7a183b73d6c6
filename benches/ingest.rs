//! Ingest cost against the bare store load, measured in one run.
//!
//! - `rxgraph_ingest/embedded`: parse the embedded Hetionet files, check every edge, write
//!   nodes and edges as Parquet, build the petgraph view and bulk-load the Oxigraph store
//!   (what `rxgraph ingest` does, without the splits).
//! - `oxigraph_bulk_load/embedded`: Oxigraph's own bulk loader on the same triples as
//!   N-Triples, into an empty store: the cost of the RDF store alone.
//! - `parse_and_check/embedded`: reading and checking only, without any output.
//!
//! Run: `cargo bench --bench ingest`. The ratio of the first two is the figure reported
//! in the README.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use oxigraph::io::RdfFormat;
use oxigraph::store::Store;
use rxgraph::kg::ingest::{self, Sources};
use rxgraph::kg::{store, table};

fn bench_ingest(c: &mut Criterion) {
    let graph = ingest::load(&Sources::embedded(), false).unwrap();
    let mut ntriples = Vec::new();
    store::write_ntriples(&graph, &mut ntriples).unwrap();
    let triple_count = ntriples.iter().filter(|&&b| b == b'\n').count() as u64;

    let mut group = c.benchmark_group("ingest");
    group.sample_size(10);
    group.throughput(Throughput::Elements(triple_count));

    group.bench_function("rxgraph_ingest/embedded", |b| {
        b.iter(|| {
            let dir = tempfile::tempdir().unwrap();
            let graph = ingest::load(&Sources::embedded(), false).unwrap();
            table::write_nodes(&dir.path().join("nodes.parquet"), &graph).unwrap();
            table::write_triples(
                &dir.path().join("edges.parquet"),
                &graph,
                graph.edges(),
                None,
            )
            .unwrap();
            store::build_store(&dir.path().join("store"), &graph, false).unwrap();
        });
    });

    group.bench_function("oxigraph_bulk_load/embedded", |b| {
        b.iter(|| {
            let dir = tempfile::tempdir().unwrap();
            let rdf = Store::open(dir.path().join("store")).unwrap();
            let mut loader = rdf.bulk_loader();
            loader
                .load_from_slice(RdfFormat::NTriples, &ntriples)
                .unwrap();
            loader.commit().unwrap();
        });
    });

    group.bench_function("parse_and_check/embedded", |b| {
        b.iter(|| ingest::load(&Sources::embedded(), false).unwrap());
    });
    group.finish();
}

criterion_group!(benches, bench_ingest);
criterion_main!(benches);
