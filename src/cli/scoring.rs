//! Set-up shared by `predict` and `report`: the work directory, the scorer (a trained model
//! or the degree-prior baseline), its split, the known links and the calibration.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

use super::args::ScorerArgs;
use crate::eval::{DegreePrior, FilterGroups, KnownTriples};
use crate::kg::{KindId, KnowledgeGraph, RelationId, Split, WorkDir};
use crate::model::LinkScorer;
use crate::rank::{Calibration, GeneAnnotations, MentionIndex, RankError, Ranker};

/// Source of the scores, resolved before the graph is read.
pub enum ScorerSource {
    /// A trained model directory (with `manifest.json`).
    Model(PathBuf),
    /// The degree-prior baseline.
    Baseline,
}

/// Everything a ranking needs.
pub struct Scoring {
    /// The scorer.
    pub scorer: Box<dyn LinkScorer>,
    /// Trained model directory, `None` for the baseline.
    pub model_dir: Option<PathBuf>,
    /// Split used for the baseline's degrees and for calibration.
    pub split: Split,
    /// Every edge of the graph, with CtD and CpD filtering each other.
    pub known: KnownTriples,
    /// Platt fits per relation.
    pub calibration: Calibration,
}

impl Scoring {
    /// Returns a ranker of `graph` with this scorer, filter and calibration.
    pub fn ranker<'a>(&'a self, graph: &'a KnowledgeGraph) -> Ranker<'a> {
        Ranker::new(
            graph,
            self.scorer.as_ref(),
            &self.known,
            Some(&self.calibration),
        )
    }
}

/// Opens the work directory and resolves the scorer source; both are cheap checks that run
/// before the graph is read.
pub fn open(args: &ScorerArgs) -> anyhow::Result<(WorkDir, ScorerSource)> {
    super::device::parse_device(&args.device)?;
    let workdir = WorkDir::open(&args.workdir)
        .with_context(|| format!("failed to open --workdir {}", args.workdir.display()))?;
    let source = if args.baseline {
        ScorerSource::Baseline
    } else if let Some(dir) = &args.model {
        if !dir.join("manifest.json").is_file() {
            bail!(
                "no trained model in {} (--model): manifest.json is missing; give the directory \
                 that `rxgraph train` wrote",
                dir.display()
            );
        }
        ScorerSource::Model(dir.clone())
    } else {
        ScorerSource::Model(default_model(workdir.path())?)
    };
    Ok((workdir, source))
}

