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

    /// Returns the comparison of [`Self::combine_query`]'s output with a candidate row, so
    /// that `comparison().score(combined, candidate)` equals [`Self::score`] up to rounding.
    fn comparison(&self) -> Comparison;

    /// Writes into `out` the query entity's row combined with the relation vector (a row of
    /// [`Self::relation_vectors`]): `h ∘ r` when the query is the head (`query_is_head`),
    /// else the tail-side counterpart that candidate heads are compared with.
    fn combine_query(&self, query: &[f32], relation: &[f32], query_is_head: bool, out: &mut [f32]);
}

/// Comparison of a combined query row with a candidate row; higher means more plausible.
///
/// Each one is a plain loop over `f32` slices with [`LANES`] partial sums, which the
/// compiler turns into SIMD code. The CPU scorer uses them instead of libtorch for small
/// grids, where libtorch's per-operation overhead would dominate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// Inner product `⟨q, c⟩` (DistMult, and ComplEx over real and imaginary parts).
    Dot,
    /// Negative L1 distance `−‖q − c‖₁` (TransE with `p_norm = 1`).
    NegativeL1,
    /// Negative L2 distance `−√(‖q − c‖₂² + ε)` (TransE with `p_norm = 2`).
    NegativeL2,
    /// Negative sum of complex moduli `−Σ_k √(|q_k − c_k|² + ε)` over `d` complex numbers
    /// stored real parts first (RotatE).
    NegativeComplexModulus,
}

/// Number of partial sums in the [`Comparison`] loops.
pub const LANES: usize = 8;

impl Comparison {
    /// Scores the combined query row `query` against `candidate` (same length).
    #[must_use]
    #[inline(always)]
    pub fn score(self, query: &[f32], candidate: &[f32]) -> f32 {
        debug_assert_eq!(query.len(), candidate.len());
        match self {
            Self::Dot => lane_sum(query, candidate, |q, c| q * c),
            Self::NegativeL1 => -lane_sum(query, candidate, |q, c| (q - c).abs()),
            Self::NegativeL2 => {
                let squared = lane_sum(query, candidate, |q, c| (q - c) * (q - c));
                #[allow(clippy::cast_possible_truncation)]
                let epsilon = SQRT_EPSILON as f32;
                -(squared + epsilon).sqrt()
            }
            Self::NegativeComplexModulus => {
                let half = query.len() / 2;
                let (q_re, q_im) = query.split_at(half);
                let (c_re, c_im) = candidate.split_at(half);
                #[allow(clippy::cast_possible_truncation)]
                let epsilon = SQRT_EPSILON as f32;
                let mut total = 0.0f32;
                for k in 0..half {
                    let re = q_re[k] - c_re[k];
                    let im = q_im[k] - c_im[k];
                    total += (re * re + im * im + epsilon).sqrt();
                }
                -total
            }
        }
    }
}

/// Sums `term(a[i], b[i])` over `i` with [`LANES`] independent partial sums.
#[inline(always)]
fn lane_sum(a: &[f32], b: &[f32], term: impl Fn(f32, f32) -> f32) -> f32 {
    let mut lanes = [0.0f32; LANES];
    let (a_chunks, b_chunks) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let (a_rest, b_rest) = (a_chunks.remainder(), b_chunks.remainder());
    for (a8, b8) in a_chunks.zip(b_chunks) {
        for lane in 0..LANES {
            lanes[lane] += term(a8[lane], b8[lane]);
        }
    }
    let rest: f32 = a_rest.iter().zip(b_rest).map(|(&x, &y)| term(x, y)).sum();
    lanes.iter().sum::<f32>() + rest
}

/// Writes the complex product `a · b` (`conjugate_b`: `a · conj(b)`) of rows stored real
/// parts first into `out`.
pub(crate) fn complex_product(a: &[f32], b: &[f32], conjugate_b: bool, out: &mut [f32]) {
    let half = a.len() / 2;
    let sign = if conjugate_b { -1.0 } else { 1.0 };
    for k in 0..half {
        let (a_re, a_im) = (a[k], a[half + k]);
        let (b_re, b_im) = (b[k], sign * b[half + k]);
        out[k] = a_re * b_re - a_im * b_im;
        out[half + k] = a_re * b_im + a_im * b_re;
    }
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
