//! Type-constrained negative sampling.
//!
//! For each positive (h, r, t), [`NegativeSampler::sample`] draws `negatives / 2` corrupted
//! heads uniformly from the nodes of r's source kind and the rest as corrupted tails from
//! r's target kind, so that every negative is well typed (a compound never "treats" a gene).
//! [`NegativeSampler::sample_shared`] draws one such set for a whole batch of one relation,
//! which every positive of the batch is scored against (batch-shared negatives, as in
//! PyTorch-BigGraph): the same number of negatives per positive for a fraction of the
//! gathering and scattering.
//! Draws are not filtered against known triples, so a few negatives may be true; with
//! thousands of candidates per kind that share is small (PyKEEN's default does the same).
//!
//! ```
//! use rxgraph::kg::{GraphBuilder, Schema};
//! use rxgraph::model::sampler::NegativeSampler;
//!
//! let mut builder = GraphBuilder::new(Schema::hetionet());
//! builder.add_node("Compound::DB0", "Compound", "c", None).unwrap();
//! builder.add_node("Disease::DOID:0", "Disease", "d", None).unwrap();
//! builder.add_edge("Compound::DB0", "CtD", "Disease::DOID:0", None);
//! let graph = builder.build().unwrap();
//! let sampler = NegativeSampler::new(&graph, false, 4);
//! let negatives = sampler.sample(graph.edges(), &mut rand::rng());
//! assert_eq!(negatives.heads, vec![0, 0]);
//! assert_eq!(negatives.tails, vec![1, 1]);
//! ```

use std::ops::Range;

use rand::Rng;

use crate::kg::{KnowledgeGraph, Triple};

/// Corrupted heads and tails for a batch of `B` positives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Negatives {
    /// `B × per_head` head indices, row-major (positive-major).
    pub heads: Vec<i64>,
    /// `B × per_tail` tail indices, row-major.
    pub tails: Vec<i64>,
    /// Corrupted heads per positive.
    pub per_head: usize,
    /// Corrupted tails per positive.
    pub per_tail: usize,
}

/// Draws type-constrained negatives; relation `r + R` (inverse relations) swaps the kinds of `r`.
#[derive(Debug, Clone)]
pub struct NegativeSampler {
    head_ranges: Vec<Range<u32>>,
    tail_ranges: Vec<Range<u32>>,
    per_head: usize,
    per_tail: usize,
}

impl NegativeSampler {
    /// Prepares the kind ranges of every relation of `graph` (and of their inverses).
    #[must_use]
    pub fn new(graph: &KnowledgeGraph, inverse_relations: bool, negatives: usize) -> Self {
        let relations = &graph.schema().relations;
        let mut head_ranges: Vec<Range<u32>> = relations
            .iter()
            .map(|r| graph.kind_range(r.source))
            .collect();
        let mut tail_ranges: Vec<Range<u32>> = relations
            .iter()
            .map(|r| graph.kind_range(r.target))
            .collect();
        if inverse_relations {
            let (heads, tails) = (head_ranges.clone(), tail_ranges.clone());
            head_ranges.extend(tails);
            tail_ranges.extend(heads);
        }
        Self {
            head_ranges,
            tail_ranges,
            per_head: negatives / 2,
            per_tail: negatives - negatives / 2,
        }
    }

    /// Draws one set of negatives for a batch of positives of `relation`, shared by all of
    /// them: `per_head` heads and `per_tail` tails in total rather than per positive.
    pub fn sample_shared(&self, relation: u16, rng: &mut impl Rng) -> Negatives {
        let range = &self.head_ranges[relation as usize];
        let heads = (0..self.per_head)
            .map(|_| i64::from(rng.random_range(range.clone())))
            .collect();
        let range = &self.tail_ranges[relation as usize];
        let tails = (0..self.per_tail)
            .map(|_| i64::from(rng.random_range(range.clone())))
            .collect();
        Negatives {
            heads,
            tails,
            per_head: self.per_head,
            per_tail: self.per_tail,
        }
    }

    /// Draws the negatives of `batch`.
    ///
    /// # Panics
    /// Panics if a relation's kind has no nodes, which a triple of that relation rules out.
    pub fn sample(&self, batch: &[Triple], rng: &mut impl Rng) -> Negatives {
        let mut heads = Vec::with_capacity(batch.len() * self.per_head);
        let mut tails = Vec::with_capacity(batch.len() * self.per_tail);
        for triple in batch {
            let range = &self.head_ranges[triple.relation as usize];
            heads.extend((0..self.per_head).map(|_| i64::from(rng.random_range(range.clone()))));
            let range = &self.tail_ranges[triple.relation as usize];
            tails.extend((0..self.per_tail).map(|_| i64::from(rng.random_range(range.clone()))));
        }
        Negatives {
            heads,
            tails,
            per_head: self.per_head,
            per_tail: self.per_tail,
        }
    }
}

/// Returns `triples` followed by their inverses `(t, r + relation_count, h)`.
#[must_use]
pub fn with_inverses(triples: &[Triple], relation_count: usize) -> Vec<Triple> {
    let offset = u16::try_from(relation_count).expect("relation ids fit u16");
    let inverses = triples.iter().map(|t| Triple {
        head: t.tail,
        relation: t.relation + offset,
        tail: t.head,
    });
    triples.iter().copied().chain(inverses).collect()
}
