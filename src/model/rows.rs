//! Scoring on the CPU without libtorch: entity and relation vectors as plain `f32` rows.
//!
//! A ranking query scores one node against the candidates of one kind. Through libtorch
//! that is a handful of small tensor operations whose dispatch and thread hand-off cost
//! more than the arithmetic, and tch tensors must sit behind a mutex to be shared between
//! server threads. [`RowScorer`] owns the rows and scores them with the interaction's
//! [`Comparison`] loop: a single query runs on the calling thread, several queries are
//! spread over rayon's thread pool.
//!
//! ```
//! use rxgraph::model::interaction::{Interaction, TransE};
//! use rxgraph::model::rows::RowScorer;
//!
//! let transe = TransE { p_norm: 1 };
//! // Three entities and one relation of width 2.
//! let scorer = RowScorer::new(&transe, vec![0.0, 0.0, 1.0, 0.0, 0.0, 1.0], vec![1.0, 0.0], 2);
//! let scores = scorer.score_grid(&transe, &[0], 0, 1..3, true);
//! // (e0 + r) equals e1 exactly, and is at L1 distance 2 from e2.
//! assert_eq!(scores, vec![0.0, -2.0]);
//! ```

use std::ops::Range;

use rayon::prelude::*;

use super::interaction::{Comparison, Interaction};
use crate::kg::Triple;

/// Entity and relation vectors in row-major `Vec<f32>`s.
#[derive(Debug, Clone)]
pub struct RowScorer {
    comparison: Comparison,
    width: usize,
    entities: Vec<f32>,
    relations: Vec<f32>,
}

impl RowScorer {
    /// Wraps `entities` (`E × width`) and `relations` (`R × width`, rows of
    /// [`Interaction::relation_vectors`]), both row-major.
    ///
    /// # Panics
    /// When `width` is 0 or either length is not a multiple of `width`.
    #[must_use]
    pub fn new(
        interaction: &dyn Interaction,
        entities: Vec<f32>,
        relations: Vec<f32>,
        width: usize,
    ) -> Self {
        assert!(width > 0, "row width must be positive");
        assert_eq!(entities.len() % width, 0, "entity rows must have the width");
        assert_eq!(
            relations.len() % width,
            0,
            "relation rows must have the width"
        );
        Self {
            comparison: interaction.comparison(),
            width,
            entities,
            relations,
        }
    }

    /// Returns the row width.
    #[must_use]
    pub fn width(&self) -> usize {
        self.width
    }

    /// Returns all entity rows, row-major.
    #[must_use]
    pub fn entities(&self) -> &[f32] {
        &self.entities
    }

    fn entity(&self, index: u32) -> &[f32] {
        let start = index as usize * self.width;
        &self.entities[start..start + self.width]
    }

    fn relation(&self, index: usize) -> &[f32] {
        let start = index * self.width;
        &self.relations[start..start + self.width]
    }

    /// Scores `queries` against `candidates` in the direction `query relation candidate`
    /// when `query_is_head`, else `candidate relation query`, and returns a row-major
    /// `Q × C` matrix. `interaction` must be the one the scorer was built with.
    #[must_use]
    pub fn score_grid(
        &self,
        interaction: &dyn Interaction,
        queries: &[u32],
        relation: usize,
        candidates: Range<u32>,
        query_is_head: bool,
    ) -> Vec<f32> {
        let count = candidates.len();
        let mut out = vec![0.0f32; queries.len() * count];
        if out.is_empty() {
            return out;
        }
        let block = &self.entities
            [candidates.start as usize * self.width..candidates.end as usize * self.width];
        let relation = self.relation(relation);
        let fill = |(&query, row): (&u32, &mut [f32])| {
            let mut combined = vec![0.0f32; self.width];
            interaction.combine_query(self.entity(query), relation, query_is_head, &mut combined);
            score_rows(self.comparison, &combined, block, row);
        };
        if queries.len() == 1 {
            fill((&queries[0], &mut out));
        } else {
            queries
                .par_iter()
                .zip(out.par_chunks_mut(count))
                .for_each(fill);
        }
        out
    }

    /// Scores each triple; `interaction` must be the one the scorer was built with.
    #[must_use]
    pub fn score_triples(&self, interaction: &dyn Interaction, triples: &[Triple]) -> Vec<f32> {
        triples
            .par_iter()
            .map_init(
                || vec![0.0f32; self.width],
                |combined, triple| {
                    interaction.combine_query(
                        self.entity(triple.head),
                        self.relation(usize::from(triple.relation)),
                        true,
                        combined,
                    );
                    self.comparison.score(combined, self.entity(triple.tail))
                },
            )
            .collect()
    }
}

