//! `rxgraph predict`: ranked candidates for one drug, disease or gene, or the scores of all
//! pairs of a relation.

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use anyhow::{bail, Context};

use super::args::PredictArgs;
use super::count_noun;
use super::scoring;
use crate::kg::{KnowledgeGraph, RelationId};
use crate::rank::{
    check_k, prediction_rows, resolve_entity, write_all_pairs, write_csv, write_parquet,
    CandidateEvidence, Evidence, ExplainOptions, PathExplainer, Query, RankError, Ranking,
};

/// Output formats of the ranked table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Table,
    Json,
    Csv,
    Parquet,
}

pub fn run(args: &PredictArgs) -> anyhow::Result<()> {
    // Cheap checks first: k, format and the scorer source, before the graph is read.
    let k = usize::try_from(args.k).map_err(|_| RankError::InvalidK {
        k: args.k,
        max: crate::rank::MAX_K,
    })?;
    check_k(k)?;
    let format = output_format(args.format.as_deref(), args.out.as_deref())?;
    if format == Format::Parquet && args.out.is_none() {
        bail!("--format parquet needs --out FILE");
    }
    let (workdir, source) = scoring::open(&args.scorer)?;

    let started = Instant::now();
    let graph = workdir.load_graph()?;
    let (flag, kind_name, text, default_relation) = entity_flag(args);
    let kind = graph
        .schema()
        .kind_id(kind_name)
        .with_context(|| format!("the graph has no {kind_name} nodes"))?;
    let relation_name = args.relation.as_deref().unwrap_or(default_relation);
    let relation = scoring::relation_for(&graph, relation_name, kind, flag)?;

    if args.all {
        let out = args.out.as_deref().expect("clap requires --out with --all");
        if format != Format::Parquet {
            bail!("--all writes Parquet only; give an --out FILE ending in .parquet");
        }
        let scoring = scoring::load(&args.scorer, &workdir, &graph, source, relation)?;
        let rows = write_all_pairs(
            scoring.scorer.as_ref(),
            &graph,
            relation,
            &scoring.known,
            Some(&scoring.calibration),
            out,
        )?;
        tracing::info!(rows, path = %out.display(), seconds = started.elapsed().as_secs_f64(), "all pairs written");
        return Ok(());
    }

    let node = resolve_entity(&graph, text.unwrap_or_default(), &[kind])
        .with_context(|| format!("invalid {flag}"))?;
    let query = Query::new(&graph, node, relation)?;
    let scoring = scoring::load(&args.scorer, &workdir, &graph, source, relation)?;
    let ranker = scoring.ranker(&graph);
    let ranking = ranker.rank(&query, k)?;

    let explainer = args
        .explain
        .then(|| PathExplainer::new(&graph, ExplainOptions::default()));
    let (mentions, annotations) = if args.explain {
        let (mentions, annotations) = scoring::evidence_sources(&args.scorer, &workdir)?;
        (mentions, Some(annotations))
    } else {
        (None, None)
    };
    let evidence = Evidence {
        explainer: explainer.as_ref(),
        mentions: mentions.as_ref(),
        annotations: annotations.as_ref(),
    };
    let excluded = scoring.known.groups().members(relation);
    let candidates = evidence.candidates(&graph, &ranking, &excluded);
    tracing::info!(
        candidates = ranking.candidates.len(),
        known_removed = ranking.known_removed,
        seconds = started.elapsed().as_secs_f64(),
        "ranked"
    );

    write_output(
        args,
        format,
        &graph,
        &ranking,
        &candidates,
        scoring.scorer.name(),
    )
}

/// Returns the flag, kind, text and default relation of the entity option that was given.
fn entity_flag(args: &PredictArgs) -> (&'static str, &'static str, Option<&str>, &'static str) {
    if let Some(text) = &args.drug {
        ("--drug", "Compound", Some(text), "CtD")
    } else if let Some(text) = &args.disease {
        ("--disease", "Disease", Some(text), "CtD")
    } else if let Some(text) = &args.target {
        ("--target", "Gene", Some(text), "CbG")
    } else {
        // --all: the relation's head kind is a compound for every relation predict offers.
        ("--all", "Compound", None, "CtD")
    }
}

fn output_format(format: Option<&str>, out: Option<&Path>) -> anyhow::Result<Format> {
    let extension = out
        .and_then(Path::extension)
        .map(|e| e.to_string_lossy().to_lowercase());
    let name = match (format, extension.as_deref()) {
        (Some(name), _) => name.to_lowercase(),
        (None, Some(ext @ ("parquet" | "csv" | "json"))) => ext.to_owned(),
        (None, _) => "table".to_owned(),
    };
    Ok(match name.as_str() {
        "table" => Format::Table,
        "json" => Format::Json,
        "csv" => Format::Csv,
        "parquet" => Format::Parquet,
        other => bail!("invalid --format {other:?}; use table, json, csv or parquet"),
    })
}

