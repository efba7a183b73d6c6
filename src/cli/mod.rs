//! The `rxgraph` command line: argument definitions and one module per subcommand.
//!
//! `main.rs` parses [`Cli`], sets up logging and calls [`run`].

mod args;
mod device;
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

/// Formats `count` with a regular English noun, adding "s" unless the count is 1:
/// `1 edge`, `0 edges`, `2 edges`.
pub(crate) fn count_noun(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("{count} {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::count_noun;

    #[test]
    fn count_noun_uses_singular_for_one() {
        assert_eq!(count_noun(1, "edge"), "1 edge");
        assert_eq!(count_noun(0, "edge"), "0 edges");
        assert_eq!(count_noun(2, "GO term"), "2 GO terms");
    }
}
