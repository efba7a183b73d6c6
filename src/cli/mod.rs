//! The `rxgraph` command line: argument definitions and one module per subcommand.
//!
//! `main.rs` parses [`Cli`], sets up logging and calls [`run`].

mod args;
mod embed;
mod evaluate;
mod info;
mod ingest;
mod predict;
mod query;
mod report;
mod scoring;
mod serve;
mod split;
mod train;

pub use args::{Cli, Command};

/// Runs one parsed command line.
///
/// # Errors
/// Whatever the subcommand fails with, with context naming the path or flag.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    let show_progress = !cli.quiet;
    if let Some(threads) = cli.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build_global()?;
    }
    match cli.command {
        Command::Ingest(args) => ingest::run(&args, show_progress),
        Command::Embed(args) => embed::run(&args, show_progress),
        Command::Info(args) => info::run(&args),
        Command::Split(args) => split::run(&args),
        Command::Query(args) => query::run(&args),
        Command::Evaluate(args) => evaluate::run(&args, show_progress),
        Command::Predict(args) => predict::run(&args),
        Command::Report(args) => report::run(&args),
        Command::Train(args) => train::run(&args, show_progress, cli.threads),
        Command::Serve(args) => serve::run(&args),
    }
}
