//! Checkpoint files of a model directory, each written atomically.
//!
//! ```text
//! DIR/model.safetensors   best model so far: entities [E, W], relations [R, Wr],
//!                         text.vectors [E, Dt] and text.projections [K, Dt, W] when text is on
//! DIR/state.safetensors   last epoch's state for --resume: the model tensors, optimiser
//!                         moments (optimizer.<table>.m / .v, or .sum for Adagrad), and
//!                         state.manifest (the manifest JSON as uint8 bytes)
//! DIR/manifest.json       ModelManifest: config, graph hash, split, seed, versions, curves
//! ```
//!
//! Every file is written to a temporary sibling, flushed to disk with `fsync` and renamed
//! into place, so a crash leaves either the old or the new file. `state.safetensors` carries
//! its own copy of the manifest, so a run killed between two renames resumes from one
//! consistent state. All tensors are `f32` (`optimizer.step` is int64), readable with
//! Python's `safetensors.numpy.load_file`.
//!
//! ```
//! use rxgraph::model::checkpoint::write_atomic;
//!
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("note.txt");
//! write_atomic(&path, |tmp| std::fs::write(tmp, b"ok").map_err(|e| e.to_string())).unwrap();
//! assert_eq!(std::fs::read(&path).unwrap(), b"ok");
//! ```

use std::fs::File;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tch::{Device, Kind, Tensor};

use super::config::TrainConfig;
use super::error::ModelError;
use crate::kg::workdir::graph_hash;
use crate::kg::KnowledgeGraph;

/// File of the best model's tensors.
pub const MODEL_FILE: &str = "model.safetensors";
/// File of the last training state.
pub const STATE_FILE: &str = "state.safetensors";
/// File of the manifest.
pub const MANIFEST_FILE: &str = "manifest.json";
/// Version of the checkpoint layout; readers reject other versions.
pub const FORMAT_VERSION: u32 = 1;
/// Name of the manifest copy inside [`STATE_FILE`].
const STATE_MANIFEST: &str = "state.manifest";
/// Version of the tch crate, pinned in Cargo.toml.
const TCH_VERSION: &str = "0.24.0";

/// Contents of `manifest.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelManifest {
    /// Layout version ([`FORMAT_VERSION`]).
    pub format_version: u32,
    /// Resolved configuration (after `--split` and `--seed`).
    pub config: TrainConfig,
    /// `graph_hash` of the work directory the model was trained on.
    pub graph_hash: String,
    /// Number of entities (rows of `entities`).
    pub entity_count: usize,
    /// Number of relations of the graph, without inverses.
    pub relation_count: usize,
    /// Width of the text vectors, when text is on.
    pub text_dim: Option<usize>,
    /// rxgraph version that trained the model.
    pub rxgraph_version: String,
    /// tch crate version.
    pub tch_version: String,
    /// libtorch version that rxgraph was built against.
    pub torch_version: String,
    /// Device of the training run (`cpu`, `cuda:0`).
    pub device: String,
    /// Epochs completed.
    pub epoch: usize,
    /// Mean training loss of each completed epoch.
    pub loss_curve: Vec<f64>,
    /// `(epoch, filtered MRR)` of every validation round.
    pub valid_curve: Vec<(usize, f64)>,
    /// Epoch of the model in `model.safetensors`.
    pub best_epoch: Option<usize>,
    /// Validation filtered MRR of that model (target relations, both directions).
    pub best_valid_mrr: Option<f64>,
    /// Validation rounds since the best one.
    pub rounds_without_improvement: usize,
    /// Whether training has ended (all epochs, or early stopping).
    pub finished: bool,
    /// Whether training ended by early stopping.
    pub stopped_early: bool,
    /// Training throughput of the last process, positive triples per second (training steps
    /// only: validation and checkpoint writes are not counted).
    pub triples_per_s: f64,
}

impl ModelManifest {
    /// Returns the manifest of a run that has not trained yet.
    #[must_use]
    pub fn new(
        config: &TrainConfig,
        graph: &KnowledgeGraph,
        text_dim: Option<usize>,
        device: Device,
    ) -> Self {
        Self {
            format_version: FORMAT_VERSION,
            config: config.clone(),
            graph_hash: graph_hash(graph),
            entity_count: graph.node_count(),
            relation_count: graph.schema().relations.len(),
            text_dim,
            rxgraph_version: env!("CARGO_PKG_VERSION").to_owned(),
            tch_version: TCH_VERSION.to_owned(),
            torch_version: option_env!("RXGRAPH_TORCH_VERSION")
                .unwrap_or("unknown")
                .to_owned(),
            device: format!("{device:?}").to_lowercase(),
            epoch: 0,
            loss_curve: Vec::new(),
            valid_curve: Vec::new(),
            best_epoch: None,
            best_valid_mrr: None,
            rounds_without_improvement: 0,
            finished: false,
            stopped_early: false,
            triples_per_s: 0.0,
        }
    }
}

/// Writes `path` through `write(temporary path)`, then fsyncs and renames it into place.
///
/// # Errors
/// [`ModelError::Io`] if writing, syncing or renaming fails; the temporary file is removed.
pub fn write_atomic(
    path: &Path,
    write: impl FnOnce(&Path) -> Result<(), String>,
) -> Result<(), ModelError> {
    let temporary = temporary_path(path);
    let result = write(&temporary)
        .map_err(|reason| ModelError::io("write", &temporary, std::io::Error::other(reason)))
        .and_then(|()| {
            File::open(&temporary)
                .and_then(|f| f.sync_all())
                .map_err(|e| ModelError::io("sync", &temporary, e))
        })
        .and_then(|()| {
            std::fs::rename(&temporary, path)
                .map_err(|e| ModelError::io("rename into place", path, e))
        });
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
        return result;
    }

    // Sync the directory so that the rename itself survives a power loss.
    if let Some(parent) = path.parent() {
        let _ = File::open(parent).and_then(|d| d.sync_all());
    }
    Ok(())
}

