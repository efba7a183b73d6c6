//! Scoring functions (interactions) of the link scorers: one small file per model.
//!
//! An [`Interaction`] maps head, relation and tail vectors to a plausibility score. All
//! inputs broadcast against each other over their leading dimensions, and the last dimension
//! holds the vector, so one call scores a batch of positives (`[B, W]` each), a batch against
//! its negatives (`[B, 1, W]` with `[B, N, W]`) or all candidates (`[H, 1, W]` with
//! `[1, C, W]`). Complex models store a vector of `d` complex numbers as `2·d` reals, real
//! parts first.
//!
//! ```
//! use rxgraph::model::{interaction, ModelKind};
//! use tch::{Device, Kind, Tensor};
//!
//! let transe = interaction::for_kind(ModelKind::TransE, 1);
//! let h = Tensor::zeros([2, 4], (Kind::Float, Device::Cpu));
//! let r = Tensor::ones([1, 4], (Kind::Float, Device::Cpu));
//! let scores = transe.score(&h, &r, &h);
//! assert_eq!(scores.size(), vec![2]);
//! assert!((scores.double_value(&[0]) + 4.0).abs() < 1e-4);
//! ```

mod complex;
mod distmult;
mod rotate;
mod transe;

use tch::{Device, Kind, Tensor};

pub use complex::ComplEx;
pub use distmult::DistMult;
pub use rotate::RotatE;
pub use transe::TransE;

use super::config::ModelKind;

/// Small constant under square roots, so that gradients stay finite at zero distance.
pub(crate) const SQRT_EPSILON: f64 = 1e-9;

/// A scoring function over broadcastable `f32` tensors whose last dimension is the vector.
pub trait Interaction: Send + Sync + std::fmt::Debug {
    /// Name for tables and logs (`TransE`).
    fn name(&self) -> &'static str;

    /// Stored width of an entity vector for embedding dimension `dim` (2·dim for complex).
    fn entity_width(&self, dim: usize) -> i64;

    /// Stored width of a relation parameter row for embedding dimension `dim`.
    fn relation_width(&self, dim: usize) -> i64 {
        self.entity_width(dim)
    }

    /// Initial entity table `[count, entity_width]`, drawn from the seeded torch generator.
    fn init_entities(&self, count: i64, dim: usize, device: Device) -> Tensor {
        uniform([count, self.entity_width(dim)], uniform_bound(dim), device)
    }

    /// Initial relation parameters `[count, relation_width]`.
    fn init_relations(&self, count: i64, dim: usize, device: Device) -> Tensor {
        uniform(
            [count, self.relation_width(dim)],
            uniform_bound(dim),
            device,
        )
    }

    /// Turns stored relation parameters into the vectors [`Interaction::score`] takes
    /// (RotatE: phases into unit complex numbers). Differentiable.
    fn relation_vectors(&self, parameters: &Tensor) -> Tensor {
        parameters.shallow_clone()
    }

    /// Whether the optimiser renormalises the structural entity rows it updates to unit
    /// L2 norm after each step (TransE's constraint).
    fn normalizes_entities(&self) -> bool {
        false
    }

    /// Scores `(h, r, t)`; inputs broadcast over leading dimensions, the result drops the
    /// last one. Higher means more plausible.
    fn score(&self, h: &Tensor, r: &Tensor, t: &Tensor) -> Tensor;
}

/// Returns the interaction of `kind`; `p_norm` (1 or 2) is used by TransE only.
#[must_use]
pub fn for_kind(kind: ModelKind, p_norm: u8) -> Box<dyn Interaction> {
    match kind {
        ModelKind::TransE => Box::new(TransE { p_norm }),
        ModelKind::DistMult => Box::new(DistMult),
        ModelKind::ComplEx => Box::new(ComplEx),
        ModelKind::RotatE => Box::new(RotatE),
    }
}

/// Returns whether combining `h` with `r` first gives a smaller intermediate than combining
/// `t` with `r` first, by the element counts of the broadcast shapes. With `h` `[B, 1, W]`,
/// `r` `[B, 1, W]` and `t` `[1, N, W]` it is true, so one `[B, N, W]` operation remains.
pub(crate) fn head_side_first(h: &Tensor, r: &Tensor, t: &Tensor) -> bool {
    broadcast_numel(&h.size(), &r.size()) <= broadcast_numel(&t.size(), &r.size())
}

fn broadcast_numel(a: &[i64], b: &[i64]) -> i64 {
    let rank = a.len().max(b.len());
    let dim = |shape: &[i64], i: usize| {
        let offset = rank - shape.len();
        if i < offset {
            1
        } else {
            shape[i - offset]
        }
    };
    (0..rank).map(|i| dim(a, i).max(dim(b, i))).product()
}

/// Splits a complex tensor stored as `[…, 2·d]` into real and imaginary parts `[…, d]`.
pub(crate) fn complex_parts(x: &Tensor) -> (Tensor, Tensor) {
    let half = x.size().last().copied().unwrap_or(0) / 2;
    (x.narrow(-1, 0, half), x.narrow(-1, half, half))
}

/// Draws a `[rows, cols]` tensor from `U(−bound, bound)`.
pub(crate) fn uniform(shape: [i64; 2], bound: f64, device: Device) -> Tensor {
    let mut tensor = Tensor::empty(shape, (Kind::Float, device));
    let _ = tensor.uniform_(-bound, bound);
    tensor
}

/// Bound `6/√dim` of the uniform initialisation that Bordes et al. (2013) use for TransE.
#[allow(clippy::cast_precision_loss)]
pub(crate) fn uniform_bound(dim: usize) -> f64 {
    6.0 / (dim as f64).sqrt()
}
