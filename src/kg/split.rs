//! Train/validation/test splits of the target relations, and the leakage check.
//!
//! A split assigns every edge of the graph to one [`Part`]. Edges of the target relations
//! (e.g. CtD and CpD for indications) are split; all other edges stay in training as the
//! background graph, except that a held-out pair is held out across *all* relations that join
//! the same two nodes, in either direction, so that no other edge between them remains in
//! training to give the answer away.
//!
//! Two strategies: [`Strategy::Random`] holds out random node pairs; [`Strategy::HeldOutNodes`]
//! holds out random nodes of one kind (e.g. diseases) with all their target edges, which asks
//! the harder question "which drugs treat a disease with no known treatment?".
//!
//! ```
//! use rxgraph::kg::{GraphBuilder, Schema, split::{Split, SplitConfig, Strategy}};
//!
//! let mut builder = GraphBuilder::new(Schema::hetionet());
//! for i in 0..10 {
//!     builder.add_node(&format!("DB{i}"), "Compound", "c", None).unwrap();
//!     builder.add_node(&format!("DOID:{i}"), "Disease", "d", None).unwrap();
//!     builder.add_edge(&format!("Compound::DB{i}"), "CtD", &format!("Disease::DOID:{i}"), None);
//! }
//! let graph = builder.build().unwrap();
//! let config = SplitConfig::new("demo", &["CtD"], Strategy::Random, 42);
//! let split = Split::make(&graph, &config).unwrap();
//! assert_eq!(split.test(&graph).len(), 1);
//! assert_eq!(split.leakage.total(), 0);
//! ```

use std::collections::{HashMap, HashSet};
use std::path::Path;

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::error::KgError;
use super::graph::{KnowledgeGraph, Triple};
use super::schema::{KindId, RelationId};
use super::table;

/// Part of a split an edge belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Part {
    /// Used for training (all background edges, and most target edges).
    Train,
    /// Used for early stopping, calibration and threshold choice.
    Valid,
    /// Used only for the final evaluation.
    Test,
}

impl Part {
    /// Returns the name used in files (`train`, `valid`, `test`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Train => "train",
            Self::Valid => "valid",
            Self::Test => "test",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        match text {
            "train" => Some(Self::Train),
            "valid" => Some(Self::Valid),
            "test" => Some(Self::Test),
            _ => None,
        }
    }
}

/// How held-out edges are chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "type")]
pub enum Strategy {
    /// Random node pairs of the target relations.
    Random,
    /// Random nodes of `kind`, with every target edge that touches them.
    HeldOutNodes {
        /// Kind whose nodes are held out (e.g. `Disease`).
        kind: String,
    },
}

/// Settings of one split.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SplitConfig {
    /// Name; the split is stored in `splits/<name>/`.
    pub name: String,
    /// Abbreviations of the target relations (e.g. `CtD`, `CpD`).
    pub relations: Vec<String>,
    /// How held-out edges are chosen.
    pub strategy: Strategy,
    /// Share of target pairs (or nodes) for validation, in `[0, 1)`.
    pub valid_fraction: f64,
    /// Share of target pairs (or nodes) for test, in `(0, 1)`.
    pub test_fraction: f64,
    /// Seed of the shuffle; the same graph, config and seed give the same split.
    pub seed: u64,
}

impl SplitConfig {
    /// Returns a config with 10 % validation and 10 % test.
    #[must_use]
    pub fn new(name: &str, relations: &[&str], strategy: Strategy, seed: u64) -> Self {
        Self {
            name: name.to_owned(),
            relations: relations.iter().map(|r| (*r).to_owned()).collect(),
            strategy,
            valid_fraction: 0.1,
            test_fraction: 0.1,
            seed,
        }
    }

    /// Returns the default splits for the relations the graph has: indications (CtD, CpD)
    /// by random pairs and by held-out diseases; drug–target (CbG) by random pairs and by
    /// held-out compounds.
    #[must_use]
    pub fn defaults(graph: &KnowledgeGraph, seed: u64) -> Vec<Self> {
        let has = |r: &str| {
            graph
                .schema()
                .relation_id(r)
                .is_some_and(|id| graph.relation_counts().iter().any(|(x, _)| *x == id))
        };
        let held_out = |kind: &str| Strategy::HeldOutNodes {
            kind: kind.to_owned(),
        };
        let mut configs = Vec::new();
        if has("CtD") {
            let relations: Vec<&str> = ["CtD", "CpD"].into_iter().filter(|r| has(r)).collect();
            configs.push(Self::new(
                "indication-random",
                &relations,
                Strategy::Random,
                seed,
            ));
            configs.push(Self::new(
                "indication-disease",
                &relations,
                held_out("Disease"),
                seed,
            ));
        }
        if has("CbG") {
            configs.push(Self::new("target-random", &["CbG"], Strategy::Random, seed));
            configs.push(Self::new(
                "target-compound",
                &["CbG"],
                held_out("Compound"),
                seed,
            ));
        }
        configs
    }
}

