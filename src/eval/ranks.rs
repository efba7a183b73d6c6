//! Ranks of true answers among scored candidates, and the metrics over them.
//!
//! For a query (h, r, ?) with true tail t, the scorer scores every node of r's target kind.
//! The **raw** rank counts every candidate; the **filtered** rank first removes the other
//! candidates that form known true triples (see [`super::KnownTriples`]). Ties are common
//! (degree baselines, saturated models), so each [`Rank`] keeps both ends of the tie:
//!
//! - optimistic rank: 1 + the number of candidates scored strictly higher than the answer;
//! - pessimistic rank: 1 + the number scored higher or equal (the answer itself excluded);
//! - realistic rank: their mean, the expected rank when tied candidates are put in a
//!   uniformly random order. All metrics use the realistic rank, as PyKEEN's rank-based
//!   evaluator does by default.
//!
//! NaN scores count as −∞, so a scorer that returns NaN for the answer ranks it last.
//!
//! ```
//! use rxgraph::eval::{raw_and_filtered_rank, RankMetrics};
//!
//! // Candidate 0 is the answer; candidate 2 (a known true triple) ties with it.
//! let scores = [0.5, 0.9, 0.5, 0.1];
//! let (raw, filtered) = raw_and_filtered_rank(&scores, 0, &[2]);
//! assert_eq!((raw.optimistic, raw.pessimistic), (2, 3));
//! assert_eq!(raw.realistic(), 2.5);
//! assert_eq!(filtered.realistic(), 2.0);
//! let metrics = RankMetrics::from_ranks(&[filtered]).unwrap();
//! assert_eq!(metrics.mrr, 0.5);
//! ```

use serde::{Deserialize, Serialize};

use crate::kg::Triple;

/// The position of one true answer among its candidates, 1-based, with both ends of a tie.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rank {
    /// 1 + the number of candidates scored strictly higher than the answer.
    pub optimistic: u32,
    /// 1 + the number of other candidates scored higher than or equal to the answer.
    pub pessimistic: u32,
    /// Number of candidates ranked, the answer included (after filtering, for a filtered rank).
    pub candidates: u32,
}

impl Rank {
    /// Returns the realistic rank: the mean of the optimistic and pessimistic ranks, which is
    /// the expected rank when ties are broken uniformly at random.
    #[must_use]
    pub fn realistic(&self) -> f64 {
        (f64::from(self.optimistic) + f64::from(self.pessimistic)) / 2.0
    }

    /// Returns the expected rank of a scorer that orders the candidates at random,
    /// `(candidates + 1) / 2`.
    #[must_use]
    pub fn expected_random(&self) -> f64 {
        (f64::from(self.candidates) + 1.0) / 2.0
    }

    /// Returns the probability that the answer is among the first `k` candidates when ties
    /// are broken uniformly at random.
    #[must_use]
    pub fn top_k_probability(&self, k: usize) -> f64 {
        let tied = f64::from(self.pessimistic - self.optimistic + 1);
        let slots = k as f64 - f64::from(self.optimistic - 1);
        slots.clamp(0.0, tied) / tied
    }
}

/// End of a triple that is predicted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// Predict the head: (?, r, t), candidates of the relation's source kind.
    Head,
    /// Predict the tail: (h, r, ?), candidates of the relation's target kind.
    Tail,
}

impl Side {
    /// Returns the name used in reports (`head`, `tail`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Head => "head",
            Self::Tail => "tail",
        }
    }

    /// Returns the end that is given when this end is predicted.
    #[must_use]
    pub fn other(self) -> Self {
        match self {
            Self::Head => Self::Tail,
            Self::Tail => Self::Head,
        }
    }
}

/// The raw and filtered rank of one test triple for one side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryRank {
    /// Test triple whose head or tail was predicted.
    pub triple: Triple,
    /// End that was predicted.
    pub side: Side,
    /// Rank among all candidates of the right kind.
    pub raw: Rank,
    /// Rank after removing the other known true triples.
    pub filtered: Rank,
}

