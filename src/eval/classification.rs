//! Binary classification metrics over the scores of positive and negative triples: AUROC,
//! average precision (AUPRC), and accuracy, precision, recall and F1 at a threshold.
//!
//! These metrics depend on the negatives, so every report states which negatives were used
//! and how many per positive (see [`super::negatives`]). AUROC does not change with the
//! ratio in expectation, but AUPRC falls as negatives grow, because its floor is the share of
//! positives.
//!
//! ```
//! use rxgraph::eval::{auroc, average_precision, best_f1_threshold, metrics_at};
//!
//! let positives = [0.9, 0.6];
//! let negatives = [0.7, 0.2];
//! assert_eq!(auroc(&positives, &negatives), Some(0.75));
//! assert!((average_precision(&positives, &negatives).unwrap() - 5.0 / 6.0).abs() < 1e-12);
//! let threshold = best_f1_threshold(&positives, &negatives).unwrap();
//! assert_eq!(threshold, 0.6);
//! assert_eq!(metrics_at(threshold, &positives, &negatives).recall, 1.0);
//! ```

use serde::{Deserialize, Serialize};

/// Orders NaN below every score, as the ranks do.
fn key(score: f32) -> f32 {
    if score.is_nan() {
        f32::NEG_INFINITY
    } else {
        score
    }
}

/// Returns the scores as sort keys, ascending.
fn sorted_ascending(scores: &[f32]) -> Vec<f32> {
    let mut sorted: Vec<f32> = scores.iter().map(|&s| key(s)).collect();
    sorted.sort_unstable_by(f32::total_cmp);
    sorted
}

/// Counts the entries of `sorted` (ascending) that are ≥ `score`.
fn count_at_least(sorted: &[f32], score: f32) -> usize {
    sorted.len() - sorted.partition_point(|&s| s < score)
}

/// Computes the area under the ROC curve: the probability that a random positive scores
/// higher than a random negative, counting ties as one half (the Mann–Whitney U statistic
/// divided by the number of pairs). Returns `None` if either set is empty.
///
/// Sorts a copy of `negatives`: O((P + N) log N) time, 4·N bytes.
#[must_use]
pub fn auroc(positives: &[f32], negatives: &[f32]) -> Option<f64> {
    if positives.is_empty() || negatives.is_empty() {
        return None;
    }
    let negatives = sorted_ascending(negatives);
    let mut wins = 0.0;
    for &positive in positives {
        let positive = key(positive);
        let below = negatives.partition_point(|&s| s < positive);
        let tied = negatives.partition_point(|&s| s <= positive) - below;
        wins += below as f64 + 0.5 * tied as f64;
    }
    Some(wins / (positives.len() as f64 * negatives.len() as f64))
}

/// Computes the average precision, the usual estimate of the area under the precision–recall
/// curve: `Σ_n (R_n − R_{n−1}) · P_n` over the distinct scores taken as thresholds (predict
/// positive when score ≥ threshold), without interpolation. This is the definition of
/// scikit-learn's `average_precision_score`. Tied scores enter at one threshold together.
/// Returns `None` if `positives` is empty; a random scorer gets about P / (P + N).
#[must_use]
pub fn average_precision(positives: &[f32], negatives: &[f32]) -> Option<f64> {
    if positives.is_empty() {
        return None;
    }
    let negatives = sorted_ascending(negatives);
    let mut thresholds = sorted_ascending(positives);
    thresholds.reverse();
    thresholds.dedup();

    // Only thresholds at a positive's score raise recall; the others add nothing.
    let sorted_positives = sorted_ascending(positives);
    let total = positives.len() as f64;
    let (mut area, mut previous_recall) = (0.0, 0.0);
    for threshold in thresholds {
        let true_positives = count_at_least(&sorted_positives, threshold) as f64;
        let false_positives = count_at_least(&negatives, threshold) as f64;
        let recall = true_positives / total;
        area += (recall - previous_recall) * true_positives / (true_positives + false_positives);
        previous_recall = recall;
    }
    Some(area)
}

/// Confusion-matrix metrics at one threshold: a triple is predicted true when its score is
/// ≥ `threshold`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ThresholdMetrics {
    /// Score threshold (in the scorer's units).
    pub threshold: f32,
    /// Number of positives scored.
    pub positives: usize,
    /// Number of negatives scored.
    pub negatives: usize,
    /// Share of all triples classified correctly.
    pub accuracy: f64,
    /// Share of predicted-true triples that are positives; 0 when none is predicted true.
    pub precision: f64,
    /// Share of positives predicted true.
    pub recall: f64,
    /// Harmonic mean of precision and recall; 0 when both are 0.
    pub f1: f64,
}

/// Computes accuracy, precision, recall and F1 with `threshold`.
#[must_use]
pub fn metrics_at(threshold: f32, positives: &[f32], negatives: &[f32]) -> ThresholdMetrics {
    let predicted_true = |s: &&f32| key(**s) >= threshold;
    let true_positives = positives.iter().filter(predicted_true).count() as f64;
    let false_positives = negatives.iter().filter(predicted_true).count() as f64;
    let (p, n) = (positives.len() as f64, negatives.len() as f64);

    let precision = if true_positives + false_positives > 0.0 {
        true_positives / (true_positives + false_positives)
    } else {
        0.0
    };
    let recall = if p > 0.0 { true_positives / p } else { 0.0 };
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    let accuracy = if p + n > 0.0 {
        (true_positives + n - false_positives) / (p + n)
    } else {
        0.0
    };
    ThresholdMetrics {
        threshold,
        positives: positives.len(),
        negatives: negatives.len(),
        accuracy,
        precision,
        recall,
        f1,
    }
}

