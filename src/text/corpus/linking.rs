//! Links corpus mentions to graph nodes.
//!
//! - BC5CDR chemicals: MeSH id → Compound through the `MESH` rows of the compound mapping
//!   (DrugCentral). A MeSH id that maps to several compounds links to all of them.
//! - BC5CDR diseases: MeSH id → Disease through the `MESH` rows of the Disease Ontology
//!   mapping with `direct` or `manual` evidence. With [`LinkOptions::propagated_disease_xrefs`]
//!   (the default), a MeSH id without such a row falls back to `propagated` rows: the MeSH
//!   term belongs to a DO term that the graph's disease subsumes (a subtype of multiple
//!   sclerosis links to multiple sclerosis). That follows the DO hierarchy, so the passage
//!   mentions a kind of that disease.
//! - ChemProt chemicals (no ids): the lower-cased mention equals the lower-cased node name
//!   (the DrugBank name) or an INN name (`NAME_INN` rows) of a compound.
//! - ChemProt genes (GENE-Y and GENE-N): the mention equals a gene symbol; else, comparing
//!   lower-case letters and digits only (`COX-2` = `COX2`), it equals exactly one gene's
//!   symbol, or one gene's symbol synonym; else its lower-cased text equals one gene's NCBI
//!   full name (`tumor protein p53`). Synonyms and full names shared by several genes are
//!   ambiguous and link nothing.

use std::collections::{HashMap, HashSet};

use super::{Annotation, EntityType};
use crate::text::resources::{TextTable, XrefTable};

/// Settings of mention linking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkOptions {
    /// Link disease MeSH ids through propagated DO cross-references when no direct or
    /// manual one exists.
    pub propagated_disease_xrefs: bool,
}

impl Default for LinkOptions {
    fn default() -> Self {
        Self {
            propagated_disease_xrefs: true,
        }
    }
}

/// Link method of a mention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LinkMethod {
    /// MeSH id with a direct or manual cross-reference.
    Mesh,
    /// MeSH id with a propagated Disease Ontology cross-reference.
    MeshPropagated,
    /// Compound name (DrugBank name in Hetionet), lower-case exact.
    Name,
    /// INN name of a compound, lower-case exact.
    Inn,
    /// Gene symbol, exact or letters and digits only.
    Symbol,
    /// NCBI symbol synonym, letters and digits only.
    SymbolSynonym,
    /// NCBI full name of a gene, lower-case exact.
    FullName,
}

impl LinkMethod {
    /// Returns the name stored in `mentions.parquet`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mesh => "mesh",
            Self::MeshPropagated => "mesh-propagated",
            Self::Name => "name",
            Self::Inn => "inn",
            Self::Symbol => "symbol",
            Self::SymbolSynonym => "symbol-synonym",
            Self::FullName => "full-name",
        }
    }
}

type Index = HashMap<String, Vec<String>>;

/// Lookup tables from mention texts and MeSH ids to node ids of one graph.
#[derive(Debug, Clone, Default)]
pub struct Linker {
    compound_mesh: Index,
    disease_mesh: Index,
    disease_mesh_propagated: Index,
    compound_names: Index,
    compound_inns: Index,
    gene_symbols: Index,
    gene_symbol_keys: Index,
    gene_synonym_keys: Index,
    gene_full_names: Index,
}

