//! ROC and precision–recall curves from labelled scores.
//!
//! `metrics.json` from `rxgraph evaluate` stores AUROC and AUPRC but not the curves, so the
//! report computes them on the test split: the test triples of the relation as positives and
//! [`crate::rank::calibrate::NEGATIVES_PER_POSITIVE`] seeded type-constrained negatives per
//! positive. The ratio is stated beside the plot.
//!
//! ```
//! use rxgraph::report::Curves;
//!
//! let curves = Curves::new(&[3.0, 2.0], &[1.0, 0.0, 2.5]);
//! assert_eq!(curves.roc.first(), Some(&(0.0, 0.0)));
//! assert_eq!(curves.roc.last(), Some(&(1.0, 1.0)));
//! assert!((curves.auroc.unwrap() - 5.0 / 6.0).abs() < 1e-9);
//! ```

use crate::eval::{auroc, average_precision};

/// ROC and PR points with their areas.
#[derive(Debug, Clone, PartialEq)]
pub struct Curves {
    /// (false-positive rate, true-positive rate), from (0, 0) to (1, 1).
    pub roc: Vec<(f64, f64)>,
    /// (recall, precision), by decreasing threshold.
    pub pr: Vec<(f64, f64)>,
    /// Area under the ROC curve (ties count one half).
    pub auroc: Option<f64>,
    /// Average precision.
    pub auprc: Option<f64>,
    /// Number of positives.
    pub positives: usize,
    /// Number of negatives.
    pub negatives: usize,
}

impl Curves {
    /// Sweeps the threshold over every distinct score, highest first; tied scores enter at
    /// one threshold together.
    #[must_use]
    pub fn new(positives: &[f32], negatives: &[f32]) -> Self {
        let mut labelled: Vec<(f32, bool)> = positives
            .iter()
            .map(|&s| (s, true))
            .chain(negatives.iter().map(|&s| (s, false)))
            .collect();
        labelled.sort_by(|a, b| b.0.total_cmp(&a.0));

        let (total_p, total_n) = (positives.len() as f64, negatives.len() as f64);
        let mut roc = vec![(0.0, 0.0)];
        let mut pr = Vec::new();
        let (mut tp, mut fp) = (0.0, 0.0);
        for group in labelled.chunk_by(|a, b| a.0 == b.0) {
            for &(_, positive) in group {
                if positive {
                    tp += 1.0;
                } else {
                    fp += 1.0;
                }
            }
            if total_n > 0.0 && total_p > 0.0 {
                roc.push((fp / total_n, tp / total_p));
            }
            if total_p > 0.0 {
                pr.push((tp / total_p, tp / (tp + fp)));
            }
        }
        Self {
            roc,
            pr,
            auroc: auroc(positives, negatives),
            auprc: average_precision(positives, negatives),
            positives: positives.len(),
            negatives: negatives.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_scores_reach_corner() {
        let curves = Curves::new(&[5.0, 4.0], &[1.0, 0.0]);
        assert!(curves.roc.contains(&(0.0, 1.0)));
        assert_eq!(curves.pr[1], (1.0, 1.0));
        assert_eq!(curves.auroc, Some(1.0));
    }

    #[test]
    fn ties_enter_together() {
        let curves = Curves::new(&[1.0], &[1.0]);
        assert_eq!(curves.roc, vec![(0.0, 0.0), (1.0, 1.0)]);
        assert_eq!(curves.pr, vec![(1.0, 0.5)]);
    }

    #[test]
    fn empty_sets_give_no_area() {
        let curves = Curves::new(&[], &[1.0]);
        assert_eq!(curves.auroc, None);
        assert_eq!(curves.roc, vec![(0.0, 0.0)]);
    }
}
