//! Probabilities for scores: Platt scaling fitted on the validation split.
//!
//! A scorer's raw score has no fixed scale (a TransE distance, a log-degree sum). Platt
//! scaling (Platt, "Probabilistic outputs for support vector machines", 1999) maps a score
//! `s` to `p = 1 / (1 + exp(-(a·s + b)))`, with `a` and `b` fitted by maximum likelihood on
//! labelled scores. Here the positives are the validation triples of the relation and the
//! negatives are type-constrained pairs that are not known links of its filter group
//! ([`crate::eval::sample_negatives`], [`NEGATIVES_PER_POSITIVE`] per positive, seeded). The
//! fit is the Newton method with backtracking of Lin, Lin and Weng (2007), the one LIBSVM
//! uses, with Platt's smoothed targets `(P+1)/(P+2)` and `1/(N+2)`.
//!
//! The fitted sample has one positive per [`NEGATIVES_PER_POSITIVE`] negatives, far more
//! positives than the graph: CtD links 755 of 1,552 × 137 compound–disease pairs (0.36%).
//! [`PlattScaling::fit`] therefore shifts the intercept by
//! `logit(base rate) − logit(sample rate)`, the standard prior-shift correction, where the
//! base rate is the relation's known links over all pairs of its two kinds. A probability
//! then estimates how likely a pair drawn at the graph's own link rate is a link.
//!
//! [`Calibration`] holds one fit per relation; it is stored as `calibration.json` in a model
//! directory ([`Calibration::load_or_fit`]) and computed on load for the degree-prior
//! baseline, which has no directory.
//!
//! ```
//! use rxgraph::rank::PlattScaling;
//!
//! let positives = [2.0, 3.0, 2.5, 4.0];
//! let negatives = [0.0, 1.0, -1.0, 0.5, 2.2, -0.5, 0.2, 1.5];
//! let platt = PlattScaling::fit(&positives, &negatives, None).unwrap();
//! assert!(platt.a > 0.0);
//! assert!(platt.probability(4.0) > platt.probability(0.0));
//! ```
//!
//! # Limitations
//! A held-out-node split (`indication-disease`) calibrates on nodes without training links,
//! where scores run lower than for the nodes a repositioning query usually asks about, so its
//! probabilities are conservative for well-linked nodes. With fewer than
//! [`MIN_POSITIVES`] validation triples no fit is made and probabilities are left out.

use std::collections::BTreeMap;
use std::path::Path;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::error::RankError;
use crate::eval::{candidate_range, sample_negatives, KnownTriples, Side};
use crate::kg::{KnowledgeGraph, RelationId, Split, Triple};
use crate::model::LinkScorer;

/// Type-constrained negatives drawn per validation positive.
pub const NEGATIVES_PER_POSITIVE: usize = 10;
/// Fewest validation positives a fit is made from.
pub const MIN_POSITIVES: usize = 5;
/// Seed of the negative sample.
pub const CALIBRATION_SEED: u64 = 42;
/// File name of a stored calibration in a model directory.
pub const CALIBRATION_FILE: &str = "calibration.json";

/// A fitted sigmoid `p = 1 / (1 + exp(-(a·s + b)))`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PlattScaling {
    /// Slope on the score; positive when higher scores mean likelier links.
    pub a: f64,
    /// Intercept, after the prior-shift correction when a base rate was given.
    pub b: f64,
}

impl PlattScaling {
    /// Fits `a` and `b` on labelled scores and, when `base_rate` is given, shifts the intercept
    /// from the sample's positive rate to that rate.
    ///
    /// Returns `None` when either set is empty or a score is not finite.
    #[must_use]
    pub fn fit(positives: &[f32], negatives: &[f32], base_rate: Option<f64>) -> Option<Self> {
        if positives.is_empty()
            || negatives.is_empty()
            || positives.iter().chain(negatives).any(|s| !s.is_finite())
        {
            return None;
        }
        let (a, mut b) = newton_fit(positives, negatives);

        if let Some(rate) = base_rate.filter(|r| *r > 0.0 && *r < 1.0) {
            #[allow(clippy::cast_precision_loss)]
            let sample = positives.len() as f64 / (positives.len() + negatives.len()) as f64;
            b += logit(rate) - logit(sample);
        }
        Some(Self { a, b })
    }

