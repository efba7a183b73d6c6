//! TransE: a relation is a translation, `f(h, r, t) = −‖h + r − t‖_p`.
//!
//! Bordes et al., "Translating Embeddings for Modeling Multi-relational Data", NeurIPS 2013.
//! Entity rows are renormalised to unit L2 norm after each update, as in the paper.
//! Usual ranges: `dim` 50–300, `p_norm` 1 (often better) or 2, `margin` 1–12 with the
//! margin loss, `learning_rate` 1e-3–1e-2 with Adam.
//!
//! ```
//! use rxgraph::model::interaction::{Interaction, TransE};
//! use tch::Tensor;
//!
//! let h = Tensor::from_slice(&[1.0f32, 0.0]);
//! let r = Tensor::from_slice(&[0.0f32, 1.0]);
//! let t = Tensor::from_slice(&[1.0f32, 1.0]);
//! assert!(TransE { p_norm: 1 }.score(&h, &r, &t).double_value(&[]).abs() < 1e-6);
//! ```

use tch::Tensor;

use super::{head_side_first, Comparison, Interaction, SQRT_EPSILON};

/// TransE with an L1 or L2 distance.
#[derive(Debug, Clone, Copy)]
pub struct TransE {
    /// Norm of the distance, 1 or 2.
    pub p_norm: u8,
}

impl Interaction for TransE {
    fn name(&self) -> &'static str {
        "TransE"
    }

    #[allow(clippy::cast_possible_wrap)]
    fn entity_width(&self, dim: usize) -> i64 {
        dim as i64
    }

    fn normalizes_entities(&self) -> bool {
        true
    }

    fn score(&self, h: &Tensor, r: &Tensor, t: &Tensor) -> Tensor {
        // Combine the two smaller operands first: one large subtraction instead of two.
        let difference = if head_side_first(h, r, t) {
            (h + r) - t
        } else {
            h - (t - r)
        };
        let distance = if self.p_norm == 1 {
            difference.abs().sum_dim_intlist(-1, false, None)
        } else {
            (difference.square().sum_dim_intlist(-1, false, None) + SQRT_EPSILON).sqrt()
        };
        -distance
    }

    fn comparison(&self) -> Comparison {
        if self.p_norm == 1 {
            Comparison::NegativeL1
        } else {
            Comparison::NegativeL2
        }
    }

    /// `h + r` for a head query; `t − r` for a tail query, since `‖h + r − t‖ = ‖h − (t − r)‖`.
    fn combine_query(&self, query: &[f32], relation: &[f32], query_is_head: bool, out: &mut [f32]) {
        let sign = if query_is_head { 1.0 } else { -1.0 };
        for ((combined, &q), &r) in out.iter_mut().zip(query).zip(relation) {
            *combined = q + sign * r;
        }
    }
}