impl Linker {
    /// Builds the lookup tables for the graph nodes `nodes` (id, kind, name), keeping only
    /// cross-references to nodes that exist. `gene_texts` supplies gene full names.
    pub fn new<'a>(
        nodes: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>,
        xrefs: &XrefTable,
        gene_texts: &TextTable,
        options: LinkOptions,
    ) -> Self {
        let mut linker = Self::default();
        let mut present = HashSet::new();
        for (id, kind, name) in nodes {
            match kind {
                "Compound" => add(&mut linker.compound_names, name.to_lowercase(), id),
                "Gene" => {
                    add(&mut linker.gene_symbols, name.to_owned(), id);
                    add(&mut linker.gene_symbol_keys, alphanumeric_key(name), id);
                    for full_name in gene_texts.texts(id, "description") {
                        add(&mut linker.gene_full_names, full_name.to_lowercase(), id);
                    }
                }
                "Disease" => {}
                _ => continue,
            }
            present.insert(id.to_owned());
        }

        for xref in xrefs.iter().filter(|x| present.contains(&x.node_id)) {
            let id = xref.node_id.as_str();
            match (
                id.split_once("::").map(|(kind, _)| kind),
                xref.resource.as_str(),
            ) {
                (Some("Compound"), "MESH") => {
                    add(&mut linker.compound_mesh, xref.xref_id.clone(), id)
                }
                (Some("Compound"), "NAME_INN") => {
                    add(&mut linker.compound_inns, xref.xref_id.to_lowercase(), id)
                }
                (Some("Disease"), "MESH") if xref.evidence == "propagated" => {
                    if options.propagated_disease_xrefs {
                        add(
                            &mut linker.disease_mesh_propagated,
                            xref.xref_id.clone(),
                            id,
                        );
                    }
                }
                (Some("Disease"), "MESH") => {
                    add(&mut linker.disease_mesh, xref.xref_id.clone(), id)
                }
                (Some("Gene"), "SYMBOL_SYNONYM") => add(
                    &mut linker.gene_synonym_keys,
                    alphanumeric_key(&xref.xref_id),
                    id,
                ),
                _ => {}
            }
        }
        linker
    }

    /// Returns the node ids that `annotation` names, sorted, and how they were found;
    /// no ids and `None` when it links to nothing.
    #[must_use]
    pub fn link(&self, annotation: &Annotation) -> (Vec<String>, Option<LinkMethod>) {
        let found = match annotation.entity_type {
            EntityType::Chemical if !annotation.mesh_ids.is_empty() => {
                by_ids(&self.compound_mesh, &annotation.mesh_ids).map(|ids| (ids, LinkMethod::Mesh))
            }
            EntityType::Disease => by_ids(&self.disease_mesh, &annotation.mesh_ids)
                .map(|ids| (ids, LinkMethod::Mesh))
                .or_else(|| {
                    by_ids(&self.disease_mesh_propagated, &annotation.mesh_ids)
                        .map(|ids| (ids, LinkMethod::MeshPropagated))
                }),
            EntityType::Chemical if annotation.key.is_some() => {
                let name = annotation.text.to_lowercase();
                lookup(&self.compound_names, &name, false)
                    .map(|ids| (ids, LinkMethod::Name))
                    .or_else(|| {
                        lookup(&self.compound_inns, &name, false).map(|ids| (ids, LinkMethod::Inn))
                    })
            }
            EntityType::Chemical => None,
            EntityType::Gene => self.link_gene(&annotation.text),
        };
        match found {
            Some((mut ids, method)) => {
                ids.sort();
                ids.dedup();
                (ids, Some(method))
            }
            None => (Vec::new(), None),
        }
    }

    /// Returns the node ids of a chemical or disease MeSH id, sorted, for relation ends.
    /// Disease ids fall back to propagated cross-references as mentions do.
    #[must_use]
    pub fn link_mesh(&self, entity_type: EntityType, mesh_id: &str) -> Vec<String> {
        let ids = match entity_type {
            EntityType::Chemical => self.compound_mesh.get(mesh_id),
            EntityType::Disease => self
                .disease_mesh
                .get(mesh_id)
                .or_else(|| self.disease_mesh_propagated.get(mesh_id)),
            EntityType::Gene => None,
        };
        let mut ids = ids.cloned().unwrap_or_default();
        ids.sort();
        ids
    }

    fn link_gene(&self, text: &str) -> Option<(Vec<String>, LinkMethod)> {
        let key = alphanumeric_key(text);
        lookup(&self.gene_symbols, text, false)
            .or_else(|| lookup(&self.gene_symbol_keys, &key, true))
            .map(|ids| (ids, LinkMethod::Symbol))
            .or_else(|| {
                lookup(&self.gene_synonym_keys, &key, true)
                    .map(|ids| (ids, LinkMethod::SymbolSynonym))
            })
            .or_else(|| {
                let name = text
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .to_lowercase();
                lookup(&self.gene_full_names, &name, true).map(|ids| (ids, LinkMethod::FullName))
            })
    }
}

fn add(index: &mut Index, key: String, id: &str) {
    if key.is_empty() {
        return;
    }
    let ids = index.entry(key).or_default();
    if !ids.iter().any(|existing| existing == id) {
        ids.push(id.to_owned());
    }
}

/// Returns the ids under `key`; with `unique_only`, only when exactly one node has it.
fn lookup(index: &Index, key: &str, unique_only: bool) -> Option<Vec<String>> {
    let ids = index.get(key)?;
    (!unique_only || ids.len() == 1).then(|| ids.clone())
}

