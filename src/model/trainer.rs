//! One model's parameters, optimiser and sampler, and the training step over one batch.
//!
//! [`Trainer::train_batch`] draws type-constrained negatives (per positive, or shared by a
//! batch of one relation), gathers the unique entity rows
//! the batch touches into a leaf tensor, scores positives `[B]` against negatives `[B, N]`,
//! and updates only those rows (see [`super::optim`]). [`super::fit`] runs epochs around it.
//!
//! ```
//! use rxgraph::kg::{GraphBuilder, Schema};
//! use rxgraph::model::{trainer::Trainer, TrainConfig};
//! use rand::SeedableRng;
//!
//! let mut builder = GraphBuilder::new(Schema::hetionet());
//! for i in 0..4 {
//!     builder.add_node(&format!("Compound::DB{i}"), "Compound", "c", None).unwrap();
//!     builder.add_node(&format!("Disease::DOID:{i}"), "Disease", "d", None).unwrap();
//!     builder.add_edge(&format!("Compound::DB{i}"), "CtD", &format!("Disease::DOID:{i}"), None);
//! }
//! let graph = builder.build().unwrap();
//! let config = TrainConfig { dim: 8, negatives: 4, ..TrainConfig::default() };
//! let mut trainer = Trainer::new(&graph, graph.edges(), &config, None, tch::Device::Cpu);
//! let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
//! let loss = trainer.train_batch(graph.edges(), &mut rng).unwrap();
//! assert!(loss.is_finite());
//! ```

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tch::{Device, Kind, Tensor};

use super::config::TrainConfig;
use super::embedding::{kind_starts, Embeddings};
use super::interaction::{self, Interaction};
use super::loss::loss;
use super::optim::RowOptimizer;
use super::sampler::{with_inverses, NegativeSampler};
use super::scoring::ScoringModel;
use super::text::TextVectors;
use crate::kg::{KnowledgeGraph, Triple};
use crate::progress::Progress;

/// A non-finite loss, with the batch it occurred in (1-based).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NonFinite {
    /// Loss value.
    pub loss: f64,
    /// 1-based batch within the epoch.
    pub batch: usize,
}

/// Parameters, optimiser state and sampler of one training run.
#[derive(Debug)]
pub struct Trainer {
    config: TrainConfig,
    interaction: Box<dyn Interaction>,
    /// The learned tables.
    pub embeddings: Embeddings,
    /// The optimiser and its state.
    pub optimizer: RowOptimizer,
    sampler: NegativeSampler,
    triples: Vec<Triple>,
    relation_count: usize,
    device: Device,
}

impl Trainer {
    /// Initialises parameters from `config.seed` for training on `train` (inverse triples are
    /// added when `config.inverse_relations` is on).
    #[must_use]
    pub fn new(
        graph: &KnowledgeGraph,
        train: &[Triple],
        config: &TrainConfig,
        text: Option<&TextVectors>,
        device: Device,
    ) -> Self {
        tch::manual_seed(i64::from_ne_bytes(config.seed.to_ne_bytes()));
        let interaction = interaction::for_kind(config.model, config.p_norm);
        let relation_count = graph.schema().relations.len();
        let relation_rows = if config.inverse_relations {
            2 * relation_count
        } else {
            relation_count
        };

        let entity_count = i64::try_from(graph.node_count()).expect("node count fits i64");
        let relation_rows = i64::try_from(relation_rows).expect("relation count fits i64");
        let text = text.map(|vectors| (vectors, kind_starts(graph)));
        let embeddings = Embeddings::new(
            interaction.as_ref(),
            config.dim,
            entity_count,
            relation_rows,
            text,
            device,
        );

        let triples = if config.inverse_relations {
            with_inverses(train, relation_count)
        } else {
            train.to_vec()
        };
        Self {
            config: config.clone(),
            sampler: NegativeSampler::new(graph, config.inverse_relations, config.negatives),
            optimizer: RowOptimizer::new(config.optimizer, config.learning_rate),
            interaction,
            embeddings,
            triples,
            relation_count,
            device,
        }
    }

    /// Returns the training triples, inverses included.
    #[must_use]
    pub fn triples(&self) -> &[Triple] {
        &self.triples
    }

