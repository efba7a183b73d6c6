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
    /// Encode the text of every node (entity texts and literature passages) into
    /// DIR/vectors.parquet, re-encoding only new or changed texts.
    Embed(super::embed::EmbedArgs),
    /// Print the counts and degree statistics of a work directory.
    Info(InfoArgs),
    /// Make a train/validation/test split of target relations in a work directory.
    Split(SplitArgs),
    /// Run a read-only SPARQL query against a work directory's RDF store.
    Query(QueryArgs),
    /// Evaluate a trained model and the degree-prior baseline on a split's test triples.
    Evaluate(EvaluateArgs),
    /// Rank new indications, drugs or targets for one drug, disease or gene.
    Predict(PredictArgs),
    /// Write a self-contained HTML candidate report for a disease or a drug.
    Report(ReportArgs),
    /// Train a link scorer (TransE, DistMult, ComplEx, RotatE) on a split of a work directory.
    Train(TrainArgs),
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

    /// Literature corpus directory, repeatable: BC5CDR (*.PubTator.txt) or ChemProt
    /// (*_abstracts*.tsv with *_entities*.tsv), in DIR or its subdirectories. Each abstract
    /// becomes a Passage node with edges to the compounds, diseases and genes it mentions.
    /// The corpora are research-use only and not embedded; scripts/demo passes the copies in
    /// ../shared/data when they exist.
    #[arg(long, value_name = "DIR")]
    pub literature: Vec<PathBuf>,

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

/// Arguments of `rxgraph evaluate`.
#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// Work directory.
    #[arg(long, value_name = "DIR", env = "RXGRAPH_WORKDIR")]
    pub workdir: PathBuf,

    /// Split whose test triples are evaluated (list them with `rxgraph info`).
    #[arg(long, default_value = "indication-disease")]
    pub split: String,

    /// Trained model directory; metrics.json is written there. Without it, only the
    /// degree-prior baseline is evaluated and DIR/eval/SPLIT/metrics.json is written.
    #[arg(long, value_name = "DIR")]
    pub model: Option<PathBuf>,

    /// Device for the model: cpu, cuda or auto (CUDA when available).
    #[arg(long, default_value = "auto")]
    pub device: String,

    /// Seed of the 1:1 negatives, recorded in the report.
    #[arg(long, default_value_t = 42, env = "RXGRAPH_SEED")]
    pub seed: u64,

    /// Relations whose known triples filter each other's candidates, comma-separated
    /// (repeat for several groups) [default: CtD,CpD].
    #[arg(long, value_name = "RELATIONS")]
    pub filter_group: Vec<String>,

    /// Filter each relation by its own known triples only (no groups).
    #[arg(long, conflicts_with = "filter_group")]
    pub no_filter_groups: bool,

    /// Query nodes scored per scorer call; memory is about 4 bytes × batch × candidates per
    /// thread.
    #[arg(long, default_value_t = 256)]
    pub batch_size: usize,

    /// Skip AUROC/AUPRC against all unknown pairs (32.5 million pairs for CbG).
    #[arg(long)]
    pub no_all_pairs: bool,

    /// Write metrics.json here instead of the default path.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Arguments of `rxgraph train`.
#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Work directory.
    #[arg(long, value_name = "DIR", env = "RXGRAPH_WORKDIR")]
    pub workdir: PathBuf,

    /// Model configuration (TOML), e.g. models/default.toml.
    #[arg(long, value_name = "FILE")]
    pub config: PathBuf,

    /// Split to train on [default: the config's `split`].
    #[arg(long)]
    pub split: Option<String>,

    /// Device: cpu, cuda or auto [default: auto, CUDA when available, else the CPU].
    #[arg(long, value_name = "DEVICE")]
    pub device: Option<String>,

    /// Seed of initialisation and sampling [default: the config's `seed`].
    #[arg(long, env = "RXGRAPH_SEED")]
    pub seed: Option<u64>,

    /// Continue the run in --out from its last completed epoch.
    #[arg(long)]
    pub resume: bool,

    /// Model directory to write [default: DIR/models/<config file stem>].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// Arguments of `rxgraph predict`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("entity").required(true).args(["drug", "disease", "target", "all"])))]
pub struct PredictArgs {
    /// Scorer and work directory.
    #[command(flatten)]
    pub scorer: ScorerArgs,

    /// Drug (compound) id or name: rank new indications (CtD) or, with --relation CbG, new
    /// targets.
    #[arg(long, value_name = "ID|NAME")]
    pub drug: Option<String>,

