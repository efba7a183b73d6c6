//! `rxgraph report`: the HTML candidate report for a disease or a drug, with the table as
//! CSV and Parquet beside it.

use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::args::ReportArgs;
use super::count_noun;
use super::scoring::{self, Scoring};
use crate::eval::{sample_negatives, DegreePrior, EvaluationReport, RankMetrics};
use crate::kg::{KnowledgeGraph, Part, RelationId, Split, WorkDir};
use crate::model::LinkScorer;
use crate::rank::calibrate::{CALIBRATION_SEED, NEGATIVES_PER_POSITIVE};
use crate::rank::{
    check_k, prediction_rows, resolve_entity, Evidence, ExplainOptions, PathExplainer, Query,
    RankError,
};
use crate::report::{
    write_report, Curves, ModelCard, ReportInput, ScoredCurves, SplitLinks, TrainingCurve,
};

pub fn run(args: &ReportArgs) -> anyhow::Result<()> {
    let k = usize::try_from(args.k).map_err(|_| RankError::InvalidK {
        k: args.k,
        max: crate::rank::MAX_K,
    })?;
    check_k(k)?;
    let (workdir, source) = scoring::open(&args.scorer)?;
    let started = Instant::now();
    let graph = workdir.load_graph()?;

    let (flag, kind_name, text, question) = match (&args.disease, &args.drug) {
        (Some(text), _) => (
            "--disease",
            "Disease",
            text,
            "candidate drugs for a disease",
        ),
        (None, Some(text)) => ("--drug", "Compound", text, "new uses for a drug"),
        (None, None) => unreachable!("clap requires --disease or --drug"),
    };
    let kind = graph
        .schema()
        .kind_id(kind_name)
        .with_context(|| format!("the graph has no {kind_name} nodes"))?;
    let relation = scoring::relation_for(
        &graph,
        args.relation.as_deref().unwrap_or("CtD"),
        kind,
        flag,
    )?;
    let node = resolve_entity(&graph, text, &[kind]).with_context(|| format!("invalid {flag}"))?;
    let query = Query::new(&graph, node, relation)?;
    let scoring = scoring::load(&args.scorer, &workdir, &graph, source, relation)?;

    // Rank, then gather the evidence of the top k.
    let ranker = scoring.ranker(&graph);
    let all_scores = ranker.score_all(&query)?;
    let ranking = ranker.rank_scores(&query, &all_scores, k);
    let range = query.candidates(&graph);
    let known_scores: Vec<f32> = ranker
        .known_candidates(&query)
        .iter()
        .filter(|n| range.contains(n))
        .map(|&n| all_scores[(n - range.start) as usize])
        .collect();
    let explainer = PathExplainer::new(&graph, ExplainOptions::default());
    let (mentions, annotations) = scoring::evidence_sources(&args.scorer, &workdir)?;
    let evidence = Evidence {
        explainer: Some(&explainer),
        mentions: mentions.as_ref(),
        annotations: Some(&annotations),
    };
    let excluded = scoring.known.groups().members(relation);
    let candidates = evidence.candidates(&graph, &ranking, &excluded);
    let rows = prediction_rows(&graph, &ranking, &candidates);

    let curves = test_curves(&graph, &scoring, relation);
    let training = scoring.model_dir.as_deref().and_then(training_curve);
    let card = model_card(&workdir, &graph, &scoring, relation, &curves);

    let spec = &graph.schema().relations[relation as usize];
    let input = ReportInput {
        question: format!("{question} ({})", spec.abbreviation),
        query_id: graph.node(node).id.clone(),
        query_name: graph.node(node).name.clone(),
        relation_label: format!(
            "{}–{}–{}",
            graph.schema().kinds[spec.source as usize].name,
            spec.verb,
            graph.schema().kinds[spec.target as usize].name
        ),
        scorer: scoring.scorer.name().to_owned(),
        split: scoring.split.config.name.clone(),
        split_links: split_links(&graph, &scoring.split, node),
        total_candidates: ranking.total_candidates,
        known_removed: ranking.known_removed,
        candidates: &candidates,
        rows,
        all_scores,
        known_scores,
        curves,
        training,
        card,
    };
    write_report(&input, &args.out)?;
    tracing::info!(
        path = %args.out.display(),
        csv = %args.out.with_extension("csv").display(),
        parquet = %args.out.with_extension("parquet").display(),
        seconds = started.elapsed().as_secs_f64(),
        "report written"
    );
    Ok(())
}

