//! Errors of the `kg` module.

use std::path::PathBuf;

/// Where a record came from: file and 1-based line number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// File the record was read from.
    pub path: PathBuf,
    /// 1-based line number in that file.
    pub line: u64,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.path.display(), self.line)
    }
}

/// An error while reading, building or storing a knowledge graph.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KgError {
    /// An input file does not exist.
    #[error("input file not found: {}; check the path or omit the option to use the embedded graph", path.display())]
    MissingFile {
        /// Path that was given.
        path: PathBuf,
    },
    /// Reading or writing a file failed.
    #[error("failed to {action} {}", path.display())]
    Io {
        /// What was being done (`read`, `create`, `rename` …).
        action: &'static str,
        /// File or directory involved.
        path: PathBuf,
        /// Underlying error.
        source: std::io::Error,
    },
    /// A line is not valid UTF-8.
    #[error("{origin}: line is not valid UTF-8 (byte {byte_offset} of the line); convert the file to UTF-8, e.g. with `iconv -f latin1 -t utf-8`")]
    NotUtf8 {
        /// File and line.
        origin: Origin,
        /// Offset of the first invalid byte within the line.
        byte_offset: usize,
    },
    /// The file starts with a UTF-8 byte-order mark.
    #[error("{}:1: file starts with a UTF-8 byte-order mark (BOM), which would become part of the first column name; save the file as UTF-8 without BOM (e.g. `sed -i '1s/^\\xEF\\xBB\\xBF//' FILE`)", path.display())]
    ByteOrderMark {
        /// File that starts with the BOM.
        path: PathBuf,
    },
    /// The header line is not the expected one.
    #[error("{}:1: unexpected header {found:?}; expected the columns {expected:?}", path.display())]
    BadHeader {
        /// File with the header.
        path: PathBuf,
        /// Expected column names.
        expected: Vec<&'static str>,
        /// Header that was read.
        found: String,
    },
    /// A line has the wrong number of tab-separated columns.
    #[error("{origin}: expected {expected} tab-separated columns, found {found}; check for missing fields or tabs inside a value")]
    ColumnCount {
        /// File and line.
        origin: Origin,
        /// Expected number of columns.
        expected: usize,
        /// Number of columns found.
        found: usize,
    },
    /// A field is empty or malformed.
    #[error("{origin}: invalid {field} {value:?}: {reason}")]
    InvalidField {
        /// File and line.
        origin: Origin,
        /// Column name.
        field: &'static str,
        /// Value that was read.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A node's kind is not in the schema and the input may not add kinds.
    #[error("{origin}: unknown node kind {kind:?}; known kinds: {known}")]
    UnknownKind {
        /// File and line.
        origin: Origin,
        /// Kind that was read.
        kind: String,
        /// Comma-separated known kinds.
        known: String,
    },
    /// Two lines define the same node.
    #[error("{origin}duplicate node {id:?}, first defined at {first}")]
    DuplicateNode {
        /// `file:line: ` of the second definition, or empty.
        origin: String,
        /// Node id.
        id: String,
        /// Where it was first defined.
        first: String,
    },
    /// An edge names a node that no node file defines.
    #[error("{origin}edge {head} {relation} {tail}: unknown node {missing:?}; add it to the node file or fix the id")]
    UnknownNode {
        /// `file:line: ` of the edge, or empty.
        origin: String,
        /// Head id.
        head: String,
        /// Relation abbreviation.
        relation: String,
        /// Tail id.
        tail: String,
        /// The id that is missing.
        missing: String,
    },
    /// An edge uses a relation that is not in the schema.
    #[error("{origin}unknown relation {relation:?}; known relations: {known}")]
    UnknownRelation {
        /// `file:line: ` of the edge, or empty.
        origin: String,
        /// Relation that was read.
        relation: String,
        /// Comma-separated known relations.
        known: String,
    },
    /// An edge joins kinds that its relation does not join.
    #[error("{origin}edge {head} {relation} {tail}: relation {relation} joins {expected_source} to {expected_target}, not {found_source} to {found_target}")]
    RelationKinds {
        /// `file:line: ` of the edge, or empty.
        origin: String,
        /// Head id.
        head: String,
        /// Relation abbreviation.
        relation: String,
        /// Tail id.
        tail: String,
        /// Source kind of the relation.
        expected_source: String,
        /// Target kind of the relation.
        expected_target: String,
        /// Kind of the head.
        found_source: String,
        /// Kind of the tail.
        found_target: String,
    },
    /// The same edge appears twice (for symmetric relations, also reversed).
    #[error("{origin}duplicate edge {head} {relation} {tail}, first listed at {first}; remove one of the two lines")]
    DuplicateEdge {
        /// `file:line: ` of the second occurrence, or empty.
        origin: String,
        /// Head id.
        head: String,
        /// Relation abbreviation.
        relation: String,
        /// Tail id.
        tail: String,
        /// Where it was first listed.
        first: String,
    },
    /// An RDF file could not be parsed.
    #[error("{}: invalid RDF: {message}", path.display())]
    Rdf {
        /// File being parsed.
        path: PathBuf,
        /// Parser message, with position.
        message: String,
    },
    /// A graph has no nodes.
    #[error("the input defines no nodes; give a node file with --nodes or use the embedded graph")]
    Empty,
    /// The work directory is missing, incomplete or from another version.
    #[error("invalid work directory {}: {reason}", path.display())]
    WorkDir {
        /// Work directory.
        path: PathBuf,
        /// What is wrong, and what to do.
        reason: String,
    },
    /// Reading or writing Parquet failed.
    #[error("invalid Parquet file {}", path.display())]
    Parquet {
        /// File involved.
        path: PathBuf,
        /// Underlying error.
        source: parquet::errors::ParquetError,
    },
    /// Reading or writing Arrow data failed.
    #[error("invalid Arrow data in {}", path.display())]
    Arrow {
        /// File involved.
        path: PathBuf,
        /// Underlying error.
        source: arrow::error::ArrowError,
    },
    /// The RDF store failed.
    #[error("RDF store error in {}: {message}", path.display())]
    Store {
        /// Store directory.
        path: PathBuf,
        /// Underlying error message.
        message: String,
    },
    /// A split could not be made with these settings.
    #[error("invalid split {name:?}: {reason}")]
    Split {
        /// Split name.
        name: String,
        /// What is wrong, and what to do.
        reason: String,
    },
}

impl KgError {
    /// Wraps an I/O error; opening a file that does not exist becomes [`KgError::MissingFile`].
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        let path = path.into();
        if action == "open" && source.kind() == std::io::ErrorKind::NotFound {
            return Self::MissingFile { path };
        }
        Self::Io {
            action,
            path,
            source,
        }
    }
}