/// Counts of held-out triples that training could give away.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeakageReport {
    /// Held-out triples that are also in training (for symmetric relations, either way).
    pub duplicates: usize,
    /// Held-out triples (h, r, t) whose reverse (t, r', h) is in training, for any r'.
    pub inverses: usize,
    /// Held-out triples (h, r, t) with (h, r', t) in training for another relation r'.
    pub same_pair_other_relation: usize,
    /// Up to ten examples, as `head relation tail: reason`.
    pub examples: Vec<String>,
}

impl LeakageReport {
    /// Returns the number of leaking held-out triples of all types.
    #[must_use]
    pub fn total(&self) -> usize {
        self.duplicates + self.inverses + self.same_pair_other_relation
    }
}

/// A split: the part of every edge, in the order of [`KnowledgeGraph::edges`].
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    /// Settings it was made with.
    pub config: SplitConfig,
    /// Target relation ids.
    pub target_relations: Vec<RelationId>,
    /// Part of each graph edge.
    pub parts: Vec<Part>,
    /// Leakage between training and the held-out parts (validation and test).
    pub leakage: LeakageReport,
}

#[derive(Serialize, Deserialize)]
struct SplitFile {
    config: SplitConfig,
    counts: HashMap<String, HashMap<String, usize>>,
    leakage: LeakageReport,
}

fn pair(t: &Triple) -> (u32, u32) {
    (t.head.min(t.tail), t.head.max(t.tail))
}

