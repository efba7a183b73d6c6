//! `rxgraph ingest`: read a graph and write a work directory.

use std::time::Instant;

use super::args::IngestArgs;
use super::info;
use crate::kg::ingest::{self, Sources, EMBEDDED_EDGES, EMBEDDED_NODES};
use crate::kg::workdir::{self, embedded_input};
use crate::kg::{CreateOptions, SplitConfig, WorkDir};

pub fn run(args: &IngestArgs, show_progress: bool) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut sources = Sources {
        embedded: false,
        nodes: args.nodes.clone(),
        edges: args.edges.clone(),
        node_kinds: args.node_kinds.clone(),
        triples: args.triples.clone(),
        rdf: args.rdf.clone(),
    };
    if sources.is_empty() {
        sources.embedded = true;
        tracing::info!("no input given: using the embedded Hetionet v1.0 graph (12 metaedges)");
    }

    let mut inputs = Vec::new();
    if sources.embedded {
        let (nodes, edges) = ingest::embedded_bytes();
        inputs.push(embedded_input(EMBEDDED_NODES, nodes));
        inputs.push(embedded_input(EMBEDDED_EDGES, edges));
    }
    for path in sources.files() {
        inputs.push(workdir::input_file(path).map_err(anyhow::Error::from)?);
    }

    let graph = ingest::load(&sources, show_progress)?;
    tracing::info!(
        nodes = graph.node_count(),
        edges = graph.edges().len(),
        kinds = graph.kind_counts().len(),
        "graph read and checked"
    );

    let options = CreateOptions {
        force: args.force,
        show_progress,
        splits: SplitConfig::defaults(&graph, args.seed),
    };
    let workdir = WorkDir::create(&args.out, &graph, inputs, &options)?;
    tracing::info!(path = %workdir.path().display(), seconds = started.elapsed().as_secs_f64(), "work directory written");

    info::print_counts(&graph, &workdir, &mut std::io::stdout().lock())?;
    Ok(())
}
