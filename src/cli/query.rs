//! `rxgraph query`: one read-only SPARQL query against a work directory's store.

use anyhow::Context;

use super::args::QueryArgs;
use crate::kg::{query, store, WorkDir};

pub fn run(args: &QueryArgs) -> anyhow::Result<()> {
    let workdir = WorkDir::open(&args.workdir)?;
    let text = match (&args.query, &args.file) {
        (Some(text), _) => text.clone(),
        (None, Some(path)) => std::fs::read_to_string(path)
            .with_context(|| format!("failed to read --file {}", path.display()))?,
        (None, None) => unreachable!("clap requires a query or --file"),
    };
    let rdf = store::open_store(&workdir.store_path())?;
    let stdout = std::io::stdout().lock();
    query::run(&rdf, &text, &args.format, std::io::BufWriter::new(stdout))?;
    Ok(())
}