/// Computes ROC and PR curves on the test triples of `relation`, for the scorer and, when
/// the scorer is a model, for the degree prior on the same triples.
fn test_curves(
    graph: &KnowledgeGraph,
    scoring: &Scoring,
    relation: RelationId,
) -> Vec<ScoredCurves> {
    let positives: Vec<_> = scoring
        .split
        .test(graph)
        .into_iter()
        .filter(|t| t.relation == relation)
        .collect();
    if positives.is_empty() {
        tracing::warn!(split = %scoring.split.config.name, "the split has no test triples of the relation; the report has no ROC or PR curves");
        return Vec::new();
    }
    let mut rng = ChaCha8Rng::seed_from_u64(CALIBRATION_SEED);
    let negatives = sample_negatives(
        graph,
        relation,
        positives.len() * NEGATIVES_PER_POSITIVE,
        &scoring.known,
        &mut rng,
    );

    let curves_of = |scorer: &dyn LinkScorer| ScoredCurves {
        scorer: scorer.name().to_owned(),
        curves: Curves::new(
            &scorer.score_triples(&positives),
            &scorer.score_triples(&negatives),
        ),
    };
    let mut curves = vec![curves_of(scoring.scorer.as_ref())];
    if scoring.model_dir.is_some() {
        let prior = DegreePrior::new(graph, &scoring.split.train(graph));
        curves.push(curves_of(&prior));
    }
    curves
}

/// Reads the loss and validation curves from a model's `manifest.json`.
fn training_curve(dir: &Path) -> Option<TrainingCurve> {
    let text = std::fs::read_to_string(dir.join("manifest.json")).ok()?;
    let manifest: serde_json::Value = serde_json::from_str(&text).ok()?;
    let losses: Vec<f64> = manifest["loss_curve"]
        .as_array()?
        .iter()
        .filter_map(serde_json::Value::as_f64)
        .collect();
    let first = losses.first().copied().filter(|l| *l > 0.0).unwrap_or(1.0);
    #[allow(clippy::cast_precision_loss)]
    let loss = losses
        .iter()
        .enumerate()
        .map(|(i, l)| ((i + 1) as f64, l / first))
        .collect();
    let valid_mrr = manifest["valid_curve"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|point| Some((point[0].as_f64()?, point[1].as_f64()?)))
        .collect();
    Some(TrainingCurve { loss, valid_mrr })
}

