//! Identifier mappings and entity texts: the tables under `data/mappings/` and
//! `data/texts/`, compiled into the binary, and the same formats read from a path.
//!
//! [`XrefTable::embedded`] returns the cross-references of Hetionet compounds (DrugCentral
//! rows: MeSH, INN names, ChEBI …), diseases (Disease Ontology: MeSH, UMLS, OMIM …) and
//! genes (NCBI Gene: symbols and their synonyms, HGNC, Ensembl …). [`TextTable::embedded`]
//! returns the descriptive texts (gene names, DO definitions and synonyms, DrugCentral
//! classes). Every table names its licence in `data/README.md`; the embedded ones are all
//! public domain, CC0, CC BY 3.0 or CC BY 4.0. DrugBank texts (CC BY-NC 4.0) are not
//! embedded: [`TextTable::read`] loads them from a path the user gives.
//!
//! ```
//! use rxgraph::text::resources::XrefTable;
//!
//! let xrefs = XrefTable::embedded().unwrap();
//! let aspirin: Vec<&str> = xrefs.nodes_with("MESH", "D001241").map(|x| x.node_id.as_str()).collect();
//! assert_eq!(aspirin, ["Compound::DB00945"]);
//! ```

use std::collections::HashMap;
use std::path::Path;

use crate::kg::ingest::LineReader;
use crate::kg::{KgError, Origin};

/// One embedded file: its path in the repository and its compiled-in (gzipped) bytes.
#[derive(Debug, Clone, Copy)]
pub struct EmbeddedFile {
    /// Path relative to the repository root.
    pub path: &'static str,
    /// Node kind of the file's node ids (`Compound` for `DB00014`).
    pub kind: &'static str,
    /// The gzip-compressed file.
    pub bytes: &'static [u8],
}

macro_rules! embedded {
    ($path:literal, $kind:literal) => {
        EmbeddedFile {
            path: $path,
            kind: $kind,
            bytes: include_bytes!(concat!("../../", $path)),
        }
    };
}

/// Cross-reference tables: compounds (DrugCentral rows only), diseases, genes.
pub const EMBEDDED_XREFS: [EmbeddedFile; 3] = [
    embedded!("data/mappings/compound_drugbank_xrefs.tsv.gz", "Compound"),
    embedded!("data/mappings/disease_doid_xrefs.tsv.gz", "Disease"),
    embedded!("data/mappings/gene_entrez_xrefs.tsv.gz", "Gene"),
];

/// Entity-text tables that the default entity texts use.
pub const EMBEDDED_TEXTS: [EmbeddedFile; 4] = [
    embedded!("data/texts/gene_ncbi.tsv.gz", "Gene"),
    embedded!("data/texts/disease_do.tsv.gz", "Disease"),
    embedded!("data/texts/compound_drugcentral.tsv.gz", "Compound"),
    embedded!(
        "data/texts/pharmacologic_class_drugcentral.tsv.gz",
        "Pharmacologic Class"
    ),
];

/// DrugCentral indications and targets of compounds. They restate CtD/CpD and CbG edges,
/// so entity texts leave them out unless asked to include them.
pub const EMBEDDED_INDICATIONS_TARGETS: EmbeddedFile = embedded!(
    "data/texts/compound_drugcentral_indications_targets.tsv.gz",
    "Compound"
);

/// Column names of every entity-text table.
pub const TEXT_COLUMNS: [&str; 5] = ["node_id", "field", "text", "source", "license"];

/// One cross-reference: a graph node and an identifier of it in another resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Xref {
    /// Full node id, `Compound::DB00014`.
    pub node_id: String,
    /// Resource name as in the file: `MESH`, `NAME_INN`, `SYMBOL_SYNONYM` …
    pub resource: String,
    /// Identifier or name in that resource.
    pub xref_id: String,
    /// Origin or evidence column: `drugcentral`, `entrez_gene`, `direct`, `propagated` …
    pub evidence: String,
}

/// Cross-references indexed by node and by (resource, identifier).
#[derive(Debug, Clone, Default)]
pub struct XrefTable {
    rows: Vec<Xref>,
    by_node: HashMap<String, Vec<usize>>,
    by_xref: HashMap<(String, String), Vec<usize>>,
}

