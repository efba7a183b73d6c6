//! A trained model loaded from its directory, ready to score on any device.
//!
//! ```no_run
//! use std::path::Path;
//! use rxgraph::kg::WorkDir;
//! use rxgraph::model::{load_model, LinkScorer};
//!
//! let workdir = WorkDir::open(Path::new("/tmp/wm-work")).unwrap();
//! let graph = workdir.load_graph().unwrap();
//! let model = load_model(&workdir.path().join("models/default"), &graph, tch::Device::Cpu).unwrap();
//! let aspirin = graph.find("DB00945").unwrap();
//! let treats = graph.schema().relation_id("CtD").unwrap();
//! let diseases = graph.kind_range(graph.schema().kind_id("Disease").unwrap());
//! let scores = model.score_tails(&[aspirin], treats, diseases);
//! ```

use std::ops::Range;
use std::path::Path;

use tch::Device;

use super::checkpoint::{self, ModelManifest};
use super::embedding::{kind_starts, Embeddings, TextFusion};
use super::error::ModelError;
use super::scoring::ScoringModel;
use super::trainer::scoring_model;
use super::LinkScorer;
use crate::kg::workdir::graph_hash;
use crate::kg::{KnowledgeGraph, RelationId, Triple};

/// A model read from `model.safetensors` and `manifest.json`.
#[derive(Debug)]
pub struct TrainedModel {
    /// The manifest it was trained with (config, graph hash, metrics).
    pub manifest: ModelManifest,
    scorer: ScoringModel,
}

impl TrainedModel {
    /// Returns the scorer over the model's vectors.
    #[must_use]
    pub fn scorer(&self) -> &ScoringModel {
        &self.scorer
    }
}

/// Loads the best model of `dir` for `graph` onto `device`.
///
/// # Errors
/// [`ModelError::Checkpoint`] if files are missing or invalid, the model was trained on
/// another graph, or tensor shapes do not fit the manifest.
pub fn load_model(
    dir: &Path,
    graph: &KnowledgeGraph,
    device: Device,
) -> Result<TrainedModel, ModelError> {
    let manifest = checkpoint::read_manifest(dir)?;
    let path = dir.join(checkpoint::MODEL_FILE);
    let bad = |reason: String| ModelError::Checkpoint {
        path: path.clone(),
        reason,
    };
    if manifest.graph_hash != graph_hash(graph) {
        return Err(bad(
            "the model was trained on another graph (graph_hash differs from the work directory's)"
                .into(),
        ));
    }

    let mut tensors = checkpoint::read_tensors(&path)?;
    let entities = checkpoint::take(&mut tensors, "entities", &path)?.to_device(device);
    let relations = checkpoint::take(&mut tensors, "relations", &path)?.to_device(device);
    let entity_count = i64::try_from(graph.node_count()).expect("node count fits i64");
    if entities.size().first() != Some(&entity_count) {
        return Err(bad(format!(
            "entities has shape {:?}, but the graph has {entity_count} nodes",
            entities.size()
        )));
    }
    let text = if manifest.config.text {
        let vectors = checkpoint::take(&mut tensors, "text.vectors", &path)?.to_device(device);
        let projections =
            checkpoint::take(&mut tensors, "text.projections", &path)?.to_device(device);
        Some(TextFusion {
            vectors,
            projections,
            kind_starts: kind_starts(graph),
        })
    } else {
        None
    };

    let embeddings = Embeddings {
        entities,
        relations,
        text,
    };
    let scorer = scoring_model(&manifest.config, &embeddings, manifest.relation_count);
    tracing::info!(model = scorer.name(), dir = %dir.display(), device = ?device, "model loaded");
    Ok(TrainedModel { manifest, scorer })
}

impl LinkScorer for TrainedModel {
    fn score_tails(&self, heads: &[u32], relation: RelationId, candidates: Range<u32>) -> Vec<f32> {
        self.scorer.score_tails(heads, relation, candidates)
    }

    fn score_heads(&self, tails: &[u32], relation: RelationId, candidates: Range<u32>) -> Vec<f32> {
        self.scorer.score_heads(tails, relation, candidates)
    }

    fn score_triples(&self, triples: &[Triple]) -> Vec<f32> {
        self.scorer.score_triples(triples)
    }

    fn name(&self) -> &str {
        self.scorer.name()
    }
}