    /// Returns the number of relations of the graph (without inverses).
    #[must_use]
    pub fn relation_count(&self) -> usize {
        self.relation_count
    }

    /// Returns the device the parameters are on.
    #[must_use]
    pub fn device(&self) -> Device {
        self.device
    }

    /// Trains one epoch over all triples in an order shuffled by `rng`; returns the mean
    /// batch loss.
    ///
    /// # Errors
    /// The first non-finite batch loss; parameters are left as they were before that batch.
    pub fn train_epoch(
        &mut self,
        rng: &mut ChaCha8Rng,
        progress: &Progress,
    ) -> Result<f64, NonFinite> {
        let batches = self.epoch_batches(rng);

        let mut total = 0.0;
        for (index, batch) in batches.iter().enumerate() {
            let value = self.train_batch(batch, rng).map_err(|loss| NonFinite {
                loss,
                batch: index + 1,
            })?;
            total += value;
            progress.inc(1);
        }
        #[allow(clippy::cast_precision_loss)]
        let mean = total / batches.len().max(1) as f64;
        Ok(mean)
    }

    /// Splits the shuffled triples into batches; with shared negatives each batch contains
    /// triples of one relation, and the batches of all relations are shuffled together.
    fn epoch_batches(&self, rng: &mut ChaCha8Rng) -> Vec<Vec<Triple>> {
        let mut order: Vec<usize> = (0..self.triples.len()).collect();
        order.shuffle(rng);
        if !self.config.shared_negatives {
            let batches = order.chunks(self.config.batch_size);
            return batches
                .map(|chunk| chunk.iter().map(|&i| self.triples[i]).collect())
                .collect();
        }

        let mut by_relation: Vec<Vec<Triple>> = Vec::new();
        for i in order {
            let triple = self.triples[i];
            let relation = usize::from(triple.relation);
            if by_relation.len() <= relation {
                by_relation.resize_with(relation + 1, Vec::new);
            }
            by_relation[relation].push(triple);
        }
        let mut batches: Vec<Vec<Triple>> = by_relation
            .iter()
            .flat_map(|triples| {
                triples
                    .chunks(self.config.batch_size)
                    .map(<[Triple]>::to_vec)
            })
            .collect();
        batches.shuffle(rng);
        batches
    }

    /// Trains one batch of positives; returns the loss.
    ///
    /// # Errors
    /// The loss value when it is NaN or infinite; then nothing is updated.
    pub fn train_batch(&mut self, batch: &[Triple], rng: &mut impl Rng) -> Result<f64, f64> {
        let b = i64::try_from(batch.len()).expect("batch fits i64");
        // Shared negatives need one relation per batch; a mixed batch gets its own per positive.
        let relation = batch.first().map_or(0, |t| t.relation);
        let shared = self.config.shared_negatives && batch.iter().all(|t| t.relation == relation);
        let negatives = if shared {
            self.sampler.sample_shared(relation, rng)
        } else {
            self.sampler.sample(batch, rng)
        };
        let (per_head, per_tail) = (to_i64(negatives.per_head), to_i64(negatives.per_tail));

        // Every entity the batch touches, gathered once as a leaf that collects gradients.
        let mut index: Vec<i64> = batch.iter().map(|t| i64::from(t.head)).collect();
        index.extend(batch.iter().map(|t| i64::from(t.tail)));
        index.extend(&negatives.heads);
        index.extend(&negatives.tails);
        let index = Tensor::from_slice(&index).to_device(self.device);
        let (rows, inverse, _) = index.internal_unique2(true, true, false);
        let structural = self
            .embeddings
            .entities
            .index_select(0, &rows)
            .set_requires_grad(true);
        let fused = self.embeddings.fuse(&rows, &structural);
        let gathered = fused.index_select(0, &inverse);
        let width = gathered.size()[1];

        // Scores of positives [B] and negatives [B, N].
        let relation_index: Vec<i64> = batch.iter().map(|t| i64::from(t.relation)).collect();
        let relation_index = Tensor::from_slice(&relation_index).to_device(self.device);
        let relation_table = self
            .interaction
            .relation_vectors(&self.embeddings.relations);
        let r = relation_table.index_select(0, &relation_index);
        let h = gathered.narrow(0, 0, b);
        let t = gathered.narrow(0, b, b);
        let positive = self.interaction.score(&h, &r, &t);
        let mut negative_parts = Vec::with_capacity(2);
        // Shared negatives are [1, n, W] against positives [B, 1, W]; others are [B, n, W].
        let rows_per_positive = if shared { 1 } else { b };
        let shape = |count: i64| {
            if shared {
                [1, count, width]
            } else {
                [b, count, width]
            }
        };
        if per_head > 0 {
            let corrupted = gathered
                .narrow(0, 2 * b, rows_per_positive * per_head)
                .view(shape(per_head));
            negative_parts.push(self.interaction.score(
                &corrupted,
                &r.unsqueeze(1),
                &t.unsqueeze(1),
            ));
        }
        if per_tail > 0 {
            let start = 2 * b + rows_per_positive * per_head;
            let corrupted = gathered
                .narrow(0, start, rows_per_positive * per_tail)
                .view(shape(per_tail));
            negative_parts.push(self.interaction.score(
                &h.unsqueeze(1),
                &r.unsqueeze(1),
                &corrupted,
            ));
        }
        let negative = Tensor::cat(&negative_parts, 1);

        // Loss, with an optional L2 penalty on the vectors this batch used.
        let config = &self.config;
        let mut objective = loss(
            config.loss,
            &positive,
            &negative,
            config.margin,
            config.adversarial_temperature,
        );
        if config.regularization > 0.0 {
            let penalty = fused
                .square()
                .sum_dim_intlist(-1, false, None)
                .mean(Kind::Float)
                + r.square()
                    .sum_dim_intlist(-1, false, None)
                    .mean(Kind::Float);
            objective += penalty * config.regularization;
        }
        let value = objective.double_value(&[]);
        if !value.is_finite() {
            return Err(value);
        }
        objective.backward();

        self.apply_gradients(&rows, &structural.grad());
        Ok(value)
    }

