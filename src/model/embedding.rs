//! Entity and relation parameters, and the fusion of structure with text.
//!
//! An entity's vector is its learned structural row plus, when text is on, a learned
//! projection of its frozen text vector, with one projection matrix per node kind:
//! `e = s_e + W_kind(e) · x_e`. An entity without a text vector has `x_e = 0`; an entity
//! with text but no training edge still gets a meaningful vector through `W`.
//!
//! ```
//! use rxgraph::model::{embedding::Embeddings, interaction, ModelKind};
//! use tch::{Device, Tensor};
//!
//! let model = interaction::for_kind(ModelKind::DistMult, 1);
//! let embeddings = Embeddings::new(model.as_ref(), 16, 5, 2, None, Device::Cpu);
//! let rows = Tensor::from_slice(&[0i64, 3]);
//! assert_eq!(embeddings.entity_vectors(&rows).size(), vec![2, 16]);
//! ```

use tch::{Device, Kind, Tensor};

use super::interaction::Interaction;
use super::text::TextVectors;

/// The text part of entity vectors.
#[derive(Debug)]
pub struct TextFusion {
    /// Frozen text vectors `[entities, text_dim]`, `f32`, zero rows for entities without one.
    pub vectors: Tensor,
    /// Learned projections `[kinds, text_dim, entity_width]`, one matrix per node kind.
    pub projections: Tensor,
    /// Kind of each entity run: `kind_starts[k]..kind_starts[k + 1]` are the entities of kind
    /// `k` (nodes are sorted by kind).
    pub kind_starts: Vec<i64>,
}

/// Learned tables of a model, all `f32` on one device.
#[derive(Debug)]
pub struct Embeddings {
    /// Structural entity rows `[entities, entity_width]`.
    pub entities: Tensor,
    /// Relation parameters `[relations, relation_width]` (with inverse relations appended
    /// when they are on); a leaf that requires gradients.
    pub relations: Tensor,
    /// Text part, when text is on.
    pub text: Option<TextFusion>,
}

impl Embeddings {
    /// Initialises the tables from the seeded torch generator.
    ///
    /// `kind_starts` (with `text`) gives the first entity of each kind and one past the last;
    /// pass [`kind_starts`] of the graph.
    #[must_use]
    pub fn new(
        interaction: &dyn Interaction,
        dim: usize,
        entity_count: i64,
        relation_count: i64,
        text: Option<(&TextVectors, Vec<i64>)>,
        device: Device,
    ) -> Self {
        let entities = interaction.init_entities(entity_count, dim, device);
        let relations = interaction
            .init_relations(relation_count, dim, device)
            .set_requires_grad(true);
        let text = text.map(|(vectors, kind_starts)| {
            let width = interaction.entity_width(dim);
            let text_dim = i64::try_from(vectors.dim).expect("text width fits i64");
            let kinds = i64::try_from(kind_starts.len() - 1).expect("kind count fits i64");
            #[allow(clippy::cast_precision_loss)]
            let bound = (6.0 / (text_dim + width) as f64).sqrt();
            let mut projections = Tensor::empty([kinds, text_dim, width], (Kind::Float, device));
            let _ = projections.uniform_(-bound, bound);
            TextFusion {
                vectors: Tensor::from_slice(&vectors.values)
                    .view([entity_count, text_dim])
                    .to_device(device),
                projections: projections.set_requires_grad(true),
                kind_starts,
            }
        });
        Self {
            entities,
            relations,
            text,
        }
    }

    /// Returns the vectors `[U, entity_width]` of entities `rows` (`[U]`, int64, sorted
    /// ascending, as from `unique`), with the structural part taken from `structural`
    /// (`[U, entity_width]`, e.g. a leaf that collects this batch's gradient).
    pub fn fuse(&self, rows: &Tensor, structural: &Tensor) -> Tensor {
        let Some(text) = &self.text else {
            return structural.shallow_clone();
        };

        // Sorted rows fall into one contiguous run per kind: project each run with its matrix.
        let host: Vec<i64> = Vec::try_from(rows.to_device(Device::Cpu)).expect("int64 rows");
        let mut pieces = Vec::new();
        for (kind, bounds) in text.kind_starts.windows(2).enumerate() {
            let start = host.partition_point(|&r| r < bounds[0]);
            let end = host.partition_point(|&r| r < bounds[1]);
            if end > start {
                let run = rows.narrow(0, to_i64(start), to_i64(end - start));
                let projection = text.projections.get(to_i64(kind));
                pieces.push(text.vectors.index_select(0, &run).matmul(&projection));
            }
        }
        structural + Tensor::cat(&pieces, 0)
    }

    /// Returns the vectors `[U, entity_width]` of entities `rows` (`[U]`, int64, sorted).
    pub fn entity_vectors(&self, rows: &Tensor) -> Tensor {
        self.fuse(rows, &self.entities.index_select(0, rows))
    }

    /// Returns the named tensors of a checkpoint (`entities`, `relations`, `text.vectors`,
    /// `text.projections`), detached and on the CPU.
    #[must_use]
    pub fn named_tensors(&self) -> Vec<(String, Tensor)> {
        let cpu = |t: &Tensor| t.detach().to_device(Device::Cpu).contiguous();
        let mut tensors = vec![
            ("entities".to_owned(), cpu(&self.entities)),
            ("relations".to_owned(), cpu(&self.relations)),
        ];
        if let Some(text) = &self.text {
            tensors.push(("text.vectors".to_owned(), cpu(&text.vectors)));
            tensors.push(("text.projections".to_owned(), cpu(&text.projections)));
        }
        tensors
    }
}

/// Returns the first node index of each kind of `graph`, then the node count.
#[must_use]
pub fn kind_starts(graph: &crate::kg::KnowledgeGraph) -> Vec<i64> {
    let kinds = graph.schema().kinds.len();
    let mut starts = Vec::with_capacity(kinds + 1);
    let mut next = 0i64;
    for kind in 0..kinds {
        let range = graph.kind_range(u16::try_from(kind).expect("kind ids fit u16"));
        // A kind without nodes gets an empty run at the current position.
        let start = if range.is_empty() {
            next
        } else {
            i64::from(range.start)
        };
        starts.push(start);
        next = if range.is_empty() {
            next
        } else {
            i64::from(range.end)
        };
    }
    starts.push(to_i64(graph.node_count()));
    starts
}

fn to_i64(value: usize) -> i64 {
    i64::try_from(value).expect("index fits i64")
}