fn write_output(
    args: &PredictArgs,
    format: Format,
    graph: &KnowledgeGraph,
    ranking: &Ranking,
    candidates: &[CandidateEvidence],
    scorer: &str,
) -> anyhow::Result<()> {
    let rows = prediction_rows(graph, ranking, candidates);
    if format == Format::Parquet {
        let out = args.out.as_deref().expect("checked in run");
        write_parquet(&rows, out)?;
        tracing::info!(path = %out.display(), "predictions written");
        return Ok(());
    }

    let mut buffer = Vec::new();
    match format {
        Format::Csv => write_csv(&rows, &mut buffer)?,
        Format::Json => {
            let query = graph.node(ranking.query.node);
            let json = serde_json::json!({
                "query": {"id": query.id, "name": query.name},
                "relation": relation_name(graph, ranking.query.relation),
                "side": ranking.query.side,
                "scorer": scorer,
                "total_candidates": ranking.total_candidates,
                "known_removed": ranking.known_removed,
                "candidates": candidates,
            });
            serde_json::to_writer_pretty(&mut buffer, &json)?;
            buffer.push(b'\n');
        }
        Format::Table => write_table(&mut buffer, graph, ranking, candidates, scorer)?,
        Format::Parquet => unreachable!("handled above"),
    }
    match &args.out {
        Some(path) => {
            std::fs::write(path, buffer)
                .with_context(|| format!("failed to write --out {}", path.display()))?;
            tracing::info!(path = %path.display(), "predictions written");
        }
        None => std::io::stdout().lock().write_all(&buffer)?,
    }
    Ok(())
}

fn relation_name(graph: &KnowledgeGraph, relation: RelationId) -> &str {
    &graph.schema().relations[relation as usize].abbreviation
}

/// Writes the ranked table for a terminal, with the evidence under each row when present.
fn write_table(
    out: &mut impl Write,
    graph: &KnowledgeGraph,
    ranking: &Ranking,
    candidates: &[CandidateEvidence],
    scorer: &str,
) -> std::io::Result<()> {
    let query = graph.node(ranking.query.node);
    writeln!(
        out,
        "{} ({}) – {} – {} of {}, {} removed, scorer: {scorer}",
        query.name,
        query.id,
        relation_name(graph, ranking.query.relation),
        candidates.len(),
        count_noun(ranking.total_candidates, "candidate"),
        count_noun(ranking.known_removed, "known link")
    )?;
    writeln!(
        out,
        "{:>5}  {:<22} {:<36} {:>9} {:>7} {:>8}",
        "rank", "id", "name", "score", "pct", "prob"
    )?;
    for candidate in candidates {
        let probability = candidate
            .ranked
            .probability
            .map_or_else(|| "-".to_owned(), |p| format!("{p:.4}"));
        writeln!(
            out,
            "{:>5}  {:<22} {:<36} {:>9.4} {:>7.2} {:>8}",
            candidate.ranked.rank,
            candidate.id,
            truncate(&candidate.name, 36),
            candidate.ranked.score,
            candidate.ranked.percentile,
            probability
        )?;
        write_evidence(out, candidate)?;
    }
    Ok(())
}

fn write_evidence(out: &mut impl Write, candidate: &CandidateEvidence) -> std::io::Result<()> {
    if let Some(explanation) = &candidate.explanation {
        writeln!(
            out,
            "       {}, DWPC {:.4}{}",
            count_noun(explanation.path_count, "path"),
            explanation.total_dwpc,
            if explanation.truncated {
                " (search truncated)"
            } else {
                ""
            }
        )?;
        for metapath in explanation.metapaths.iter().take(3) {
            writeln!(
                out,
                "       {:>5.1}%  {} ({})",
                100.0 * metapath.share,
                metapath.label,
                count_noun(metapath.path_count, "path")
            )?;
            if let Some(path) = metapath.top_paths.first() {
                writeln!(out, "              e.g. {}", path.names.join(" → "))?;
            }
        }
    }
    for passage in &candidate.passages {
        writeln!(
            out,
            "       PMID {}: {}",
            passage.pmid,
            passage.sentences.join(" … ")
        )?;
    }
    if let Some(gene) = &candidate.gene {
        writeln!(
            out,
            "       gene {}{}; UniProt {}; {}, {}, {}",
            gene.symbol,
            gene.name
                .as_deref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default(),
            if gene.uniprot.is_empty() {
                "-".to_owned()
            } else {
                gene.uniprot.join(", ")
            },
            count_noun(gene.pathways.count, "pathway"),
            count_noun(gene.diseases.count, "disease"),
            count_noun(gene.go_terms.count, "GO term")
        )?;
    }
    Ok(())
}

fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(width - 1).collect();
        cut.push('…');
        cut
    }
}