/// Finds the threshold with the highest F1 (the highest threshold among equals).
///
/// Only positives' scores are tried: raising a threshold past negatives alone lowers the false
/// positives and keeps the true positives, so the best F1 always sits at a positive's score.
/// Returns `None` if `positives` is empty. Choose it on validation triples and apply it to test.
#[must_use]
pub fn best_f1_threshold(positives: &[f32], negatives: &[f32]) -> Option<f32> {
    let negatives = sorted_ascending(negatives);
    let mut thresholds = sorted_ascending(positives);
    thresholds.reverse();
    thresholds.dedup();

    let sorted_positives = sorted_ascending(positives);
    let total = positives.len() as f64;
    let mut best: Option<(f64, f32)> = None;
    for threshold in thresholds {
        // F1 = 2·TP / (2·TP + FP + FN), and TP + FN is the number of positives.
        let true_positives = count_at_least(&sorted_positives, threshold) as f64;
        let false_positives = count_at_least(&negatives, threshold) as f64;
        let f1 = 2.0 * true_positives / (true_positives + total + false_positives);
        if best.is_none_or(|(best_f1, _)| f1 > best_f1) {
            best = Some((f1, threshold));
        }
    }
    best.map(|(_, threshold)| threshold)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn auroc_hand_example_with_tie() {
        // Pairs (positive, negative): (0.8, 0.4) win, (0.8, 0.8) tie, (0.3, 0.4) loss,
        // (0.3, 0.8) loss, (0.8, 0.1) win, (0.3, 0.1) win: (3 + 0.5) / 6.
        let auc = auroc(&[0.8, 0.3], &[0.4, 0.8, 0.1]).unwrap();
        assert!(close(auc, 3.5 / 6.0), "{auc}");
    }

    #[test]
    fn auroc_perfect_inverted_and_constant() {
        assert_eq!(auroc(&[3.0, 2.0], &[1.0, 0.0]), Some(1.0));
        assert_eq!(auroc(&[0.0], &[1.0, 2.0]), Some(0.0));
        assert_eq!(auroc(&[1.0, 1.0], &[1.0, 1.0, 1.0]), Some(0.5));
        assert_eq!(auroc(&[], &[1.0]), None);
        assert_eq!(auroc(&[1.0], &[]), None);
    }

    #[test]
    fn average_precision_hand_example() {
        // Descending: 0.9 (+), 0.8 (−), 0.7 (+), 0.6 (−), 0.5 (+).
        // Recall steps of 1/3 at precisions 1, 2/3 and 3/5.
        let ap = average_precision(&[0.9, 0.7, 0.5], &[0.8, 0.6]).unwrap();
        assert!(close(ap, (1.0 + 2.0 / 3.0 + 0.6) / 3.0), "{ap}");
    }

    #[test]
    fn average_precision_counts_ties_together() {
        // One threshold at 0.5 takes the positive and both negatives at once: precision 1/3.
        let ap = average_precision(&[0.5], &[0.5, 0.5]).unwrap();
        assert!(close(ap, 1.0 / 3.0), "{ap}");
        assert_eq!(average_precision(&[2.0], &[]), Some(1.0));
        assert_eq!(average_precision(&[], &[1.0]), None);
    }

    #[test]
    fn nan_scores_rank_lowest() {
        assert_eq!(auroc(&[0.0], &[f32::NAN]), Some(1.0));
        assert_eq!(auroc(&[f32::NAN], &[f32::NAN]), Some(0.5));
    }

    #[test]
    fn threshold_metrics_hand_example() {
        // Threshold 0.5: TP 2 (0.9, 0.6), FN 1 (0.2), FP 1 (0.7), TN 2 (0.4, 0.1).
        let m = metrics_at(0.5, &[0.9, 0.6, 0.2], &[0.7, 0.4, 0.1]);
        assert!(close(m.accuracy, 4.0 / 6.0));
        assert!(close(m.precision, 2.0 / 3.0));
        assert!(close(m.recall, 2.0 / 3.0));
        assert!(close(m.f1, 2.0 / 3.0));
        assert_eq!((m.positives, m.negatives), (3, 3));
    }

    #[test]
    fn threshold_metrics_when_nothing_predicted() {
        let m = metrics_at(10.0, &[0.9], &[0.1]);
        assert_eq!(m.precision, 0.0);
        assert_eq!(m.recall, 0.0);
        assert_eq!(m.f1, 0.0);
        assert!(close(m.accuracy, 0.5));
    }

    #[test]
    fn best_threshold_maximises_f1() {
        let positives = [0.9, 0.6, 0.2];
        let negatives = [0.7, 0.4, 0.1, 0.05];
        let best = best_f1_threshold(&positives, &negatives).unwrap();
        let best_f1 = metrics_at(best, &positives, &negatives).f1;
        for candidate in positives.iter().chain(&negatives) {
            assert!(
                metrics_at(*candidate, &positives, &negatives).f1 <= best_f1 + 1e-12,
                "{candidate}"
            );
        }
        // Threshold 0.2 predicts all positives and two negatives: F1 = 6 / 8.
        assert_eq!(best, 0.2);
        assert!(close(best_f1, 0.75));
        assert_eq!(best_f1_threshold(&[], &negatives), None);
    }
}
