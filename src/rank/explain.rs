//! Explanations of a predicted link: the graph paths between its two ends, grouped by
//! metapath and weighted by the degree-weighted path count.
//!
//! A metapath is the sequence of relations a path follows, such as Compound–binds–Gene–
//! associates–Disease (`CbGaD`). Counting paths alone favours hubs: a gene with 8,784
//! interactions (GiG) joins almost anything. The degree-weighted path count (DWPC) of
//! Himmelstein et al., "Systematic integration of biomedical knowledge prioritizes drugs for
//! repurposing", eLife 6:e26726 (2017), weights each path by its path-degree product
//!
//! ```text
//! PDP(path) = Π over edges (u –r– v) of (D_r(u) · D_r(v))^(−w)
//! ```
//!
//! where `D_r(n)` is the number of edges of relation r at node n (both directions), and
//! `w` = [`DAMPING`] = 0.4, the value that paper chose. A metapath's DWPC is the sum of its
//! paths' PDPs; its share is that sum over the sum of all metapaths' DWPCs.
//!
//! [`PathExplainer::explain`] enumerates the simple paths of length 1 to 3 between the two
//! ends. It starts from the end whose neighbours have the smaller total degree and meets the
//! other end in the middle. Direct edges of the excluded relations (the queried relation and
//! its filter group) are left out, so a held-out or known link never explains itself. Middle nodes are
//! visited in increasing degree, and the walk stops after [`ExplainOptions::max_edge_visits`]
//! edge visits, marking the explanation as truncated; the hubs it skips have the smallest
//! weights.
//!
//! ```
//! use rxgraph::kg::{GraphBuilder, Schema};
//! use rxgraph::rank::{ExplainOptions, PathExplainer};
//!
//! let mut builder = GraphBuilder::new(Schema::hetionet());
//! builder.add_node("DB1", "Compound", "drug", None).unwrap();
//! builder.add_node("1", "Gene", "GENE1", None).unwrap();
//! builder.add_node("DOID:1", "Disease", "disease", None).unwrap();
//! builder.add_edge("Compound::DB1", "CbG", "Gene::1", None);
//! builder.add_edge("Disease::DOID:1", "DaG", "Gene::1", None);
//! let graph = builder.build().unwrap();
//!
//! let explainer = PathExplainer::new(&graph, ExplainOptions::default());
//! let ctd = graph.schema().relation_id("CtD").unwrap();
//! let (drug, disease) = (graph.find("DB1").unwrap(), graph.find("DOID:1").unwrap());
//! let explanation = explainer.explain(drug, disease, &[ctd]);
//! assert_eq!(explanation.metapaths[0].abbreviation, "CbGaD");
//! assert_eq!(explanation.metapaths[0].top_paths[0].names, ["drug", "GENE1", "disease"]);
//! ```

use std::collections::{BTreeMap, HashMap};

use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use petgraph::Direction;
use serde::Serialize;

use crate::kg::{KnowledgeGraph, RelationId};

/// Damping exponent `w` of the path-degree product.
pub const DAMPING: f64 = 0.4;

/// Limits of [`PathExplainer::explain`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExplainOptions {
    /// Edge visits after which the path search stops (about 10 ns each on one core).
    pub max_edge_visits: usize,
    /// Concrete paths kept per metapath, highest weight first.
    pub paths_per_metapath: usize,
}

impl Default for ExplainOptions {
    fn default() -> Self {
        Self {
            max_edge_visits: 2_000_000,
            paths_per_metapath: 3,
        }
    }
}

/// One step of a path: the relation and whether it was followed from head to tail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Step {
    relation: RelationId,
    forward: bool,
}

/// One concrete path.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathEvidence {
    /// Node indices from the first end to the second.
    pub nodes: Vec<u32>,
    /// Node names in the same order.
    pub names: Vec<String>,
    /// Its path-degree product.
    pub weight: f64,
}

