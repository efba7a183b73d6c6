//! The data loaded once at start-up ([`Loaded`]) and the state that every handler shares
//! ([`AppState`]).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Instant;

use anyhow::Context;
use oxigraph::model::NamedNode;
use oxigraph::store::Store;

use super::config::ServeConfig;
use super::error::ApiError;
use super::metrics::Metrics;
use super::predictions::{self, RankingContext};
use super::search::SearchIndex;
use crate::eval::{FilterGroups, KnownTriples};
use crate::kg::{store, KnowledgeGraph, Manifest, RelationId, WorkDir};
use crate::model::LinkScorer;
use crate::rank::Calibration;

/// A trained model as the server uses it.
#[derive(Clone)]
pub struct ModelHandle {
    /// The scorer; higher scores mean more plausible links.
    pub scorer: Arc<dyn LinkScorer>,
    /// Identifier recorded in `rx:model` of every materialised prediction and in `/metrics`.
    pub id: String,
    /// Model card for `/api/v1/model`: configuration, data hash, seed and metrics.
    pub card: serde_json::Value,
    /// Directory the model was read from, where its calibration is stored; `None` for a
    /// scorer built in memory.
    pub dir: Option<PathBuf>,
    /// Split the model was trained on, whose validation links calibrate its scores.
    pub split: Option<String>,
}

impl std::fmt::Debug for ModelHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModelHandle")
            .field("scorer", &self.scorer.name())
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl ModelHandle {
    /// Loads the trained model that `rxgraph train` wrote to `dir`, on CUDA when available.
    ///
    /// The identifier is the model kind and the first 12 hex digits of the SHA-256 of
    /// `model.safetensors`. The card is the training manifest, plus `metrics.json` when
    /// `rxgraph evaluate` wrote one into `dir`.
    ///
    /// # Errors
    /// The directory lacks a model, the model was trained on another graph, or a file is
    /// unreadable.
    pub fn load(dir: &Path, graph: &KnowledgeGraph) -> anyhow::Result<Self> {
        let model = crate::model::load_model(dir, graph, tch::Device::cuda_if_available())
            .with_context(|| format!("failed to load the model in {} (--model)", dir.display()))?;
        let weights =
            crate::kg::workdir::input_file(&dir.join(crate::model::checkpoint::MODEL_FILE))?;
        let kind = serde_json::to_value(model.manifest.config.model)
            .ok()
            .and_then(|v| v.as_str().map(str::to_lowercase))
            .unwrap_or_else(|| "model".into());
        let id = format!("{kind}-{}", &weights.sha256[..12]);

        let mut card =
            serde_json::json!({ "manifest": &model.manifest, "dir": dir.display().to_string() });
        let metrics_path = dir.join("metrics.json");
        if let Ok(text) = std::fs::read_to_string(&metrics_path) {
            card["metrics"] = serde_json::from_str(&text)
                .with_context(|| format!("invalid {}", metrics_path.display()))?;
        }
        let split = Some(model.manifest.config.split.clone());
        Ok(Self {
            scorer: Arc::new(model),
            id,
            card,
            dir: Some(dir.to_path_buf()),
            split,
        })
    }
}

/// Everything loaded once at start-up; shared read-only by all requests.
pub struct Loaded {
    /// The knowledge graph with its petgraph view.
    pub graph: KnowledgeGraph,
    /// The work directory's manifest (counts, graph hash).
    pub manifest: Manifest,
    /// The store that SPARQL queries run on: the work directory's store opened read-only,
    /// or an in-memory copy of it when predictions are materialised or updates allowed.
    pub store: Store,
    /// Whether `store` is the in-memory copy.
    pub in_memory: bool,
    /// Number of `rx:Prediction` nodes in the predictions graph (0 without a model).
    pub materialised_predictions: usize,
    /// The model, when one is loaded.
    pub model: Option<ModelHandle>,
    /// Name and identifier search over all nodes.
    pub search: SearchIndex,
    /// Node index by IRI, for the `rx:score` SPARQL function.
    pub node_by_iri: HashMap<String, u32>,
    /// Relation id by property IRI, for the `rx:score` SPARQL function.
    pub relation_by_iri: HashMap<String, RelationId>,
    /// Known links, calibration and evidence sources for ranking.
    pub ranking: RankingContext,
}

