//! Encoder throughput on BC5CDR abstracts: float32 and int8, 2 threads, batch 32, 256 tokens.
//!
//! Run with `cargo bench --bench encode`. The throughput is in passages (title + abstract,
//! about 310 tokens on average before truncation to 256). Skipped with a message when the
//! BC5CDR file or the packaged model is missing.

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rxgraph::text::{EncoderOptions, TextEncoder};

#[path = "common/passages.rs"]
mod passages;

const PASSAGES: usize = 64;
const THREADS: i32 = 2;

fn encode_bench(criterion: &mut Criterion) {
    rxgraph::memory::retain_freed_memory();
    let path = passages::bc5cdr_path();
    let texts = match passages::read_passages(&path, PASSAGES) {
        Ok(texts) => texts,
        Err(error) => {
            eprintln!(
                "skipping the encode bench: cannot read {}: {error}",
                path.display()
            );
            return;
        }
    };
    let model_dir = match TextEncoder::default_model_dir() {
        Ok(dir) => dir,
        Err(error) => {
            eprintln!("skipping the encode bench: {error}");
            return;
        }
    };
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    tch::set_num_threads(THREADS);

    let mut group = criterion.benchmark_group("encode_bc5cdr");
    group.throughput(Throughput::Elements(texts.len() as u64));
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(3));
    group.measurement_time(Duration::from_secs(25));
    for (name, int8) in [("f32", false), ("int8", true)] {
        let options = EncoderOptions {
            batch_size: 32,
            max_length: Some(256),
            int8,
            ..EncoderOptions::default()
        };
        let encoder = TextEncoder::load(&model_dir, options).expect("load the packaged model");
        group.bench_function(format!("{name}/{}_passages", texts.len()), |bencher| {
            bencher.iter(|| encoder.encode(&texts).expect("encode"));
        });
    }
    group.finish();
}

criterion_group!(benches, encode_bench);
criterion_main!(benches);
