//! `rxgraph ingest`: read a graph and write a work directory.

use std::time::Instant;

use super::args::IngestArgs;
use super::info;
use crate::kg::ingest::{self, Sources, EMBEDDED_EDGES, EMBEDDED_NODES};
use crate::kg::workdir::{self, embedded_input};
use crate::kg::{CreateOptions, GraphBuilder, Schema, SplitConfig, WorkDir};
use crate::rank::GeneAnnotations;
use crate::text::corpus::{self, LinkOptions};

pub fn run(args: &IngestArgs, show_progress: bool) -> anyhow::Result<()> {
    let started = Instant::now();
    // Fail before reading the inputs, which takes seconds for the embedded graph.
    WorkDir::check_out(&args.out, args.force)?;
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

    let mut builder = GraphBuilder::new(Schema::hetionet());
    ingest::read_into(&sources, &mut builder, show_progress)?;
    // Target facts read the gene annotation tables from the work directory, not from the
    // source tree, so a copied binary or another working directory finds them too.
    let mut extra_files: Vec<(String, Vec<u8>)> = GeneAnnotations::embedded_files()
        .into_iter()
        .map(|(name, bytes)| (name, bytes.to_vec()))
        .collect();
    let literature_dirs = args.literature.clone();
    if !literature_dirs.is_empty() {
        let sets = corpus::read_dirs(&literature_dirs)?;
        let literature = corpus::add_literature(&mut builder, &sets, LinkOptions::default())?;
        literature.log_stats();
        for path in &literature.inputs {
            inputs.push(workdir::input_file(path)?);
        }
        extra_files.extend(literature.files()?);
    }
    let graph = builder.build()?;
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
        extra_files,
    };
    let workdir = WorkDir::create(&args.out, &graph, inputs, &options)?;
    tracing::info!(path = %workdir.path().display(), seconds = started.elapsed().as_secs_f64(), "work directory written");

    info::print_counts(&graph, &workdir, &mut std::io::stdout().lock())?;
    Ok(())
}