/// Scores `query` against each `query.len()`-wide row of `block` into `out`.
///
/// Compiled for AVX-512 and AVX2 as well as the baseline target, and dispatched on the CPU
/// at run time. With the baseline (SSE2) build, ranking one drug against 20,945 genes took
/// 1.5× as long. Every version sums in the same [`LANES`](super::interaction::LANES)
/// partial sums, so all give the same scores bit for bit.
#[multiversion::multiversion(targets(
    "x86_64+avx512f+avx512vl+avx2+fma",
    "x86_64+avx2+fma"
))]
fn score_rows(comparison: Comparison, query: &[f32], block: &[f32], out: &mut [f32]) {
    // One loop per comparison, so that each is vectorised on its own.
    macro_rules! each_row {
        ($comparison:expr) => {
            for (score, candidate) in out.iter_mut().zip(block.chunks_exact(query.len())) {
                *score = $comparison.score(query, candidate);
            }
        };
    }
    match comparison {
        Comparison::Dot => each_row!(Comparison::Dot),
        Comparison::NegativeL1 => each_row!(Comparison::NegativeL1),
        Comparison::NegativeL2 => each_row!(Comparison::NegativeL2),
        Comparison::NegativeComplexModulus => each_row!(Comparison::NegativeComplexModulus),
    }
}

#[cfg(test)]
mod tests {
    use tch::{Device, Kind, Tensor};

    use super::*;
    use crate::model::interaction;
    use crate::model::ModelKind;

    const KINDS: [(ModelKind, u8); 5] = [
        (ModelKind::TransE, 1),
        (ModelKind::TransE, 2),
        (ModelKind::DistMult, 1),
        (ModelKind::ComplEx, 1),
        (ModelKind::RotatE, 1),
    ];

    fn to_vec(tensor: &Tensor) -> Vec<f32> {
        Vec::<f32>::try_from(&tensor.contiguous().view([-1])).unwrap()
    }

    /// Scores of every ordered pair through libtorch and through the rows, both directions.
    #[test]
    fn rows_match_libtorch_for_every_interaction() {
        tch::manual_seed(7);
        let (entity_count, dim) = (9_i64, 13_usize);
        for (kind, p_norm) in KINDS {
            let interaction = interaction::for_kind(kind, p_norm);
            let entities = interaction.init_entities(entity_count, dim, Device::Cpu);
            let relations =
                interaction.relation_vectors(&interaction.init_relations(2, dim, Device::Cpu));
            let width = usize::try_from(interaction.entity_width(dim)).unwrap();
            let rows = RowScorer::new(
                interaction.as_ref(),
                to_vec(&entities),
                to_vec(&relations),
                width,
            );

            let relation = relations.get(1).view([1, 1, -1]);
            let heads = entities.narrow(0, 0, 3).unsqueeze(1);
            let tails = entities.narrow(0, 3, 6).unsqueeze(0);
            let expected = to_vec(&interaction.score(&heads, &relation, &tails));
            let found = rows.score_grid(interaction.as_ref(), &[0, 1, 2], 1, 3..9, true);
            assert_close(&found, &expected, kind);

            // Tail queries: the three heads ranked against each of six tails.
            let expected = to_vec(&interaction.score(
                &heads.squeeze_dim(1).unsqueeze(0),
                &relation,
                &tails.squeeze_dim(0).unsqueeze(1),
            ));
            let found = rows.score_grid(interaction.as_ref(), &[3, 4, 5, 6, 7, 8], 1, 0..3, false);
            assert_close(&found, &expected, kind);

            let triples = [
                Triple {
                    head: 0,
                    relation: 1,
                    tail: 4,
                },
                Triple {
                    head: 8,
                    relation: 0,
                    tail: 2,
                },
            ];
            let h = entities.index_select(0, &Tensor::from_slice(&[0_i64, 8]));
            let r = relations.index_select(0, &Tensor::from_slice(&[1_i64, 0]));
            let t = entities.index_select(0, &Tensor::from_slice(&[4_i64, 2]));
            let expected = to_vec(&interaction.score(&h, &r, &t).to_kind(Kind::Float));
            assert_close(
                &rows.score_triples(interaction.as_ref(), &triples),
                &expected,
                kind,
            );
        }
    }

    fn assert_close(found: &[f32], expected: &[f32], kind: ModelKind) {
        assert_eq!(found.len(), expected.len(), "{kind:?}: score count");
        for (i, (a, b)) in found.iter().zip(expected).enumerate() {
            assert!(
                (a - b).abs() <= 1e-4 * (1.0 + b.abs()),
                "{kind:?}: score {i} is {a}, libtorch gives {b}"
            );
        }
    }

    #[test]
    fn empty_grid_has_no_scores() {
        let transe = interaction::TransE { p_norm: 1 };
        let rows = RowScorer::new(&transe, vec![0.0; 4], vec![0.0; 2], 2);
        assert!(rows.score_grid(&transe, &[], 0, 0..2, true).is_empty());
        assert!(rows.score_grid(&transe, &[0], 0, 1..1, true).is_empty());
    }
}
