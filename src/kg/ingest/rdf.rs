//! N-Triples and Turtle input.
//!
//! Every node needs an `rdf:type`, which gives its kind: a class of the rxgraph vocabulary
//! (`rx:Compound`) maps to that kind, any other class to its local name. `rdfs:label` gives
//! the name. Every other triple whose object is an IRI becomes an edge whose relation is the
//! predicate's local name (`rx:CtD` → `CtD`); the relation is added to the schema if it is
//! new. Literal-valued triples other than labels are skipped and counted.

use std::collections::HashMap;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{vocab, NamedOrBlankNode, Term};

use crate::kg::builder::GraphBuilder;
use crate::kg::error::KgError;
use crate::kg::schema::{class_local_name, Relation, VOCAB};

use super::Progress;

/// Picks the RDF format from a file extension (`.nt`, `.ttl`, optionally with `.gz`).
#[must_use]
pub fn format_for(path: &Path) -> Option<RdfFormat> {
    let name = path.file_name()?.to_str()?.trim_end_matches(".gz");
    let extension = name.rsplit_once('.')?.1;
    RdfFormat::from_extension(extension)
        .filter(|f| matches!(f, RdfFormat::NTriples | RdfFormat::Turtle))
}

/// Reads an N-Triples or Turtle file into `builder`; returns (nodes, edges) added.
///
/// # Errors
/// A missing file, a syntax error (with its position), a blank node, or a node without
/// `rdf:type`.
pub fn read_rdf(
    path: &Path,
    format: RdfFormat,
    builder: &mut GraphBuilder,
    progress: &Progress,
) -> Result<(u64, u64), KgError> {
    let file = File::open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => KgError::MissingFile {
            path: path.to_owned(),
        },
        _ => KgError::io("open", path, e),
    })?;
    let reader: Box<dyn std::io::Read> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(flate2::read::MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    };
    builder.register_file(path);

    let mut kinds: HashMap<String, String> = HashMap::new();
    let mut labels: HashMap<String, String> = HashMap::new();
    let mut links: Vec<(String, String, String)> = Vec::new();
    let mut skipped_literals = 0u64;
    let rdf_error = |message: String| KgError::Rdf {
        path: path.to_owned(),
        message,
    };

    for quad in RdfParser::from_format(format).for_reader(BufReader::new(reader)) {
        let quad = quad.map_err(|e| rdf_error(e.to_string()))?;
        progress.inc(1);
        let NamedOrBlankNode::NamedNode(subject) = quad.subject else {
            return Err(rdf_error(format!(
                "blank node subject {} is not supported; give every node an IRI",
                quad.subject
            )));
        };
        let subject = subject.into_string();
        let predicate = quad.predicate.as_str();
        match quad.object {
            Term::NamedNode(object) if predicate == vocab::rdf::TYPE.as_str() => {
                kinds
                    .entry(subject)
                    .or_insert_with(|| local_name(object.as_str()).to_owned());
            }
            Term::NamedNode(object) => {
                links.push((
                    subject,
                    local_name(predicate).to_owned(),
                    object.into_string(),
                ));
            }
            Term::Literal(literal) if predicate == vocab::rdfs::LABEL.as_str() => {
                labels.insert(subject, literal.value().to_owned());
            }
            Term::Literal(_) => skipped_literals += 1,
            Term::BlankNode(node) => {
                return Err(rdf_error(format!(
                    "blank node object _:{} of <{subject}> is not supported; give every node an IRI",
                    node.as_str()
                )));
            }
            #[allow(unreachable_patterns)]
            other => return Err(rdf_error(format!("unsupported object {other}"))),
        }
    }
    if skipped_literals > 0 {
        tracing::debug!(path = %path.display(), skipped_literals, "skipped literal-valued triples other than rdfs:label");
    }

    // Map class local names back to schema kinds (`SideEffect` → `Side Effect`).
    let kind_names: HashMap<String, String> = builder
        .schema()
        .kinds
        .iter()
        .map(|k| (class_local_name(&k.name), k.name.clone()))
        .collect();
    let mut node_ids: HashMap<&str, String> = HashMap::with_capacity(kinds.len());
    let mut sorted: Vec<(&String, &String)> = kinds.iter().collect();
    sorted.sort();
    for (iri, class) in sorted {
        let kind = kind_names
            .get(class)
            .cloned()
            .unwrap_or_else(|| class.clone());
        let source_id = builder
            .schema()
            .source_id_from_iri(&kind, iri)
            .unwrap_or_else(|| iri.clone());
        let id = format!("{kind}::{source_id}");
        let name = labels.get(iri).map_or(iri.as_str(), String::as_str);
        builder.add_node_with_iri(&id, &kind, name, Some(iri.clone()), None)?;
        node_ids.insert(iri, id);
    }

    let edge_count = links.len() as u64;
    for (head, relation, tail) in &links {
        let id_of = |iri: &str| {
            node_ids.get(iri).cloned().ok_or_else(|| {
                rdf_error(format!(
                    "node <{iri}> in <{head}> {relation} <{tail}> has no rdf:type; add `<{iri}> a <{VOCAB}Kind>` so rxgraph knows its kind"
                ))
            })
        };
        let (head_id, tail_id) = (id_of(head)?, id_of(tail)?);
        if builder.schema().relation_id(relation).is_none() {
            let schema = builder.schema();
            let source = schema
                .kind_id(builder.node_kind(&head_id).expect("added above"))
                .expect("known kind");
            let target = schema
                .kind_id(builder.node_kind(&tail_id).expect("added above"))
                .expect("known kind");
            builder.add_relation(Relation {
                abbreviation: relation.clone(),
                verb: relation.clone(),
                source,
                target,
                symmetric: false,
            });
        }
        builder.add_edge(&head_id, relation, &tail_id, None);
    }
    Ok((kinds.len() as u64, edge_count))
}

fn local_name(iri: &str) -> &str {
    iri.rsplit(['#', '/'])
        .next()
        .filter(|s| !s.is_empty())
        .unwrap_or(iri)
}