    /// Returns the probability of a link for `score`, in [0, 1].
    #[must_use]
    pub fn probability(&self, score: f32) -> f64 {
        let z = self.a * f64::from(score) + self.b;
        // Two forms avoid overflow of exp for large |z|.
        if z >= 0.0 {
            1.0 / (1.0 + (-z).exp())
        } else {
            let e = z.exp();
            e / (1.0 + e)
        }
    }
}

/// The fit of one relation with the data it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RelationCalibration {
    /// The fitted sigmoid.
    pub platt: PlattScaling,
    /// Validation positives fitted on.
    pub positives: usize,
    /// Negatives fitted on.
    pub negatives: usize,
    /// Known links over all pairs of the relation's kinds, the rate the intercept targets.
    pub base_rate: f64,
}

/// Platt fits per relation for one scorer, split and graph.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// Scorer name the fits belong to.
    pub scorer: String,
    /// Split whose validation part was used.
    pub split: String,
    /// `graph_hash` of the work directory.
    pub graph_hash: String,
    /// Seed of the negatives.
    pub seed: u64,
    /// Negatives per positive.
    pub negatives_per_positive: usize,
    /// Fits by relation abbreviation; a relation with too few validation triples is absent.
    pub relations: BTreeMap<String, RelationCalibration>,
}

impl Calibration {
    /// Fits every target relation of `split` that has at least [`MIN_POSITIVES`]
    /// validation triples.
    #[must_use]
    pub fn fit(
        scorer: &dyn LinkScorer,
        graph: &KnowledgeGraph,
        split: &Split,
        known: &KnownTriples,
        graph_hash: &str,
    ) -> Self {
        let valid = split.valid(graph);
        let mut relations = BTreeMap::new();
        for &relation in &split.target_relations {
            let abbreviation = graph.schema().relations[relation as usize]
                .abbreviation
                .clone();
            let positives: Vec<Triple> = valid
                .iter()
                .copied()
                .filter(|t| t.relation == relation)
                .collect();
            if positives.len() < MIN_POSITIVES {
                tracing::warn!(
                    relation = %abbreviation,
                    positives = positives.len(),
                    "too few validation triples to calibrate; probabilities are left out"
                );
                continue;
            }
            match fit_relation(scorer, graph, relation, &positives, known) {
                Some(fit) => {
                    relations.insert(abbreviation, fit);
                }
                None => tracing::warn!(
                    relation = %abbreviation,
                    "calibration failed (no negatives or non-finite scores); probabilities are left out"
                ),
            }
        }
        Self {
            scorer: scorer.name().to_owned(),
            split: split.config.name.clone(),
            graph_hash: graph_hash.to_owned(),
            seed: CALIBRATION_SEED,
            negatives_per_positive: NEGATIVES_PER_POSITIVE,
            relations,
        }
    }