fn model_card(
    workdir: &WorkDir,
    graph: &KnowledgeGraph,
    scoring: &Scoring,
    relation: RelationId,
    curves: &[ScoredCurves],
) -> ModelCard {
    let mut facts = vec![
        ("scorer".to_owned(), scoring.scorer.name().to_owned()),
        (
            "graph hash".to_owned(),
            workdir.manifest().graph_hash.clone(),
        ),
        (
            "graph".to_owned(),
            format!(
                "{}, {}",
                count_noun(graph.node_count(), "node"),
                count_noun(graph.edges().len(), "edge")
            ),
        ),
        (
            "split".to_owned(),
            format!(
                "{} (seed {})",
                scoring.split.config.name, scoring.split.config.seed
            ),
        ),
    ];
    let manifest = scoring.model_dir.as_ref().and_then(|dir| {
        let text = std::fs::read_to_string(dir.join("manifest.json")).ok()?;
        serde_json::from_str::<serde_json::Value>(&text).ok()
    });
    if let (Some(dir), Some(manifest)) = (&scoring.model_dir, &manifest) {
        facts.push(("model directory".into(), dir.display().to_string()));
        facts.push(("configuration".into(), manifest["config"].to_string()));
        facts.push(("seed".into(), manifest["config"]["seed"].to_string()));
        facts.push((
            "device".into(),
            manifest["device"].as_str().unwrap_or("?").to_owned(),
        ));
        facts.push((
            "epochs".into(),
            format!("{} (best {})", manifest["epoch"], manifest["best_epoch"]),
        ));
        facts.push((
            "libtorch".into(),
            manifest["torch_version"].as_str().unwrap_or("?").to_owned(),
        ));
    }
    let abbreviation = &graph.schema().relations[relation as usize].abbreviation;
    if let Some(fit) = scoring.calibration.relation(graph, relation) {
        facts.push((
            "calibration".into(),
            format!(
                "Platt scaling on {} of {abbreviation} vs {}; a = {:.4}, b = {:.4} after \
                 shifting to the base rate {:.5}",
                count_noun(fit.positives, "validation link"),
                count_noun(fit.negatives, "negative"),
                fit.platt.a,
                fit.platt.b,
                fit.base_rate
            ),
        ));
    }

    let mut metrics = Vec::new();
    let model_curve = curves.first().filter(|_| scoring.model_dir.is_some());
    let baseline_curve = curves.last();
    let pick =
        |c: Option<&ScoredCurves>, f: fn(&Curves) -> Option<f64>| c.and_then(|c| f(&c.curves));
    metrics.push((
        format!("{abbreviation} AUROC, test vs {NEGATIVES_PER_POSITIVE}× negatives (this report)"),
        pick(model_curve, |c| c.auroc),
        pick(baseline_curve, |c| c.auroc),
    ));
    metrics.push((
        format!("{abbreviation} AUPRC, test vs {NEGATIVES_PER_POSITIVE}× negatives (this report)"),
        pick(model_curve, |c| c.auprc),
        pick(baseline_curve, |c| c.auprc),
    ));
    let metrics_path = match &scoring.model_dir {
        Some(dir) => dir.join("metrics.json"),
        None => workdir
            .path()
            .join("eval")
            .join(&scoring.split.config.name)
            .join("metrics.json"),
    };
    match read_metrics(&metrics_path) {
        Some(report) => {
            facts.push(("evaluation".into(), metrics_path.display().to_string()));
            let model = report.model.as_ref().and_then(|m| m.overall.both.filtered);
            let baseline = report.baseline.overall.both.filtered;
            let rows: [(&str, fn(&RankMetrics) -> f64); 4] = [
                ("filtered MRR", |m| m.mrr),
                ("filtered Hits@1", |m| m.hits_at_1),
                ("filtered Hits@3", |m| m.hits_at_3),
                ("filtered Hits@10", |m| m.hits_at_10),
            ];
            for (name, get) in rows {
                metrics.push((
                    format!("{name}, all target relations (rxgraph evaluate)"),
                    model.as_ref().map(get),
                    baseline.as_ref().map(get),
                ));
            }
        }
        None => facts.push((
            "evaluation".into(),
            format!("no {} yet; run `rxgraph evaluate`", metrics_path.display()),
        )),
    }

    let limitations = vec![
        "Known links (train, validation and test) are removed from the table; a high score is a \
         hypothesis to check, not evidence of efficacy or binding."
            .to_owned(),
        "Probabilities come from Platt scaling on the validation split, shifted to the graph's \
         link rate; they are only as good as the assumption that unknown pairs are negatives."
            .to_owned(),
        "Path shares are degree-weighted path counts (damping 0.4) over paths of length ≤ 3; they \
         describe the graph around a pair and are not the model's reasons."
            .to_owned(),
        "The model is transductive: nodes absent from training have only text or no vectors."
            .to_owned(),
        "ROC and PR curves use sampled negatives, so AUPRC depends on the stated ratio.".to_owned(),
    ];
    ModelCard {
        facts,
        metrics,
        limitations,
    }
}

fn read_metrics(path: &Path) -> Option<EvaluationReport> {
    let text = std::fs::read_to_string(path).ok()?;
    match serde_json::from_str(&text) {
        Ok(report) => Some(report),
        Err(error) => {
            tracing::warn!(path = %path.display(), %error, "metrics.json could not be read; the model card leaves its metrics out");
            None
        }
    }
}

/// Counts the links of `node` in `split`'s target relations, by part.
fn split_links(graph: &KnowledgeGraph, split: &Split, node: u32) -> SplitLinks {
    let mut links = SplitLinks::default();
    for (triple, part) in graph.edges().iter().zip(&split.parts) {
        if !split.target_relations.contains(&triple.relation)
            || (triple.head != node && triple.tail != node)
        {
            continue;
        }
        match part {
            Part::Train => links.train += 1,
            Part::Valid => links.valid += 1,
            Part::Test => links.test += 1,
        }
    }
    links
}
