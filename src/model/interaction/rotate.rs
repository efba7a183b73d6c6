//! RotatE: a relation rotates each complex coordinate, `f(h, r, t) = −Σᵢ |hᵢ rᵢ − tᵢ|` with
//! `|rᵢ| = 1`.
//!
//! Sun et al., "RotatE: Knowledge Graph Embedding by Relational Rotation in Complex Space",
//! ICLR 2019, which also introduced self-adversarial negative sampling. Relations are stored
//! as phases θ and used as `r = cos θ + i sin θ`, so the unit modulus holds exactly.
//! Usual ranges: `dim` 100–1000 complex components, `margin` (γ) 6–24 with the softplus loss,
//! `adversarial_temperature` 0.5–1, `learning_rate` 1e-4–1e-3 (Adam).
//!
//! ```
//! use rxgraph::model::interaction::{Interaction, RotatE};
//! use tch::Tensor;
//!
//! // A rotation by π/2 takes 1 to i.
//! let h = Tensor::from_slice(&[1.0f32, 0.0]);
//! let phase = Tensor::from_slice(&[std::f32::consts::FRAC_PI_2]);
//! let t = Tensor::from_slice(&[0.0f32, 1.0]);
//! let r = RotatE.relation_vectors(&phase);
//! assert!(RotatE.score(&h, &r, &t).double_value(&[]).abs() < 1e-3);
//! ```

use std::f64::consts::PI;

use tch::{Device, Tensor};

use super::{
    complex_parts, complex_product, head_side_first, uniform, Comparison, Interaction, SQRT_EPSILON,
};

/// RotatE.
#[derive(Debug, Clone, Copy)]
pub struct RotatE;

impl Interaction for RotatE {
    fn name(&self) -> &'static str {
        "RotatE"
    }

    #[allow(clippy::cast_possible_wrap)]
    fn entity_width(&self, dim: usize) -> i64 {
        2 * dim as i64
    }

    #[allow(clippy::cast_possible_wrap)]
    fn relation_width(&self, dim: usize) -> i64 {
        dim as i64
    }

    /// Draws entities from `U(−1/√dim, 1/√dim)`: smaller than the TransE default, so that
    /// initial distances are of the order of the margin γ.
    #[allow(clippy::cast_precision_loss)]
    fn init_entities(&self, count: i64, dim: usize, device: Device) -> Tensor {
        uniform(
            [count, self.entity_width(dim)],
            1.0 / (dim as f64).sqrt(),
            device,
        )
    }

    fn init_relations(&self, count: i64, dim: usize, device: Device) -> Tensor {
        uniform([count, self.relation_width(dim)], PI, device)
    }

    fn relation_vectors(&self, parameters: &Tensor) -> Tensor {
        Tensor::cat(&[parameters.cos(), parameters.sin()], -1)
    }

    fn score(&self, h: &Tensor, r: &Tensor, t: &Tensor) -> Tensor {
        let (h_re, h_im) = complex_parts(h);
        let (r_re, r_im) = complex_parts(r);
        let (t_re, t_im) = complex_parts(t);

        // |h r − t| = |h − t conj(r)| because |r| = 1: rotate whichever side is smaller.
        let (re, im) = if head_side_first(h, r, t) {
            let rotated_re = &h_re * &r_re - &h_im * &r_im;
            let rotated_im = &h_re * &r_im + &h_im * &r_re;
            (rotated_re - t_re, rotated_im - t_im)
        } else {
            let rotated_re = &t_re * &r_re + &t_im * &r_im;
            let rotated_im = &t_im * &r_re - &t_re * &r_im;
            (h_re - rotated_re, h_im - rotated_im)
        };
        let modulus = (re.square() + im.square() + SQRT_EPSILON).sqrt();
        -modulus.sum_dim_intlist(-1, false, None)
    }

    fn comparison(&self) -> Comparison {
        Comparison::NegativeComplexModulus
    }

    /// `h · r` for a head query; `t · conj(r)` for a tail query (the inverse rotation).
    fn combine_query(&self, query: &[f32], relation: &[f32], query_is_head: bool, out: &mut [f32]) {
        complex_product(query, relation, !query_is_head, out);
    }
}
