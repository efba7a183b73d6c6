//! A full training run: epochs, validation, early stopping, checkpoints and resume.
//!
//! [`fit`] trains on the training part of a split, computes the filtered MRR of the
//! validation triples every `validate_every` epochs (candidates filtered with train ∪
//! valid; test triples are never read), keeps the best model in `model.safetensors`, and
//! stops after `patience` rounds without improvement. After every epoch it writes
//! `state.safetensors` (parameters and optimiser moments) and `manifest.json`, so that a run
//! killed at any point continues with `resume` from the last completed epoch; the sampling
//! generator of each epoch is derived from the seed and the epoch number, so the resumed
//! run draws the same negatives as an uninterrupted one.
//!
//! ```no_run
//! use std::path::Path;
//! use rxgraph::kg::WorkDir;
//! use rxgraph::model::{fit::{fit, FitOptions}, TrainConfig};
//!
//! let workdir = WorkDir::open(Path::new("/tmp/wm-work")).unwrap();
//! let config = TrainConfig::read(Path::new("models/default.toml")).unwrap();
//! let options = FitOptions::new(tch::Device::Cpu, workdir.path().join("models/default"));
//! let manifest = fit(&workdir, &config, &options).unwrap();
//! println!("best validation MRR {:?}", manifest.best_valid_mrr);
//! ```

use std::path::PathBuf;
use std::time::Instant;

use tch::Device;

use super::checkpoint::{self, ModelManifest};
use super::config::TrainConfig;
use super::embedding::Embeddings;
use super::error::ModelError;
use super::text::TextVectors;
use super::trainer::{epoch_rng, Trainer};
use super::validate::{filtered_ranking, KnownTriples};
use crate::kg::workdir::graph_hash;
use crate::kg::{KnowledgeGraph, WorkDir};
use crate::progress::Progress;

/// Settings of a run that are not part of the model configuration.
#[derive(Debug, Clone)]
pub struct FitOptions {
    /// Device of parameters and computation.
    pub device: Device,
    /// Model directory to write.
    pub out: PathBuf,
    /// Continue from `out/state.safetensors` instead of starting anew.
    pub resume: bool,
    /// Draw progress bars on a terminal.
    pub show_progress: bool,
}

impl FitOptions {
    /// Returns options for a fresh run without progress bars.
    #[must_use]
    pub fn new(device: Device, out: PathBuf) -> Self {
        Self {
            device,
            out,
            resume: false,
            show_progress: false,
        }
    }
}

/// Trains a model on `config.split` of `workdir` and writes it to `options.out`.
/// Returns the final manifest.
///
/// # Errors
/// An unknown split or missing text vectors, an `out` that contains a model while `resume`
/// is off, a checkpoint that does not match the config or graph, a non-finite loss (the
/// last good checkpoint is kept), or a write failure.
pub fn fit(
    workdir: &WorkDir,
    config: &TrainConfig,
    options: &FitOptions,
) -> Result<ModelManifest, ModelError> {
    config.validate()?;
    let graph = workdir.load_graph()?;
    let names = workdir.split_names();
    if !names.contains(&config.split) {
        return Err(ModelError::invalid(
            "split",
            format!("{:?}", config.split),
            &names.join(", "),
        ));
    }
    let split = workdir.split(&config.split, &graph)?;
    let (train, valid) = (split.train(&graph), split.valid(&graph));
    if train.is_empty() {
        return Err(ModelError::Data {
            split: config.split.clone(),
            reason: "no training triple".into(),
        });
    }
    let text = if config.text {
        Some(TextVectors::read(
            &workdir.path().join("vectors.parquet"),
            &graph,
        )?)
    } else {
        None
    };
    tracing::info!(
        model = ?config.model, dim = config.dim, text = config.text, split = %config.split,
        train = train.len(), valid = valid.len(), device = ?options.device, "training"
    );

    let out = &options.out;
    std::fs::create_dir_all(out).map_err(|e| ModelError::io("create", out, e))?;
    let mut trainer = Trainer::new(&graph, &train, config, text.as_ref(), options.device);
    let mut manifest = if options.resume {
        resume(&mut trainer, config, &graph, options)?
    } else {
        if out.join(checkpoint::MANIFEST_FILE).exists() || out.join(checkpoint::STATE_FILE).exists()
        {
            return Err(ModelError::Checkpoint {
                path: out.clone(),
                reason: "it already contains a model; pass --resume to continue it, or choose another --out".into(),
            });
        }
        ModelManifest::new(config, &graph, text.as_ref().map(|t| t.dim), options.device)
    };
    if manifest.finished {
        tracing::info!(
            epoch = manifest.epoch,
            "training had already finished; nothing to do"
        );
        return Ok(manifest);
    }

    let mut known_triples = train.clone();
    known_triples.extend(&valid);
    let known = KnownTriples::new(&graph, &known_triples);
    let batches = trainer.triples().len().div_ceil(config.batch_size);
    let epochs = Progress::new(options.show_progress, config.epochs as u64, "epochs");
    epochs.set_position(manifest.epoch as u64);
    let mut train_seconds = 0.0;
    let mut trained_triples = 0usize;

    for epoch in manifest.epoch + 1..=config.epochs {
        // One epoch over shuffled batches; a non-finite loss stops before any write.
        let epoch_started = Instant::now();
        let bar = Progress::new(
            options.show_progress,
            batches as u64,
            &format!("epoch {epoch}"),
        );
        let mut rng = epoch_rng(config.seed, epoch);
        let loss = trainer
            .train_epoch(&mut rng, &bar)
            .map_err(|e| ModelError::NonFiniteLoss {
                epoch,
                batch: e.batch,
                loss: e.loss,
            })?;
        bar.finish();
        train_seconds += epoch_started.elapsed().as_secs_f64();
        trained_triples += trainer.triples().len();
        manifest.epoch = epoch;
        manifest.loss_curve.push(loss);
        epochs.set_message(format!("loss {loss:.4}"));
        epochs.inc(1);
        tracing::info!(
            epoch,
            loss,
            seconds = epoch_started.elapsed().as_secs_f64(),
            "epoch done"
        );

        // Validation, best model and early stopping.
        let validate_now = epoch % config.validate_every == 0 || epoch == config.epochs;
        if validate_now && !valid.is_empty() {
            let ranking = filtered_ranking(&trainer.scoring_model(), &graph, &valid, &known);
            manifest.valid_curve.push((epoch, ranking.mrr));
            tracing::info!(
                epoch,
                mrr = ranking.mrr,
                hits_at_10 = ranking.hits_at_10,
                "validation (filtered)"
            );
            if manifest
                .best_valid_mrr
                .is_none_or(|best| ranking.mrr > best)
            {
                manifest.best_valid_mrr = Some(ranking.mrr);
                manifest.best_epoch = Some(epoch);
                manifest.rounds_without_improvement = 0;
                checkpoint::write_tensors(
                    &out.join(checkpoint::MODEL_FILE),
                    &trainer.embeddings.named_tensors(),
                )?;
            } else {
                manifest.rounds_without_improvement += 1;
            }
        }
        let patience_spent =
            config.patience > 0 && manifest.rounds_without_improvement >= config.patience;
        manifest.stopped_early = patience_spent && epoch < config.epochs;
        manifest.finished = patience_spent || epoch == config.epochs;
        // Throughput of this process's training steps, without validation and checkpoints.
        #[allow(clippy::cast_precision_loss)]
        let rate = trained_triples as f64 / f64::max(train_seconds, 1e-9);
        manifest.triples_per_s = rate;

        // Without validation triples the last epoch is the model.
        if manifest.finished && manifest.best_epoch.is_none() {
            manifest.best_epoch = Some(epoch);
            checkpoint::write_tensors(
                &out.join(checkpoint::MODEL_FILE),
                &trainer.embeddings.named_tensors(),
            )?;
        }
        save_state(&trainer, &manifest, options)?;
        if manifest.finished {
            break;
        }
    }
    epochs.finish();
    tracing::info!(
        epochs = manifest.epoch, best_epoch = ?manifest.best_epoch, best_valid_mrr = ?manifest.best_valid_mrr,
        stopped_early = manifest.stopped_early, triples_per_s = manifest.triples_per_s, out = %out.display(),
        "training finished"
    );
    Ok(manifest)
}