impl XrefTable {
    /// Reads the three embedded mapping files.
    ///
    /// # Errors
    /// A malformed embedded file (a test reads them all).
    pub fn embedded() -> Result<Self, KgError> {
        let mut table = Self::default();
        for file in &EMBEDDED_XREFS {
            let mut reader = LineReader::from_bytes(Path::new(file.path), file.bytes)?;
            table.read(&mut reader, file.kind)?;
        }
        Ok(table)
    }

    /// Adds the rows of one mapping file: a header of five columns (node id, node name,
    /// `resource`, `xref_id`, `source` or `evidence`) and one row per cross-reference.
    /// Node ids in the file lack the kind prefix, which `kind` supplies.
    ///
    /// # Errors
    /// A header other than that, a row without five columns, or an empty field.
    pub fn read(&mut self, reader: &mut LineReader, kind: &str) -> Result<(), KgError> {
        let header = match reader.next_line() {
            Some(line) => line?.to_owned(),
            None => String::new(),
        };
        let columns: Vec<&str> = header.split('\t').collect();
        if columns.len() != 5 || columns[2] != "resource" || columns[3] != "xref_id" {
            return Err(KgError::BadHeader {
                path: reader.path().to_owned(),
                expected: vec![
                    "<node id>",
                    "<node name>",
                    "resource",
                    "xref_id",
                    "source|evidence",
                ],
                found: header,
            });
        }

        let path = reader.path().to_owned();
        while let Some(record) = reader.next_record(5) {
            let (line, fields) = record?;
            if let Some(empty) = [0, 2, 3].into_iter().find(|&i| fields[i].trim().is_empty()) {
                return Err(KgError::InvalidField {
                    origin: Origin {
                        path: path.clone(),
                        line,
                    },
                    field: ["node id", "", "resource", "xref_id"][empty],
                    value: String::new(),
                    reason: "the field is empty".into(),
                });
            }
            let xref = Xref {
                node_id: format!("{kind}::{}", fields[0]),
                resource: fields[2].to_owned(),
                xref_id: fields[3].to_owned(),
                evidence: fields[4].to_owned(),
            };
            self.push(xref);
        }
        Ok(())
    }

    fn push(&mut self, xref: Xref) {
        let index = self.rows.len();
        self.by_node
            .entry(xref.node_id.clone())
            .or_default()
            .push(index);
        self.by_xref
            .entry((xref.resource.clone(), xref.xref_id.clone()))
            .or_default()
            .push(index);
        self.rows.push(xref);
    }

    /// Returns the number of rows.
    #[must_use]
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Returns whether the table has no rows.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Iterates over all rows in file order.
    pub fn iter(&self) -> impl Iterator<Item = &Xref> {
        self.rows.iter()
    }

    /// Iterates over the cross-references of `node_id` in `resource`, in file order.
    pub fn xrefs_of<'a>(
        &'a self,
        node_id: &str,
        resource: &'a str,
    ) -> impl Iterator<Item = &'a Xref> {
        self.by_node
            .get(node_id)
            .into_iter()
            .flatten()
            .map(|&i| &self.rows[i])
            .filter(move |x| x.resource == resource)
    }

    /// Iterates over the rows whose identifier in `resource` is `xref_id` (exact match).
    pub fn nodes_with(&self, resource: &str, xref_id: &str) -> impl Iterator<Item = &Xref> {
        self.by_xref
            .get(&(resource.to_owned(), xref_id.to_owned()))
            .into_iter()
            .flatten()
            .map(|&i| &self.rows[i])
    }
}

/// One descriptive text about a node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextRow {
    /// Full node id, `Gene::7157`.
    pub node_id: String,
    /// Field name: `description`, `synonym`, `class_fda_epc` …
    pub field: String,
    /// The text.
    pub text: String,
}

/// Entity texts indexed by node, each node's rows in file order.
#[derive(Debug, Clone, Default)]
pub struct TextTable {
    by_node: HashMap<String, Vec<TextRow>>,
    rows: usize,
}

