//! The degree-prior baseline on the real `indication-disease` split of the embedded Hetionet
//! graph: rank invariants on every query, agreement with a brute-force filtered rank, and
//! metrics in their ranges.

use std::collections::HashSet;

use rxgraph::eval::{
    evaluate_scorer, rank_test_triples, DegreePrior, EvalConfig, KnownTriples, NegativeProtocol,
    Side,
};
use rxgraph::kg::ingest::{self, Sources};
use rxgraph::kg::{KnowledgeGraph, Split, SplitConfig, Strategy, Triple};
use rxgraph::model::LinkScorer;

fn embedded_split() -> (KnowledgeGraph, Split) {
    let graph = ingest::load(&Sources::embedded(), false).unwrap();
    let held_out = Strategy::HeldOutNodes {
        kind: "Disease".into(),
    };
    let config = SplitConfig::new("indication-disease", &["CtD", "CpD"], held_out, 42);
    let split = Split::make(&graph, &config).unwrap();
    (graph, split)
}

/// Ranks `answer` for a tail query by sorting all candidates, filtering every other known
/// tail of the CtD+CpD group; returns the realistic rank.
fn brute_force_tail_rank(graph: &KnowledgeGraph, scorer: &dyn LinkScorer, triple: Triple) -> f64 {
    let schema = graph.schema();
    let group = [
        schema.relation_id("CtD").unwrap(),
        schema.relation_id("CpD").unwrap(),
    ];
    let known: HashSet<u32> = graph
        .edges()
        .iter()
        .filter(|t| t.head == triple.head && group.contains(&t.relation) && t.tail != triple.tail)
        .map(|t| t.tail)
        .collect();
    let diseases = graph.kind_range(schema.kind_id("Disease").unwrap());
    let candidates: Vec<Triple> = diseases
        .filter(|d| !known.contains(d))
        .map(|tail| Triple {
            head: triple.head,
            relation: triple.relation,
            tail,
        })
        .collect();
    let scores = scorer.score_triples(&candidates);
    let target = scorer.score_triples(&[triple])[0];
    let higher = scores.iter().filter(|&&s| s > target).count() as f64;
    let tied = scores.iter().filter(|&&s| s == target).count() as f64;
    // The answer is among the candidates and ties with itself.
    higher + (1.0 + tied) / 2.0
}

#[test]
fn baseline_on_held_out_diseases() {
    let (graph, split) = embedded_split();
    let train = split.train(&graph);
    let test = split.test(&graph);
    let config = EvalConfig::new(graph.schema(), 42);
    let known = KnownTriples::new(&graph, graph.edges(), &config.filter_groups);
    let prior = DegreePrior::new(&graph, &train);

    // Held-out diseases have no training indication, so the prior gives them degree 0.
    let ctd = graph.schema().relation_id("CtD").unwrap();
    for triple in test.iter().filter(|t| t.relation == ctd) {
        assert_eq!(
            prior.log_degree(ctd, triple.tail),
            0.0,
            "test disease {} has a training degree",
            triple.tail
        );
    }

    let outcome = rank_test_triples(&prior, &graph, &test, &known, &config.ranking).unwrap();
    assert_eq!(outcome.ranks.len(), 2 * test.len());
    for rank in &outcome.ranks {
        assert!(
            rank.filtered.realistic() <= rank.raw.realistic(),
            "{rank:?}"
        );
        assert!(rank.filtered.optimistic >= 1, "{rank:?}");
        assert!(rank.raw.pessimistic <= rank.raw.candidates, "{rank:?}");
        assert!(
            rank.filtered.pessimistic <= rank.filtered.candidates,
            "{rank:?}"
        );
        assert!(rank.filtered.candidates <= rank.raw.candidates, "{rank:?}");
    }

    // The batched, filtered rank agrees with sorting all candidates by hand.
    for rank in outcome
        .ranks
        .iter()
        .filter(|r| r.side == Side::Tail)
        .take(20)
    {
        let expected = brute_force_tail_rank(&graph, &prior, rank.triple);
        assert!(
            (rank.filtered.realistic() - expected).abs() < 1e-9,
            "{:?}: {expected}",
            rank.filtered
        );
    }
}

#[test]
fn baseline_metrics_in_range() {
    let (graph, split) = embedded_split();
    let config = EvalConfig::new(graph.schema(), 42);
    let known = KnownTriples::new(&graph, graph.edges(), &config.filter_groups);
    let prior = DegreePrior::new(&graph, &split.train(&graph));
    let evaluation = evaluate_scorer(&prior, &graph, &split, &known, &config).unwrap();

    let names: Vec<&str> = evaluation
        .relations
        .iter()
        .map(|r| r.relation.as_str())
        .collect();
    assert_eq!(names, ["CtD", "CpD"]);
    for relation in &evaluation.relations {
        let both = relation.ranking.both;
        let (raw, filtered) = (both.raw.unwrap(), both.filtered.unwrap());
        assert_eq!(filtered.count, 2 * relation.test_triples);
        assert!(
            filtered.mrr >= raw.mrr,
            "{}: filtered MRR below raw",
            relation.relation
        );
        assert!(
            filtered.mrr > 0.0,
            "{}: MRR {}",
            relation.relation,
            filtered.mrr
        );
        assert!(
            filtered.mrr <= 1.0,
            "{}: MRR {}",
            relation.relation,
            filtered.mrr
        );
        assert!(filtered.hits_at_1 <= filtered.hits_at_3, "{filtered:?}");
        assert!(filtered.hits_at_3 <= filtered.hits_at_10, "{filtered:?}");

        let one_to_one = relation
            .classification
            .iter()
            .find(|c| c.negatives_protocol == NegativeProtocol::OneToOne)
            .unwrap();
        assert_eq!(one_to_one.positives, relation.test_triples);
        assert_eq!(one_to_one.negatives, relation.test_triples);
        let all_pairs = relation
            .classification
            .iter()
            .find(|c| c.negatives_protocol == NegativeProtocol::AllPairs)
            .unwrap();
        // 1,552 compounds × 137 diseases, minus the known indication pairs.
        assert!(
            all_pairs.negatives > 200_000 && all_pairs.negatives < 1_552 * 137,
            "{}",
            all_pairs.negatives
        );
        for metrics in [one_to_one, all_pairs] {
            let auroc = metrics.auroc.unwrap();
            assert!((0.0..=1.0).contains(&auroc), "{auroc}");
        }
        assert!(
            relation.threshold.is_some(),
            "{}: no threshold without validation",
            relation.relation
        );
        for top in &relation.top_k {
            assert!((0.0..=1.0).contains(&top.recall), "{top:?}");
            assert!((0.0..=1.0).contains(&top.precision), "{top:?}");
        }
    }
}

#[test]
fn baseline_beats_random_on_random_pairs() {
    // On random pairs the degree of a held-out pair's ends is known from training, so the
    // prior must rank far better than chance.
    let graph = ingest::load(&Sources::embedded(), false).unwrap();
    let config = SplitConfig::new("indication-random", &["CtD", "CpD"], Strategy::Random, 42);
    let split = Split::make(&graph, &config).unwrap();
    let mut eval_config = EvalConfig::new(graph.schema(), 42);
    eval_config.all_pairs = false;
    let known = KnownTriples::new(&graph, graph.edges(), &eval_config.filter_groups);
    let prior = DegreePrior::new(&graph, &split.train(&graph));
    let evaluation = evaluate_scorer(&prior, &graph, &split, &known, &eval_config).unwrap();
    let amri = evaluation.overall.both.filtered.unwrap().amri.unwrap();
    assert!(amri > 0.5, "AMRI {amri}");
}
