//! Command-line arguments (clap derive). Doc comments are the help text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Predict missing drug–indication and drug–target links in a biomedical knowledge graph.
#[derive(Debug, Parser)]
#[command(name = "rxgraph", version, about, long_about = None)]
pub struct Cli {
    /// Log only warnings and errors, and draw no progress bars.
    #[arg(long, short, global = true, env = "RXGRAPH_QUIET")]
    pub quiet: bool,

    /// Log more (-v: debug, -vv: trace). RUST_LOG overrides.
    #[arg(long, short, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Number of worker threads for parallel steps [default: number of cores].
    #[arg(long, global = true, env = "RXGRAPH_THREADS")]
    pub threads: Option<usize>,

    /// Subcommand to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read a graph and write a work directory (Parquet, petgraph, RDF store, splits).
    Ingest(IngestArgs),
    /// Print the counts and degree statistics of a work directory.
    Info(InfoArgs),
    /// Make a train/validation/test split of target relations in a work directory.
    Split(SplitArgs),
    /// Run a read-only SPARQL query against a work directory's RDF store.
    Query(QueryArgs),
    /// Serve the graph over HTTP: a JSON API, a SPARQL endpoint, health and metrics.
    Serve(ServeArgs),
}

/// Arguments of `rxgraph ingest`.
#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Hetionet node file(s) (`id name kind`, TSV, optionally gzipped). Without any input
    /// option, the embedded Hetionet v1.0 graph is used.
    #[arg(long, value_name = "FILE")]
    pub nodes: Vec<PathBuf>,

    /// Hetionet SIF edge file(s) (`source metaedge target`): one per metaedge, or the
    /// upstream hetionet-v1.0-edges.sif.gz with all metaedges.
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub edges: Vec<PathBuf>,

    /// Generic node file(s) (`id kind name`, TSV) for --triples.
    #[arg(long, value_name = "FILE")]
    pub node_kinds: Vec<PathBuf>,

    /// Generic triple file(s) (`head relation tail`, TSV) over the ids of --node-kinds.
    #[arg(long, value_name = "FILE")]
    pub triples: Vec<PathBuf>,

    /// N-Triples (.nt) or Turtle (.ttl) file(s), optionally gzipped; every node needs an rdf:type.
    #[arg(long, value_name = "FILE")]
    pub rdf: Vec<PathBuf>,

    /// Work directory to create.
    #[arg(long, value_name = "DIR", env = "RXGRAPH_WORKDIR")]
    pub out: PathBuf,

    /// Replace the work directory if it exists.
    #[arg(long)]
    pub force: bool,

    /// Seed of the default splits.
    #[arg(long, default_value_t = 42, env = "RXGRAPH_SEED")]
    pub seed: u64,
}

/// Arguments of `rxgraph info`.
#[derive(Debug, Args)]
pub struct InfoArgs {
    /// Work directory.
    #[arg(long, value_name = "DIR", env = "RXGRAPH_WORKDIR")]
    pub workdir: PathBuf,

    /// Print JSON instead of tables.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `rxgraph split`.
#[derive(Debug, Args)]
pub struct SplitArgs {
    /// Work directory.
    #[arg(long, value_name = "DIR", env = "RXGRAPH_WORKDIR")]
    pub workdir: PathBuf,

    /// Name of the split (stored in DIR/splits/NAME).
    #[arg(long)]
    pub name: String,

    /// Target relations, comma-separated abbreviations (e.g. CtD,CpD).
    #[arg(long, value_delimiter = ',', required = true)]
    pub relations: Vec<String>,

    /// Hold out nodes of this kind (e.g. Disease) with all their target edges, instead of
    /// random node pairs.
    #[arg(long, value_name = "KIND")]
    pub held_out_kind: Option<String>,

    /// Share of target pairs (or nodes) for validation.
    #[arg(long, default_value_t = 0.1)]
    pub valid_fraction: f64,

    /// Share of target pairs (or nodes) for test.
    #[arg(long, default_value_t = 0.1)]
    pub test_fraction: f64,

    /// Seed of the shuffle.
    #[arg(long, default_value_t = 42, env = "RXGRAPH_SEED")]
    pub seed: u64,

    /// Replace an existing split of that name.
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `rxgraph query`.
#[derive(Debug, Args)]
pub struct QueryArgs {
    /// Work directory.
    #[arg(long, value_name = "DIR", env = "RXGRAPH_WORKDIR")]
    pub workdir: PathBuf,

    /// SPARQL query text; use --file to read it from a file.
    #[arg(conflicts_with = "file", required_unless_present = "file")]
    pub query: Option<String>,

    /// File holding the SPARQL query (e.g. queries/*.rq).
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,

    /// Result format: tsv, csv, json or xml for SELECT/ASK; ntriples or turtle for CONSTRUCT/DESCRIBE.
    #[arg(long, default_value = "tsv")]
    pub format: String,
}

/// Arguments of `rxgraph serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Work directory.
    #[arg(long, value_name = "DIR", env = "RXGRAPH_WORKDIR")]
    pub workdir: PathBuf,

    /// Address and port to listen on (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:8080", env = "RXGRAPH_BIND")]
    pub bind: std::net::SocketAddr,

    /// Trained model directory (from `rxgraph train`). Without it, the prediction, scoring
    /// and model routes return 503, and SPARQL has no predictions graph and no rx:score.
    #[arg(long, value_name = "DIR", env = "RXGRAPH_MODEL")]
    pub model: Option<PathBuf>,

    /// Accept SPARQL updates; they change an in-memory copy of the store, never the work
    /// directory, and are lost on restart.
    #[arg(long)]
    pub allow_update: bool,

    /// Deadline of one SPARQL query, in milliseconds.
    #[arg(long, default_value_t = 10_000)]
    pub timeout_ms: u64,

    /// Maximum number of solutions (or triples) in one SPARQL response; later ones are
    /// dropped and the response carries `X-Rxgraph-Truncated: true`.
    #[arg(long, default_value_t = 100_000)]
    pub max_rows: u64,

    /// Maximum number of solutions that the sorts, groups and DISTINCTs of one SPARQL query
    /// may buffer before the query is stopped with 503.
    #[arg(long, default_value_t = 1_000_000)]
    pub max_sort_rows: u64,

    /// Maximum size of a request body or query string, in bytes.
    #[arg(long, default_value_t = 1_048_576)]
    pub max_request_bytes: usize,

    /// Maximum number of pairs in one POST /api/v1/score request.
    #[arg(long, default_value_t = 10_000)]
    pub max_score_pairs: usize,

    /// Maximum number of SPARQL evaluations at once. Cancelled ones count until they end,
    /// and further queries wait for a slot until their deadline [default: 2 × cores].
    #[arg(long)]
    pub max_concurrent_queries: Option<usize>,

    /// Origin allowed by CORS (repeat for several; `*` for any). No CORS headers without it.
    #[arg(long, value_name = "ORIGIN")]
    pub cors_origin: Vec<String>,

    /// Candidates per source and relation (CtD, CbG) in the materialised predictions graph.
    #[arg(long, default_value_t = 100)]
    pub predictions_top_n: usize,

    /// Number of HTTP worker threads [default: number of cores].
    #[arg(long)]
    pub workers: Option<usize>,
}
