//! The knowledge graph in memory: nodes sorted by kind, typed edges, and a petgraph view.
//!
//! Node indices are `u32` and nodes are sorted by (kind, identifier), so every kind occupies
//! one contiguous index range ([`KnowledgeGraph::kind_range`]). Scorers use that range to draw
//! type-constrained negatives, and rankers to score "all compounds" as one slice.
//!
//! ```
//! use rxgraph::kg::{GraphBuilder, Schema};
//!
//! let mut builder = GraphBuilder::new(Schema::hetionet());
//! builder.add_node("Compound::DB00945", "Compound", "Aspirin", None).unwrap();
//! builder.add_node("Disease::DOID:1612", "Disease", "breast cancer", None).unwrap();
//! builder.add_edge("Compound::DB00945", "CtD", "Disease::DOID:1612", None);
//! let graph = builder.build().unwrap();
//! let aspirin = graph.find("DB00945").unwrap();
//! assert_eq!(graph.node(aspirin).name, "Aspirin");
//! assert_eq!(graph.petgraph().edge_count(), 1);
//! ```

use std::collections::HashMap;
use std::ops::Range;

use petgraph::graph::{DiGraph, NodeIndex};
use serde::{Deserialize, Serialize};

use super::schema::{KindId, RelationId, Schema};

/// One node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Node {
    /// Identifier `Kind::source_id`, e.g. `Compound::DB00945`.
    pub id: String,
    /// Kind of the node.
    pub kind: KindId,
    /// Human-readable name (`rdfs:label`).
    pub name: String,
    /// IRI of the node in the RDF store.
    pub iri: String,
}

impl Node {
    /// Returns the identifier without its kind prefix (`DB00945`).
    #[must_use]
    pub fn source_id(&self) -> &str {
        self.id
            .split_once("::")
            .map_or(self.id.as_str(), |(_, id)| id)
    }
}

/// One edge: `head` –`relation`→ `tail`, with node indices into [`KnowledgeGraph::nodes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Triple {
    /// Index of the head node.
    pub head: u32,
    /// Relation id in the graph's schema.
    pub relation: RelationId,
    /// Index of the tail node.
    pub tail: u32,
}

/// The knowledge graph: schema, nodes, edges, and a petgraph graph over the same indices.
#[derive(Debug, Clone)]
pub struct KnowledgeGraph {
    schema: Schema,
    nodes: Vec<Node>,
    kind_ranges: Vec<Range<u32>>,
    edges: Vec<Triple>,
    by_id: HashMap<String, u32>,
    by_source_id: HashMap<String, Option<u32>>,
    petgraph: DiGraph<(), RelationId, u32>,
}

impl KnowledgeGraph {
    /// Assembles a graph from nodes sorted by (kind, id) and edges over their indices.
    ///
    /// # Panics
    /// Panics if the nodes are not sorted by kind or an edge refers to a missing node;
    /// [`crate::kg::GraphBuilder`] and the work-directory reader guarantee both.
    #[must_use]
    pub fn from_parts(schema: Schema, nodes: Vec<Node>, edges: Vec<Triple>) -> Self {
        assert!(
            nodes.windows(2).all(|w| w[0].kind <= w[1].kind),
            "nodes must be sorted by kind"
        );
        let node_count = u32::try_from(nodes.len()).expect("fewer than 2^32 nodes");

        let mut kind_ranges = vec![0..0; schema.kinds.len()];
        let mut start = 0u32;
        for run in nodes.chunk_by(|a, b| a.kind == b.kind) {
            let len = u32::try_from(run.len()).expect("fewer than 2^32 nodes");
            kind_ranges[run[0].kind as usize] = start..start + len;
            start += len;
        }

        let mut by_id = HashMap::with_capacity(nodes.len());
        let mut by_source_id: HashMap<String, Option<u32>> = HashMap::with_capacity(nodes.len());
        for (index, node) in (0..node_count).zip(&nodes) {
            by_id.insert(node.id.clone(), index);
            by_source_id
                .entry(node.source_id().to_owned())
                .and_modify(|slot| *slot = None)
                .or_insert(Some(index));
        }

        let mut petgraph = DiGraph::with_capacity(nodes.len(), edges.len());
        for _ in 0..node_count {
            petgraph.add_node(());
        }
        for edge in &edges {
            assert!(
                edge.head < node_count && edge.tail < node_count,
                "edge to a missing node"
            );
            petgraph.add_edge(
                NodeIndex::new(edge.head as usize),
                NodeIndex::new(edge.tail as usize),
                edge.relation,
            );
        }

        Self {
            schema,
            nodes,
            kind_ranges,
            edges,
            by_id,
            by_source_id,
            petgraph,
        }
    }

    /// Returns the schema (kinds and relations).
    #[must_use]
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// Returns all nodes, sorted by (kind, id); a node's index is its position.
    #[must_use]
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// Returns the node at `index`.
    #[must_use]
    pub fn node(&self, index: u32) -> &Node {
        &self.nodes[index as usize]
    }

    /// Returns the number of nodes.
    #[must_use]
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Returns all edges in input order.
    #[must_use]
    pub fn edges(&self) -> &[Triple] {
        &self.edges
    }

    /// Returns the index range of the nodes of `kind` (empty if the graph has none).
    #[must_use]
    pub fn kind_range(&self, kind: KindId) -> Range<u32> {
        self.kind_ranges.get(kind as usize).cloned().unwrap_or(0..0)
    }

    /// Finds a node by full id (`Compound::DB00945`) or by a source id that only one node
    /// has (`DB00945`, `DOID:9352`).
    #[must_use]
    pub fn find(&self, id: &str) -> Option<u32> {
        self.by_id
            .get(id)
            .copied()
            .or_else(|| self.by_source_id.get(id).copied().flatten())
    }

    /// Returns the petgraph view: node `i` is `NodeIndex::new(i)`, edge weights are relation ids.
    /// Symmetric relations have one directed edge per pair; walk them with
    /// `neighbors_undirected`.
    #[must_use]
    pub fn petgraph(&self) -> &DiGraph<(), RelationId, u32> {
        &self.petgraph
    }

    /// Returns the number of edges touching `node`, in either direction.
    #[must_use]
    pub fn degree(&self, node: u32) -> usize {
        let index = NodeIndex::new(node as usize);
        self.petgraph
            .edges_directed(index, petgraph::Direction::Outgoing)
            .count()
            + self
                .petgraph
                .edges_directed(index, petgraph::Direction::Incoming)
                .count()
    }

    /// Counts nodes per kind, in schema order, leaving out kinds without nodes.
    #[must_use]
    pub fn kind_counts(&self) -> Vec<(KindId, usize)> {
        (0..self.schema.kinds.len())
            .map(|k| {
                let kind = KindId::try_from(k).expect("kind ids fit u16");
                (kind, self.kind_range(kind).len())
            })
            .filter(|(_, n)| *n > 0)
            .collect()
    }

    /// Counts edges per relation, in schema order, leaving out relations without edges.
    #[must_use]
    pub fn relation_counts(&self) -> Vec<(RelationId, usize)> {
        let mut counts = vec![0usize; self.schema.relations.len()];
        for edge in &self.edges {
            counts[edge.relation as usize] += 1;
        }
        counts
            .into_iter()
            .enumerate()
            .filter(|(_, n)| *n > 0)
            .map(|(r, n)| (RelationId::try_from(r).expect("relation ids fit u16"), n))
            .collect()
    }
}
