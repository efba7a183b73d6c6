//! Plain-text tables of an [`EvaluationReport`]: the model's row above the baseline's row
//! for every relation, so each number can be read against the prior.
//!
//! ```
//! # use rxgraph::eval::{evaluate_scorer, DegreePrior, EvalConfig, EvaluationReport, KnownTriples};
//! # use rxgraph::kg::{GraphBuilder, Schema, Split, SplitConfig, Strategy};
//! # let mut builder = GraphBuilder::new(Schema::hetionet());
//! # for i in 0..20 {
//! #     builder.add_node(&format!("DB{i}"), "Compound", "c", None).unwrap();
//! #     builder.add_node(&format!("DOID:{i}"), "Disease", "d", None).unwrap();
//! #     builder.add_edge(&format!("Compound::DB{i}"), "CtD", &format!("Disease::DOID:{i}"), None);
//! # }
//! # let graph = builder.build().unwrap();
//! # let split_config = SplitConfig::new("demo", &["CtD"], Strategy::Random, 1);
//! # let split = Split::make(&graph, &split_config).unwrap();
//! # let config = EvalConfig::new(graph.schema(), 42);
//! # let known = KnownTriples::new(&graph, graph.edges(), &config.filter_groups);
//! # let prior = DegreePrior::new(&graph, &split.train(&graph));
//! # let baseline = evaluate_scorer(&prior, &graph, &split, &known, &config).unwrap();
//! let report = EvaluationReport::new(&graph, &split, &config, None, baseline);
//! let mut text = Vec::new();
//! rxgraph::eval::write_tables(&report, &mut text).unwrap();
//! assert!(String::from_utf8(text).unwrap().contains("degree prior"));
//! ```

use std::io::Write;

use super::negatives::NegativeProtocol;
use super::ranks::RankMetrics;
use super::report::{EvaluationReport, SideMetrics};
use crate::kg::Strategy;

/// Writes the split header with its leakage, then the ranking, classification and top-k
/// tables.
///
/// # Errors
/// Writing to `out` fails.
pub fn write_tables(report: &EvaluationReport, out: &mut impl Write) -> std::io::Result<()> {
    write_header(report, out)?;
    write_ranking(report, out)?;
    write_classification(report, out)?;
    write_top_k(report, out)
}

/// Writes the split, its settings and its leakage report.
pub fn write_header(report: &EvaluationReport, out: &mut impl Write) -> std::io::Result<()> {
    let config = &report.split_config;
    let strategy = match &config.strategy {
        Strategy::Random => "random pairs held out".to_owned(),
        Strategy::HeldOutNodes { kind } => format!("{kind} nodes held out"),
    };
    writeln!(
        out,
        "split {}: relations {}, {strategy}, split seed {}; negatives seed {}",
        report.split,
        config.relations.join(","),
        config.seed,
        report.seed
    )?;
    let leakage = &report.leakage;
    writeln!(
        out,
        "leakage: {} held-out triples also in training, {} reversed in training, {} with the same \
         pair under another relation in training",
        leakage.duplicates, leakage.inverses, leakage.same_pair_other_relation
    )?;
    for example in &leakage.examples {
        writeln!(out, "  leak: {example}")?;
    }
    let groups: Vec<String> = report.filter_groups.iter().map(|g| g.join("+")).collect();
    writeln!(
        out,
        "filter groups: {}",
        if groups.is_empty() {
            "none".into()
        } else {
            groups.join(", ")
        }
    )
}

fn write_ranking(report: &EvaluationReport, out: &mut impl Write) -> std::io::Result<()> {
    writeln!(
        out,
        "\nfiltered ranking against all nodes of the right kind \
         (realistic ranks; raw MRR in brackets)"
    )?;
    writeln!(
        out,
        "{:<8} {:<16} {:<5} {:>7} {:>9} {:>6} {:>6} {:>6} {:>9} {:>7} {:>6}",
        "relation", "model", "side", "queries", "MRR", "(raw)", "H@1", "H@3", "H@10", "MR", "AMRI"
    )?;
    let relations = relation_names(report);
    for relation in &relations {
        for side in ["head", "tail", "both"] {
            for evaluation in report.evaluations() {
                let Some(entry) = evaluation
                    .relations
                    .iter()
                    .find(|r| &r.relation == relation)
                else {
                    continue;
                };
                let metrics = match side {
                    "head" => entry.ranking.head,
                    "tail" => entry.ranking.tail,
                    _ => entry.ranking.both,
                };
                write_rank_row(out, relation, &evaluation.model, side, &metrics)?;
            }
        }
    }
    for evaluation in report.evaluations() {
        write_rank_row(
            out,
            "all",
            &evaluation.model,
            "both",
            &evaluation.overall.both,
        )?;
    }
    Ok(())
}