fn by_ids(index: &Index, keys: &[String]) -> Option<Vec<String>> {
    let ids: Vec<String> = keys
        .iter()
        .filter_map(|k| index.get(k))
        .flatten()
        .cloned()
        .collect();
    (!ids.is_empty()).then_some(ids)
}

/// Lower-cases `text` and keeps letters and digits only: `COX-2` → `cox2`.
fn alphanumeric_key(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::resources::XrefTable;

    fn annotation(
        entity_type: EntityType,
        text: &str,
        mesh_ids: &[&str],
        chemprot: bool,
    ) -> Annotation {
        Annotation {
            pmid: "1".into(),
            key: chemprot.then(|| "T1".to_owned()),
            start: 0,
            end: text.chars().count(),
            text: text.into(),
            entity_type,
            label: String::new(),
            mesh_ids: mesh_ids.iter().map(|s| (*s).to_owned()).collect(),
            line: 1,
        }
    }

    fn linker(options: LinkOptions) -> Linker {
        let nodes = [
            ("Compound::DB00945", "Compound", "Acetylsalicylic acid"),
            ("Compound::DB00091", "Compound", "Cyclosporine"),
            ("Disease::DOID:2377", "Disease", "multiple sclerosis"),
            ("Disease::DOID:10763", "Disease", "hypertension"),
            ("Gene::5743", "Gene", "PTGS2"),
            ("Gene::7157", "Gene", "TP53"),
        ];
        let texts = TextTable::embedded(false).unwrap();
        Linker::new(nodes, &XrefTable::embedded().unwrap(), &texts, options)
    }

    #[test]
    fn mesh_id_links_compound() {
        let (ids, method) = linker(LinkOptions::default()).link(&annotation(
            EntityType::Chemical,
            "aspirin",
            &["D001241"],
            false,
        ));
        assert_eq!(ids, ["Compound::DB00945"]);
        assert_eq!(method, Some(LinkMethod::Mesh));
    }

    #[test]
    fn unnormalised_chemical_links_nothing() {
        let (ids, method) = linker(LinkOptions::default()).link(&annotation(
            EntityType::Chemical,
            "aspirin",
            &[],
            false,
        ));
        assert!(ids.is_empty());
        assert_eq!(method, None);
    }

    #[test]
    fn disease_mesh_direct_and_propagated() {
        let direct = linker(LinkOptions::default()).link(&annotation(
            EntityType::Disease,
            "hypertensive",
            &["D006973"],
            false,
        ));
        assert_eq!(
            direct,
            (
                vec!["Disease::DOID:10763".to_owned()],
                Some(LinkMethod::Mesh)
            )
        );

        // Relapsing-remitting multiple sclerosis is a propagated MeSH xref of DOID:2377.
        let subtype = annotation(
            EntityType::Disease,
            "relapsing-remitting MS",
            &["D020529"],
            false,
        );
        let propagated = linker(LinkOptions::default()).link(&subtype);
        assert_eq!(
            propagated,
            (
                vec!["Disease::DOID:2377".to_owned()],
                Some(LinkMethod::MeshPropagated)
            )
        );
        let off = linker(LinkOptions {
            propagated_disease_xrefs: false,
        })
        .link(&subtype);
        assert_eq!(off, (Vec::new(), None));
    }

    #[test]
    fn chemprot_chemical_by_name_and_inn() {
        let linker = linker(LinkOptions::default());
        let (ids, method) = linker.link(&annotation(
            EntityType::Chemical,
            "Acetylsalicylic Acid",
            &[],
            true,
        ));
        assert_eq!(
            (ids, method),
            (vec!["Compound::DB00945".to_owned()], Some(LinkMethod::Name))
        );
        let (ids, method) =
            linker.link(&annotation(EntityType::Chemical, "ciclosporin", &[], true));
        assert_eq!(
            (ids, method),
            (vec!["Compound::DB00091".to_owned()], Some(LinkMethod::Inn))
        );
    }

    #[test]
    fn chemprot_gene_by_symbol_synonym_and_full_name() {
        let linker = linker(LinkOptions::default());
        let cases = [
            ("TP53", LinkMethod::Symbol, "Gene::7157"),
            ("Ptgs-2", LinkMethod::Symbol, "Gene::5743"),
            ("COX-2", LinkMethod::SymbolSynonym, "Gene::5743"),
            ("tumor  protein p53", LinkMethod::FullName, "Gene::7157"),
        ];
        for (text, method, id) in cases {
            let linked = linker.link(&annotation(EntityType::Gene, text, &[], true));
            assert_eq!(linked, (vec![id.to_owned()], Some(method)), "{text}");
        }
    }
}