impl Split {
    /// Makes a split of `graph`.
    ///
    /// # Errors
    /// Unknown relations or kind, fractions outside their range, or too few target
    /// pairs or nodes to hold any out.
    pub fn make(graph: &KnowledgeGraph, config: &SplitConfig) -> Result<Self, KgError> {
        let invalid = |reason: String| KgError::Split {
            name: config.name.clone(),
            reason,
        };
        let schema = graph.schema();
        let present = graph.relation_counts();
        let relation_list = || {
            present
                .iter()
                .map(|&(r, _)| schema.relations[r as usize].abbreviation.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let targets: Vec<RelationId> = config
            .relations
            .iter()
            .map(|r| match schema.relation_id(r) {
                Some(id) if present.iter().any(|&(p, _)| p == id) => Ok(id),
                Some(_) => Err(invalid(format!(
                    "relation {r:?} has no edges in this graph; relations with edges: {}",
                    relation_list()
                ))),
                None => Err(invalid(format!(
                    "unknown relation {r:?}; relations in this graph: {}",
                    relation_list()
                ))),
            })
            .collect::<Result<_, _>>()?;
        if targets.is_empty() {
            return Err(invalid("no target relation given".into()));
        }
        let (valid, test) = (config.valid_fraction, config.test_fraction);
        if !((0.0..1.0).contains(&valid) && test > 0.0 && test < 1.0) || valid + test >= 1.0 {
            return Err(invalid(format!(
                "fractions valid={valid} test={test} must satisfy 0 <= valid, 0 < test, valid + test < 1"
            )));
        }
        let is_target = |t: &Triple| targets.contains(&t.relation);
        let mut rng = ChaCha8Rng::seed_from_u64(config.seed);

        // Units to shuffle: node pairs (random) or nodes of one kind (held-out nodes).
        let mut held_out_part: HashMap<(u32, u32), Part> = HashMap::new();
        match &config.strategy {
            Strategy::Random => {
                let mut pairs: Vec<(u32, u32)> = graph
                    .edges()
                    .iter()
                    .filter(|t| is_target(t))
                    .map(pair)
                    .collect();
                pairs.sort_unstable();
                pairs.dedup();
                let parts = assign(&mut pairs, &mut rng, valid, test).ok_or_else(|| {
                    invalid(format!(
                        "too few target pairs ({}) for a test share of {test}; raise --test-fraction or add edges",
                        pairs.len()
                    ))
                })?;
                held_out_part.extend(parts);
            }
            Strategy::HeldOutNodes { kind } => {
                // Held-out nodes must be ends of the target relations.
                let mut ends: Vec<KindId> = targets
                    .iter()
                    .flat_map(|&r| {
                        let spec = &schema.relations[r as usize];
                        [spec.source, spec.target]
                    })
                    .collect();
                ends.sort_unstable();
                ends.dedup();
                let end_list = || {
                    let names: Vec<&str> = ends
                        .iter()
                        .map(|&k| schema.kinds[k as usize].name.as_str())
                        .collect();
                    format!(
                        "kinds that {} join: {}",
                        config.relations.join(", "),
                        names.join(", ")
                    )
                };
                let kind_id = schema.kind_id(kind).ok_or_else(|| {
                    invalid(format!("unknown node kind {kind:?}; {}", end_list()))
                })?;
                if !ends.contains(&kind_id) {
                    return Err(invalid(format!(
                        "no target relation joins nodes of kind {kind:?}; {}",
                        end_list()
                    )));
                }
                let of_kind = |n: u32| graph.node(n).kind == kind_id;
                let mut nodes: Vec<u32> = graph
                    .edges()
                    .iter()
                    .filter(|t| is_target(t))
                    .flat_map(|t| [t.head, t.tail])
                    .filter(|&n| of_kind(n))
                    .collect();
                nodes.sort_unstable();
                nodes.dedup();
                if nodes.is_empty() {
                    return Err(invalid(format!(
                        "no target edge touches a node of kind {kind:?}"
                    )));
                }
                let node_parts: HashMap<u32, Part> = assign(&mut nodes, &mut rng, valid, test)
                    .ok_or_else(|| {
                        invalid(format!(
                            "too few {kind} nodes ({}) for a test share of {test}; raise --test-fraction or add edges",
                            nodes.len()
                        ))
                    })?
                    .into_iter()
                    .collect();
                for t in graph.edges().iter().filter(|t| is_target(t)) {
                    let node = if of_kind(t.head) { t.head } else { t.tail };
                    if let Some(&part) = node_parts.get(&node) {
                        held_out_part.insert(pair(t), part);
                    }
                }
            }
        }

        // Every edge joining a held-out pair, whatever its relation, goes with the pair.
        let parts: Vec<Part> = graph
            .edges()
            .iter()
            .map(|t| held_out_part.get(&pair(t)).copied().unwrap_or(Part::Train))
            .collect();

        let mut split = Self {
            config: config.clone(),
            target_relations: targets,
            parts,
            leakage: LeakageReport::default(),
        };
        let train = split.triples(graph, Part::Train);
        let mut held_out = split.triples(graph, Part::Valid);
        held_out.extend(split.triples(graph, Part::Test));
        split.leakage = check_leakage(graph, &train, &held_out);
        Ok(split)
    }

    /// Returns the edges of `part`; for validation and test only those of target relations.
    #[must_use]
    pub fn triples(&self, graph: &KnowledgeGraph, part: Part) -> Vec<Triple> {
        graph
            .edges()
            .iter()
            .zip(&self.parts)
            .filter(|(t, p)| {
                **p == part && (part == Part::Train || self.target_relations.contains(&t.relation))
            })
            .map(|(t, _)| *t)
            .collect()
    }

    /// Counts the edges of the target relations in `part`. For [`Part::Train`] this leaves
    /// out the background edges that [`Self::train`] includes.
    #[must_use]
    pub fn target_count(&self, graph: &KnowledgeGraph, part: Part) -> usize {
        graph
            .edges()
            .iter()
            .zip(&self.parts)
            .filter(|(t, p)| **p == part && self.target_relations.contains(&t.relation))
            .count()
    }

    /// Returns the training edges (background graph and training target edges).
    #[must_use]
    pub fn train(&self, graph: &KnowledgeGraph) -> Vec<Triple> {
        self.triples(graph, Part::Train)
    }

    /// Returns the validation edges of the target relations.
    #[must_use]
    pub fn valid(&self, graph: &KnowledgeGraph) -> Vec<Triple> {
        self.triples(graph, Part::Valid)
    }

    /// Returns the test edges of the target relations.
    #[must_use]
    pub fn test(&self, graph: &KnowledgeGraph) -> Vec<Triple> {
        self.triples(graph, Part::Test)
    }

    /// Counts edges per relation and part.
    #[must_use]
    pub fn counts(&self, graph: &KnowledgeGraph) -> HashMap<String, HashMap<String, usize>> {
        let mut counts: HashMap<String, HashMap<String, usize>> = HashMap::new();
        for (t, part) in graph.edges().iter().zip(&self.parts) {
            let relation = graph.schema().relations[t.relation as usize]
                .abbreviation
                .clone();
            *counts
                .entry(relation)
                .or_default()
                .entry(part.as_str().to_owned())
                .or_default() += 1;
        }
        counts
    }

    /// Writes `split.json` and `edges.parquet` (every edge with a `part` column) to `dir`.
    ///
    /// # Errors
    /// The files cannot be written.
    pub fn write(&self, dir: &Path, graph: &KnowledgeGraph) -> Result<(), KgError> {
        std::fs::create_dir_all(dir).map_err(|e| KgError::io("create", dir, e))?;
        let parts: Vec<&str> = self.parts.iter().map(|p| p.as_str()).collect();
        table::write_triples(
            &dir.join("edges.parquet"),
            graph,
            graph.edges(),
            Some(("part", parts)),
        )?;
        let file = SplitFile {
            config: self.config.clone(),
            counts: self.counts(graph),
            leakage: self.leakage.clone(),
        };
        let json = serde_json::to_string_pretty(&file).expect("split file serialises");
        let path = dir.join("split.json");
        std::fs::write(&path, json).map_err(|e| KgError::io("write", &path, e))
    }

    /// Reads a split written by [`Split::write`] for the same graph.
    ///
    /// # Errors
    /// Missing or invalid files, or edges that differ from the graph's.
    pub fn read(dir: &Path, graph: &KnowledgeGraph) -> Result<Self, KgError> {
        let path = dir.join("split.json");
        let bad = |reason: String| KgError::WorkDir {
            path: dir.to_owned(),
            reason,
        };
        let text = std::fs::read_to_string(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => bad("split.json not found; list splits with `rxgraph info` or make one with `rxgraph split`".into()),
            _ => KgError::io("read", &path, e),
        })?;
        let file: SplitFile =
            serde_json::from_str(&text).map_err(|e| bad(format!("split.json is invalid: {e}")))?;
        let (triples, parts) =
            table::read_triples(&dir.join("edges.parquet"), graph.schema(), Some("part"))?;
        if triples != graph.edges() {
            return Err(bad(
                "its edges differ from the graph's; re-create the split with `rxgraph split`"
                    .into(),
            ));
        }
        let parts = parts
            .iter()
            .map(|p| {
                Part::parse(p).ok_or_else(|| bad(format!("unknown part {p:?} in edges.parquet")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let target_relations = file
            .config
            .relations
            .iter()
            .map(|r| {
                graph
                    .schema()
                    .relation_id(r)
                    .ok_or_else(|| bad(format!("unknown relation {r:?}")))
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            config: file.config,
            target_relations,
            parts,
            leakage: file.leakage,
        })
    }
}

/// Shuffles `units` and assigns the first `test` share to test, the next `valid` share to
/// validation. Returns `None` when not even one unit would be held out for test.
fn assign<T: Copy>(
    units: &mut [T],
    rng: &mut ChaCha8Rng,
    valid: f64,
    test: f64,
) -> Option<Vec<(T, Part)>> {
    units.shuffle(rng);
    let n = units.len() as f64;
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let (test_count, valid_count) = ((n * test).round() as usize, (n * valid).round() as usize);
    if test_count == 0 {
        return None;
    }
    Some(
        units
            .iter()
            .enumerate()
            .filter(|(i, _)| *i < test_count + valid_count)
            .map(|(i, &u)| {
                (
                    u,
                    if i < test_count {
                        Part::Test
                    } else {
                        Part::Valid
                    },
                )
            })
            .collect(),
    )
}

/// Reports held-out triples that training contains again, reversed, or under another relation.
#[must_use]
pub fn check_leakage(
    graph: &KnowledgeGraph,
    train: &[Triple],
    held_out: &[Triple],
) -> LeakageReport {
    let relations = &graph.schema().relations;
    let train_set: HashSet<(u32, RelationId, u32)> =
        train.iter().map(|t| (t.head, t.relation, t.tail)).collect();
    let mut train_pairs: HashMap<(u32, u32), Vec<RelationId>> = HashMap::new();
    for t in train {
        train_pairs
            .entry((t.head, t.tail))
            .or_default()
            .push(t.relation);
    }

    let mut report = LeakageReport::default();
    let example = |report: &mut LeakageReport, t: &Triple, reason: &str| {
        if report.examples.len() < 10 {
            report.examples.push(format!(
                "{} {} {}: {reason}",
                graph.node(t.head).id,
                relations[t.relation as usize].abbreviation,
                graph.node(t.tail).id
            ));
        }
    };
    for t in held_out {
        let symmetric = relations[t.relation as usize].symmetric;
        if train_set.contains(&(t.head, t.relation, t.tail))
            || (symmetric && train_set.contains(&(t.tail, t.relation, t.head)))
        {
            report.duplicates += 1;
            example(&mut report, t, "also in training");
        } else if train_pairs.contains_key(&(t.tail, t.head)) {
            report.inverses += 1;
            example(&mut report, t, "reverse edge in training");
        } else if train_pairs
            .get(&(t.head, t.tail))
            .is_some_and(|rs| rs.iter().any(|r| *r != t.relation))
        {
            report.same_pair_other_relation += 1;
            example(
                &mut report,
                t,
                "same pair under another relation in training",
            );
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kg::{GraphBuilder, Schema};
    use proptest::prelude::{any, prop_assert, prop_assert_eq, prop_assume, proptest};
    use proptest::strategy::Strategy as PropStrategy;

    fn graph(edges: &[(u8, u8)], palliates: &[(u8, u8)]) -> KnowledgeGraph {
        let mut b = GraphBuilder::new(Schema::hetionet());
        for i in 0..20 {
            b.add_node(&format!("DB{i}"), "Compound", "c", None)
                .unwrap();
            b.add_node(&format!("DOID:{i}"), "Disease", "d", None)
                .unwrap();
        }
        for (c, d) in edges {
            b.add_edge(
                &format!("Compound::DB{c}"),
                "CtD",
                &format!("Disease::DOID:{d}"),
                None,
            );
        }
        for (c, d) in palliates {
            b.add_edge(
                &format!("Compound::DB{c}"),
                "CpD",
                &format!("Disease::DOID:{d}"),
                None,
            );
        }
        b.build().unwrap()
    }

    fn pairs() -> impl PropStrategy<Value = Vec<(u8, u8)>> {
        proptest::collection::btree_set((0u8..20, 0u8..20), 10..120)
            .prop_map(|s| s.into_iter().collect())
    }

    proptest! {
        #[test]
        fn held_out_pairs_never_in_train(edges in pairs(), seed in 0u64..1000, held_out_diseases in any::<bool>()) {
            // Palliates edges on the same pairs as some treats edges: the second relation
            // between one pair must follow the first into the held-out part.
            let palliates: Vec<(u8, u8)> = edges.iter().step_by(3).copied().collect();
            let g = graph(&edges, &palliates);
            let strategy = if held_out_diseases { Strategy::HeldOutNodes { kind: "Disease".into() } } else { Strategy::Random };
            let config = SplitConfig::new("p", &["CtD"], strategy, seed);
            let made = Split::make(&g, &config);
            // Held-out diseases need at least five distinct diseases to hold one out.
            prop_assume!(made.is_ok());
            let split = made.unwrap();
            let train_pairs: HashSet<(u32, u32)> = split.train(&g).iter().map(pair).collect();
            for t in split.valid(&g).iter().chain(&split.test(&g)) {
                prop_assert!(!train_pairs.contains(&pair(t)));
            }
            prop_assert_eq!(split.leakage.total(), 0);
            prop_assert!(!split.test(&g).is_empty());
        }

        #[test]
        fn same_seed_same_split(edges in pairs(), seed in 0u64..1000) {
            let g = graph(&edges, &[]);
            let config = SplitConfig::new("p", &["CtD"], Strategy::Random, seed);
            prop_assert_eq!(Split::make(&g, &config).unwrap().parts, Split::make(&g, &config).unwrap().parts);
        }
    }

    #[test]
    fn held_out_disease_has_no_training_target_edge() {
        let edges: Vec<(u8, u8)> = (0..20)
            .flat_map(|d| (0..5).map(move |c| ((c + d) % 20, d)))
            .collect();
        let g = graph(&edges, &[]);
        let config = SplitConfig::new(
            "d",
            &["CtD"],
            Strategy::HeldOutNodes {
                kind: "Disease".into(),
            },
            7,
        );
        let split = Split::make(&g, &config).unwrap();
        let test_diseases: HashSet<u32> = split.test(&g).iter().map(|t| t.tail).collect();
        assert_eq!(test_diseases.len(), 2);
        assert!(split
            .train(&g)
            .iter()
            .all(|t| !test_diseases.contains(&t.tail)));
    }

    #[test]
    fn leakage_check_finds_duplicate_and_reverse() {
        let g = graph(&[(1, 1), (2, 2)], &[(1, 1)]);
        let (ctd, cpd) = (g.edges()[0], g.edges()[2]);
        assert_eq!(cpd.relation, g.schema().relation_id("CpD").unwrap());
        let report = check_leakage(&g, &[ctd, cpd], &[ctd]);
        assert_eq!(report.duplicates, 1);
        let report = check_leakage(&g, &[cpd], &[ctd]);
        assert_eq!(report.same_pair_other_relation, 1);
        let reversed = Triple {
            head: ctd.tail,
            relation: ctd.relation,
            tail: ctd.head,
        };
        let report = check_leakage(&g, &[reversed], &[ctd]);
        assert_eq!(report.inverses, 1);
    }

    #[test]
    fn target_count_leaves_out_background() {
        let treats: Vec<(u8, u8)> = (0..20).map(|i| (i, i)).collect();
        let palliates: Vec<(u8, u8)> = (0..20).map(|i| (i, (i + 1) % 20)).collect();
        let g = graph(&treats, &palliates);
        let split = Split::make(&g, &SplitConfig::new("t", &["CtD"], Strategy::Random, 3)).unwrap();
        let target_total: usize = [Part::Train, Part::Valid, Part::Test]
            .into_iter()
            .map(|part| split.target_count(&g, part))
            .sum();
        assert_eq!(target_total, 20);
        assert_eq!(split.target_count(&g, Part::Test), split.test(&g).len());
        let background = split.train(&g).len() - split.target_count(&g, Part::Train);
        assert_eq!(background, 20);
    }

    #[test]
    fn unknown_relation_lists_graph_relations() {
        let g = graph(&[(1, 1), (2, 2)], &[(3, 3)]);
        let config = SplitConfig::new("r", &["CtX"], Strategy::Random, 1);
        let err = Split::make(&g, &config).unwrap_err().to_string();
        assert!(err.contains("unknown relation \"CtX\""), "{err}");
        assert!(err.contains("relations in this graph: CpD, CtD"), "{err}");

        // CbG is in the schema, but this graph has no CbG edges.
        let config = SplitConfig::new("r", &["CbG"], Strategy::Random, 1);
        let err = Split::make(&g, &config).unwrap_err().to_string();
        assert!(
            err.contains("relation \"CbG\" has no edges in this graph"),
            "{err}"
        );
        assert!(err.contains("relations with edges: CpD, CtD"), "{err}");
    }

    #[test]
    fn unknown_kind_lists_target_kinds() {
        let g = graph(&[(1, 1), (2, 2)], &[]);
        let held_out = |kind: &str| Strategy::HeldOutNodes { kind: kind.into() };
        let config = SplitConfig::new("k", &["CtD"], held_out("Drug"), 1);
        let err = Split::make(&g, &config).unwrap_err().to_string();
        assert!(err.contains("unknown node kind \"Drug\""), "{err}");
        assert!(
            err.contains("kinds that CtD join: Compound, Disease"),
            "{err}"
        );

        let config = SplitConfig::new("k", &["CtD"], held_out("Gene"), 1);
        let err = Split::make(&g, &config).unwrap_err().to_string();
        assert!(
            err.contains("no target relation joins nodes of kind \"Gene\""),
            "{err}"
        );
        assert!(
            err.contains("kinds that CtD join: Compound, Disease"),
            "{err}"
        );
    }

    #[test]
    fn bad_fractions_rejected() {
        let g = graph(&[(1, 1), (2, 2)], &[]);
        let mut config = SplitConfig::new("f", &["CtD"], Strategy::Random, 1);
        config.test_fraction = 0.0;
        let err = Split::make(&g, &config).unwrap_err().to_string();
        assert!(err.contains("fractions"), "{err}");
    }
}
