//! Settings of the server, checked once from the command line.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Settings of [`super::Server`]; [`ServeConfig::default`] gives the command-line defaults.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Address to listen on; port 0 picks a free port (see [`super::Server::addr`]).
    pub bind: SocketAddr,
    /// Accept SPARQL updates (`update=`, `application/sparql-update`). They change the
    /// server's in-memory copy of the store only, never the work directory.
    pub allow_update: bool,
    /// Deadline of one SPARQL query, from the start of its evaluation.
    pub timeout: Duration,
    /// Maximum number of solutions (or triples) a SPARQL response carries; later ones are
    /// dropped and the response has the header `X-Rxgraph-Truncated: true`.
    pub max_rows: u64,
    /// Maximum number of solutions that one query may feed into its sorts and DISTINCTs
    /// together before it is stopped (they buffer their input in memory). GROUP BY groups
    /// are not counted.
    pub max_sort_rows: u64,
    /// Maximum size of a request body or query string, in bytes.
    pub max_request_bytes: usize,
    /// Maximum number of pairs in one `POST /api/v1/score` request.
    pub max_score_pairs: usize,
    /// Maximum number of SPARQL evaluations at once, counting cancelled ones still unwinding;
    /// further queries wait for a slot until their deadline.
    pub max_concurrent_queries: usize,
    /// Origins allowed by CORS; empty means no CORS headers, `*` allows any origin.
    pub cors_origins: Vec<String>,
    /// Candidates per source and relation in the materialised predictions graph, and the
    /// depth of the rankings computed at start-up that serve top-k requests without
    /// scoring; 0 turns both off.
    pub predictions_top_n: usize,
    /// Number of HTTP worker threads.
    pub workers: usize,
    /// Time that in-flight requests get to finish after SIGTERM or SIGINT.
    pub shutdown_timeout: Duration,
    /// Directory with the gene annotation tables (`mappings/`, `texts/`) for target facts in
    /// explanations; `None` uses the tables stored in the work directory.
    pub data_dir: Option<PathBuf>,
}

impl Default for ServeConfig {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            allow_update: false,
            timeout: Duration::from_millis(10_000),
            max_rows: 100_000,
            max_sort_rows: 1_000_000,
            max_request_bytes: 1 << 20,
            max_score_pairs: 10_000,
            max_concurrent_queries: 2 * cores(),
            cors_origins: Vec::new(),
            predictions_top_n: 100,
            workers: cores(),
            shutdown_timeout: Duration::from_secs(10),
            data_dir: None,
        }
    }
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, usize::from)
}
