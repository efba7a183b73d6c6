//! Assembles a [`KnowledgeGraph`] from node and edge records, checking every edge.
//!
//! Readers in [`crate::kg::ingest`] feed a [`GraphBuilder`] with records and their file and
//! line; [`GraphBuilder::build`] rejects unknown nodes, unknown relations, edges whose kinds
//! do not fit their relation, and duplicate edges, naming the line of each.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::path::PathBuf;

use super::error::{KgError, Origin};
use super::graph::{KnowledgeGraph, Node, Triple};
use super::schema::{KindId, Relation, RelationId, Schema};

/// Where a record was read: an index into the builder's file list and a 1-based line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    /// Index returned by [`GraphBuilder::register_file`].
    pub file: u16,
    /// 1-based line number.
    pub line: u64,
}

#[derive(Debug)]
struct PendingNode {
    id: String,
    kind: KindId,
    name: String,
    iri: Option<String>,
    location: Option<Location>,
}

#[derive(Debug)]
struct PendingEdge {
    head: String,
    relation: String,
    tail: String,
    location: Option<Location>,
}

/// Collects nodes and edges, then builds a checked [`KnowledgeGraph`].
#[derive(Debug)]
pub struct GraphBuilder {
    schema: Schema,
    files: Vec<PathBuf>,
    nodes: Vec<PendingNode>,
    node_index: HashMap<String, usize>,
    edges: Vec<PendingEdge>,
    allow_new_kinds: bool,
}

impl GraphBuilder {
    /// Starts an empty graph over `schema`. Nodes of kinds outside the schema are rejected
    /// unless [`GraphBuilder::allow_new_kinds`] is called.
    #[must_use]
    pub fn new(schema: Schema) -> Self {
        Self {
            schema,
            files: Vec::new(),
            nodes: Vec::new(),
            node_index: HashMap::new(),
            edges: Vec::new(),
            allow_new_kinds: false,
        }
    }

    /// Lets nodes of kinds missing from the schema add those kinds (generic inputs).
    pub fn allow_new_kinds(&mut self) {
        self.allow_new_kinds = true;
    }

    /// Returns the schema as built so far.
    #[must_use]
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// Adds a relation to the schema, or returns the id of the one with its abbreviation.
    pub fn add_relation(&mut self, relation: Relation) -> RelationId {
        self.schema.ensure_relation(relation)
    }

    /// Registers an input file so that records can name it in errors.
    ///
    /// # Panics
    /// Panics past 65,535 files.
    pub fn register_file(&mut self, path: impl Into<PathBuf>) -> u16 {
        self.files.push(path.into());
        u16::try_from(self.files.len() - 1).expect("fewer than 65,536 input files")
    }

    /// Returns the kind of a node added so far, by full id.
    #[must_use]
    pub fn node_kind(&self, id: &str) -> Option<&str> {
        let node = &self.nodes[*self.node_index.get(id)?];
        Some(&self.schema.kinds[node.kind as usize].name)
    }

    /// Iterates over the nodes added so far as (id, kind name, name).
    pub fn nodes(&self) -> impl Iterator<Item = (&str, &str, &str)> {
        self.nodes.iter().map(|n| {
            (
                n.id.as_str(),
                self.schema.kinds[n.kind as usize].name.as_str(),
                n.name.as_str(),
            )
        })
    }

    /// Adds a node. `id` is `Kind::source_id`, or a bare source id that gets `kind::` in front.
    ///
    /// # Errors
    /// An empty id, an id whose prefix names another kind, an unknown kind (unless new kinds
    /// are allowed) or an id that was added before.
    pub fn add_node(
        &mut self,
        id: &str,
        kind: &str,
        name: &str,
        location: Option<Location>,
    ) -> Result<(), KgError> {
        self.add_node_with_iri(id, kind, name, None, location)
    }

    /// Adds a node with a given IRI (RDF inputs) instead of one from the IRI scheme.
    ///
    /// # Errors
    /// As [`GraphBuilder::add_node`].
    pub fn add_node_with_iri(
        &mut self,
        id: &str,
        kind: &str,
        name: &str,
        iri: Option<String>,
        location: Option<Location>,
    ) -> Result<(), KgError> {
        let origin = || self.origin(location);
        let invalid = |field: &'static str, value: &str, reason: String| KgError::InvalidField {
            origin: origin(),
            field,
            value: value.to_owned(),
            reason,
        };

