//! Facts about a gene proposed as a drug target: symbol and name, UniProt accessions,
//! pathways, anatomy, associated diseases and GO terms.
//!
//! Graph facts come from the gene's edges: pathways (`GpPW`), anatomy (`AeG`, `AuG`, `AdG`),
//! diseases (`DaG`, `DuG`, `DdG`) and GO terms (`GpBP`, `GpCC`, `GpMF`). A relation the graph
//! does not have (the embedded 12-metaedge Hetionet has no anatomy–gene or GO edges) gives an
//! empty list. The full name and UniProt accessions come from [`GeneAnnotations`], read from
//! `mappings/gene_entrez_xrefs.tsv[.gz]` and `texts/gene_ncbi.tsv[.gz]` under a data
//! directory when those files exist, or from the copies of them compiled into the binary.
//! `rxgraph ingest` stores those copies in the work directory, under the same paths.
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
use crate::text::resources::{EmbeddedFile, EMBEDDED_TEXTS, EMBEDDED_XREFS};

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

/// NCBI Gene cross-references, whose UNIPROT rows give the UniProt accessions. The path is
/// relative to a data directory, and the file may be gzipped with `.gz` added.
pub const GENE_XREFS_TABLE: &str = "mappings/gene_entrez_xrefs.tsv";
/// NCBI Gene texts, whose description rows give the full gene names. The path is relative
/// to a data directory, and the file may be gzipped with `.gz` added.
pub const GENE_TEXTS_TABLE: &str = "texts/gene_ncbi.tsv";
/// The annotation tables that [`GeneAnnotations`] reads.
pub const GENE_ANNOTATION_TABLES: [&str; 2] = [GENE_XREFS_TABLE, GENE_TEXTS_TABLE];

/// Gene names and UniProt accessions by node id, read from annotation files.
#[derive(Debug, Clone, Default)]
pub struct GeneAnnotations {
    names: HashMap<String, String>,
    uniprot: HashMap<String, Vec<String>>,
    /// Tables of [`GENE_ANNOTATION_TABLES`] that were read.
    tables: Vec<&'static str>,
    /// Files that were read. A table compiled into the binary is listed by its path in
    /// the repository (`data/texts/gene_ncbi.tsv.gz`).
    pub sources: Vec<PathBuf>,
}

impl GeneAnnotations {
    /// Reads the annotation files from the first of `data_dirs` that has each of them.
    /// Files that no directory has are skipped; check [`Self::missing_tables`] or
    /// [`Self::sources`] for what was read.
    ///
    /// # Errors
    /// A file exists but cannot be read or decompressed.
    pub fn read(data_dirs: &[PathBuf]) -> Result<Self, RankError> {
        let mut annotations = Self::default();
        for table in GENE_ANNOTATION_TABLES {
            if let Some(path) = find_file(data_dirs, table) {
                let file =
                    std::fs::File::open(&path).map_err(|e| RankError::io("open", &path, e))?;
                let gzipped = path.extension().is_some_and(|e| e == "gz");
                annotations.add_table(table, &path, file, gzipped)?;
            }
        }
        Ok(annotations)
    }

    /// Returns the tables of [`GENE_ANNOTATION_TABLES`] that were not read.
    #[must_use]
    pub fn missing_tables(&self) -> Vec<&'static str> {
        GENE_ANNOTATION_TABLES
            .into_iter()
            .filter(|table| !self.tables.contains(table))
            .collect()
    }

    /// Reads `tables` from the copies compiled into the binary (the repository's `data/`).
    ///
    /// # Errors
    /// A table that is not one of [`GENE_ANNOTATION_TABLES`], or a malformed embedded file.
    pub fn add_embedded(&mut self, tables: &[&'static str]) -> Result<(), RankError> {
        for &table in tables {
            let file = embedded_table(table).ok_or_else(|| {
                RankError::io(
                    "find the embedded copy of",
                    Path::new(table),
                    std::io::Error::new(
                        std::io::ErrorKind::NotFound,
                        "not one of the gene annotation tables",
                    ),
                )
            })?;
            self.add_table(table, Path::new(file.path), file.bytes, true)?;
        }
        Ok(())
    }

    /// Returns the embedded annotation tables as (path relative to a data directory, gzipped
    /// bytes), for `ingest` to store in a work directory.
    #[must_use]
    pub fn embedded_files() -> Vec<(String, &'static [u8])> {
        GENE_ANNOTATION_TABLES
            .into_iter()
            .filter_map(|table| {
                embedded_table(table).map(|file| (format!("{table}.gz"), file.bytes))
            })
            .collect()
    }

    /// Adds the rows of `table`, read from `source` (gzipped when `gzipped`). `path` names the
    /// file in errors and in [`Self::sources`].
    fn add_table(
        &mut self,
        table: &'static str,
        path: &Path,
        source: impl Read,
        gzipped: bool,
    ) -> Result<(), RankError> {
        let reader: Box<dyn Read + '_> = if gzipped {
            Box::new(flate2::read::GzDecoder::new(source))
        } else {
            Box::new(source)
        };
        if table == GENE_XREFS_TABLE {
            for_each_row(path, reader, |fields| {
                // entrez_gene_id, symbol, resource, xref_id, source
                if fields.len() >= 4 && fields[2] == "UNIPROT" {
                    let accessions = self
                        .uniprot
                        .entry(format!("Gene::{}", fields[0]))
                        .or_default();
                    if !accessions.iter().any(|a| a == fields[3]) {
                        accessions.push(fields[3].to_owned());
                    }
                }
            })?;
        } else {
            for_each_row(path, reader, |fields| {
                // node_id, field, text, source, license
                if fields.len() >= 3 && fields[1] == "description" {
                    self.names
                        .entry(fields[0].to_owned())
                        .or_insert_with(|| fields[2].to_owned());
                }
            })?;
        }
        self.tables.push(table);
        self.sources.push(path.to_owned());
        Ok(())
    }
}

