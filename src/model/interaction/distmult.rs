//! DistMult: a diagonal bilinear form, `f(h, r, t) = Σᵢ hᵢ rᵢ tᵢ`.
//!
//! Yang et al., "Embedding Entities and Relations for Learning and Inference in Knowledge
//! Bases", ICLR 2015. Symmetric in h and t, so it cannot tell a relation from its inverse.
//! Usual ranges: `dim` 100–500, `regularization` 1e-6–1e-2, `learning_rate` 1e-3–1e-1
//! (Adagrad) or 1e-3–1e-2 (Adam).
//!
//! ```
//! use rxgraph::model::interaction::{DistMult, Interaction};
//! use tch::Tensor;
//!
//! let x = Tensor::from_slice(&[1.0f32, 2.0]);
//! assert!((DistMult.score(&x, &x, &x).double_value(&[]) - 9.0).abs() < 1e-6);
//! ```

use tch::Tensor;

use super::{head_side_first, Comparison, Interaction};

/// DistMult.
#[derive(Debug, Clone, Copy)]
pub struct DistMult;

impl Interaction for DistMult {
    fn name(&self) -> &'static str {
        "DistMult"
    }

    #[allow(clippy::cast_possible_wrap)]
    fn entity_width(&self, dim: usize) -> i64 {
        dim as i64
    }

    fn score(&self, h: &Tensor, r: &Tensor, t: &Tensor) -> Tensor {
        let product = if head_side_first(h, r, t) {
            (h * r) * t
        } else {
            h * (r * t)
        };
        product.sum_dim_intlist(-1, false, None)
    }

    fn comparison(&self) -> Comparison {
        Comparison::Dot
    }

    /// `q ∘ r` on either side, since DistMult is symmetric in head and tail.
    fn combine_query(
        &self,
        query: &[f32],
        relation: &[f32],
        _query_is_head: bool,
        out: &mut [f32],
    ) {
        for ((combined, &q), &r) in out.iter_mut().zip(query).zip(relation) {
            *combined = q * r;
        }
    }
}