/// Ranks the candidate at `answer` among `scores`, raw and with the candidates at
/// `filtered_out` removed.
///
/// `filtered_out` lists positions of other known true candidates. It must not contain
/// `answer` or the same position twice.
///
/// # Panics
/// Panics if `answer` or a filtered position is out of bounds, or `scores` has more than
/// `u32::MAX` entries.
#[must_use]
pub fn raw_and_filtered_rank(
    scores: &[f32],
    answer: usize,
    filtered_out: &[usize],
) -> (Rank, Rank) {
    let key = |score: f32| {
        if score.is_nan() {
            f32::NEG_INFINITY
        } else {
            score
        }
    };
    let target = key(scores[answer]);

    // Count over all candidates; the answer itself ties with itself, so subtract it once.
    let (mut higher, mut equal) = (0u32, 0u32);
    for &score in scores {
        let score = key(score);
        higher += u32::from(score > target);
        equal += u32::from(score == target);
    }
    equal -= 1;
    let total = u32::try_from(scores.len()).expect("fewer than 2^32 candidates");
    let raw = Rank {
        optimistic: 1 + higher,
        pessimistic: 1 + higher + equal,
        candidates: total,
    };

    // Remove the filtered candidates from the counts.
    for &position in filtered_out {
        debug_assert_ne!(position, answer, "the answer must not be filtered out");
        let score = key(scores[position]);
        higher -= u32::from(score > target);
        equal -= u32::from(score == target);
    }
    let remaining = total - u32::try_from(filtered_out.len()).expect("fewer than 2^32 candidates");
    let filtered = Rank {
        optimistic: 1 + higher,
        pessimistic: 1 + higher + equal,
        candidates: remaining,
    };
    (raw, filtered)
}

/// Rank-based metrics over a set of realistic ranks.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RankMetrics {
    /// Number of ranked queries.
    pub count: usize,
    /// Mean reciprocal rank, mean of 1 / realistic rank, in (0, 1].
    pub mrr: f64,
    /// Mean realistic rank, in [1, candidates].
    pub mean_rank: f64,
    /// Share of queries with realistic rank ≤ 1.
    pub hits_at_1: f64,
    /// Share of queries with realistic rank ≤ 3.
    pub hits_at_3: f64,
    /// Share of queries with realistic rank ≤ 10.
    pub hits_at_10: f64,
    /// Mean rank a random scorer would get on the same candidate sets, mean of (n + 1) / 2
    /// over queries with n candidates each.
    pub expected_mean_rank: f64,
    /// Adjusted mean rank index, `1 - (MR - 1) / (E[MR] - 1)`: 1 for a perfect scorer, 0 in
    /// expectation for a random one, negative when worse than random. `None` when every
    /// query has a single candidate, so that E[MR] = 1.
    pub amri: Option<f64>,
}