/// Finds the only trained model under `W/models`.
fn default_model(workdir: &Path) -> anyhow::Result<PathBuf> {
    let models = workdir.join("models");
    let mut found: Vec<PathBuf> = std::fs::read_dir(&models)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.join("manifest.json").is_file())
        .collect();
    found.sort();
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => bail!(
            "no trained model in {}: train one with `rxgraph train --workdir {} --config models/default.toml`, pass --model DIR, \
             or pass --baseline to rank with the degree-prior baseline",
            models.display(),
            workdir.display()
        ),
        _ => bail!(
            "{} trained models in {}; choose one with --model: {}",
            found.len(),
            models.display(),
            found
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Loads the scorer, its split, the known links and the calibration.
pub fn load(
    args: &ScorerArgs,
    workdir: &WorkDir,
    graph: &KnowledgeGraph,
    source: ScorerSource,
    relation: RelationId,
) -> anyhow::Result<Scoring> {
    let abbreviation = &graph.schema().relations[relation as usize].abbreviation;
    let model_split = match &source {
        ScorerSource::Model(dir) => model_split(dir)?,
        ScorerSource::Baseline => None,
    };
    let split_name = args.split.clone().or(model_split).unwrap_or_else(|| {
        if abbreviation == "CbG" {
            "target-random".to_owned()
        } else {
            "indication-random".to_owned()
        }
    });
    let names = workdir.split_names();
    if !names.contains(&split_name) {
        bail!(
            "unknown split {split_name:?} (--split) in {}; available: {}",
            workdir.path().display(),
            if names.is_empty() {
                "none".to_owned()
            } else {
                names.join(", ")
            }
        );
    }
    let split = workdir.split(&split_name, graph)?;
    if !split.target_relations.contains(&relation) {
        // NOTE: calibrating on another split's validation links could reuse the model's own
        // training links, so probabilities are left out instead.
        tracing::warn!(
            split = %split_name,
            relation = %abbreviation,
            "the split does not hold out this relation: no probabilities; pass --split to choose one that does"
        );
    }
    let known = KnownTriples::new(
        graph,
        graph.edges(),
        &FilterGroups::indications(graph.schema()),
    );

    let (scorer, model_dir): (Box<dyn LinkScorer>, Option<PathBuf>) = match source {
        ScorerSource::Model(dir) => (
            load_model(&dir, graph, super::device::parse_device(&args.device)?)?,
            Some(dir),
        ),
        ScorerSource::Baseline => (Box::new(DegreePrior::new(graph, &split.train(graph))), None),
    };
    tracing::info!(scorer = scorer.name(), split = %split_name, "scorer loaded");

    let graph_hash = &workdir.manifest().graph_hash;
    let calibration = match &model_dir {
        Some(dir) => {
            Calibration::load_or_fit(dir, scorer.as_ref(), graph, &split, &known, graph_hash)?
        }
        None => Calibration::fit(scorer.as_ref(), graph, &split, &known, graph_hash),
    };
    Ok(Scoring {
        scorer,
        model_dir,
        split,
        known,
        calibration,
    })
}

/// Parses a relation abbreviation and checks that `kind` is one of its ends.
pub fn relation_for(
    graph: &KnowledgeGraph,
    abbreviation: &str,
    kind: KindId,
    flag: &str,
) -> Result<RelationId, RankError> {
    let schema = graph.schema();
    let kind_name = &schema.kinds[kind as usize].name;
    let usable: Vec<&str> = ["CtD", "CpD", "CbG"]
        .into_iter()
        .filter(|r| {
            schema
                .relation_id(r)
                .is_some_and(|id| joins(graph, id, kind))
        })
        .collect();
    let Some(relation) = schema.relation_id(abbreviation) else {
        return Err(RankError::InvalidRelation {
            relation: abbreviation.to_owned(),
            reason: format!(
                "the graph has no such relation; for {flag} use {}",
                usable.join(", ")
            ),
        });
    };
    if !joins(graph, relation, kind) {
        let spec = &schema.relations[relation as usize];
        return Err(RankError::InvalidRelation {
            relation: abbreviation.to_owned(),
            reason: format!(
                "it joins {} to {}, not a {kind_name} ({flag}); use {}",
                schema.kinds[spec.source as usize].name,
                schema.kinds[spec.target as usize].name,
                usable.join(", ")
            ),
        });
    }
    Ok(relation)
}

fn joins(graph: &KnowledgeGraph, relation: RelationId, kind: KindId) -> bool {
    let spec = &graph.schema().relations[relation as usize];
    spec.source == kind || spec.target == kind
}

/// Reads the passages index and the gene annotations, when present.
pub fn evidence_sources(
    args: &ScorerArgs,
    workdir: &WorkDir,
) -> anyhow::Result<(Option<MentionIndex>, GeneAnnotations)> {
    Ok(crate::rank::evidence::read_sources(
        workdir.path(),
        args.data_dir.as_deref(),
    )?)
}

/// Reads the split name from a model's `manifest.json` (`config.split`).
fn model_split(dir: &Path) -> anyhow::Result<Option<String>> {
    let path = dir.join("manifest.json");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("failed to read {}", path.display()))?;
    let manifest: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("invalid model manifest {}", path.display()))?;
    Ok(manifest["config"]["split"].as_str().map(str::to_owned))
}

/// Loads the trained model in `dir` as a scorer.
pub(super) fn load_model(
    dir: &Path,
    graph: &KnowledgeGraph,
    device: tch::Device,
) -> anyhow::Result<Box<dyn LinkScorer>> {
    let model = crate::model::load_model(dir, graph, device)
        .with_context(|| format!("failed to load the model in {} (--model)", dir.display()))?;
    Ok(Box::new(model))
}
