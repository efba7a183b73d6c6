//! `rxgraph evaluate`: evaluate a model and the degree-prior baseline on a split and write
//! `metrics.json`.

use std::path::PathBuf;

use anyhow::{bail, Context};

use super::args::EvaluateArgs;
use crate::eval::{
    evaluate_scorer, write_tables, DegreePrior, EvalConfig, EvaluationReport, FilterGroups,
    KnownTriples,
};
use crate::kg::{KnowledgeGraph, WorkDir};

pub fn run(args: &EvaluateArgs, show_progress: bool) -> anyhow::Result<()> {
    // Check the cheap arguments before the graph is read.
    if let Some(dir) = &args.model {
        if !dir.is_dir() {
            bail!(
                "model directory not found: {} (--model); give the directory that \
                 `rxgraph train` wrote",
                dir.display()
            );
        }
    }
    let device = super::device::parse_device(&args.device)?;
    let workdir = WorkDir::open(&args.workdir)
        .with_context(|| format!("failed to open --workdir {}", args.workdir.display()))?;
    let names = workdir.split_names();
    if !names.contains(&args.split) {
        bail!(
            "unknown split {:?} (--split) in {}; available: {}. Make one with `rxgraph split`",
            args.split,
            args.workdir.display(),
            if names.is_empty() {
                "none".to_owned()
            } else {
                names.join(", ")
            }
        );
    }

    let graph = workdir.load_graph()?;
    let split = workdir.split(&args.split, &graph)?;
    let config = eval_config(args, &graph, show_progress)?;
    tracing::info!(
        split = %args.split,
        test = split.test(&graph).len(),
        seed = config.seed,
        batch_size = config.ranking.batch_size,
        all_pairs = config.all_pairs,
        "evaluating"
    );

    let known = KnownTriples::new(&graph, graph.edges(), &config.filter_groups);
    let model = match &args.model {
        Some(dir) => {
            let scorer = super::scoring::load_model(dir, &graph, device)?;
            Some(evaluate_scorer(
                scorer.as_ref(),
                &graph,
                &split,
                &known,
                &config,
            )?)
        }
        None => None,
    };
    let prior = DegreePrior::new(&graph, &split.train(&graph));
    let baseline = evaluate_scorer(&prior, &graph, &split, &known, &config)?;
    let report = EvaluationReport::new(&graph, &split, &config, model, baseline);

    let path = output_path(args);
    report.write(&path)?;
    tracing::info!(path = %path.display(), "metrics written");
    write_tables(&report, &mut std::io::stdout().lock())?;
    Ok(())
}

fn eval_config(
    args: &EvaluateArgs,
    graph: &KnowledgeGraph,
    show_progress: bool,
) -> anyhow::Result<EvalConfig> {
    let mut config = EvalConfig::new(graph.schema(), args.seed);
    if args.no_filter_groups {
        config.filter_groups = FilterGroups::none();
    } else if !args.filter_group.is_empty() {
        let groups: Vec<Vec<String>> = args
            .filter_group
            .iter()
            .map(|group| group.split(',').map(|r| r.trim().to_owned()).collect())
            .collect();
        config.filter_groups = FilterGroups::from_abbreviations(graph.schema(), &groups)
            .context("invalid --filter-group")?;
    }
    if args.batch_size == 0 {
        bail!("--batch-size must be at least 1");
    }
    config.ranking.batch_size = args.batch_size;
    config.ranking.show_progress = show_progress;
    config.all_pairs = !args.no_all_pairs;
    Ok(config)
}

fn output_path(args: &EvaluateArgs) -> PathBuf {
    match (&args.out, &args.model) {
        (Some(out), _) => out.clone(),
        (None, Some(model)) => model.join("metrics.json"),
        (None, None) => args
            .workdir
            .join("eval")
            .join(&args.split)
            .join("metrics.json"),
    }
}