impl Loaded {
    /// Loads the work directory at `path` and, with a model, materialises its predictions.
    ///
    /// `model` is called with the loaded graph and returns the model to serve, if any.
    ///
    /// # Errors
    /// The work directory or its store cannot be read, the model fails to load, or copying
    /// the store fails.
    pub fn open(
        path: &Path,
        model: impl FnOnce(&KnowledgeGraph) -> anyhow::Result<Option<ModelHandle>>,
        config: &ServeConfig,
    ) -> anyhow::Result<Self> {
        let started = Instant::now();
        let workdir = WorkDir::open(path)
            .with_context(|| format!("failed to open --workdir {}", path.display()))?;
        let graph = workdir.load_graph()?;
        let disk_store = store::open_store(&workdir.store_path())?;
        tracing::info!(
            nodes = graph.node_count(),
            edges = graph.edges().len(),
            elapsed_ms = started.elapsed().as_millis(),
            "graph loaded"
        );

        let model = model(&graph)?;
        if let Some(model) = &model {
            tracing::info!(model = %model.id, scorer = model.scorer.name(), "model loaded");
        }
        let mut ranking = ranking_context(&workdir, &graph, model.as_ref(), config)?;
        if let Some(model) = &model {
            ranking.build_tables(&graph, model, config.predictions_top_n)?;
        }

        // The work directory's store stays read-only: predictions and updates go into an
        // in-memory copy, so other processes can keep reading the same work directory.
        let in_memory = model.is_some() || config.allow_update;
        let mut materialised_predictions = 0;
        let store = if in_memory {
            let copy = copy_into_memory(&disk_store)?;
            if let Some(model) = &model {
                materialised_predictions =
                    predictions::materialise(&copy, &graph, &ranking, model)?;
            }
            copy
        } else {
            disk_store
        };

        let schema = graph.schema();
        let node_by_iri = (0u32..)
            .zip(graph.nodes())
            .map(|(index, node)| (node.iri.clone(), index))
            .collect();
        let relation_by_iri = (0..schema.relations.len())
            .map(|r| {
                let id = RelationId::try_from(r).expect("relation ids fit u16");
                (schema.relation_iri(id), id)
            })
            .collect();
        let search = SearchIndex::new(&graph);
        tracing::info!(
            in_memory,
            materialised_predictions,
            elapsed_ms = started.elapsed().as_millis(),
            "ready to serve"
        );
        Ok(Self {
            manifest: workdir.manifest().clone(),
            graph,
            store,
            in_memory,
            materialised_predictions,
            model,
            search,
            node_by_iri,
            relation_by_iri,
            ranking,
        })
    }

    /// Finds a node by identifier, or returns the 404 error for an unknown one.
    pub fn entity(&self, id: &str) -> Result<u32, ApiError> {
        self.graph
            .find(id)
            .ok_or_else(|| ApiError::UnknownEntity { id: id.to_owned() })
    }

    /// Returns the model or the 503 error for its absence.
    pub fn model(&self) -> Result<&ModelHandle, ApiError> {
        self.model.as_ref().ok_or(ApiError::ModelNotLoaded)
    }
}

/// Indexes the known links, calibrates the model on its split and reads the evidence
/// sources. A model without a split, or whose split is missing from the work directory,
/// gets no calibration (a warning), as in `rxgraph predict`.
fn ranking_context(
    workdir: &WorkDir,
    graph: &KnowledgeGraph,
    model: Option<&ModelHandle>,
    config: &ServeConfig,
) -> anyhow::Result<RankingContext> {
    let known = KnownTriples::new(
        graph,
        graph.edges(),
        &FilterGroups::indications(graph.schema()),
    );
    let calibration = match model {
        Some(ModelHandle {
            dir: Some(dir),
            split: Some(split_name),
            scorer,
            ..
        }) => {
            if workdir.split_names().contains(split_name) {
                let split = workdir.split(split_name, graph)?;
                Some(Calibration::load_or_fit(
                    dir,
                    scorer.as_ref(),
                    graph,
                    &split,
                    &known,
                    &workdir.manifest().graph_hash,
                )?)
            } else {
                tracing::warn!(split = %split_name, "the model's split is not in the work directory: predictions have no probabilities");
                None
            }
        }
        _ => None,
    };
    let (mentions, annotations) =
        crate::rank::evidence::read_sources(workdir.path(), config.data_dir.as_deref())?;
    Ok(RankingContext {
        known,
        calibration,
        mentions,
        annotations,
        tables: Vec::new(),
    })
}

/// Copies every quad of `source` into a new in-memory store.
fn copy_into_memory(source: &Store) -> anyhow::Result<Store> {
    let started = Instant::now();
    let copy = Store::new().context("failed to create the in-memory store")?;
    let mut loader = copy.bulk_loader();
    loader
        .load_quads(source.iter().collect::<Result<Vec<_>, _>>()?)
        .context("failed to copy the store into memory")?;
    loader
        .commit()
        .context("failed to copy the store into memory")?;
    tracing::info!(
        quads = copy.len()?,
        elapsed_ms = started.elapsed().as_millis(),
        "store copied into memory"
    );
    Ok(copy)
}

/// Returns the IRI of the named graph of materialised predictions.
#[must_use]
pub fn predictions_graph() -> NamedNode {
    NamedNode::new_unchecked(format!("{}predictions", crate::kg::schema::VOCAB))
}

/// Stage of start-up.
pub enum Readiness {
    /// Still loading the work directory or the model.
    Loading,
    /// Loaded and serving.
    Ready(Arc<Loaded>),
    /// Loading failed with this message.
    Failed(String),
}

/// State shared by every handler.
pub struct AppState {
    /// Settings.
    pub config: ServeConfig,
    /// Start-up stage.
    pub readiness: RwLock<Readiness>,
    /// Request counters and histograms.
    pub metrics: Metrics,
    /// One permit per concurrent SPARQL evaluation.
    pub query_slots: Arc<tokio::sync::Semaphore>,
}

impl AppState {
    /// Creates the state of a server that is still loading.
    #[must_use]
    pub fn new(config: ServeConfig) -> Self {
        let slots = config.max_concurrent_queries.max(1);
        Self {
            config,
            readiness: RwLock::new(Readiness::Loading),
            metrics: Metrics::default(),
            query_slots: Arc::new(tokio::sync::Semaphore::new(slots)),
        }
    }

    /// Returns the loaded data, or 503 while loading and after a failed load.
    pub fn loaded(&self) -> Result<Arc<Loaded>, ApiError> {
        match &*self.readiness.read().expect("readiness lock") {
            Readiness::Loading => Err(ApiError::Loading),
            Readiness::Ready(loaded) => Ok(Arc::clone(loaded)),
            Readiness::Failed(message) => Err(ApiError::LoadFailed(message.clone())),
        }
    }
}
