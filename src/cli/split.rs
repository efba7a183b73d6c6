//! `rxgraph split`: make and store a split of a work directory.

use super::args::SplitArgs;
use crate::kg::{SplitConfig, Strategy, WorkDir};

pub fn run(args: &SplitArgs) -> anyhow::Result<()> {
    let workdir = WorkDir::open(&args.workdir)?;
    let graph = workdir.load_graph()?;
    let strategy = match &args.held_out_kind {
        Some(kind) => Strategy::HeldOutNodes { kind: kind.clone() },
        None => Strategy::Random,
    };
    let config = SplitConfig {
        name: args.name.clone(),
        relations: args.relations.clone(),
        strategy,
        valid_fraction: args.valid_fraction,
        test_fraction: args.test_fraction,
        seed: args.seed,
    };
    let split = workdir.add_split(&graph, &config, args.force)?;
    let (train, valid, test) = (
        split.train(&graph).len(),
        split.valid(&graph).len(),
        split.test(&graph).len(),
    );
    tracing::info!(name = %config.name, train, valid, test, leakage = split.leakage.total(), "split written");
    println!(
        "split {}: {train} train, {valid} valid, {test} test edges; leakage {}",
        config.name,
        split.leakage.total()
    );
    for example in &split.leakage.examples {
        println!("  leak: {example}");
    }
    Ok(())
}
