//! Mean pooling over real tokens and L2 normalisation (sentence-transformers `Pooling` +
//! `Normalize`).

use tch::{Kind, TchError, Tensor};

/// Averages hidden [batch, seq, hidden] over the positions where `attention_mask`
/// [batch, seq] is 1, then scales each row to unit L2 norm.
///
/// Returns float32 [batch, hidden] on the input's device. The arithmetic is float32
/// whatever the hidden states' dtype, and a zero vector stays zero, as in
/// `torch.nn.functional.normalize` (eps 1e-12).
pub(crate) fn mean_pool_normalized(
    hidden: &Tensor,
    attention_mask: &Tensor,
) -> Result<Tensor, TchError> {
    let hidden = hidden.f_to_kind(Kind::Float)?;
    let mask = attention_mask.f_to_kind(Kind::Float)?.f_unsqueeze(-1)?;

    let summed = hidden
        .f_mul(&mask)?
        .f_sum_dim_intlist(1i64, false, Kind::Float)?;
    let counts = mask
        .f_sum_dim_intlist(1i64, false, Kind::Float)?
        .f_clamp_min(1e-9)?;
    let mean = summed.f_div(&counts)?;

    let norms = mean
        .f_norm_scalaropt_dim(2.0, [1], true)?
        .f_clamp_min(1e-12)?;
    mean.f_div(&norms)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tch::Device;

    #[test]
    fn pooling_ignores_padding() {
        let hidden = Tensor::from_slice(&[3.0f32, 0.0, 1.0, 0.0, 100.0, 100.0]).view([1, 3, 2]);
        let mask = Tensor::from_slice(&[1i64, 1, 0]).view([1, 3]);

        let pooled = mean_pool_normalized(&hidden, &mask).unwrap();

        // mean of (3, 0) and (1, 0) is (2, 0), normalised to (1, 0).
        let values = Vec::<f32>::try_from(pooled.flatten(0, -1)).unwrap();
        assert_eq!(values, vec![1.0, 0.0]);
    }

    #[test]
    fn pooling_keeps_zero_vector_finite() {
        let hidden = Tensor::zeros([2, 4, 3], (Kind::Float, Device::Cpu));
        let mask = Tensor::ones([2, 4], (Kind::Int64, Device::Cpu));

        let pooled = mean_pool_normalized(&hidden, &mask).unwrap();

        let values = Vec::<f32>::try_from(pooled.flatten(0, -1)).unwrap();
        assert!(values.iter().all(|value| *value == 0.0), "{values:?}");
    }
}
