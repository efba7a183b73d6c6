//! Scoring with fixed parameters: the [`LinkScorer`] of a trained (or in-training) model.
//!
//! [`ScoringModel`] keeps every entity's fused vector and every relation's vector, computed
//! once. On the CPU it scores with [`RowScorer`]'s plain loops, which need no lock and have
//! no per-call libtorch overhead. On a GPU it scores candidate ranges with libtorch in chunks,
//! so that no intermediate tensor exceeds [`MAX_CHUNK_ELEMENTS`].
//!
//! ```
//! use rxgraph::model::{interaction, scoring::ScoringModel, LinkScorer, ModelKind};
//! use tch::{Kind, Tensor};
//!
//! let entities = Tensor::randn([6, 8], (Kind::Float, tch::Device::Cpu));
//! let relations = Tensor::randn([1, 8], (Kind::Float, tch::Device::Cpu));
//! let model = ScoringModel::new(interaction::for_kind(ModelKind::DistMult, 1), entities, relations, 1, false);
//! assert_eq!(model.score_tails(&[0, 1], 0, 2..6).len(), 8);
//! ```

use std::ops::Range;
use std::sync::Mutex;

use tch::{Device, Kind, Tensor};

use super::interaction::Interaction;
use super::rows::RowScorer;
use super::LinkScorer;
use crate::kg::{RelationId, Triple};

/// Maximum number of `f32` elements of one `[queries, candidates, width]` chunk (64 MiB).
pub const MAX_CHUNK_ELEMENTS: i64 = 1 << 24;

#[derive(Debug)]
struct Vectors {
    entities: Tensor,
    relations: Tensor,
}

/// Storage of the vectors: rows in memory on the CPU, tensors on a GPU.
#[derive(Debug)]
enum Storage {
    /// CPU rows scored by plain loops.
    Rows(RowScorer),
    /// Tensors on an accelerator. tch tensors are not `Sync`, so they sit behind a mutex
    /// and concurrent calls run one after another.
    Tensors(Mutex<Vectors>),
}

/// A scorer over precomputed entity and relation vectors on one device.
#[derive(Debug)]
pub struct ScoringModel {
    interaction: Box<dyn Interaction>,
    storage: Storage,
    relation_count: usize,
    inverse_relations: bool,
}

impl ScoringModel {
    /// Wraps entity vectors `[E, W]` and relation vectors `[R, W]` (`f32`, one device;
    /// `R = 2 · relation_count` with inverse relations, the inverse of `r` at `r + relation_count`).
    #[must_use]
    pub fn new(
        interaction: Box<dyn Interaction>,
        entities: Tensor,
        relations: Tensor,
        relation_count: usize,
        inverse_relations: bool,
    ) -> Self {
        let storage = if entities.device() == Device::Cpu {
            let width = usize::try_from(entities.size()[1]).expect("width fits usize");
            Storage::Rows(RowScorer::new(
                interaction.as_ref(),
                flat_f32(&entities),
                flat_f32(&relations),
                width,
            ))
        } else {
            Storage::Tensors(Mutex::new(Vectors {
                entities: entities.detach(),
                relations: relations.detach(),
            }))
        };
        Self {
            interaction,
            storage,
            relation_count,
            inverse_relations,
        }
    }

    /// Returns the device of the vectors.
    #[must_use]
    pub fn device(&self) -> Device {
        match &self.storage {
            Storage::Rows(_) => Device::Cpu,
            Storage::Tensors(vectors) => lock(vectors).entities.device(),
        }
    }

    /// Returns the scoring function.
    #[must_use]
    pub fn interaction(&self) -> &dyn Interaction {
        self.interaction.as_ref()
    }

    /// Returns a copy of the entity vectors `[E, W]` on the CPU.
    pub fn entity_vectors(&self) -> Tensor {
        match &self.storage {
            Storage::Rows(rows) => {
                let width = i64::try_from(rows.width()).expect("width fits i64");
                Tensor::from_slice(rows.entities()).view([-1, width])
            }
            Storage::Tensors(vectors) => lock(vectors).entities.to_device(Device::Cpu),
        }
    }

