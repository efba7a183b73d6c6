//! `rxgraph train`: train a link scorer on a split of a work directory.

use anyhow::Context;

use super::args::TrainArgs;
use super::count_noun;
use crate::kg::WorkDir;
use crate::model::{fit, FitOptions, TrainConfig};

pub fn run(args: &TrainArgs, show_progress: bool, threads: Option<usize>) -> anyhow::Result<()> {
    let workdir = WorkDir::open(&args.workdir)
        .with_context(|| format!("--workdir {}", args.workdir.display()))?;
    let mut config = TrainConfig::read(&args.config)
        .with_context(|| format!("--config {}", args.config.display()))?;
    if let Some(split) = &args.split {
        config.split.clone_from(split);
    }
    if let Some(seed) = args.seed {
        config.seed = seed;
    }
    config.validate().context("resolved config")?;

    let device = super::device::parse_device(args.device.as_deref().unwrap_or("auto"))?;
    crate::memory::retain_freed_memory();
    if let Some(threads) = threads {
        tch::set_num_threads(i32::try_from(threads).context("--threads")?);
    }

    let name = args
        .config
        .file_stem()
        .map_or_else(|| "model".into(), |s| s.to_string_lossy().into_owned());
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| workdir.path().join("models").join(name));
    tracing::info!(config = ?config, out = %out.display(), "resolved training config");

    let options = FitOptions {
        device,
        out: out.clone(),
        resume: args.resume,
        show_progress,
    };
    let manifest = fit(&workdir, &config, &options)
        .with_context(|| format!("training into {}", out.display()))?;
    println!(
        "model {} on split {}: {}, best validation filtered MRR {} (epoch {}), {:.0} triples/s; written to {}",
        config.model.name(),
        config.split,
        count_noun(manifest.epoch, "epoch"),
        manifest.best_valid_mrr.map_or_else(|| "n/a".into(), |m| format!("{m:.4}")),
        manifest.best_epoch.map_or_else(|| "n/a".into(), |e| e.to_string()),
        manifest.triples_per_s,
        out.display()
    );
    Ok(())
}
