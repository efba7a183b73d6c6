//! `rxgraph info`: counts, degree statistics and splits of a work directory.

use std::collections::HashSet;
use std::io::Write;

use serde_json::json;

use super::args::InfoArgs;
use super::count_noun;
use crate::kg::{KnowledgeGraph, Part, WorkDir};

pub fn run(args: &InfoArgs) -> anyhow::Result<()> {
    let workdir = WorkDir::open(&args.workdir)?;
    let graph = workdir.load_graph()?;
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &summary_json(&graph, &workdir)?)?;
        writeln!(out)?;
    } else {
        print_counts(&graph, &workdir, &mut out)?;
    }
    Ok(())
}

/// Degree statistics of one kind: (min, median, mean, max).
fn degree_stats(graph: &KnowledgeGraph, kind: u16) -> (usize, usize, f64, usize) {
    let mut degrees: Vec<usize> = graph.kind_range(kind).map(|n| graph.degree(n)).collect();
    if degrees.is_empty() {
        return (0, 0, 0.0, 0);
    }
    degrees.sort_unstable();
    let mean = degrees.iter().sum::<usize>() as f64 / degrees.len() as f64;
    (
        degrees[0],
        degrees[degrees.len() / 2],
        mean,
        degrees[degrees.len() - 1],
    )
}

/// Writes the per-kind and per-relation tables and the splits.
pub fn print_counts(
    graph: &KnowledgeGraph,
    workdir: &WorkDir,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let schema = graph.schema();
    writeln!(out, "work directory {}", workdir.path().display())?;
    writeln!(
        out,
        "{}, {}\n",
        count_noun(graph.node_count(), "node"),
        count_noun(graph.edges().len(), "edge")
    )?;

    writeln!(
        out,
        "{:<22} {:>8} {:>8} {:>8} {:>9} {:>8}",
        "kind", "nodes", "deg min", "deg med", "deg mean", "deg max"
    )?;
    for (kind, count) in graph.kind_counts() {
        let (min, median, mean, max) = degree_stats(graph, kind);
        writeln!(
            out,
            "{:<22} {count:>8} {min:>8} {median:>8} {mean:>9.1} {max:>8}",
            schema.kinds[kind as usize].name
        )?;
    }

    writeln!(
        out,
        "\n{:<6} {:<48} {:>8} {:>8} {:>8}",
        "rel", "metaedge", "edges", "heads", "tails"
    )?;
    for (relation, count) in graph.relation_counts() {
        let spec = &schema.relations[relation as usize];
        let edges = graph.edges().iter().filter(|t| t.relation == relation);
        let heads: HashSet<u32> = edges.clone().map(|t| t.head).collect();
        let tails: HashSet<u32> = edges.map(|t| t.tail).collect();
        let label = format!(
            "{} - {} - {}",
            schema.kinds[spec.source as usize].name,
            spec.verb,
            schema.kinds[spec.target as usize].name
        );
        writeln!(
            out,
            "{:<6} {label:<48} {count:>8} {:>8} {:>8}",
            spec.abbreviation,
            heads.len(),
            tails.len()
        )?;
    }

    let names = workdir.split_names();
    if !names.is_empty() {
        writeln!(
            out,
            "\n{:<20} {:<10} {:>8} {:>8} {:>8} {:>8} {:>10}",
            "split", "relations", "train", "valid", "test", "leakage", "train all"
        )?;
        for name in names {
            let split = workdir.split(&name, graph)?;
            writeln!(
                out,
                "{name:<20} {:<10} {:>8} {:>8} {:>8} {:>8} {:>10}",
                split.config.relations.join(","),
                split.target_count(graph, Part::Train),
                split.target_count(graph, Part::Valid),
                split.target_count(graph, Part::Test),
                split.leakage.total(),
                split.train(graph).len()
            )?;
        }
        writeln!(out, "train, valid, test: edges of the split's relations")?;
        writeln!(
            out,
            "train all: every training edge, with the edges of other relations"
        )?;
    }
    Ok(())
}

fn summary_json(graph: &KnowledgeGraph, workdir: &WorkDir) -> anyhow::Result<serde_json::Value> {
    let schema = graph.schema();
    let kinds: serde_json::Map<String, serde_json::Value> = graph
        .kind_counts()
        .into_iter()
        .map(|(kind, count)| {
            let (min, median, mean, max) = degree_stats(graph, kind);
            (schema.kinds[kind as usize].name.clone(), json!({"nodes": count, "degree": {"min": min, "median": median, "mean": mean, "max": max}}))
        })
        .collect();
    let relations: serde_json::Map<String, serde_json::Value> = graph
        .relation_counts()
        .into_iter()
        .map(|(relation, count)| {
            (
                schema.relations[relation as usize].abbreviation.clone(),
                json!(count),
            )
        })
        .collect();
    let mut splits = serde_json::Map::new();
    for name in workdir.split_names() {
        let split = workdir.split(&name, graph)?;
        splits.insert(
            name,
            json!({
                "config": split.config,
                "train": split.target_count(graph, Part::Train),
                "train_all": split.train(graph).len(),
                "valid": split.valid(graph).len(),
                "test": split.test(graph).len(),
                "leakage": split.leakage,
            }),
        );
    }
    Ok(json!({
        "manifest": workdir.manifest(),
        "nodes": graph.node_count(),
        "edges": graph.edges().len(),
        "kinds": kinds,
        "relations": relations,
        "splits": splits,
    }))
}
