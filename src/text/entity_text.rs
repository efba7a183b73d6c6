//! One descriptive text per graph node, for the text embedding of that node.
//!
//! [`EntityTexts::load`] reads the embedded mapping and text tables (see
//! [`crate::text::resources`]); [`EntityTexts::text`] composes a node's text from its kind,
//! name and whatever those tables hold about it. Every text starts with `Kind: name.`, so no
//! text is empty, and the parts follow in a fixed order:
//!
//! | Kind | Parts after `Kind: name.` |
//! |---|---|
//! | Compound | `INN:` INN names that differ from the name; DrugCentral classes: `Established pharmacologic class:` (FDA EPC), `Mechanism of action:` (FDA MoA), `Physiologic effect:` (FDA PE), `Chemical class:` (FDA chemical/ingredient), `MeSH pharmacological action:`, `ChEBI roles:`. With DrugBank texts given: `DrugBank categories:`, `Drug type:`, `Description:`. With indications and targets switched on: `Indications:`, `Targets:` |
//! | Disease | `Synonyms:` (DO synonyms), `Parent terms:` (DO `is_a` parents), `Definition:` (DO definition, relation words such as `located_in` written as `located in`) |
//! | Gene | `Full name:` (NCBI description), `Nomenclature name:` (where it differs), `Synonyms:` (NCBI symbol synonyms), `Other names:` (NCBI other designations), `Location:` (cytoband, else `Chromosome:`) |
//! | Pharmacologic Class | `Class type:` (DrugCentral category, e.g. "Mechanism of Action (FDA)") |
//! | Passage | the title and abstract, see [`passage_text`] |
//! | other kinds | nothing: Hetionet names of anatomy, GO terms, pathways, side effects and symptoms are already descriptive |
//!
//! A list part joins its items with `; ` in file order and drops items equal
//! (case-insensitively) to the name or to an earlier item. Whitespace runs become one space.
//!
//! # Leakage
//!
//! DrugCentral indications restate the Compound–treats/palliates–Disease edges (CtD, CpD)
//! and its targets restate Compound–binds–Gene (CbG), the edges a model is evaluated on.
//! They are left out unless [`EntityTextOptions::include_indications_targets`] is set. The
//! FDA MoA, PE and chemical classes are the classes of the PCiC edges, and DrugBank
//! descriptions often name indications and targets too.
//!
//! ```
//! use rxgraph::text::entity_text::{EntityTextOptions, EntityTexts};
//!
//! let texts = EntityTexts::load(&EntityTextOptions::default()).unwrap();
//! let text = texts.text("Gene::7157", "Gene", "TP53");
//! assert!(text.starts_with("Gene: TP53. Full name: tumor protein p53."));
//! ```

use std::collections::HashSet;
use std::path::PathBuf;

use super::resources::{TextTable, XrefTable};
use crate::kg::KgError;

/// Optional sources of entity texts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntityTextOptions {
    /// Add DrugCentral indications and targets to compound texts. They restate CtD, CpD
    /// and CbG edges: leave this off when the vectors feed a model evaluated on those.
    pub include_indications_targets: bool,
    /// DrugBank text table (`compound_drugbank_nc.tsv`, CC BY-NC 4.0, non-commercial use
    /// only) to add descriptions and categories to compound texts.
    pub noncommercial_texts: Option<PathBuf>,
}

/// The mapping and text tables that entity texts are made from.
#[derive(Debug, Clone)]
pub struct EntityTexts {
    xrefs: XrefTable,
    texts: TextTable,
}

/// A part of an entity text: a label and the table field (or resource) it comes from.
struct Part {
    label: &'static str,
    source: Source,
}

