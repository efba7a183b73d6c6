//! Training throughput in positive triples per second, on the embedded Hetionet.
//!
//! Each benchmark trains a fixed number of batches ([`BATCHES`] × 1024 positives of one
//! relation, 64 type-constrained negatives shared by the batch, self-adversarial softplus loss, row-wise Adam) of
//! TransE (d = 256) and RotatE (d = 256 complex components) on the training part of the
//! embedded graph, with the threads libtorch picks (set `OMP_NUM_THREADS` to pin them).
//! The same settings are used by `scripts/bench-pykeen` for the side-by-side figure.
//!
//! Run: `cargo bench --bench train`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rxgraph::kg::ingest::{self, Sources};
use rxgraph::kg::{Split, SplitConfig, Strategy};
use rxgraph::model::trainer::Trainer;
use rxgraph::model::{ModelKind, TrainConfig};

/// Batches per measured iteration.
const BATCHES: usize = 4;
const BATCH_SIZE: usize = 1024;

fn bench_train(c: &mut Criterion) {
    rxgraph::memory::retain_freed_memory();
    let graph = ingest::load(&Sources::embedded(), false).unwrap();
    let split = Split::make(
        &graph,
        &SplitConfig::new("bench", &["CtD", "CpD"], Strategy::Random, 42),
    )
    .unwrap();
    let mut train = split.train(&graph);
    train.shuffle(&mut ChaCha8Rng::seed_from_u64(7));

    // Full batches of one relation each, as `Trainer::train_epoch` makes them, so that the
    // default shared-negative path is measured.
    train.sort_by_key(|t| t.relation);
    let batches: Vec<&[rxgraph::kg::Triple]> = train
        .chunk_by(|a, b| a.relation == b.relation)
        .flat_map(|run| run.chunks_exact(BATCH_SIZE))
        .collect();

    let mut group = c.benchmark_group("train");
    group.sample_size(10);
    group.throughput(Throughput::Elements((BATCHES * BATCH_SIZE) as u64));

    for model in [ModelKind::TransE, ModelKind::RotatE] {
        let config = TrainConfig {
            model,
            dim: 256,
            negatives: 64,
            batch_size: BATCH_SIZE,
            ..TrainConfig::default()
        };
        let mut trainer = Trainer::new(
            &graph,
            &train,
            &config,
            None,
            tch::Device::cuda_if_available(),
        );
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut next = 0;
        group.bench_function(format!("{}/d256_n64_b1024", model.name()), |b| {
            b.iter(|| {
                for _ in 0..BATCHES {
                    let batch = batches[next % batches.len()];
                    trainer.train_batch(batch, &mut rng).unwrap();
                    next += 1;
                }
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench_train);
criterion_main!(benches);