    /// Scores `queries` (`[Q]` entity indices) against `candidates` in the direction
    /// `query relation candidate` when `query_is_head`, else `candidate relation query`.
    /// Returns a row-major `Q × C` matrix.
    fn score_grid(
        &self,
        queries: &[u32],
        relation: usize,
        candidates: Range<u32>,
        query_is_head: bool,
    ) -> Vec<f32> {
        let vectors = match &self.storage {
            Storage::Rows(rows) => {
                return rows.score_grid(
                    self.interaction.as_ref(),
                    queries,
                    relation,
                    candidates,
                    query_is_head,
                )
            }
            Storage::Tensors(vectors) => lock(vectors),
        };
        let _guard = tch::no_grad_guard();
        let device = vectors.entities.device();
        let count = i64::from(candidates.end - candidates.start);
        if queries.is_empty() || count == 0 {
            return Vec::new();
        }
        let width = vectors.entities.size()[1];
        let candidate_vectors = vectors
            .entities
            .narrow(0, i64::from(candidates.start), count)
            .unsqueeze(0);
        let relation = vectors
            .relations
            .get(i64::try_from(relation).expect("relation fits i64"))
            .view([1, 1, width]);

        // Chunk the queries so that a [chunk, C, W] intermediate stays bounded.
        let chunk =
            usize::try_from((MAX_CHUNK_ELEMENTS / (count * width).max(1)).max(1)).unwrap_or(1);
        let mut out = Vec::with_capacity(queries.len() * candidates.len());
        for part in queries.chunks(chunk) {
            let index: Vec<i64> = part.iter().map(|&q| i64::from(q)).collect();
            let query_vectors = vectors
                .entities
                .index_select(0, &Tensor::from_slice(&index).to_device(device))
                .unsqueeze(1);
            let scores = if query_is_head {
                self.interaction
                    .score(&query_vectors, &relation, &candidate_vectors)
            } else {
                self.interaction
                    .score(&candidate_vectors, &relation, &query_vectors)
            };
            let scores = scores
                .to_kind(Kind::Float)
                .to_device(Device::Cpu)
                .contiguous()
                .view([-1]);
            out.extend(Vec::<f32>::try_from(&scores).expect("f32 scores"));
        }
        out
    }
}

fn lock(vectors: &Mutex<Vectors>) -> std::sync::MutexGuard<'_, Vectors> {
    vectors
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Copies a tensor's elements to a row-major `Vec<f32>`.
fn flat_f32(tensor: &Tensor) -> Vec<f32> {
    let _guard = tch::no_grad_guard();
    let flat = tensor.detach().to_kind(Kind::Float).contiguous().view([-1]);
    Vec::<f32>::try_from(&flat).expect("f32 vectors")
}

impl LinkScorer for ScoringModel {
    fn score_tails(&self, heads: &[u32], relation: RelationId, candidates: Range<u32>) -> Vec<f32> {
        self.score_grid(heads, usize::from(relation), candidates, true)
    }

    /// With inverse relations, `(?, r, t)` is scored as `(t, r⁻¹, ?)`, the direction the
    /// inverse relation was trained for.
    fn score_heads(&self, tails: &[u32], relation: RelationId, candidates: Range<u32>) -> Vec<f32> {
        if self.inverse_relations {
            self.score_grid(
                tails,
                usize::from(relation) + self.relation_count,
                candidates,
                true,
            )
        } else {
            self.score_grid(tails, usize::from(relation), candidates, false)
        }
    }

    fn score_triples(&self, triples: &[Triple]) -> Vec<f32> {
        let vectors = match &self.storage {
            Storage::Rows(rows) => return rows.score_triples(self.interaction.as_ref(), triples),
            Storage::Tensors(vectors) => lock(vectors),
        };
        let _guard = tch::no_grad_guard();
        if triples.is_empty() {
            return Vec::new();
        }
        let device = vectors.entities.device();
        let column = |f: fn(&Triple) -> i64| {
            Tensor::from_slice(&triples.iter().map(f).collect::<Vec<_>>()).to_device(device)
        };
        let h = vectors
            .entities
            .index_select(0, &column(|t| i64::from(t.head)));
        let r = vectors
            .relations
            .index_select(0, &column(|t| i64::from(t.relation)));
        let t = vectors
            .entities
            .index_select(0, &column(|t| i64::from(t.tail)));
        let scores = self
            .interaction
            .score(&h, &r, &t)
            .to_kind(Kind::Float)
            .to_device(Device::Cpu);
        Vec::<f32>::try_from(&scores).expect("f32 scores")
    }

    fn name(&self) -> &str {
        self.interaction.name()
    }
}