    /// Reads `dir/calibration.json` if it matches the scorer, split and graph; otherwise fits
    /// a new calibration and stores it there. A directory that cannot be written is logged
    /// at warn level and the fit is still returned.
    ///
    /// # Errors
    /// An existing `calibration.json` that cannot be read.
    pub fn load_or_fit(
        dir: &Path,
        scorer: &dyn LinkScorer,
        graph: &KnowledgeGraph,
        split: &Split,
        known: &KnownTriples,
        graph_hash: &str,
    ) -> Result<Self, RankError> {
        let path = dir.join(CALIBRATION_FILE);
        if path.is_file() {
            let text =
                std::fs::read_to_string(&path).map_err(|e| RankError::io("read", &path, e))?;
            match serde_json::from_str::<Self>(&text) {
                Ok(stored)
                    if stored.scorer == scorer.name()
                        && stored.split == split.config.name
                        && stored.graph_hash == graph_hash =>
                {
                    tracing::debug!(path = %path.display(), "calibration read");
                    return Ok(stored);
                }
                Ok(_) => {
                    tracing::info!(path = %path.display(), "stored calibration is for another scorer, split or graph; fitting again")
                }
                Err(error) => {
                    tracing::warn!(path = %path.display(), %error, "stored calibration is invalid; fitting again")
                }
            }
        }

        let fitted = Self::fit(scorer, graph, split, known, graph_hash);
        let json = serde_json::to_string_pretty(&fitted).expect("a calibration serialises");
        match std::fs::write(&path, json + "\n") {
            Ok(()) => tracing::info!(path = %path.display(), "calibration written"),
            Err(error) => {
                tracing::warn!(path = %path.display(), %error, "could not store the calibration; it is used for this run only");
            }
        }
        Ok(fitted)
    }

    /// Returns the fit of `relation`, if there is one.
    #[must_use]
    pub fn relation(
        &self,
        graph: &KnowledgeGraph,
        relation: RelationId,
    ) -> Option<&RelationCalibration> {
        self.relations
            .get(&graph.schema().relations[relation as usize].abbreviation)
    }
}

fn fit_relation(
    scorer: &dyn LinkScorer,
    graph: &KnowledgeGraph,
    relation: RelationId,
    positives: &[Triple],
    known: &KnownTriples,
) -> Option<RelationCalibration> {
    let mut rng = ChaCha8Rng::seed_from_u64(CALIBRATION_SEED);
    let negatives = sample_negatives(
        graph,
        relation,
        positives.len() * NEGATIVES_PER_POSITIVE,
        known,
        &mut rng,
    );
    let positive_scores = scorer.score_triples(positives);
    let negative_scores = scorer.score_triples(&negatives);

    let pairs = candidate_range(graph, relation, Side::Head).len()
        * candidate_range(graph, relation, Side::Tail).len();
    let links = graph
        .edges()
        .iter()
        .filter(|t| t.relation == relation)
        .count();
    #[allow(clippy::cast_precision_loss)]
    let base_rate = links as f64 / pairs.max(1) as f64;

    let platt = PlattScaling::fit(&positive_scores, &negative_scores, Some(base_rate))?;
    Some(RelationCalibration {
        platt,
        positives: positive_scores.len(),
        negatives: negative_scores.len(),
        base_rate,
    })
}

fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