    /// Disease id or name: rank candidate drugs (CtD or CpD).
    #[arg(long, value_name = "ID|NAME")]
    pub disease: Option<String>,

    /// Gene id (`Gene::1017`, `1017`) or symbol: rank candidate drugs (CbG).
    #[arg(long, value_name = "ID|SYMBOL")]
    pub target: Option<String>,

    /// Score every pair of the relation's two kinds into --out (Parquet) instead of one query.
    #[arg(long, requires = "out")]
    pub all: bool,

    /// Relation to predict: CtD (treats), CpD (palliates) or CbG (binds)
    /// [default: CtD for --drug and --disease, CbG for --target].
    #[arg(long)]
    pub relation: Option<String>,

    /// Number of candidates to return, 1 to 10000.
    #[arg(long, default_value_t = 20, allow_negative_numbers = true)]
    pub k: i64,

    /// Output format: table, json, csv or parquet [default: parquet for an --out ending in
    /// .parquet, csv for .csv, json for .json, else table].
    #[arg(long)]
    pub format: Option<String>,

    /// File to write instead of stdout (required for parquet and --all).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Explain each candidate: metapaths with DWPC shares, example paths and passages.
    #[arg(long)]
    pub explain: bool,
}

/// Arguments of `rxgraph report`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("entity").required(true).args(["drug", "disease"])))]
pub struct ReportArgs {
    /// Scorer and work directory.
    #[command(flatten)]
    pub scorer: ScorerArgs,

    /// Disease id or name: report candidate drugs.
    #[arg(long, value_name = "ID|NAME")]
    pub disease: Option<String>,

    /// Drug id or name: report candidate indications (or targets with --relation CbG).
    #[arg(long, value_name = "ID|NAME")]
    pub drug: Option<String>,

    /// Relation to predict: CtD, CpD or CbG [default: CtD].
    #[arg(long)]
    pub relation: Option<String>,

    /// Number of candidates in the table, 1 to 10000.
    #[arg(long, default_value_t = 25, allow_negative_numbers = true)]
    pub k: i64,

    /// HTML file to write; the table is also written beside it as .csv and .parquet.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
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

    /// Maximum number of solutions that the sorts and DISTINCTs of one SPARQL query may
    /// buffer before the query is stopped with 503. GROUP BY groups are not counted; the
    /// deadline bounds them.
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
    /// Every compound's CtD and CbG and every disease's CtD rankings are computed this deep
    /// at start-up, so top-k requests with k up to N are served without scoring. 0 turns
    /// both off. On the embedded graph, depth 100 takes about 1 GB of memory and 7 s of
    /// start-up, and deeper rankings take more.
    #[arg(long, default_value_t = 100, value_parser = clap::builder::TypedValueParser::map(clap::value_parser!(u16).range(0..=1000), usize::from))]
    pub predictions_top_n: usize,

    /// Number of HTTP worker threads [default: number of cores].
    #[arg(long)]
    pub workers: Option<usize>,

    /// Directory with `mappings/` and `texts/` annotation files (gene names, UniProt) for
    /// explanations [default: the tables that `rxgraph ingest` stored in the work directory].
    #[arg(long, value_name = "DIR", env = "RXGRAPH_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
}

/// Where the scores come from: a trained model, or the degree-prior baseline.
#[derive(Debug, Args)]
pub struct ScorerArgs {
    /// Work directory.
    #[arg(long, value_name = "DIR", env = "RXGRAPH_WORKDIR")]
    pub workdir: PathBuf,

    /// Trained model directory [default: the only model under DIR/models].
    #[arg(long, value_name = "DIR", conflicts_with = "baseline")]
    pub model: Option<PathBuf>,

    /// Rank with the degree-prior baseline instead of a trained model.
    #[arg(long)]
    pub baseline: bool,

    /// Split whose training part feeds the baseline and whose validation part calibrates
    /// the probabilities [default: the model's split; for the baseline indication-random,
    /// or target-random for CbG].
    #[arg(long)]
    pub split: Option<String>,

    /// Device for the model: cpu, cuda or auto (CUDA when available).
    #[arg(long, default_value = "auto")]
    pub device: String,

    /// Directory with `mappings/` and `texts/` annotation files (gene names, UniProt)
    /// [default: the tables that `rxgraph ingest` stored in the work directory].
    #[arg(long, value_name = "DIR", env = "RXGRAPH_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
}