/// Finds the copy of `table` (one of [`GENE_ANNOTATION_TABLES`]) compiled into the binary.
fn embedded_table(table: &str) -> Option<&'static EmbeddedFile> {
    let path = format!("data/{table}.gz");
    EMBEDDED_XREFS
        .iter()
        .chain(EMBEDDED_TEXTS.iter())
        .find(|file| file.path == path)
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

/// Calls `row` with the tab-separated fields of each line after the header. `path` names the
/// source in errors.
fn for_each_row(
    path: &Path,
    reader: impl Read,
    mut row: impl FnMut(&[&str]),
) -> Result<(), RankError> {
    for line in BufReader::new(reader).lines().skip(1) {
        let line = line.map_err(|e| RankError::io("read", path, e))?;
        let fields: Vec<&str> = line.trim_end_matches('\r').split('\t').collect();
        row(&fields);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kg::{GraphBuilder, Schema};

    fn cdk2() -> (KnowledgeGraph, u32) {
        let mut builder = GraphBuilder::new(Schema::hetionet());
        builder.add_node("1017", "Gene", "CDK2", None).unwrap();
        let graph = builder.build().unwrap();
        let node = graph.find("Gene::1017").unwrap();
        (graph, node)
    }

    #[test]
    fn every_table_is_embedded() {
        let files = GeneAnnotations::embedded_files();
        let names: Vec<&str> = files.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(
            names,
            [
                "mappings/gene_entrez_xrefs.tsv.gz",
                "texts/gene_ncbi.tsv.gz"
            ]
        );
        assert!(files
            .iter()
            .all(|(_, bytes)| bytes.starts_with(&[0x1f, 0x8b])));
    }

    #[test]
    fn embedded_tables_give_names() {
        let mut annotations = GeneAnnotations::default();
        assert_eq!(annotations.missing_tables(), GENE_ANNOTATION_TABLES);
        annotations.add_embedded(&GENE_ANNOTATION_TABLES).unwrap();
        assert!(annotations.missing_tables().is_empty());
        let (graph, node) = cdk2();
        let facts = gene_facts(&graph, node, &annotations);
        assert_eq!(facts.name.as_deref(), Some("cyclin-dependent kinase 2"));
        let abat = annotations
            .uniprot
            .get("Gene::18")
            .cloned()
            .unwrap_or_default();
        assert!(abat.contains(&"P80404".to_owned()), "{abat:?}");
    }

    #[test]
    fn data_dir_tables_are_read() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("texts")).unwrap();
        std::fs::write(
            dir.path().join("texts/gene_ncbi.tsv"),
            "node_id\tfield\ttext\tsource\tlicense\r\n\
             Gene::1017\tdescription\ta test name\ttest\tCC0\r\n",
        )
        .unwrap();
        let annotations = GeneAnnotations::read(&[dir.path().to_owned()]).unwrap();
        assert_eq!(annotations.missing_tables(), [GENE_XREFS_TABLE]);
        assert_eq!(
            annotations.sources,
            [dir.path().join("texts/gene_ncbi.tsv")]
        );
        let (graph, node) = cdk2();
        let facts = gene_facts(&graph, node, &annotations);
        assert_eq!(facts.name.as_deref(), Some("a test name"));
        assert!(facts.uniprot.is_empty());
    }
}
