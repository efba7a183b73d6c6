//! `rxgraph split`: make and store a split of a work directory.

use super::args::SplitArgs;
use super::count_noun;
use crate::kg::{Part, SplitConfig, Strategy, WorkDir};

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
    let train = split.target_count(&graph, Part::Train);
    let (valid, test) = (
        split.target_count(&graph, Part::Valid),
        split.target_count(&graph, Part::Test),
    );
    let train_all = split.train(&graph).len();
    let leakage = split.leakage.total();
    tracing::info!(name = %config.name, train, valid, test, train_all, leakage, "split written");
    let relations = config.relations.join(",");
    println!(
        "split {}: {train} train, {valid} valid, {test} test edges of {relations}; leakage {leakage}",
        config.name
    );
    println!(
        "training uses {} in all: {train} of {relations} and {} of other relations",
        count_noun(train_all, "edge"),
        train_all - train
    );
    for example in &split.leakage.examples {
        println!("  leak: {example}");
    }
    Ok(())
}