enum Source {
    /// Rows of a text-table field, each one item.
    Field(&'static str),
    /// Rows of a text-table field, each a `; `-separated list.
    ListField(&'static str),
    /// Cross-references of a resource.
    Xref(&'static str),
}

const COMPOUND_PARTS: &[Part] = &[
    Part {
        label: "INN",
        source: Source::Xref("NAME_INN"),
    },
    Part {
        label: "Established pharmacologic class",
        source: Source::Field("class_fda_epc"),
    },
    Part {
        label: "Mechanism of action",
        source: Source::Field("class_fda_moa"),
    },
    Part {
        label: "Physiologic effect",
        source: Source::Field("class_fda_pe"),
    },
    Part {
        label: "Chemical class",
        source: Source::Field("class_fda_chemical"),
    },
    Part {
        label: "MeSH pharmacological action",
        source: Source::Field("class_mesh_pa"),
    },
    Part {
        label: "ChEBI roles",
        source: Source::Field("role_chebi"),
    },
    Part {
        label: "DrugBank categories",
        source: Source::Field("category"),
    },
    Part {
        label: "Drug type",
        source: Source::Field("drug_type"),
    },
    Part {
        label: "Description",
        source: Source::Field("description"),
    },
    Part {
        label: "Indications",
        source: Source::Field("indication"),
    },
    Part {
        label: "Targets",
        source: Source::Field("target"),
    },
];

const DISEASE_PARTS: &[Part] = &[
    Part {
        label: "Synonyms",
        source: Source::Field("synonym"),
    },
    Part {
        label: "Parent terms",
        source: Source::Field("parent"),
    },
    Part {
        label: "Definition",
        source: Source::Field("definition"),
    },
];

const GENE_PARTS: &[Part] = &[
    Part {
        label: "Full name",
        source: Source::Field("description"),
    },
    Part {
        label: "Nomenclature name",
        source: Source::Field("full_name"),
    },
    Part {
        label: "Synonyms",
        source: Source::Xref("SYMBOL_SYNONYM"),
    },
    Part {
        label: "Other names",
        source: Source::ListField("other_designations"),
    },
    Part {
        label: "Location",
        source: Source::Field("map_location"),
    },
];

const CLASS_PARTS: &[Part] = &[Part {
    label: "Class type",
    source: Source::Field("category"),
}];

impl EntityTexts {
    /// Reads the embedded tables, plus the optional sources that `options` name.
    ///
    /// # Errors
    /// The DrugBank text file is missing or malformed.
    pub fn load(options: &EntityTextOptions) -> Result<Self, KgError> {
        let xrefs = XrefTable::embedded()?;
        let mut texts = TextTable::embedded(options.include_indications_targets)?;
        if let Some(path) = &options.noncommercial_texts {
            let before = texts.len();
            texts.read_path(path)?;
            tracing::info!(
                path = %path.display(),
                rows = texts.len() - before,
                "read non-commercial entity texts (CC BY-NC 4.0)"
            );
        }
        if options.include_indications_targets {
            tracing::warn!(
                "compound texts include DrugCentral indications and targets, which restate \
                 CtD, CpD and CbG edges; do not evaluate a model on those edges with these vectors"
            );
        }
        Ok(Self { xrefs, texts })
    }

    /// Builds from tables already read.
    #[must_use]
    pub fn from_tables(xrefs: XrefTable, texts: TextTable) -> Self {
        Self { xrefs, texts }
    }

    /// Returns the text of the node `id` (`Gene::7157`) of kind `kind` named `name`.
    /// For `Passage` nodes this is only `Passage: title.`; use [`passage_text`] for the
    /// title and abstract.
    #[must_use]
    pub fn text(&self, id: &str, kind: &str, name: &str) -> String {
        let name = normalize_whitespace(name);
        let head = if name.is_empty() {
            id.split_once("::").map_or(id, |(_, s)| s).to_owned()
        } else {
            name
        };
        let mut seen: HashSet<String> = HashSet::from([head.to_lowercase()]);
        let mut out = format!("{kind}: {}", head);
        end_sentence(&mut out);

        let parts = match kind {
            "Compound" => COMPOUND_PARTS,
            "Disease" => DISEASE_PARTS,
            "Gene" => GENE_PARTS,
            "Pharmacologic Class" => CLASS_PARTS,
            _ => &[],
        };
        for part in parts {
            let items = self.items(id, kind, part, &mut seen);
            if items.is_empty() {
                continue;
            }
            out.push(' ');
            out.push_str(part.label);
            out.push_str(": ");
            out.push_str(&items.join("; "));
            end_sentence(&mut out);
        }
        out
    }

    fn items(&self, id: &str, kind: &str, part: &Part, seen: &mut HashSet<String>) -> Vec<String> {
        let raw: Vec<String> = match part.source {
            Source::Field(field) => self.texts.texts(id, field).map(str::to_owned).collect(),
            Source::ListField(field) => self
                .texts
                .texts(id, field)
                .flat_map(|t| t.split("; "))
                .map(str::to_owned)
                .collect(),
            Source::Xref(resource) => self
                .xrefs
                .xrefs_of(id, resource)
                .map(|x| x.xref_id.clone())
                .collect(),
        };
        let mut items = Vec::new();
        for item in raw {
            let mut item = normalize_whitespace(&item);
            if kind == "Disease" && part.label == "Definition" {
                item = space_relation_words(&item);
            }
            if !item.is_empty() && seen.insert(item.to_lowercase()) {
                items.push(item);
            }
        }
        // A gene without a cytoband still has a chromosome.
        if items.is_empty() && part.label == "Location" {
            items = self
                .texts
                .texts(id, "chromosome")
                .map(|c| format!("chromosome {c}"))
                .collect();
        }
        items
    }
}

/// Returns the text of a literature passage: title and abstract, whitespace normalised.
#[must_use]
pub fn passage_text(title: &str, abstract_text: &str) -> String {
    normalize_whitespace(&format!("{title} {abstract_text}"))
}

/// Replaces every run of whitespace by one space and trims both ends.
#[must_use]
pub fn normalize_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Ends `out` with a period unless it ends with sentence punctuation already.
fn end_sentence(out: &mut String) {
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
}

/// Writes DO relation words (`located_in`, `has_material_basis_in`) with spaces: an
/// underscore between two lower-case letters becomes a space.
fn space_relation_words(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        let between_lower = i > 0
            && i + 1 < chars.len()
            && chars[i - 1].is_ascii_lowercase()
            && chars[i + 1].is_ascii_lowercase();
        out.push(if c == '_' && between_lower { ' ' } else { c });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts() -> EntityTexts {
        EntityTexts::load(&EntityTextOptions::default()).unwrap()
    }

    #[test]
    fn compound_text_atorvastatin() {
        let text = texts().text("Compound::DB01076", "Compound", "Atorvastatin");
        assert!(text.starts_with("Compound: Atorvastatin. "), "{text}");
        assert!(
            text.contains("Established pharmacologic class: HMG-CoA Reductase Inhibitor."),
            "{text}"
        );
        assert!(
            text.contains("MeSH pharmacological action: Anticholesteremic Agents; "),
            "{text}"
        );
        // The INN equals the name, so it is not repeated.
        assert!(!text.contains("INN:"), "{text}");
        assert!(!text.contains("Indications:"), "{text}");
    }

    #[test]
    fn compound_text_names_different_inn() {
        let text = texts().text("Compound::DB00091", "Compound", "Cyclosporine");
        assert!(text.contains("INN: ciclosporin."), "{text}");
    }

    #[test]
    fn compound_text_indications_opt_in() {
        let options = EntityTextOptions {
            include_indications_targets: true,
            noncommercial_texts: None,
        };
        let text = EntityTexts::load(&options).unwrap().text(
            "Compound::DB01076",
            "Compound",
            "Atorvastatin",
        );
        assert!(text.contains("Indications: "), "{text}");
        assert!(text.contains("Targets: "), "{text}");
    }

    #[test]
    fn disease_text_breast_cancer() {
        let text = texts().text("Disease::DOID:1612", "Disease", "breast cancer");
        assert!(text.starts_with("Disease: breast cancer. "), "{text}");
        assert!(text.contains("Parent terms: thoracic cancer."), "{text}");
        assert!(
            text.contains("Definition: A thoracic cancer that originates in the mammary gland."),
            "{text}"
        );
        assert!(!text.contains("located_in"), "{text}");
    }

    #[test]
    fn gene_text_tp53() {
        let text = texts().text("Gene::7157", "Gene", "TP53");
        assert!(
            text.starts_with("Gene: TP53. Full name: tumor protein p53. Synonyms: "),
            "{text}"
        );
        assert!(text.contains("LFS1"), "{text}");
        assert!(text.ends_with("Location: 17p13.1."), "{text}");
        assert!(!text.contains("protein-coding"), "{text}");
    }

    #[test]
    fn pharmacologic_class_text() {
        let text = texts().text(
            "Pharmacologic Class::N0000000069",
            "Pharmacologic Class",
            "x",
        );
        assert_eq!(
            text,
            "Pharmacologic Class: x. Class type: Mechanism of Action (FDA)."
        );
    }

    #[test]
    fn other_kind_falls_back_to_name() {
        let text = texts().text("Anatomy::UBERON:0002107", "Anatomy", "  liver\t");
        assert_eq!(text, "Anatomy: liver.");
        let unnamed = texts().text("Symptom::D000006", "Symptom", "");
        assert_eq!(unnamed, "Symptom: D000006.");
    }

    #[test]
    fn relation_words_get_spaces() {
        assert_eq!(
            space_relation_words("a cancer located_in the breast"),
            "a cancer located in the breast"
        );
        assert_eq!(space_relation_words("IL_6 _x"), "IL_6 _x");
    }

    #[test]
    fn texts_are_deterministic() {
        let a = texts().text("Gene::7157", "Gene", "TP53");
        let b = texts().text("Gene::7157", "Gene", "TP53");
        assert_eq!(a, b);
    }
}
