//! `rxgraph query`: one read-only SPARQL query against a work directory's store.

use anyhow::{bail, Context};

use super::args::QueryArgs;
use crate::kg::schema::VOCAB;
use crate::kg::{query, store, WorkDir};

pub fn run(args: &QueryArgs) -> anyhow::Result<()> {
    let workdir = WorkDir::open(&args.workdir)?;
    let text = match (&args.query, &args.file) {
        (Some(text), _) => text.clone(),
        (None, Some(path)) => std::fs::read_to_string(path)
            .with_context(|| format!("failed to read --file {}", path.display()))?,
        (None, None) => unreachable!("clap requires a query or --file"),
    };
    if reads_predictions(&text) {
        tracing::warn!(
            "the query reads the graph rx:predictions, which only `rxgraph serve --model DIR` \
             fills, so offline it matches nothing; send it to a server's /sparql instead"
        );
    }
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

/// Returns whether `text` parses as a query that names the predictions graph. The parser
/// expands prefixes, so `rx:predictions` and the full IRI are both found.
fn reads_predictions(text: &str) -> bool {
    spargebra::SparqlParser::new()
        .parse_query(text)
        .is_ok_and(|query| query.to_string().contains(&format!("<{VOCAB}predictions>")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_predictions_finds_prefixed_graph() {
        let query = "PREFIX rx: <https://w3id.org/rxgraph/vocab#>
            SELECT * WHERE { GRAPH rx:predictions { ?s ?p ?o } }";
        assert!(reads_predictions(query));
    }

    #[test]
    fn reads_predictions_ignores_graph_queries() {
        assert!(!reads_predictions("SELECT * WHERE { ?s ?p ?o }"));
        assert!(!reads_predictions("not SPARQL"));
    }
}