    fn apply_gradients(&mut self, rows: &Tensor, entity_grad: &Tensor) {
        let embeddings = &mut self.embeddings;
        self.optimizer.begin_step();
        self.optimizer
            .update_rows("entities", &mut embeddings.entities, rows, entity_grad);
        let relation_grad = embeddings.relations.grad();
        self.optimizer
            .update_dense("relations", &mut embeddings.relations, &relation_grad);
        embeddings.relations.zero_grad();
        if let Some(text) = &mut embeddings.text {
            let grad = text.projections.grad();
            self.optimizer
                .update_dense("text.projections", &mut text.projections, &grad);
            text.projections.zero_grad();
        }

        // TransE keeps structural entity rows on the unit sphere.
        if self.interaction.normalizes_entities() {
            let _guard = tch::no_grad_guard();
            let updated = embeddings.entities.index_select(0, rows);
            let norms = updated
                .square()
                .sum_dim_intlist(-1, true, None)
                .sqrt()
                .clamp_min(1e-12);
            let _ = embeddings.entities.index_copy_(0, rows, &(updated / norms));
        }
    }

    /// Returns a scorer over the current parameters (a snapshot; later training does not
    /// change it).
    #[must_use]
    pub fn scoring_model(&self) -> ScoringModel {
        scoring_model(&self.config, &self.embeddings, self.relation_count)
    }
}

/// Returns a scorer over `embeddings`, fusing text for all entities once.
#[must_use]
pub fn scoring_model(
    config: &TrainConfig,
    embeddings: &Embeddings,
    relation_count: usize,
) -> ScoringModel {
    let _guard = tch::no_grad_guard();
    let interaction = interaction::for_kind(config.model, config.p_norm);
    let count = embeddings.entities.size()[0];
    let rows = Tensor::arange(count, (Kind::Int64, embeddings.entities.device()));
    let entities = embeddings.entity_vectors(&rows);
    let relations = interaction.relation_vectors(&embeddings.relations);
    ScoringModel::new(
        interaction,
        entities,
        relations,
        relation_count,
        config.inverse_relations,
    )
}

/// Returns the sampling generator of `epoch` (1-based): a fixed function of the seed and the
/// epoch, so that a resumed run draws what an uninterrupted one would have drawn.
#[must_use]
pub fn epoch_rng(seed: u64, epoch: usize) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed ^ (epoch as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

fn to_i64(value: usize) -> i64 {
    i64::try_from(value).expect("count fits i64")
}
