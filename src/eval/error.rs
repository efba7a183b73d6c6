//! Errors of the `eval` module.

use std::path::PathBuf;

/// An error while evaluating a link scorer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EvalError {
    /// A relation abbreviation is not in the graph's schema.
    #[error("unknown relation {abbreviation:?} in {context}; use an abbreviation such as CtD, CpD or CbG")]
    UnknownRelation {
        /// Abbreviation that was given.
        abbreviation: String,
        /// Setting that contained it (`filter group CtD,CpX`).
        context: String,
    },
    /// A relation appears in more than one filter group.
    #[error(
        "relation {relation} is in more than one filter group; list each relation in at most one"
    )]
    OverlappingFilterGroups {
        /// Abbreviation of the relation.
        relation: String,
    },
    /// A triple's head or tail is not of the kind its relation expects.
    #[error(
        "triple ({head}, {relation}, {tail}) does not fit its relation: node {node} lies outside \
         the candidate range {start}..{end} of the expected kind"
    )]
    WrongKind {
        /// Index of the head node.
        head: u32,
        /// Relation abbreviation.
        relation: String,
        /// Index of the tail node.
        tail: u32,
        /// The node outside the range.
        node: u32,
        /// Start of the candidate range.
        start: u32,
        /// End (exclusive) of the candidate range.
        end: u32,
    },
    /// A scorer returned a score matrix of the wrong length.
    #[error("scorer {scorer} returned {found} scores for {operation}; expected {expected}")]
    ScoreShape {
        /// Name of the scorer.
        scorer: String,
        /// Call that returned them (`score_tails`, `score_heads`, `score_triples`).
        operation: &'static str,
        /// Number of scores expected (rows × candidates, or triples).
        expected: usize,
        /// Number of scores returned.
        found: usize,
    },
    /// A setting is out of its range.
    #[error("invalid evaluation setting {name} = {value}: {reason}")]
    InvalidSetting {
        /// Setting name (`batch_size`, `k`).
        name: &'static str,
        /// Value given.
        value: String,
        /// Valid range, and what to change.
        reason: String,
    },
    /// The split has no test triples of any target relation.
    #[error("split {split:?} has no test triples; make a split with a test fraction > 0")]
    NoTestTriples {
        /// Split name.
        split: String,
    },
    /// Writing a report failed.
    #[error("failed to write {}: {source}", path.display())]
    Write {
        /// File that could not be written.
        path: PathBuf,
        /// Underlying error.
        source: std::io::Error,
    },
}