/// Writes `state.safetensors`, then `manifest.json`.
fn save_state(
    trainer: &Trainer,
    manifest: &ModelManifest,
    options: &FitOptions,
) -> Result<(), ModelError> {
    let mut tensors = trainer.embeddings.named_tensors();
    // Text vectors are frozen and re-read from the work directory on resume.
    tensors.retain(|(name, _)| name != "text.vectors");
    tensors.extend(trainer.optimizer.state_tensors());
    checkpoint::write_state(&options.out, tensors, manifest)?;
    checkpoint::write_manifest(&options.out, manifest)
}

/// Loads parameters and optimiser state from `out/state.safetensors` into `trainer`.
fn resume(
    trainer: &mut Trainer,
    config: &TrainConfig,
    graph: &KnowledgeGraph,
    options: &FitOptions,
) -> Result<ModelManifest, ModelError> {
    let path = options.out.join(checkpoint::STATE_FILE);
    let (mut tensors, manifest) = checkpoint::read_state(&options.out)?;
    let bad = |reason: String| ModelError::Checkpoint {
        path: path.clone(),
        reason,
    };
    if manifest.graph_hash != graph_hash(graph) {
        return Err(bad(
            "it was trained on another graph (graph_hash differs); train anew with another --out"
                .into(),
        ));
    }
    let (mut saved, mut wanted) = (manifest.config.clone(), config.clone());
    // The epoch budget and patience may grow on resume; everything else must match.
    saved.epochs = 0;
    wanted.epochs = 0;
    saved.patience = 0;
    wanted.patience = 0;
    if saved != wanted {
        return Err(bad(format!(
            "its config differs from the given one; resume with the same config (saved: {:?})",
            manifest.config
        )));
    }

    let device = options.device;
    let embeddings: &mut Embeddings = &mut trainer.embeddings;
    let entities = checkpoint::take(&mut tensors, "entities", &path)?;
    let relations = checkpoint::take(&mut tensors, "relations", &path)?;
    if entities.size() != embeddings.entities.size()
        || relations.size() != embeddings.relations.size()
    {
        return Err(bad(format!(
            "tensor shapes {:?} and {:?} do not fit the config",
            entities.size(),
            relations.size()
        )));
    }
    embeddings.entities = entities.to_device(device);
    embeddings.relations = relations.to_device(device).set_requires_grad(true);
    if let Some(text) = &mut embeddings.text {
        let projections = checkpoint::take(&mut tensors, "text.projections", &path)?;
        text.projections = projections.to_device(device).set_requires_grad(true);
    }
    trainer.optimizer.load_state(&tensors, device);

    let mut manifest = manifest;
    manifest.config = config.clone();
    // A finished run resumed with a larger budget continues.
    manifest.finished = manifest.epoch >= config.epochs
        || (config.patience > 0 && manifest.rounds_without_improvement >= config.patience);
    tracing::info!(epoch = manifest.epoch, best_valid_mrr = ?manifest.best_valid_mrr, "resuming");
    Ok(manifest)
}
