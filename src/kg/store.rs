//! The graph as RDF in an Oxigraph store, for SPARQL.
//!
//! Every node becomes `<iri> a rx:Kind ; rdfs:label "name" ; rx:id "Kind::id"` and every
//! edge `<head> rx:REL <tail>`, all in the default graph, together with the vocabulary of
//! `graph/vocab.ttl` (and generated class and property descriptions for kinds and relations
//! that the vocabulary lacks, from generic inputs).
//!
//! ```no_run
//! use rxgraph::kg::{ingest, store};
//!
//! let graph = ingest::load(&ingest::Sources::embedded(), false).unwrap();
//! let dir = tempfile::tempdir().unwrap();
//! let rdf = store::build_store(&dir.path().join("store"), &graph, false).unwrap();
//! assert!(rdf.len().unwrap() > 400_000);
//! ```

use std::collections::HashSet;
use std::io::Write;
use std::path::Path;

use oxigraph::io::{RdfFormat, RdfParser, RdfSerializer};
use oxigraph::model::vocab::{rdf, rdfs, xsd};
use oxigraph::model::{GraphName, Literal, NamedNode, NamedOrBlankNode, Quad, Term};
use oxigraph::store::Store;

use super::error::KgError;
use super::graph::KnowledgeGraph;
use super::schema::VOCAB;
use crate::progress::Progress;

/// The rxgraph vocabulary as Turtle (`graph/vocab.ttl`).
pub const VOCAB_TTL: &str = include_str!("../../graph/vocab.ttl");

/// Returns the vocabulary triples plus descriptions of kinds and relations it lacks.
///
/// # Panics
/// Panics if the compiled-in vocabulary is not valid Turtle (a test checks it is).
#[must_use]
pub fn vocabulary_quads(graph: &KnowledgeGraph) -> Vec<Quad> {
    let mut quads: Vec<Quad> = RdfParser::from_format(RdfFormat::Turtle)
        .for_slice(VOCAB_TTL.as_bytes())
        .collect::<Result<_, _>>()
        .expect("graph/vocab.ttl is valid Turtle");
    let described: HashSet<NamedOrBlankNode> = quads.iter().map(|q| q.subject.clone()).collect();

    let schema = graph.schema();
    let rx = |local: &str| NamedNode::new_unchecked(format!("{VOCAB}{local}"));
    let mut push = |s: &NamedNode, p: NamedNode, o: Term| {
        quads.push(Quad::new(s.clone(), p, o, GraphName::DefaultGraph));
    };
    for kind in 0..schema.kinds.len() {
        let class = NamedNode::new_unchecked(schema.kind_iri(kind as u16));
        if !described.contains(&NamedOrBlankNode::from(class.clone())) {
            push(
                &class,
                rdf::TYPE.into_owned(),
                NamedNode::new_unchecked("http://www.w3.org/2002/07/owl#Class").into(),
            );
            push(&class, rdfs::SUB_CLASS_OF.into_owned(), rx("Entity").into());
            push(
                &class,
                rdfs::LABEL.into_owned(),
                Literal::new_simple_literal(&schema.kinds[kind].name).into(),
            );
        }
    }
    for (index, relation) in schema.relations.iter().enumerate() {
        let property = NamedNode::new_unchecked(schema.relation_iri(index as u16));
        if !described.contains(&NamedOrBlankNode::from(property.clone())) {
            let label = format!(
                "{} {} {}",
                schema.kinds[relation.source as usize].name,
                relation.verb,
                schema.kinds[relation.target as usize].name
            );
            push(&property, rdf::TYPE.into_owned(), rx("Relation").into());
            push(
                &property,
                rdfs::LABEL.into_owned(),
                Literal::new_simple_literal(label).into(),
            );
            push(
                &property,
                rx("abbreviation"),
                Literal::new_simple_literal(&relation.abbreviation).into(),
            );
            push(
                &property,
                rdfs::DOMAIN.into_owned(),
                NamedNode::new_unchecked(schema.kind_iri(relation.source)).into(),
            );
            push(
                &property,
                rdfs::RANGE.into_owned(),
                NamedNode::new_unchecked(schema.kind_iri(relation.target)).into(),
            );
            push(
                &property,
                rx("symmetric"),
                Literal::new_typed_literal(relation.symmetric.to_string(), xsd::BOOLEAN).into(),
            );
        }
    }
    quads
}