/// Fits the sigmoid by Newton's method with backtracking line search (Lin, Lin and Weng 2007,
/// Algorithm 1), starting from `a = 0` and the prior log-odds.
fn newton_fit(positives: &[f32], negatives: &[f32]) -> (f64, f64) {
    #[allow(clippy::cast_precision_loss)]
    let (prior1, prior0) = (positives.len() as f64, negatives.len() as f64);
    let high = (prior1 + 1.0) / (prior1 + 2.0);
    let low = 1.0 / (prior0 + 2.0);
    let data: Vec<(f64, f64)> = positives
        .iter()
        .map(|&s| (f64::from(s), high))
        .chain(negatives.iter().map(|&s| (f64::from(s), low)))
        .collect();

    // LIBSVM's parameterisation is p = 1 / (1 + exp(A·s + B)); A, B are negated at the end.
    let (mut a, mut b) = (0.0, ((prior0 + 1.0) / (prior1 + 1.0)).ln());
    let objective = |a: f64, b: f64| -> f64 {
        data.iter()
            .map(|&(s, t)| {
                let f = s * a + b;
                if f >= 0.0 {
                    t * f + (1.0 + (-f).exp()).ln()
                } else {
                    (t - 1.0) * f + (1.0 + f.exp()).ln()
                }
            })
            .sum()
    };
    let mut value = objective(a, b);
    let sigma = 1e-12;
    for _ in 0..100 {
        // Gradient and Hessian (with a small ridge) of the objective.
        let (mut h11, mut h22, mut h21, mut g1, mut g2) = (sigma, sigma, 0.0, 0.0, 0.0);
        for &(s, t) in &data {
            let f = s * a + b;
            let (p, q) = if f >= 0.0 {
                let e = (-f).exp();
                (e / (1.0 + e), 1.0 / (1.0 + e))
            } else {
                let e = f.exp();
                (1.0 / (1.0 + e), e / (1.0 + e))
            };
            let d2 = p * q;
            h11 += s * s * d2;
            h22 += d2;
            h21 += s * d2;
            let d1 = t - p;
            g1 += s * d1;
            g2 += d1;
        }
        if g1.abs() < 1e-5 && g2.abs() < 1e-5 {
            break;
        }
        let det = h11 * h22 - h21 * h21;
        let da = -(h22 * g1 - h21 * g2) / det;
        let db = -(-h21 * g1 + h11 * g2) / det;
        let gd = g1 * da + g2 * db;

        let mut step = 1.0;
        let mut improved = false;
        while step >= 1e-10 {
            let (new_a, new_b) = (a + step * da, b + step * db);
            let new_value = objective(new_a, new_b);
            if new_value < value + 1e-4 * step * gd {
                (a, b, value) = (new_a, new_b, new_value);
                improved = true;
                break;
            }
            step /= 2.0;
        }
        if !improved {
            break;
        }
    }
    (-a, -b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separable_scores_get_steep_slope() {
        let positives: Vec<f32> = (0..50).map(|i| 5.0 + i as f32 * 0.01).collect();
        let negatives: Vec<f32> = (0..50).map(|i| -5.0 - i as f32 * 0.01).collect();
        let platt = PlattScaling::fit(&positives, &negatives, None).unwrap();
        assert!(platt.probability(5.0) > 0.95, "{platt:?}");
        assert!(platt.probability(-5.0) < 0.05, "{platt:?}");
    }

    #[test]
    fn fit_matches_logistic_truth() {
        // Scores drawn so that P(positive | s) = sigmoid(2s - 1) exactly, as weights.
        let mut positives = Vec::new();
        let mut negatives = Vec::new();
        for i in 0..400 {
            let s = -3.0 + f64::from(i) * 0.015;
            let p = 1.0 / (1.0 + (-(2.0 * s - 1.0)).exp());
            let copies = (p * 20.0).round() as usize;
            positives.extend(std::iter::repeat_n(s as f32, copies));
            negatives.extend(std::iter::repeat_n(s as f32, 20 - copies));
        }
        let platt = PlattScaling::fit(&positives, &negatives, None).unwrap();
        assert!((platt.a - 2.0).abs() < 0.1, "{platt:?}");
        assert!((platt.b + 1.0).abs() < 0.1, "{platt:?}");
    }

    #[test]
    fn prior_shift_lowers_probabilities() {
        let positives = [2.0, 3.0, 2.5, 4.0, 1.0];
        let negatives = [0.0, 1.0, -1.0, 0.5, 2.2, -0.5, 0.2, 1.5, 3.1];
        let sample = PlattScaling::fit(&positives, &negatives, None).unwrap();
        let shifted = PlattScaling::fit(&positives, &negatives, Some(0.01)).unwrap();
        assert_eq!(sample.a, shifted.a);
        assert!(shifted.probability(2.0) < sample.probability(2.0));
    }

    #[test]
    fn empty_or_nan_input_gives_none() {
        assert!(PlattScaling::fit(&[], &[1.0], None).is_none());
        assert!(PlattScaling::fit(&[1.0], &[], None).is_none());
        assert!(PlattScaling::fit(&[f32::NAN], &[1.0], None).is_none());
    }

    #[test]
    fn extreme_scores_stay_in_range() {
        let platt = PlattScaling { a: 10.0, b: 0.0 };
        assert_eq!(platt.probability(1e30), 1.0);
        assert_eq!(platt.probability(-1e30), 0.0);
    }
}