impl TextTable {
    /// Reads the embedded default tables (see [`EMBEDDED_TEXTS`]), plus the DrugCentral
    /// indications and targets when `indications_targets` is set.
    ///
    /// # Errors
    /// A malformed embedded file (a test reads them all).
    pub fn embedded(indications_targets: bool) -> Result<Self, KgError> {
        let mut table = Self::default();
        let extra = indications_targets.then_some(&EMBEDDED_INDICATIONS_TARGETS);
        for file in EMBEDDED_TEXTS.iter().chain(extra) {
            let mut reader = LineReader::from_bytes(Path::new(file.path), file.bytes)?;
            table.read(&mut reader)?;
        }
        Ok(table)
    }

    /// Adds the rows of a text table with the columns [`TEXT_COLUMNS`] (plain or gzipped).
    ///
    /// # Errors
    /// A missing file, another header, a row without five columns, an empty node id or
    /// field, or a node id without a `Kind::` prefix.
    pub fn read(&mut self, reader: &mut LineReader) -> Result<(), KgError> {
        reader.expect_header(&TEXT_COLUMNS)?;
        let path = reader.path().to_owned();
        while let Some(record) = reader.next_record(TEXT_COLUMNS.len()) {
            let (line, fields) = record?;
            let invalid = |field: &'static str, reason: &str| KgError::InvalidField {
                origin: Origin {
                    path: path.clone(),
                    line,
                },
                field,
                value: fields[0].to_owned(),
                reason: reason.to_owned(),
            };
            if !fields[0].contains("::") {
                return Err(invalid(
                    "node_id",
                    "expected a Hetionet id such as Gene::7157",
                ));
            }
            if fields[1].trim().is_empty() {
                return Err(invalid("field", "the field name is empty"));
            }
            if fields[2].trim().is_empty() {
                continue;
            }
            let row = TextRow {
                node_id: fields[0].to_owned(),
                field: fields[1].to_owned(),
                text: fields[2].to_owned(),
            };
            self.by_node
                .entry(row.node_id.clone())
                .or_default()
                .push(row);
            self.rows += 1;
        }
        Ok(())
    }

    /// Reads one more text table from `path` into this one.
    ///
    /// # Errors
    /// As [`TextTable::read`].
    pub fn read_path(&mut self, path: &Path) -> Result<(), KgError> {
        let mut reader = LineReader::open(path)?;
        self.read(&mut reader)
    }

    /// Returns the number of rows read.
    #[must_use]
    pub fn len(&self) -> usize {
        self.rows
    }

    /// Returns whether no row was read.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Iterates over the texts of `node_id` in `field`, in file order.
    pub fn texts<'a>(&'a self, node_id: &str, field: &'a str) -> impl Iterator<Item = &'a str> {
        self.by_node
            .get(node_id)
            .into_iter()
            .flatten()
            .filter(move |row| row.field == field)
            .map(|row| row.text.as_str())
    }

    /// Returns whether any row names `node_id`.
    #[must_use]
    pub fn has_node(&self, node_id: &str) -> bool {
        self.by_node.contains_key(node_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_xrefs_read() {
        let xrefs = XrefTable::embedded().unwrap();
        assert_eq!(xrefs.len(), 13_974 + 3_568 + 120_991);
        let inn: Vec<&str> = xrefs
            .xrefs_of("Compound::DB00091", "NAME_INN")
            .map(|x| x.xref_id.as_str())
            .collect();
        assert_eq!(inn, ["ciclosporin"]);
    }

    #[test]
    fn embedded_xrefs_have_no_drugbank_only_rows() {
        let xrefs = XrefTable::embedded().unwrap();
        let noncommercial = xrefs
            .iter()
            .filter(|x| x.node_id.starts_with("Compound::") && !x.evidence.contains("drugcentral"))
            .count();
        assert_eq!(noncommercial, 0);
    }

    #[test]
    fn embedded_texts_read() {
        let texts = TextTable::embedded(false).unwrap();
        assert_eq!(texts.len(), 101_150 + 865 + 11_050 + 345);
        let p53: Vec<&str> = texts.texts("Gene::7157", "description").collect();
        assert_eq!(p53, ["tumor protein p53"]);
        assert_eq!(texts.texts("Compound::DB00945", "indication").count(), 0);

        let with_indications = TextTable::embedded(true).unwrap();
        assert!(
            with_indications
                .texts("Compound::DB00945", "indication")
                .count()
                > 0
        );
    }
}
