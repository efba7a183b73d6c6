//! ComplEx: a complex bilinear form, `f(h, r, t) = Re(Σᵢ hᵢ rᵢ conj(tᵢ))`.
//!
//! Trouillon et al., "Complex Embeddings for Simple Link Prediction", ICML 2016. Unlike
//! DistMult it models asymmetric relations. Vectors are `dim` complex numbers stored as
//! `2·dim` reals (real parts first). Usual ranges: `dim` 50–500 complex components,
//! `regularization` 1e-6–1e-2, `learning_rate` 1e-3–1e-1.
//!
//! ```
//! use rxgraph::model::interaction::{ComplEx, Interaction};
//! use tch::Tensor;
//!
//! // h = i, r = i, t = −1: Re(i · i · conj(−1)) = 1.
//! let h = Tensor::from_slice(&[0.0f32, 1.0]);
//! let t = Tensor::from_slice(&[-1.0f32, 0.0]);
//! assert!((ComplEx.score(&h, &h, &t).double_value(&[]) - 1.0).abs() < 1e-6);
//! ```

use tch::Tensor;

use super::{complex_parts, complex_product, head_side_first, Comparison, Interaction};

/// ComplEx.
#[derive(Debug, Clone, Copy)]
pub struct ComplEx;

impl Interaction for ComplEx {
    fn name(&self) -> &'static str {
        "ComplEx"
    }

    #[allow(clippy::cast_possible_wrap)]
    fn entity_width(&self, dim: usize) -> i64 {
        2 * dim as i64
    }

    fn score(&self, h: &Tensor, r: &Tensor, t: &Tensor) -> Tensor {
        let (h_re, h_im) = complex_parts(h);
        let (r_re, r_im) = complex_parts(r);
        let (t_re, t_im) = complex_parts(t);

        // Re(h r conj(t)) = Re(h r)·Re(t) + Im(h r)·Im(t); pair the two smaller operands first.
        if head_side_first(h, r, t) {
            let hr_re = &h_re * &r_re - &h_im * &r_im;
            let hr_im = &h_re * &r_im + &h_im * &r_re;
            (hr_re * t_re + hr_im * t_im).sum_dim_intlist(-1, false, None)
        } else {
            let rt_re = &r_re * &t_re + &r_im * &t_im;
            let rt_im = &r_re * &t_im - &r_im * &t_re;
            (h_re * rt_re + h_im * rt_im).sum_dim_intlist(-1, false, None)
        }
    }

    fn comparison(&self) -> Comparison {
        Comparison::Dot
    }

    /// `h · r` for a head query; `t · conj(r)` for a tail query, since
    /// `Re(h r conj(t)) = ⟨h, t conj(r)⟩` over real and imaginary parts.
    fn combine_query(&self, query: &[f32], relation: &[f32], query_is_head: bool, out: &mut [f32]) {
        complex_product(query, relation, !query_is_head, out);
    }
}
