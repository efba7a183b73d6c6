//! Facts about a gene proposed as a drug target: symbol and name, UniProt accessions,
//! pathways, anatomy, associated diseases and GO terms.
//!
//! Graph facts come from the gene's edges: pathways (`GpPW`), anatomy (`AeG`, `AuG`, `AdG`),
//! diseases (`DaG`, `DuG`, `DdG`) and GO terms (`GpBP`, `GpCC`, `GpMF`). A relation the graph
//! does not have (the embedded 12-metaedge Hetionet has no anatomy–gene or GO edges) gives an
//! empty list. The full name and UniProt accessions come from [`GeneAnnotations`], read from
//! `mappings/gene_entrez_xrefs.tsv[.gz]` and `texts/gene_ncbi.tsv[.gz]` under a data
//! directory when those files exist.
//!
//! ```
//! use rxgraph::kg::{GraphBuilder, Schema};
//! use rxgraph::rank::{gene_facts, GeneAnnotations};
//!
//! let mut builder = GraphBuilder::new(Schema::hetionet());
//! builder.add_node("1017", "Gene", "CDK2", None).unwrap();
//! builder.add_node("WP1", "Pathway", "Cell cycle", None).unwrap();
//! builder.add_edge("Gene::1017", "GpPW", "Pathway::WP1", None);
//! let graph = builder.build().unwrap();
//!
//! let facts = gene_facts(&graph, graph.find("Gene::1017").unwrap(), &GeneAnnotations::default());
//! assert_eq!(facts.symbol, "CDK2");
//! assert_eq!(facts.pathways.names, ["Cell cycle"]);
//! ```

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use petgraph::Direction;
use serde::Serialize;

use super::error::RankError;
use crate::kg::KnowledgeGraph;

/// Names listed per fact group; the count covers all.
pub const NAMES_PER_GROUP: usize = 8;

/// Related nodes of one kind of fact.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FactGroup {
    /// Number of related nodes.
    pub count: usize,
    /// Names of up to [`NAMES_PER_GROUP`] of them, alphabetical.
    pub names: Vec<String>,
}

/// Facts about one gene.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GeneFacts {
    /// Node id (`Gene::1017`).
    pub id: String,
    /// Gene symbol (the Hetionet node name).
    pub symbol: String,
    /// Full name from NCBI Gene, when the annotation file was found.
    pub name: Option<String>,
    /// UniProt accessions mapped to the gene.
    pub uniprot: Vec<String>,
    /// Pathways the gene participates in.
    pub pathways: FactGroup,
    /// Anatomy that expresses, up- or down-regulates the gene.
    pub anatomy: FactGroup,
    /// Diseases associated with the gene or regulating it.
    pub diseases: FactGroup,
    /// Gene Ontology terms (biological process, cellular component, molecular function).
    pub go_terms: FactGroup,
}

/// Gene names and UniProt accessions by node id, read from annotation files.
#[derive(Debug, Clone, Default)]
pub struct GeneAnnotations {
    names: HashMap<String, String>,
    uniprot: HashMap<String, Vec<String>>,
    /// Files that were read.
    pub sources: Vec<PathBuf>,
}

impl GeneAnnotations {
    /// Reads the annotation files from the first of `data_dirs` that has each of them.
    /// Files that no directory has are skipped; check [`Self::sources`] for what was read.
    ///
    /// # Errors
    /// A file exists but cannot be read or decompressed.
    pub fn read(data_dirs: &[PathBuf]) -> Result<Self, RankError> {
        let mut annotations = Self::default();
        if let Some(path) = find_file(data_dirs, "mappings/gene_entrez_xrefs.tsv") {
            for_each_row(&path, |fields| {
                // entrez_gene_id, symbol, resource, xref_id, source
                if fields.len() >= 4 && fields[2] == "UNIPROT" {
                    let accessions = annotations
                        .uniprot
                        .entry(format!("Gene::{}", fields[0]))
                        .or_default();
                    if !accessions.iter().any(|a| a == fields[3]) {
                        accessions.push(fields[3].to_owned());
                    }
                }
            })?;
            annotations.sources.push(path);
        }
        if let Some(path) = find_file(data_dirs, "texts/gene_ncbi.tsv") {
            for_each_row(&path, |fields| {
                // node_id, field, text, source, license
                if fields.len() >= 3 && fields[1] == "description" {
                    annotations
                        .names
                        .entry(fields[0].to_owned())
                        .or_insert_with(|| fields[2].to_owned());
                }
            })?;
            annotations.sources.push(path);
        }
        Ok(annotations)
    }
}

/// Collects the facts about the gene at `node`.
#[must_use]
pub fn gene_facts(graph: &KnowledgeGraph, node: u32, annotations: &GeneAnnotations) -> GeneFacts {
    let id = graph.node(node).id.clone();
    GeneFacts {
        symbol: graph.node(node).name.clone(),
        name: annotations.names.get(&id).cloned(),
        uniprot: annotations.uniprot.get(&id).cloned().unwrap_or_default(),
        pathways: related(graph, node, &["GpPW"]),
        anatomy: related(graph, node, &["AeG", "AuG", "AdG"]),
        diseases: related(graph, node, &["DaG", "DuG", "DdG"]),
        go_terms: related(graph, node, &["GpBP", "GpCC", "GpMF"]),
        id,
    }
}

/// Collects the distinct nodes joined to `node` by any of `relations`, in either direction.
fn related(graph: &KnowledgeGraph, node: u32, relations: &[&str]) -> FactGroup {
    let ids: Vec<u16> = relations
        .iter()
        .filter_map(|r| graph.schema().relation_id(r))
        .collect();
    if ids.is_empty() {
        return FactGroup::default();
    }
    let index = NodeIndex::new(node as usize);
    let petgraph = graph.petgraph();
    let mut others: Vec<usize> = petgraph
        .edges_directed(index, Direction::Outgoing)
        .filter(|e| ids.contains(e.weight()))
        .map(|e| e.target().index())
        .chain(
            petgraph
                .edges_directed(index, Direction::Incoming)
                .filter(|e| ids.contains(e.weight()))
                .map(|e| e.source().index()),
        )
        .collect();
    others.sort_unstable();
    others.dedup();
    let mut names: Vec<String> = others
        .iter()
        .map(|&n| graph.nodes()[n].name.clone())
        .collect();
    names.sort_by_key(|n| n.to_lowercase());
    let count = names.len();
    names.truncate(NAMES_PER_GROUP);
    FactGroup { count, names }
}

/// Finds `relative` or `relative.gz` in the first directory that has either.
fn find_file(dirs: &[PathBuf], relative: &str) -> Option<PathBuf> {
    dirs.iter().find_map(|dir| {
        [dir.join(relative), dir.join(format!("{relative}.gz"))]
            .into_iter()
            .find(|p| p.is_file())
    })
}

/// Calls `row` with the tab-separated fields of each line after the header.
fn for_each_row(path: &Path, mut row: impl FnMut(&[&str])) -> Result<(), RankError> {
    let file = std::fs::File::open(path).map_err(|e| RankError::io("open", path, e))?;
    let reader: Box<dyn Read> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(flate2::read::GzDecoder::new(file))
    } else {
        Box::new(file)
    };
    for line in BufReader::new(reader).lines().skip(1) {
        let line = line.map_err(|e| RankError::io("read", path, e))?;
        let fields: Vec<&str> = line.trim_end_matches('\r').split('\t').collect();
        row(&fields);
    }
    Ok(())
}