/// The paths of one metapath.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetapathEvidence {
    /// Hetionet-style abbreviation (`CbGaD`; `<` marks a directed relation followed backwards).
    pub abbreviation: String,
    /// Readable form (`Compound–binds–Gene–associates–Disease`).
    pub label: String,
    /// Number of paths found.
    pub path_count: usize,
    /// Degree-weighted path count: the sum of the paths' weights.
    pub dwpc: f64,
    /// This metapath's DWPC over the sum of all metapaths' DWPCs, in [0, 1].
    pub share: f64,
    /// The heaviest paths, at most [`ExplainOptions::paths_per_metapath`].
    pub top_paths: Vec<PathEvidence>,
}

/// All paths found between two nodes, by metapath.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// First end (the compound, for compound–disease and compound–gene links).
    pub from: u32,
    /// Second end.
    pub to: u32,
    /// Number of paths found.
    pub path_count: usize,
    /// Sum of all paths' weights.
    pub total_dwpc: f64,
    /// Metapaths by decreasing DWPC.
    pub metapaths: Vec<MetapathEvidence>,
    /// Whether the search stopped at the edge-visit limit before seeing every path.
    pub truncated: bool,
}

/// Finds and weighs paths in one graph.
pub struct PathExplainer<'a> {
    graph: &'a KnowledgeGraph,
    options: ExplainOptions,
    /// `D_r(n)^(−w)` per relation, indexed by node; empty for relations without edges.
    damped_degrees: Vec<Vec<f64>>,
    /// Number of edges at each node, all relations and both directions.
    degrees: Vec<u32>,
}

/// Paths of one metapath while they are being collected.
#[derive(Default)]
struct Accumulator {
    count: usize,
    dwpc: f64,
    top: Vec<(f64, Vec<u32>)>,
}

impl<'a> PathExplainer<'a> {
    /// Counts the per-relation degree of every node: O(edges) time, 8 bytes per node for each
    /// relation that has edges.
    #[must_use]
    pub fn new(graph: &'a KnowledgeGraph, options: ExplainOptions) -> Self {
        let mut degrees: Vec<Vec<u32>> = vec![Vec::new(); graph.schema().relations.len()];
        let mut total = vec![0u32; graph.node_count()];
        for triple in graph.edges() {
            total[triple.head as usize] += 1;
            total[triple.tail as usize] += 1;
            let counts = &mut degrees[triple.relation as usize];
            if counts.is_empty() {
                counts.resize(graph.node_count(), 0);
            }
            counts[triple.head as usize] += 1;
            counts[triple.tail as usize] += 1;
        }
        let damped_degrees = degrees
            .into_iter()
            .map(|counts| {
                counts
                    .into_iter()
                    .map(|d| f64::from(d.max(1)).powf(-DAMPING))
                    .collect()
            })
            .collect();
        Self {
            graph,
            options,
            damped_degrees,
            degrees: total,
        }
    }

    /// Explains the link between `from` and `to`; direct edges of `excluded` relations between
    /// them are left out.
    #[must_use]
    pub fn explain(&self, from: u32, to: u32, excluded: &[RelationId]) -> Explanation {
        // Start from the end whose neighbourhood is cheaper to expand.
        let cost = |node: u32| -> u64 {
            self.neighbours(node)
                .iter()
                .map(|&(n, _)| u64::from(self.degrees[n as usize]))
                .sum()
        };
        let reversed = cost(to) < cost(from);
        let (start, end) = if reversed { (to, from) } else { (from, to) };

        // Ordered by metapath, so that the sums below add in the same order on every call
        // and repeated requests give identical floats.
        let mut found: BTreeMap<Vec<Step>, Accumulator> = BTreeMap::new();
        let truncated = self.walk(start, end, excluded, &mut |nodes, steps| {
            let weight = self.path_weight(nodes, steps);
            let (nodes, steps) = if reversed {
                self.reverse_path(nodes, steps)
            } else {
                (nodes.to_vec(), steps.to_vec())
            };
            let entry = found.entry(steps).or_default();
            entry.count += 1;
            entry.dwpc += weight;
            keep_top(
                &mut entry.top,
                weight,
                nodes,
                self.options.paths_per_metapath,
            );
        });

        let total_dwpc: f64 = found.values().map(|a| a.dwpc).sum();
        let path_count = found.values().map(|a| a.count).sum();
        let mut metapaths: Vec<MetapathEvidence> = found
            .into_iter()
            .map(|(steps, acc)| self.metapath_evidence(&steps, acc, total_dwpc))
            .collect();
        metapaths.sort_by(|a, b| {
            b.dwpc
                .total_cmp(&a.dwpc)
                .then_with(|| a.abbreviation.cmp(&b.abbreviation))
        });
        Explanation {
            from,
            to,
            path_count,
            total_dwpc,
            metapaths,
            truncated,
        }
    }