        if kind.trim().is_empty() {
            return Err(invalid("kind", kind, "the node kind is empty".into()));
        }
        let id = match id.split_once("::") {
            Some((prefix, rest)) if prefix == kind && !rest.is_empty() => id.to_owned(),
            Some((prefix, _)) if prefix != kind => {
                return Err(invalid(
                    "id",
                    id,
                    format!("its kind prefix {prefix:?} differs from the kind column {kind:?}"),
                ));
            }
            Some(_) => return Err(invalid("id", id, "nothing follows the kind prefix".into())),
            None if id.trim().is_empty() => {
                return Err(invalid("id", id, "the node id is empty".into()));
            }
            None => format!("{kind}::{id}"),
        };

        let kind_id = match self.schema.kind_id(kind) {
            Some(k) => k,
            None if self.allow_new_kinds => self.schema.ensure_kind(kind),
            None => {
                return Err(KgError::UnknownKind {
                    origin: origin(),
                    kind: kind.to_owned(),
                    known: self
                        .schema
                        .kinds
                        .iter()
                        .map(|k| k.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            }
        };

        match self.node_index.entry(id.clone()) {
            Entry::Occupied(entry) => {
                let first = self.nodes[*entry.get()].location;
                Err(KgError::DuplicateNode {
                    origin: self.prefix(location),
                    id,
                    first: self.describe(first),
                })
            }
            Entry::Vacant(entry) => {
                entry.insert(self.nodes.len());
                self.nodes.push(PendingNode {
                    id,
                    kind: kind_id,
                    name: name.to_owned(),
                    iri,
                    location,
                });
                Ok(())
            }
        }
    }

    /// Adds an edge by node ids and relation abbreviation; it is checked in [`GraphBuilder::build`].
    pub fn add_edge(&mut self, head: &str, relation: &str, tail: &str, location: Option<Location>) {
        self.edges.push(PendingEdge {
            head: head.to_owned(),
            relation: relation.to_owned(),
            tail: tail.to_owned(),
            location,
        });
    }

    /// Checks all edges and builds the graph, with nodes sorted by (kind, id).
    ///
    /// # Errors
    /// The first bad edge in input order: unknown node or relation, kinds that the relation
    /// does not join, or a duplicate (for symmetric relations, also reversed). Also
    /// [`KgError::Empty`] when no node was added.
    pub fn build(mut self) -> Result<KnowledgeGraph, KgError> {
        if self.nodes.is_empty() {
            return Err(KgError::Empty);
        }

        // Sort nodes by (kind, id) and map pending positions to final indices.
        let mut order: Vec<usize> = (0..self.nodes.len()).collect();
        order.sort_by(|&a, &b| {
            let (a, b) = (&self.nodes[a], &self.nodes[b]);
            (a.kind, &a.id).cmp(&(b.kind, &b.id))
        });
        let mut final_index = vec![0u32; self.nodes.len()];
        for (position, &pending) in order.iter().enumerate() {
            final_index[pending] = u32::try_from(position).expect("fewer than 2^32 nodes");
        }

        let mut triples = Vec::with_capacity(self.edges.len());
        let mut seen: HashMap<(u32, RelationId, u32), Option<Location>> =
            HashMap::with_capacity(self.edges.len());
        for edge in &self.edges {
            let triple = self.check_edge(edge, &final_index)?;
            let symmetric = self.schema.relations[triple.relation as usize].symmetric;
            let key = if symmetric && triple.tail < triple.head {
                (triple.tail, triple.relation, triple.head)
            } else {
                (triple.head, triple.relation, triple.tail)
            };
            match seen.entry(key) {
                Entry::Occupied(first) => {
                    return Err(KgError::DuplicateEdge {
                        origin: self.prefix(edge.location),
                        head: edge.head.clone(),
                        relation: edge.relation.clone(),
                        tail: edge.tail.clone(),
                        first: self.describe(*first.get()),
                    });
                }
                Entry::Vacant(slot) => {
                    slot.insert(edge.location);
                }
            }
            triples.push(triple);
        }

        let mut pending: Vec<Option<PendingNode>> = self.nodes.drain(..).map(Some).collect();
        let nodes = order
            .iter()
            .map(|&i| {
                let node = pending[i].take().expect("each node is taken once");
                let kind_name = &self.schema.kinds[node.kind as usize].name;
                let iri = node.iri.unwrap_or_else(|| {
                    let source_id = node
                        .id
                        .split_once("::")
                        .map_or(node.id.as_str(), |(_, s)| s);
                    self.schema.node_iri(kind_name, source_id)
                });
                Node {
                    id: node.id,
                    kind: node.kind,
                    name: node.name,
                    iri,
                }
            })
            .collect();
        Ok(KnowledgeGraph::from_parts(self.schema, nodes, triples))
    }

    fn check_edge(&self, edge: &PendingEdge, final_index: &[u32]) -> Result<Triple, KgError> {
        let lookup = |id: &str| {
            self.node_index
                .get(id)
                .copied()
                .ok_or_else(|| KgError::UnknownNode {
                    origin: self.prefix(edge.location),
                    head: edge.head.clone(),
                    relation: edge.relation.clone(),
                    tail: edge.tail.clone(),
                    missing: id.to_owned(),
                })
        };
        let head = lookup(&edge.head)?;
        let tail = lookup(&edge.tail)?;

        let relation =
            self.schema
                .relation_id(&edge.relation)
                .ok_or_else(|| KgError::UnknownRelation {
                    origin: self.prefix(edge.location),
                    relation: edge.relation.clone(),
                    known: self
                        .schema
                        .relations
                        .iter()
                        .map(|r| r.abbreviation.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                })?;

        let spec = &self.schema.relations[relation as usize];
        let (head_kind, tail_kind) = (self.nodes[head].kind, self.nodes[tail].kind);
        if spec.source != head_kind || spec.target != tail_kind {
            let name = |k: KindId| self.schema.kinds[k as usize].name.clone();
            return Err(KgError::RelationKinds {
                origin: self.prefix(edge.location),
                head: edge.head.clone(),
                relation: edge.relation.clone(),
                tail: edge.tail.clone(),
                expected_source: name(spec.source),
                expected_target: name(spec.target),
                found_source: name(head_kind),
                found_target: name(tail_kind),
            });
        }
        Ok(Triple {
            head: final_index[head],
            relation,
            tail: final_index[tail],
        })
    }

    fn origin(&self, location: Option<Location>) -> Origin {
        match location {
            Some(l) => Origin {
                path: self.files[l.file as usize].clone(),
                line: l.line,
            },
            None => Origin {
                path: PathBuf::from("<input>"),
                line: 0,
            },
        }
    }

    fn prefix(&self, location: Option<Location>) -> String {
        location
            .map(|l| format!("{}: ", self.origin(Some(l))))
            .unwrap_or_default()
    }

    fn describe(&self, location: Option<Location>) -> String {
        location.map_or_else(
            || "an earlier record".to_owned(),
            |l| self.origin(Some(l)).to_string(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builder() -> GraphBuilder {
        let mut b = GraphBuilder::new(Schema::hetionet());
        b.add_node("Compound::DB01", "Compound", "one", None)
            .unwrap();
        b.add_node("DB02", "Compound", "two", None).unwrap();
        b.add_node("Disease::DOID:1", "Disease", "d", None).unwrap();
        b
    }

    #[test]
    fn nodes_sorted_by_kind() {
        let mut b = GraphBuilder::new(Schema::hetionet());
        b.add_node("Disease::DOID:1", "Disease", "d", None).unwrap();
        b.add_node("Compound::DB02", "Compound", "two", None)
            .unwrap();
        b.add_node("Compound::DB01", "Compound", "one", None)
            .unwrap();
        b.add_edge("Compound::DB02", "CtD", "Disease::DOID:1", None);
        let g = b.build().unwrap();
        let compound = g.schema().kind_id("Compound").unwrap();
        assert_eq!(g.kind_range(compound), 0..2);
        assert_eq!(g.node(0).id, "Compound::DB01");
        assert_eq!(g.edges()[0].head, 1);
        assert_eq!(g.edges()[0].tail, 2);
    }

    #[test]
    fn duplicate_symmetric_edge_rejected() {
        let mut b = builder();
        b.add_edge("Compound::DB01", "CrC", "Compound::DB02", None);
        b.add_edge("Compound::DB02", "CrC", "Compound::DB01", None);
        let err = b.build().unwrap_err();
        assert!(matches!(err, KgError::DuplicateEdge { .. }), "{err}");
    }

    #[test]
    fn wrong_kinds_rejected() {
        let mut b = builder();
        b.add_edge("Disease::DOID:1", "CtD", "Compound::DB01", None);
        let err = b.build().unwrap_err().to_string();
        assert!(
            err.contains("joins Compound to Disease, not Disease to Compound"),
            "{err}"
        );
    }

    #[test]
    fn kind_prefix_must_match() {
        let mut b = builder();
        let err = b
            .add_node("Gene::1", "Compound", "x", None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("differs from the kind column"), "{err}");
    }
}