/// Returns the quads of the graph's nodes and edges (without the vocabulary).
pub fn graph_quads(graph: &KnowledgeGraph) -> impl Iterator<Item = Quad> + '_ {
    let schema = graph.schema();
    let classes: Vec<NamedNode> = (0..schema.kinds.len())
        .map(|k| NamedNode::new_unchecked(schema.kind_iri(k as u16)))
        .collect();
    let properties: Vec<NamedNode> = (0..schema.relations.len())
        .map(|r| NamedNode::new_unchecked(schema.relation_iri(r as u16)))
        .collect();
    let id_property = NamedNode::new_unchecked(format!("{VOCAB}id"));
    let node_iris: Vec<NamedNode> = graph
        .nodes()
        .iter()
        .map(|n| NamedNode::new_unchecked(&n.iri))
        .collect();

    let node_quads = graph
        .nodes()
        .iter()
        .zip(node_iris.clone())
        .flat_map(move |(node, iri)| {
            [
                Quad::new(
                    iri.clone(),
                    rdf::TYPE,
                    classes[node.kind as usize].clone(),
                    GraphName::DefaultGraph,
                ),
                Quad::new(
                    iri.clone(),
                    rdfs::LABEL,
                    Literal::new_simple_literal(&node.name),
                    GraphName::DefaultGraph,
                ),
                Quad::new(
                    iri,
                    id_property.clone(),
                    Literal::new_simple_literal(&node.id),
                    GraphName::DefaultGraph,
                ),
            ]
        });
    let edge_quads = graph.edges().iter().map(move |edge| {
        Quad::new(
            node_iris[edge.head as usize].clone(),
            properties[edge.relation as usize].clone(),
            node_iris[edge.tail as usize].clone(),
            GraphName::DefaultGraph,
        )
    });
    node_quads.chain(edge_quads)
}

/// Creates an Oxigraph store at `path` holding the vocabulary, nodes and edges.
///
/// # Errors
/// The store cannot be created or the bulk load fails.
pub fn build_store(
    path: &Path,
    graph: &KnowledgeGraph,
    show_progress: bool,
) -> Result<Store, KgError> {
    let store_error = |e: &dyn std::fmt::Display| KgError::Store {
        path: path.to_owned(),
        message: e.to_string(),
    };
    let store = Store::open(path).map_err(|e| store_error(&e))?;

    let total = (graph.node_count() * 3 + graph.edges().len()) as u64;
    let progress = Progress::new(show_progress, total, "loading RDF store");
    let bar = progress.clone();
    let mut loader = store
        .bulk_loader()
        .on_progress(move |count| bar.set_position(count));
    let quads = vocabulary_quads(graph)
        .into_iter()
        .chain(graph_quads(graph));
    loader.load_quads(quads).map_err(|e| store_error(&e))?;
    loader.commit().map_err(|e| store_error(&e))?;
    progress.finish();
    Ok(store)
}

/// Writes the vocabulary, nodes and edges as N-Triples (for export and benchmarks).
///
/// # Errors
/// Writing fails.
pub fn write_ntriples(graph: &KnowledgeGraph, writer: impl Write) -> std::io::Result<()> {
    let mut serializer = RdfSerializer::from_format(RdfFormat::NTriples).for_writer(writer);
    for quad in vocabulary_quads(graph)
        .into_iter()
        .chain(graph_quads(graph))
    {
        serializer.serialize_quad(&quad)?;
    }
    serializer.finish()?;
    Ok(())
}

/// Opens an existing store read-only (several processes may read it at once).
///
/// # Errors
/// The directory is missing or not an Oxigraph store.
pub fn open_store(path: &Path) -> Result<Store, KgError> {
    Store::open_read_only(path).map_err(|e| KgError::Store {
        path: path.to_owned(),
        message: e.to_string(),
    })
}
