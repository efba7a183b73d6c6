//! Read-only SPARQL over a work directory's store, with results written in a standard format.
//!
//! ```no_run
//! use rxgraph::kg::{query, store};
//!
//! let rdf = store::open_store(std::path::Path::new("work/store")).unwrap();
//! let mut out = Vec::new();
//! query::run(&rdf, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "tsv", &mut out).unwrap();
//! ```

use std::io::Write;

use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::{QueryResults, SparqlEvaluator};
use oxigraph::store::Store;

/// An error while running a query.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum QueryError {
    /// The query is not valid SPARQL 1.1.
    #[error("invalid SPARQL query: {0}")]
    Syntax(String),
    /// The text is a valid SPARQL 1.1 update, and only queries run here.
    #[error(
        "SPARQL update rejected: the store is read-only here, so only SELECT, ASK, CONSTRUCT \
         and DESCRIBE queries run"
    )]
    Update,
    /// The format name is unknown or does not fit the query form.
    #[error("result format {format:?} does not fit a {form} query; use {expected}")]
    Format {
        /// Format that was asked for.
        format: String,
        /// Query form (SELECT/ASK or CONSTRUCT/DESCRIBE).
        form: &'static str,
        /// Formats that fit.
        expected: &'static str,
    },
    /// Evaluation failed.
    #[error("query evaluation failed: {0}")]
    Evaluation(String),
    /// Writing the results failed.
    #[error("failed to write query results: {0}")]
    Io(#[from] std::io::Error),
}

/// Parses a results format name for SELECT and ASK (`json`, `xml`, `csv`, `tsv`).
#[must_use]
pub fn results_format(name: &str) -> Option<QueryResultsFormat> {
    match name {
        "json" => Some(QueryResultsFormat::Json),
        "xml" => Some(QueryResultsFormat::Xml),
        "csv" => Some(QueryResultsFormat::Csv),
        "tsv" => Some(QueryResultsFormat::Tsv),
        _ => None,
    }
}

/// Parses a graph format name for CONSTRUCT and DESCRIBE (`ntriples`, `turtle`, `rdfxml`).
#[must_use]
pub fn graph_format(name: &str) -> Option<RdfFormat> {
    match name {
        "ntriples" | "nt" => Some(RdfFormat::NTriples),
        "turtle" | "ttl" => Some(RdfFormat::Turtle),
        "rdfxml" | "xml" => Some(RdfFormat::RdfXml),
        _ => None,
    }
}

/// Runs `query` on `store` and writes its results to `out` in `format`.
///
/// # Errors
/// Invalid SPARQL, a SPARQL update ([`QueryError::Update`]), a format that does not fit the
/// query form, evaluation or write failures.
pub fn run(store: &Store, query: &str, format: &str, out: impl Write) -> Result<(), QueryError> {
    let prepared = match SparqlEvaluator::new().parse_query(query) {
        Ok(prepared) => prepared,
        // Report a valid update as an update, not as a query with a syntax error.
        Err(_) if SparqlEvaluator::new().parse_update(query).is_ok() => {
            return Err(QueryError::Update)
        }
        Err(error) => return Err(QueryError::Syntax(error.to_string())),
    };
    let results = prepared
        .on_store(store)
        .execute()
        .map_err(|e| QueryError::Evaluation(e.to_string()))?;
    let solutions_format = || {
        results_format(format).ok_or_else(|| QueryError::Format {
            format: format.to_owned(),
            form: "SELECT or ASK",
            expected: "json, xml, csv or tsv",
        })
    };
    match results {
        QueryResults::Solutions(solutions) => {
            let variables = solutions.variables().to_vec();
            let mut writer = QueryResultsSerializer::from_format(solutions_format()?)
                .serialize_solutions_to_writer(out, variables)?;
            for solution in solutions {
                let solution = solution.map_err(|e| QueryError::Evaluation(e.to_string()))?;
                writer.serialize(&solution)?;
            }
            writer.finish()?;
        }
        QueryResults::Boolean(value) => {
            QueryResultsSerializer::from_format(solutions_format()?)
                .serialize_boolean_to_writer(out, value)?;
        }
        QueryResults::Graph(triples) => {
            let rdf_format = graph_format(format).ok_or_else(|| QueryError::Format {
                format: format.to_owned(),
                form: "CONSTRUCT or DESCRIBE",
                expected: "ntriples, turtle or rdfxml",
            })?;
            let mut writer = RdfSerializer::from_format(rdf_format).for_writer(out);
            for triple in triples {
                let triple = triple.map_err(|e| QueryError::Evaluation(e.to_string()))?;
                writer.serialize_triple(&triple)?;
            }
            writer.finish()?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn update_is_rejected_as_update() {
        let store = Store::new().unwrap();
        for update in [
            "INSERT DATA { <a:b> <a:c> <a:d> }",
            "PREFIX a: <a:> DELETE WHERE { ?s a:c ?o }",
            "CLEAR ALL",
        ] {
            let error = run(&store, update, "tsv", Vec::new()).unwrap_err();
            assert!(matches!(error, QueryError::Update), "{update}: {error}");
        }
        assert_eq!(store.len().unwrap(), 0);
    }

    #[test]
    fn invalid_text_is_syntax_error() {
        let store = Store::new().unwrap();
        let error = run(&store, "SELEC ?x WHERE { ?x ?p ?o }", "tsv", Vec::new()).unwrap_err();
        assert!(matches!(error, QueryError::Syntax(_)), "{error}");
    }

    #[test]
    fn select_still_runs() {
        let store = Store::new().unwrap();
        let mut out = Vec::new();
        run(&store, "ASK { ?s ?p ?o }", "json", &mut out).unwrap();
        assert!(String::from_utf8(out).unwrap().contains("false"));
    }
}