    /// Calls `visit(nodes, steps)` for every simple path of length 1 to 3 from `start` to
    /// `end`; returns whether the edge-visit limit stopped the walk.
    fn walk(
        &self,
        start: u32,
        end: u32,
        excluded: &[RelationId],
        visit: &mut impl FnMut(&[u32], &[Step]),
    ) -> bool {
        // Edges into `end`, by the node they come from, as steps towards `end`.
        let mut into_end: HashMap<u32, Vec<Step>> = HashMap::new();
        for (neighbour, step) in self.neighbours(end) {
            into_end.entry(neighbour).or_default().push(Step {
                relation: step.relation,
                forward: !step.forward || self.symmetric(step.relation),
            });
        }

        let mut first = self.neighbours(start);
        first.sort_by_key(|&(node, _)| (self.degrees[node as usize], node));
        let mut visits = first.len();

        for &(middle, step1) in &first {
            if middle == end {
                if !excluded.contains(&step1.relation) {
                    visit(&[start, end], &[step1]);
                }
                continue;
            }
            if middle == start {
                continue;
            }
            for &step2 in into_end.get(&middle).map_or(&[][..], Vec::as_slice) {
                visit(&[start, middle, end], &[step1, step2]);
            }

            let second = self.neighbours(middle);
            visits += second.len();
            if visits > self.options.max_edge_visits {
                return true;
            }
            for &(inner, step2) in &second {
                if inner == start || inner == end || inner == middle {
                    continue;
                }
                for &step3 in into_end.get(&inner).map_or(&[][..], Vec::as_slice) {
                    visit(&[start, middle, inner, end], &[step1, step2, step3]);
                }
            }
        }
        false
    }

    /// Returns the neighbours of `node` with the step that reaches each (one entry per edge).
    fn neighbours(&self, node: u32) -> Vec<(u32, Step)> {
        let index = NodeIndex::new(node as usize);
        let petgraph = self.graph.petgraph();
        let outgoing = petgraph
            .edges_directed(index, Direction::Outgoing)
            .map(|e| {
                let relation = *e.weight();
                (
                    to_u32(e.target()),
                    Step {
                        relation,
                        forward: true,
                    },
                )
            });
        let incoming = petgraph
            .edges_directed(index, Direction::Incoming)
            .map(|e| {
                let relation = *e.weight();
                let forward = self.symmetric(relation);
                (to_u32(e.source()), Step { relation, forward })
            });
        outgoing.chain(incoming).collect()
    }

    /// Reverses a path found from the second end, flipping the direction of every step of
    /// a relation that is not symmetric.
    fn reverse_path(&self, nodes: &[u32], steps: &[Step]) -> (Vec<u32>, Vec<Step>) {
        let nodes = nodes.iter().rev().copied().collect();
        let steps = steps
            .iter()
            .rev()
            .map(|s| Step {
                relation: s.relation,
                forward: !s.forward || self.symmetric(s.relation),
            })
            .collect();
        (nodes, steps)
    }

    fn symmetric(&self, relation: RelationId) -> bool {
        self.graph.schema().relations[relation as usize].symmetric
    }

    fn path_weight(&self, nodes: &[u32], steps: &[Step]) -> f64 {
        steps
            .iter()
            .zip(nodes.windows(2))
            .map(|(step, pair)| {
                let damped = &self.damped_degrees[step.relation as usize];
                damped[pair[0] as usize] * damped[pair[1] as usize]
            })
            .product()
    }