fn write_rank_row(
    out: &mut impl Write,
    relation: &str,
    model: &str,
    side: &str,
    metrics: &SideMetrics,
) -> std::io::Result<()> {
    let Some(filtered) = metrics.filtered else {
        return Ok(());
    };
    let raw_mrr = metrics.raw.map_or(f64::NAN, |m: RankMetrics| m.mrr);
    writeln!(
        out,
        "{relation:<8} {model:<16} {side:<5} {:>7} {:>9.4} {:>6} {:>6.3} {:>6.3} {:>9.3} {:>7.1} {:>6}",
        filtered.count,
        filtered.mrr,
        format!("({raw_mrr:.3})"),
        filtered.hits_at_1,
        filtered.hits_at_3,
        filtered.hits_at_10,
        filtered.mean_rank,
        filtered.amri.map_or("-".into(), |a| format!("{a:.3}")),
    )
}

fn write_classification(report: &EvaluationReport, out: &mut impl Write) -> std::io::Result<()> {
    writeln!(
        out,
        "\nclassification (AUROC, AUPRC per negative protocol; threshold chosen on valid 1:1)"
    )?;
    writeln!(
        out,
        "{:<8} {:<16} {:>10} {:>9} {:>9} {:>11} {:>10} {:>10} {:>6} {:>6} {:>6}",
        "relation",
        "model",
        "neg/pos",
        "AUROC",
        "AUPRC",
        "neg/pos",
        "AUROC",
        "AUPRC",
        "acc",
        "prec",
        "F1"
    )?;
    let cell = |value: Option<f64>| value.map_or("-".into(), |v| format!("{v:.4}"));
    for relation in &relation_names(report) {
        for evaluation in report.evaluations() {
            let Some(entry) = evaluation
                .relations
                .iter()
                .find(|r| &r.relation == relation)
            else {
                continue;
            };
            let protocol = |wanted| {
                entry
                    .classification
                    .iter()
                    .find(|c| c.negatives_protocol == wanted)
            };
            let (one, all) = (
                protocol(NegativeProtocol::OneToOne),
                protocol(NegativeProtocol::AllPairs),
            );
            let ratio = |m: Option<&super::BinaryMetrics>| {
                m.map_or("-".into(), |m| format!("1:{:.0}", m.negatives_per_positive))
            };
            let threshold = entry.threshold;
            writeln!(
                out,
                "{relation:<8} {:<16} {:>10} {:>9} {:>9} {:>11} {:>10} {:>10} {:>6} {:>6} {:>6}",
                evaluation.model,
                ratio(one),
                cell(one.and_then(|m| m.auroc)),
                cell(one.and_then(|m| m.auprc)),
                ratio(all),
                cell(all.and_then(|m| m.auroc)),
                cell(all.and_then(|m| m.auprc)),
                threshold.map_or("-".into(), |t| format!("{:.3}", t.accuracy)),
                threshold.map_or("-".into(), |t| format!("{:.3}", t.precision)),
                threshold.map_or("-".into(), |t| format!("{:.3}", t.f1)),
            )?;
        }
    }
    Ok(())
}

fn write_top_k(report: &EvaluationReport, out: &mut impl Write) -> std::io::Result<()> {
    writeln!(
        out,
        "\nentity-centric top-k, filtered \
         (head: heads ranked per tail, e.g. compounds per disease)"
    )?;
    writeln!(
        out,
        "{:<8} {:<16} {:<5} {:>8} {:>6} {:>8} {:>11}",
        "relation", "model", "side", "entities", "k", "recall", "precision"
    )?;
    for relation in &relation_names(report) {
        for evaluation in report.evaluations() {
            let Some(entry) = evaluation
                .relations
                .iter()
                .find(|r| &r.relation == relation)
            else {
                continue;
            };
            for metrics in &entry.top_k {
                writeln!(
                    out,
                    "{relation:<8} {:<16} {:<5} {:>8} {:>6} {:>8.4} {:>11.4}",
                    evaluation.model,
                    metrics.side.as_str(),
                    metrics.entities,
                    metrics.k,
                    metrics.recall,
                    metrics.precision
                )?;
            }
        }
    }
    Ok(())
}

/// Returns the relations in report order, as the baseline lists them.
fn relation_names(report: &EvaluationReport) -> Vec<String> {
    report
        .baseline
        .relations
        .iter()
        .map(|r| r.relation.clone())
        .collect()
}
