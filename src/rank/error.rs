//! Errors of the `rank` module.

use std::path::PathBuf;

/// An error while resolving a query, ranking candidates or writing predictions.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RankError {
    /// No node has the given id or name.
    #[error(
        "no {expected} has the id or name {query:?}{}",
        suggestion_text(suggestions)
    )]
    UnknownEntity {
        /// Text that was given.
        query: String,
        /// Kinds that were searched (`Compound`, `Disease or Gene`).
        expected: String,
        /// Closest names, `name (id)`, best first.
        suggestions: Vec<String>,
    },
    /// A name matches several nodes equally well.
    #[error("{query:?} matches {} nodes; give one of their ids:{}", matches.len(), list_text(matches))]
    AmbiguousName {
        /// Text that was given.
        query: String,
        /// Matching nodes, `name (id)`.
        matches: Vec<String>,
    },
    /// The node exists but is of a kind the question does not take.
    #[error("{id} is a {kind}, not a {expected}; {hint}")]
    WrongKind {
        /// Full node id.
        id: String,
        /// Its kind.
        kind: String,
        /// Kind the question needs.
        expected: String,
        /// What to do instead.
        hint: String,
    },
    /// The relation is missing from the schema or does not join the query's kinds.
    #[error("relation {relation} cannot answer this question: {reason}")]
    InvalidRelation {
        /// Relation abbreviation that was given.
        relation: String,
        /// Why, and which relations would.
        reason: String,
    },
    /// The number of candidates requested is out of range.
    #[error("invalid k = {k}: request between 1 and {max} candidates")]
    InvalidK {
        /// Value given.
        k: i64,
        /// Largest value accepted.
        max: usize,
    },
    /// A scorer returned a score vector of the wrong length.
    #[error("scorer {scorer} returned {found} scores for {operation}; expected {expected}")]
    ScoreShape {
        /// Name of the scorer.
        scorer: String,
        /// Call that returned them.
        operation: &'static str,
        /// Number of scores expected.
        expected: usize,
        /// Number of scores returned.
        found: usize,
    },
    /// The calibration could not be fitted, read or written.
    #[error("calibration of {relation} failed: {reason}")]
    Calibration {
        /// Relation abbreviation.
        relation: String,
        /// What went wrong.
        reason: String,
    },
    /// A table of the work directory (such as `mentions.parquet`) is invalid.
    #[error("invalid table {}: {reason}", path.display())]
    InvalidTable {
        /// File that was read.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// Reading or writing a file failed.
    #[error("failed to {action} {}: {source}", path.display())]
    Io {
        /// What was being done (`create`, `write`, `read`).
        action: &'static str,
        /// File involved.
        path: PathBuf,
        /// Underlying error.
        source: std::io::Error,
    },
    /// Writing or reading Parquet or Arrow data failed.
    #[error("failed to {action} {}: {reason}", path.display())]
    Parquet {
        /// What was being done.
        action: &'static str,
        /// File involved.
        path: PathBuf,
        /// Message of the Parquet or Arrow error.
        reason: String,
    },
}

impl RankError {
    /// Wraps an I/O error with the action and the path.
    pub(crate) fn io(action: &'static str, path: &std::path::Path, source: std::io::Error) -> Self {
        Self::Io {
            action,
            path: path.to_owned(),
            source,
        }
    }

    /// Wraps a Parquet or Arrow error with the action and the path.
    pub(crate) fn parquet(
        action: &'static str,
        path: &std::path::Path,
        error: impl std::fmt::Display,
    ) -> Self {
        Self::Parquet {
            action,
            path: path.to_owned(),
            reason: error.to_string(),
        }
    }
}

fn suggestion_text(suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        "; check the spelling or list nodes with `rxgraph query`".to_owned()
    } else {
        format!("; closest matches:{}", list_text(suggestions))
    }
}

fn list_text(items: &[String]) -> String {
    items.iter().map(|item| format!("\n  {item}")).collect()
}