    fn metapath_evidence(&self, steps: &[Step], acc: Accumulator, total: f64) -> MetapathEvidence {
        let schema = self.graph.schema();
        let first_path = &acc.top[0].1;
        let kinds: Vec<&crate::kg::schema::Kind> = first_path
            .iter()
            .map(|&n| &schema.kinds[self.graph.node(n).kind as usize])
            .collect();

        let mut abbreviation = kinds[0].abbreviation.clone();
        let mut label = kinds[0].name.clone();
        for (step, kind) in steps.iter().zip(&kinds[1..]) {
            let relation = &schema.relations[step.relation as usize];
            let source = &schema.kinds[relation.source as usize].abbreviation;
            let target = &schema.kinds[relation.target as usize].abbreviation;
            let middle = relation
                .abbreviation
                .strip_prefix(source.as_str())
                .and_then(|rest| rest.strip_suffix(target.as_str()))
                .unwrap_or(&relation.verb);
            if !step.forward && middle.contains('>') {
                // A directed relation followed backwards: `Gr>G` becomes `G<rG`.
                abbreviation.push('<');
                abbreviation.push_str(&middle.replace('>', ""));
            } else {
                abbreviation.push_str(middle);
            }
            abbreviation.push_str(&kind.abbreviation);
            label.push('–');
            label.push_str(&relation.verb);
            label.push('–');
            label.push_str(&kind.name);
        }

        let top_paths = acc
            .top
            .into_iter()
            .map(|(weight, nodes)| PathEvidence {
                names: nodes
                    .iter()
                    .map(|&n| self.graph.node(n).name.clone())
                    .collect(),
                nodes,
                weight,
            })
            .collect();
        MetapathEvidence {
            abbreviation,
            label,
            path_count: acc.count,
            dwpc: acc.dwpc,
            share: if total > 0.0 { acc.dwpc / total } else { 0.0 },
            top_paths,
        }
    }
}

/// Keeps the `limit` heaviest paths, heaviest first; ties keep the earlier path.
fn keep_top(top: &mut Vec<(f64, Vec<u32>)>, weight: f64, nodes: Vec<u32>, limit: usize) {
    if top.len() == limit && top.last().is_some_and(|(w, _)| *w >= weight) {
        return;
    }
    let position = top.partition_point(|(w, _)| *w >= weight);
    top.insert(position, (weight, nodes));
    top.truncate(limit.max(1));
}

