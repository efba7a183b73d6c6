//! Encodes BC5CDR abstracts once and prints passages per second and peak RSS, for the
//! side-by-side run in `benches/peers/encode_compare.sh`.
//!
//! ```text
//! cargo run --release --example encode_throughput -- [--int8] [--passages N] [--threads N] [--batch-size N]
//! ```

use std::time::Instant;

use rxgraph::text::{EncoderOptions, TextEncoder};

#[path = "../benches/common/passages.rs"]
mod passages;

fn main() -> anyhow::Result<()> {
    rxgraph::memory::retain_freed_memory();
    let mut int8 = false;
    let mut count = 256usize;
    let mut threads = 2i32;
    let mut batch_size = 32usize;
    let mut arguments = std::env::args().skip(1);
    while let Some(argument) = arguments.next() {
        let mut value = || {
            arguments
                .next()
                .ok_or_else(|| anyhow::anyhow!("{argument} needs a value"))
        };
        match argument.as_str() {
            "--int8" => int8 = true,
            "--passages" => count = value()?.parse()?,
            "--threads" => threads = value()?.parse()?,
            "--batch-size" => batch_size = value()?.parse()?,
            other => anyhow::bail!("unknown argument {other}"),
        }
    }

    tch::set_num_threads(threads);
    let path = passages::bc5cdr_path();
    let texts = passages::read_passages(&path, count)
        .map_err(|error| anyhow::anyhow!("cannot read {}: {error}", path.display()))?;
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    let options = EncoderOptions {
        batch_size,
        max_length: Some(256),
        int8,
        ..Default::default()
    };
    let encoder = TextEncoder::load(&TextEncoder::default_model_dir()?, options)?;

    // One batch first, so that libtorch's one-time set-up is not timed.
    encoder.encode(&texts[..batch_size.min(texts.len())])?;
    let start = Instant::now();
    let output = encoder.encode(&texts)?;
    let seconds = start.elapsed().as_secs_f64();

    let precision = if int8 { "int8" } else { "f32" };
    println!(
        "rxgraph {precision}: {} passages in {seconds:.2} s = {:.1} passages/s, {} truncated, \
         peak RSS {} MiB",
        output.len(),
        output.len() as f64 / seconds,
        output.truncated,
        peak_rss_mib()
    );
    Ok(())
}

/// Peak resident set size of this process (VmHWM in /proc/self/status), in MiB.
fn peak_rss_mib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| {
            value
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .map_or(0, |kib| kib / 1024)
}