impl RankMetrics {
    /// Computes the metrics over `ranks`; returns `None` for no ranks.
    ///
    /// The adjusted mean rank index follows Berrendorf et al., "Interpretable and Fair
    /// Comparison of Link Prediction or Entity Alignment Methods" (2020): it divides the mean
    /// rank by the mean rank expected at random, so that numbers from candidate sets of
    /// different sizes (137 diseases vs 20,945 genes) compare.
    #[must_use]
    pub fn from_ranks(ranks: &[Rank]) -> Option<Self> {
        if ranks.is_empty() {
            return None;
        }
        let count = ranks.len() as f64;
        let mean = |value: &dyn Fn(&Rank) -> f64| ranks.iter().map(value).sum::<f64>() / count;
        let hits = |k: f64| mean(&|r| f64::from(u8::from(r.realistic() <= k)));

        let mean_rank = mean(&Rank::realistic);
        let expected_mean_rank = mean(&Rank::expected_random);
        let amri = (expected_mean_rank > 1.0)
            .then(|| 1.0 - (mean_rank - 1.0) / (expected_mean_rank - 1.0));
        Some(Self {
            count: ranks.len(),
            mrr: mean(&|r| 1.0 / r.realistic()),
            mean_rank,
            hits_at_1: hits(1.0),
            hits_at_3: hits(3.0),
            hits_at_10: hits(10.0),
            expected_mean_rank,
            amri,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rank_without_ties() {
        let (raw, filtered) = raw_and_filtered_rank(&[0.1, 0.7, 0.3, 0.9], 2, &[]);
        assert_eq!(
            raw,
            Rank {
                optimistic: 3,
                pessimistic: 3,
                candidates: 4
            }
        );
        assert_eq!(filtered, raw);
    }

    #[test]
    fn rank_with_ties_is_mean_of_ends() {
        // Answer 0.5 at position 1; two others tie with it and one is higher.
        let (raw, _) = raw_and_filtered_rank(&[0.5, 0.5, 0.9, 0.5, 0.1], 1, &[]);
        assert_eq!(raw.optimistic, 2);
        assert_eq!(raw.pessimistic, 4);
        assert!((raw.realistic() - 3.0).abs() < 1e-12);
    }

    #[test]
    fn filtering_removes_higher_and_tied() {
        let scores = [0.5, 0.5, 0.9, 0.5, 0.1];
        let (raw, filtered) = raw_and_filtered_rank(&scores, 1, &[2, 3, 4]);
        assert_eq!(raw.candidates, 5);
        assert_eq!(
            filtered,
            Rank {
                optimistic: 1,
                pessimistic: 2,
                candidates: 2
            }
        );
    }

    #[test]
    fn nan_answer_ranks_last() {
        let (raw, _) = raw_and_filtered_rank(&[f32::NAN, 0.1, -3.0], 0, &[]);
        assert_eq!(raw.optimistic, 3);
        assert_eq!(raw.pessimistic, 3);
    }

    #[test]
    fn metrics_hand_computed() {
        // Realistic ranks 1, 2.5 and 12.
        let ranks = [
            Rank {
                optimistic: 1,
                pessimistic: 1,
                candidates: 20,
            },
            Rank {
                optimistic: 2,
                pessimistic: 3,
                candidates: 20,
            },
            Rank {
                optimistic: 12,
                pessimistic: 12,
                candidates: 20,
            },
        ];

        let m = RankMetrics::from_ranks(&ranks).unwrap();
        assert_eq!(m.count, 3);
        assert!(
            (m.mrr - (1.0 + 0.4 + 1.0 / 12.0) / 3.0).abs() < 1e-12,
            "{}",
            m.mrr
        );
        assert!((m.mean_rank - 15.5 / 3.0).abs() < 1e-12);
        assert!((m.hits_at_1 - 1.0 / 3.0).abs() < 1e-12);
        assert!((m.hits_at_3 - 2.0 / 3.0).abs() < 1e-12);
        assert!((m.hits_at_10 - 2.0 / 3.0).abs() < 1e-12);
        assert!((m.expected_mean_rank - 10.5).abs() < 1e-12);

        let amri = 1.0 - (15.5 / 3.0 - 1.0) / 9.5;
        assert!((m.amri.unwrap() - amri).abs() < 1e-12);
    }

    #[test]
    fn amri_of_perfect_scorer_is_one() {
        let ranks = vec![
            Rank {
                optimistic: 1,
                pessimistic: 1,
                candidates: 100
            };
            7
        ];
        assert_eq!(RankMetrics::from_ranks(&ranks).unwrap().amri, Some(1.0));
    }

    #[test]
    fn amri_of_constant_scorer_is_zero() {
        // A scorer that gives every candidate the same score has realistic rank (n + 1) / 2,
        // exactly the random expectation.
        let (_, rank) = raw_and_filtered_rank(&[0.0; 51], 17, &[3, 4]);
        assert!((rank.realistic() - 25.0).abs() < 1e-12);
        let amri = RankMetrics::from_ranks(&[rank]).unwrap().amri.unwrap();
        assert!(amri.abs() < 1e-12, "{amri}");
    }

    #[test]
    fn amri_of_random_scorer_near_zero() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        let ranks: Vec<Rank> = (0..4000)
            .map(|_| {
                let scores: Vec<f32> = (0..200).map(|_| rng.random()).collect();
                raw_and_filtered_rank(&scores, rng.random_range(0..200), &[]).0
            })
            .collect();
        let amri = RankMetrics::from_ranks(&ranks).unwrap().amri.unwrap();
        assert!(amri.abs() < 0.03, "AMRI of a random scorer: {amri}");
    }

    #[test]
    fn amri_undefined_for_single_candidates() {
        let ranks = [Rank {
            optimistic: 1,
            pessimistic: 1,
            candidates: 1,
        }];
        assert_eq!(RankMetrics::from_ranks(&ranks).unwrap().amri, None);
        assert!(RankMetrics::from_ranks(&[]).is_none());
    }

    #[test]
    fn top_k_probability_splits_ties() {
        let rank = Rank {
            optimistic: 9,
            pessimistic: 12,
            candidates: 40,
        };
        assert!((rank.top_k_probability(8) - 0.0).abs() < 1e-12);
        assert!((rank.top_k_probability(10) - 0.5).abs() < 1e-12);
        assert!((rank.top_k_probability(12) - 1.0).abs() < 1e-12);
        assert!((rank.top_k_probability(100) - 1.0).abs() < 1e-12);
    }

    fn scores_and_filter() -> impl Strategy<Value = (Vec<f32>, usize, Vec<usize>)> {
        // Few distinct values make ties frequent.
        proptest::collection::vec(
            prop_oneof![Just(f32::NAN), (0u8..6).prop_map(f32::from)],
            1..60,
        )
        .prop_flat_map(|scores| {
            let n = scores.len();
            (
                Just(scores),
                0..n,
                proptest::collection::btree_set(0..n, 0..n),
            )
        })
        .prop_map(|(scores, answer, filter)| {
            let filter = filter.into_iter().filter(|&p| p != answer).collect();
            (scores, answer, filter)
        })
    }

    proptest! {
        #[test]
        fn filtered_rank_never_above_raw((scores, answer, filter) in scores_and_filter()) {
            let (raw, filtered) = raw_and_filtered_rank(&scores, answer, &filter);
            prop_assert!(filtered.optimistic <= raw.optimistic);
            prop_assert!(filtered.pessimistic <= raw.pessimistic);
            prop_assert!(filtered.realistic() <= raw.realistic());
        }

        #[test]
        fn ranks_within_candidates((scores, answer, filter) in scores_and_filter()) {
            let (raw, filtered) = raw_and_filtered_rank(&scores, answer, &filter);
            for rank in [raw, filtered] {
                prop_assert!(rank.optimistic >= 1);
                prop_assert!(rank.optimistic <= rank.pessimistic);
                prop_assert!(rank.pessimistic <= rank.candidates);
            }
            prop_assert_eq!(raw.candidates as usize, scores.len());
            prop_assert_eq!(filtered.candidates as usize, scores.len() - filter.len());
        }

        #[test]
        fn rank_matches_sorting((scores, answer, _filter) in scores_and_filter()) {
            // Sort descending; the answer's tie block spans the optimistic..=pessimistic ranks.
            let key = |s: f32| if s.is_nan() { f32::NEG_INFINITY } else { s };
            let mut sorted: Vec<f32> = scores.iter().map(|&s| key(s)).collect();
            sorted.sort_by(|a, b| b.total_cmp(a));
            let target = key(scores[answer]);
            let first = sorted.iter().position(|&s| s == target).unwrap() + 1;
            let last = sorted.iter().rposition(|&s| s == target).unwrap() + 1;
            let (raw, _) = raw_and_filtered_rank(&scores, answer, &[]);
            prop_assert_eq!(raw.optimistic as usize, first);
            prop_assert_eq!(raw.pessimistic as usize, last);
        }
    }
}