fn to_u32(index: NodeIndex<u32>) -> u32 {
    u32::try_from(index.index()).expect("node indices fit u32")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kg::{GraphBuilder, Schema};

    /// C1 binds G1 and G2; D1 associates with G1 and G2; G1 interacts with G2; C1 resembles
    /// C2, which treats D1; C1 treats D1 directly.
    fn graph() -> KnowledgeGraph {
        let mut builder = GraphBuilder::new(Schema::hetionet());
        for id in ["DB1", "DB2"] {
            builder.add_node(id, "Compound", id, None).unwrap();
        }
        for id in ["1", "2"] {
            builder
                .add_node(id, "Gene", &format!("G{id}"), None)
                .unwrap();
        }
        builder.add_node("DOID:1", "Disease", "D1", None).unwrap();
        builder.add_edge("Compound::DB1", "CbG", "Gene::1", None);
        builder.add_edge("Compound::DB1", "CbG", "Gene::2", None);
        builder.add_edge("Disease::DOID:1", "DaG", "Gene::1", None);
        builder.add_edge("Disease::DOID:1", "DaG", "Gene::2", None);
        builder.add_edge("Gene::1", "GiG", "Gene::2", None);
        builder.add_edge("Compound::DB2", "CrC", "Compound::DB1", None);
        builder.add_edge("Compound::DB2", "CtD", "Disease::DOID:1", None);
        builder.add_edge("Compound::DB1", "CtD", "Disease::DOID:1", None);
        builder.build().unwrap()
    }

    fn explain(graph: &KnowledgeGraph, from: &str, to: &str, excluded: &[&str]) -> Explanation {
        let excluded: Vec<RelationId> = excluded
            .iter()
            .map(|r| graph.schema().relation_id(r).unwrap())
            .collect();
        PathExplainer::new(graph, ExplainOptions::default()).explain(
            graph.find(from).unwrap(),
            graph.find(to).unwrap(),
            &excluded,
        )
    }

    fn abbreviations(explanation: &Explanation) -> Vec<&str> {
        let mut names: Vec<&str> = explanation
            .metapaths
            .iter()
            .map(|m| m.abbreviation.as_str())
            .collect();
        names.sort_unstable();
        names
    }

    #[test]
    fn metapaths_found_and_named() {
        let g = graph();
        let explanation = explain(&g, "DB1", "DOID:1", &["CtD", "CpD"]);
        assert_eq!(abbreviations(&explanation), ["CbGaD", "CbGiGaD", "CrCtD"]);
        let binds = explanation
            .metapaths
            .iter()
            .find(|m| m.abbreviation == "CbGaD")
            .unwrap();
        assert_eq!(binds.path_count, 2);
        assert_eq!(binds.label, "Compound–binds–Gene–associates–Disease");
        let interacts = explanation
            .metapaths
            .iter()
            .find(|m| m.abbreviation == "CbGiGaD")
            .unwrap();
        assert_eq!(
            interacts.path_count, 2,
            "G1→G2 and G2→G1 through the symmetric GiG edge"
        );
        assert!(!explanation.truncated);
    }

    #[test]
    fn queried_relation_is_excluded() {
        let g = graph();
        let without = explain(&g, "DB1", "DOID:1", &["CtD"]);
        assert!(!abbreviations(&without).contains(&"CtD"));
        let with = explain(&g, "DB1", "DOID:1", &[]);
        assert!(abbreviations(&with).contains(&"CtD"));
    }

    #[test]
    fn shares_sum_to_one() {
        let g = graph();
        let explanation = explain(&g, "DB1", "DOID:1", &["CtD"]);
        let total: f64 = explanation.metapaths.iter().map(|m| m.share).sum();
        assert!((total - 1.0).abs() < 1e-12, "{total}");
        let dwpc: f64 = explanation.metapaths.iter().map(|m| m.dwpc).sum();
        assert!((dwpc - explanation.total_dwpc).abs() < 1e-12);
    }

    #[test]
    fn repeated_explanations_are_identical() {
        let g = graph();
        let first = explain(&g, "DB1", "DOID:1", &["CtD"]);
        for _ in 0..5 {
            assert_eq!(explain(&g, "DB1", "DOID:1", &["CtD"]), first);
        }
    }

    #[test]
    fn path_weight_uses_relation_degrees() {
        let g = graph();
        let explanation = explain(&g, "DB1", "DOID:1", &["CtD"]);
        let binds = explanation
            .metapaths
            .iter()
            .find(|m| m.abbreviation == "CbGaD")
            .unwrap();
        // DB1 has 2 CbG edges, each gene 1 CbG and 1 DaG edge, D1 2 DaG edges.
        let expected = (2.0f64 * 1.0).powf(-DAMPING) * (1.0f64 * 2.0).powf(-DAMPING);
        assert!((binds.top_paths[0].weight - expected).abs() < 1e-12);
    }

    #[test]
    fn direction_does_not_change_metapaths() {
        let g = graph();
        let forward = explain(&g, "DB1", "DOID:1", &["CtD"]);
        let backward = explain(&g, "DOID:1", "DB1", &["CtD"]);
        assert_eq!(forward.path_count, backward.path_count);
        assert!((forward.total_dwpc - backward.total_dwpc).abs() < 1e-12);
        assert_eq!(abbreviations(&backward), ["DaGbC", "DaGiGbC", "DtCrC"]);
    }

    #[test]
    fn edge_limit_truncates() {
        let g = graph();
        let options = ExplainOptions {
            max_edge_visits: 2,
            paths_per_metapath: 3,
        };
        let explanation = PathExplainer::new(&g, options).explain(
            g.find("DB1").unwrap(),
            g.find("DOID:1").unwrap(),
            &[],
        );
        assert!(explanation.truncated);
    }
}
