//! Training losses with self-adversarial negative weights.
//!
//! Negative `i` of a positive gets the weight `wᵢ = softmax(α · s⁻)ᵢ` (Sun et al., 2019,
//! RotatE), treated as a constant, so that hard negatives count more; with `α = 0` all
//! negatives weigh `1/N`. Positives `s⁺` are `[B]`, negatives `s⁻` are `[B, N]`.
//!
//! - softplus (logistic): `softplus(−(s⁺ + γ)) + Σᵢ wᵢ softplus(sᵢ⁻ + γ)`; γ shifts
//!   distance scores (TransE, RotatE), and is usually 0 for DistMult and ComplEx.
//! - margin ranking: `Σᵢ wᵢ max(0, γ − s⁺ + sᵢ⁻)`.
//!
//! Both are averaged over the batch.
//!
//! ```
//! use rxgraph::model::{loss::loss, LossKind};
//! use tch::Tensor;
//!
//! let positive = Tensor::from_slice(&[2.0f32]);
//! let negative = Tensor::from_slice(&[0.0f32, 1.0]).view([1, 2]);
//! let value = loss(LossKind::Margin, &positive, &negative, 1.0, 0.0);
//! assert!(value.double_value(&[]).abs() < 1e-6);
//! ```

use tch::{Kind, Tensor};

use super::config::LossKind;

/// Returns the mean loss over the batch as a scalar tensor.
pub fn loss(
    kind: LossKind,
    positive: &Tensor,
    negative: &Tensor,
    margin: f64,
    temperature: f64,
) -> Tensor {
    let weights = if temperature > 0.0 {
        (negative * temperature).softmax(-1, Kind::Float).detach()
    } else {
        let count = negative.size().last().copied().unwrap_or(1).max(1);
        #[allow(clippy::cast_precision_loss)]
        let uniform = 1.0 / count as f64;
        negative.ones_like() * uniform
    };

    let per_positive = match kind {
        LossKind::Softplus => {
            let positive_loss = (-(positive + margin)).softplus();
            let negative_loss =
                ((negative + margin).softplus() * weights).sum_dim_intlist(-1, false, None);
            positive_loss + negative_loss
        }
        LossKind::Margin => {
            let violation = (negative - positive.unsqueeze(-1) + margin).relu();
            (violation * weights).sum_dim_intlist(-1, false, None)
        }
    };
    per_positive.mean(Kind::Float)
}
