//! `rxgraph query`: one read-only SPARQL query against a work directory's store.

use anyhow::{bail, Context};

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
    match query::run(&rdf, &text, &args.format, std::io::BufWriter::new(stdout)) {
        Err(query::QueryError::Update) => bail!(
            "`rxgraph query` is read-only and rejects SPARQL updates (INSERT, DELETE, LOAD, \
             CLEAR …). To try an update on an in-memory copy of the store, run `rxgraph serve \
             --workdir {} --allow-update` and POST it to /sparql as application/sparql-update. \
             To change the stored graph, change the input files and run `rxgraph ingest` again",
            args.workdir.display()
        ),
        result => Ok(result?),
    }
}