fn temporary_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "checkpoint".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

/// Writes named tensors (moved to the CPU) as a safetensors file, atomically.
///
/// # Errors
/// As [`write_atomic`].
pub fn write_tensors(path: &Path, tensors: &[(String, Tensor)]) -> Result<(), ModelError> {
    let cpu: Vec<(String, Tensor)> = tensors
        .iter()
        .map(|(n, t)| {
            (
                n.clone(),
                t.detach().to_device(tch::Device::Cpu).contiguous(),
            )
        })
        .collect();
    write_atomic(path, |temporary| {
        Tensor::write_safetensors(&cpu, temporary).map_err(|e| e.to_string())
    })
}

/// Reads all tensors of a safetensors file onto the CPU.
///
/// # Errors
/// [`ModelError::Checkpoint`] if the file is missing or not valid safetensors.
pub fn read_tensors(path: &Path) -> Result<Vec<(String, Tensor)>, ModelError> {
    if !path.is_file() {
        return Err(ModelError::Checkpoint {
            path: path.to_owned(),
            reason: "file not found".into(),
        });
    }
    Tensor::read_safetensors(path).map_err(|e| ModelError::Checkpoint {
        path: path.to_owned(),
        reason: format!("not a valid safetensors file: {e}"),
    })
}

/// Writes `manifest.json` atomically.
///
/// # Errors
/// As [`write_atomic`].
pub fn write_manifest(dir: &Path, manifest: &ModelManifest) -> Result<(), ModelError> {
    let json = serde_json::to_string_pretty(manifest).expect("manifest serialises");
    write_atomic(&dir.join(MANIFEST_FILE), |temporary| {
        std::fs::write(temporary, json).map_err(|e| e.to_string())
    })
}

/// Reads and checks `manifest.json`.
///
/// # Errors
/// [`ModelError::Checkpoint`] if it is missing, invalid or of another layout version.
pub fn read_manifest(dir: &Path) -> Result<ModelManifest, ModelError> {
    let path = dir.join(MANIFEST_FILE);
    let bad = |reason: String| ModelError::Checkpoint {
        path: path.clone(),
        reason,
    };
    let text = std::fs::read_to_string(&path).map_err(|e| {
        bad(format!(
            "cannot read it ({e}); is this a model directory written by `rxgraph train`?"
        ))
    })?;
    parse_manifest(&text).map_err(bad)
}

fn parse_manifest(text: &str) -> Result<ModelManifest, String> {
    let manifest: ModelManifest =
        serde_json::from_str(text).map_err(|e| format!("invalid manifest: {e}"))?;
    if manifest.format_version != FORMAT_VERSION {
        return Err(format!(
            "layout version {} is not {FORMAT_VERSION}, the one this rxgraph reads; train the model again",
            manifest.format_version
        ));
    }
    Ok(manifest)
}

/// Writes the training state: `tensors` plus the manifest as `state.manifest`.
///
/// # Errors
/// As [`write_atomic`].
pub fn write_state(
    dir: &Path,
    mut tensors: Vec<(String, Tensor)>,
    manifest: &ModelManifest,
) -> Result<(), ModelError> {
    let json = serde_json::to_vec(manifest).expect("manifest serialises");
    tensors.push((
        STATE_MANIFEST.to_owned(),
        Tensor::from_slice(&json).to_kind(Kind::Uint8),
    ));
    write_tensors(&dir.join(STATE_FILE), &tensors)
}

/// Reads the training state written by [`write_state`]: its tensors and its manifest.
///
/// # Errors
/// [`ModelError::Checkpoint`] if the file is missing, invalid or has no manifest.
pub fn read_state(dir: &Path) -> Result<(Vec<(String, Tensor)>, ModelManifest), ModelError> {
    let path = dir.join(STATE_FILE);
    let mut tensors = read_tensors(&path)?;
    let bad = |reason: String| ModelError::Checkpoint {
        path: path.clone(),
        reason,
    };
    let position = tensors
        .iter()
        .position(|(name, _)| name == STATE_MANIFEST)
        .ok_or_else(|| {
            bad(format!(
                "no `{STATE_MANIFEST}` tensor; it was not written by `rxgraph train`"
            ))
        })?;
    let (_, bytes) = tensors.swap_remove(position);
    let bytes = Vec::<u8>::try_from(&bytes)
        .map_err(|e| bad(format!("`{STATE_MANIFEST}` is not uint8: {e}")))?;
    let text = String::from_utf8(bytes)
        .map_err(|e| bad(format!("`{STATE_MANIFEST}` is not UTF-8: {e}")))?;
    let manifest = parse_manifest(&text).map_err(bad)?;
    Ok((tensors, manifest))
}

/// Takes the tensor `name` out of `tensors`.
///
/// # Errors
/// [`ModelError::Checkpoint`] naming `path` if there is no such tensor.
pub fn take(
    tensors: &mut Vec<(String, Tensor)>,
    name: &str,
    path: &Path,
) -> Result<Tensor, ModelError> {
    let position =
        tensors
            .iter()
            .position(|(n, _)| n == name)
            .ok_or_else(|| ModelError::Checkpoint {
                path: path.to_owned(),
                reason: format!("tensor `{name}` is missing"),
            })?;
    Ok(tensors.swap_remove(position).1)
}
