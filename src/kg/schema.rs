//! Node kinds and relations of a knowledge graph, and the IRI of every node.
//!
//! A [`Schema`] lists the kinds (Compound, Disease, Gene …) and the relations between them
//! (Hetionet metaedges such as `CtD`, Compound–treats–Disease). The default schema is read
//! from `graph/kinds.tsv` and `graph/hetionet.schema.tsv`, which are compiled into the binary;
//! ingesting other data adds kinds and relations as they appear.
//!
//! ```
//! use rxgraph::kg::Schema;
//!
//! let schema = Schema::hetionet();
//! let treats = schema.relation_id("CtD").unwrap();
//! let relation = &schema.relations[treats as usize];
//! assert_eq!(schema.kinds[relation.source as usize].name, "Compound");
//! assert_eq!(
//!     schema.node_iri("Disease", "DOID:9352"),
//!     "http://purl.obolibrary.org/obo/DOID_9352"
//! );
//! ```

use serde::{Deserialize, Serialize};

/// Index of a kind in [`Schema::kinds`].
pub type KindId = u16;
/// Index of a relation in [`Schema::relations`].
pub type RelationId = u16;

/// Namespace of the rxgraph vocabulary (classes, properties, prediction terms).
pub const VOCAB: &str = "https://w3id.org/rxgraph/vocab#";
/// Namespace for nodes whose identifiers have no established IRI.
pub const NODE_NAMESPACE: &str = "https://w3id.org/rxgraph/id/";

const KINDS_TSV: &str = include_str!("../../graph/kinds.tsv");
const HETIONET_SCHEMA_TSV: &str = include_str!("../../graph/hetionet.schema.tsv");

/// A node kind, such as `Compound`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kind {
    /// Name as used in node identifiers (`Compound` in `Compound::DB00945`).
    pub name: String,
    /// Short form used in relation abbreviations (`C`).
    pub abbreviation: String,
    /// IRI template with `{id}` or `{id_underscore}`, if the kind has an established scheme.
    pub iri_template: Option<String>,
    /// Prefix a source identifier must start with for `iri_template` to apply.
    pub id_prefix: String,
}

/// A typed relation between two kinds, such as `CtD` (Compound–treats–Disease).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Relation {
    /// Abbreviation used in edge files (`CtD`), unique in the schema.
    pub abbreviation: String,
    /// Verb of the relation (`treats`).
    pub verb: String,
    /// Kind of every head node.
    pub source: KindId,
    /// Kind of every tail node.
    pub target: KindId,
    /// Whether the relation is symmetric, in which case each edge is stored once.
    pub symmetric: bool,
}

/// Kinds and relations of one graph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schema {
    /// All kinds; a [`KindId`] indexes this list.
    pub kinds: Vec<Kind>,
    /// All relations; a [`RelationId`] indexes this list.
    pub relations: Vec<Relation>,
}

impl Schema {
    /// Returns the schema of Hetionet v1.0: its 11 node kinds and 24 metaedges, plus the
    /// `Passage` kind and the three relations that link passages to what they mention.
    #[must_use]
    pub fn hetionet() -> Self {
        let mut schema = Self::with_default_kinds();
        for line in data_lines(HETIONET_SCHEMA_TSV) {
            let fields: Vec<&str> = line.split('\t').collect();
            let source = schema
                .kind_id(fields[1])
                .expect("hetionet.schema.tsv names a known kind");
            let target = schema
                .kind_id(fields[3])
                .expect("hetionet.schema.tsv names a known kind");
            schema.relations.push(Relation {
                abbreviation: fields[0].to_owned(),
                verb: fields[2].to_owned(),
                source,
                target,
                symmetric: fields[4] == "true",
            });
        }
        schema
    }

    /// Returns a schema with the kinds of `graph/kinds.tsv` and no relations.
    #[must_use]
    pub fn with_default_kinds() -> Self {
        let kinds = data_lines(KINDS_TSV)
            .map(|line| {
                let fields: Vec<&str> = line.split('\t').collect();
                Kind {
                    name: fields[0].to_owned(),
                    abbreviation: fields[1].to_owned(),
                    iri_template: Some(fields[2].to_owned()).filter(|t| !t.is_empty()),
                    id_prefix: fields[3].to_owned(),
                }
            })
            .collect();
        Self {
            kinds,
            relations: Vec::new(),
        }
    }

    /// Looks a kind up by name.
    #[must_use]
    pub fn kind_id(&self, name: &str) -> Option<KindId> {
        self.kinds
            .iter()
            .position(|k| k.name == name)
            .map(to_kind_id)
    }

    /// Looks a relation up by abbreviation.
    #[must_use]
    pub fn relation_id(&self, abbreviation: &str) -> Option<RelationId> {
        self.relations
            .iter()
            .position(|r| r.abbreviation == abbreviation)
            .map(to_relation_id)
    }

    /// Returns the id of the kind `name`, adding a kind without an IRI scheme if it is new.
    pub fn ensure_kind(&mut self, name: &str) -> KindId {
        if let Some(id) = self.kind_id(name) {
            return id;
        }
        let abbreviation = name
            .split_whitespace()
            .filter_map(|w| w.chars().next())
            .collect();
        self.kinds.push(Kind {
            name: name.to_owned(),
            abbreviation,
            iri_template: None,
            id_prefix: String::new(),
        });
        to_kind_id(self.kinds.len() - 1)
    }

    /// Adds a relation and returns its id; an existing abbreviation returns the existing id.
    pub fn ensure_relation(&mut self, relation: Relation) -> RelationId {
        if let Some(id) = self.relation_id(&relation.abbreviation) {
            return id;
        }
        self.relations.push(relation);
        to_relation_id(self.relations.len() - 1)
    }

    /// Returns the relations whose source kind is `source` and target kind is `target`.
    pub fn relations_between(
        &self,
        source: KindId,
        target: KindId,
    ) -> impl Iterator<Item = RelationId> + '_ {
        self.relations
            .iter()
            .enumerate()
            .filter(move |(_, r)| r.source == source && r.target == target)
            .map(|(i, _)| to_relation_id(i))
    }

    /// Returns the IRI of the node `kind::id`.
    ///
    /// Identifiers with an established scheme get identifiers.org or OBO PURL IRIs
    /// (`DOID:9352` → `http://purl.obolibrary.org/obo/DOID_9352`); others get an IRI in
    /// [`NODE_NAMESPACE`] with the kind and the percent-encoded identifier.
    #[must_use]
    pub fn node_iri(&self, kind: &str, id: &str) -> String {
        let template = self.kinds.iter().find(|k| k.name == kind).and_then(|k| {
            k.iri_template
                .as_deref()
                .filter(|_| id.starts_with(&k.id_prefix))
        });
        match template {
            Some(template) if is_iri_safe(id) => template
                .replace("{id_underscore}", &id.replacen(':', "_", 1))
                .replace("{id}", id),
            _ => format!(
                "{NODE_NAMESPACE}{}/{}",
                percent_encode(kind),
                percent_encode(id)
            ),
        }
    }

    /// Recovers the source identifier from an IRI of `kind`'s scheme
    /// (`http://purl.obolibrary.org/obo/DOID_9352` → `DOID:9352`); `None` for other IRIs.
    #[must_use]
    pub fn source_id_from_iri(&self, kind: &str, iri: &str) -> Option<String> {
        let template = self
            .kinds
            .iter()
            .find(|k| k.name == kind)?
            .iri_template
            .as_deref()?;
        let (placeholder, underscore) = if template.contains("{id_underscore}") {
            ("{id_underscore}", true)
        } else {
            ("{id}", false)
        };
        let (prefix, suffix) = template.split_once(placeholder)?;
        let id = iri.strip_prefix(prefix)?.strip_suffix(suffix)?;
        let id = if underscore {
            id.replacen('_', ":", 1)
        } else {
            id.to_owned()
        };
        (!id.is_empty() && self.node_iri(kind, &id) == iri).then_some(id)
    }

    /// Returns the IRI of a kind's class in the rxgraph vocabulary (`rx:Compound`).
    #[must_use]
    pub fn kind_iri(&self, kind: KindId) -> String {
        format!(
            "{VOCAB}{}",
            class_local_name(&self.kinds[kind as usize].name)
        )
    }

    /// Returns the IRI of a relation's property in the rxgraph vocabulary (`rx:CtD`).
    #[must_use]
    pub fn relation_iri(&self, relation: RelationId) -> String {
        format!(
            "{VOCAB}{}",
            percent_encode(&self.relations[relation as usize].abbreviation)
        )
    }
}

/// Turns a kind name into a class local name: `Side Effect` → `SideEffect`.
#[must_use]
pub fn class_local_name(kind: &str) -> String {
    kind.split_whitespace().collect::<String>()
}

fn data_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .skip(1)
}

fn to_kind_id(index: usize) -> KindId {
    KindId::try_from(index).expect("fewer than 65,536 node kinds")
}

fn to_relation_id(index: usize) -> RelationId {
    RelationId::try_from(index).expect("fewer than 65,536 relations")
}

fn is_iri_safe(id: &str) -> bool {
    id.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-._:~".contains(&b))
}

/// Percent-encodes every byte outside the RFC 3986 unreserved set.
#[must_use]
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hetionet_schema_has_all_metaedges() {
        let schema = Schema::hetionet();
        assert_eq!(schema.relations.len(), 27);
        assert_eq!(schema.kinds.len(), 12);
        let gig = &schema.relations[schema.relation_id("GiG").unwrap() as usize];
        assert!(gig.symmetric);
        let regulates = &schema.relations[schema.relation_id("Gr>G").unwrap() as usize];
        assert!(!regulates.symmetric);
    }

    #[test]
    fn node_iris_use_established_schemes() {
        let schema = Schema::hetionet();
        let cases = [
            (
                "Compound",
                "DB00945",
                "https://identifiers.org/drugbank:DB00945",
            ),
            ("Gene", "1017", "https://identifiers.org/ncbigene:1017"),
            (
                "Anatomy",
                "UBERON:0000002",
                "http://purl.obolibrary.org/obo/UBERON_0000002",
            ),
            (
                "Biological Process",
                "GO:0000002",
                "http://purl.obolibrary.org/obo/GO_0000002",
            ),
            (
                "Pathway",
                "WP100_r74146",
                "https://identifiers.org/wikipathways:WP100_r74146",
            ),
            (
                "Pathway",
                "PC7_10399",
                "https://w3id.org/rxgraph/id/Pathway/PC7_10399",
            ),
            (
                "Side Effect",
                "C0000737",
                "https://identifiers.org/umls:C0000737",
            ),
            ("Symptom", "D000006", "https://identifiers.org/mesh:D000006"),
            (
                "Pharmacologic Class",
                "N0000000069",
                "https://identifiers.org/ndfrt:N0000000069",
            ),
            (
                "Protein",
                "P 1/2",
                "https://w3id.org/rxgraph/id/Protein/P%201%2F2",
            ),
        ];
        for (kind, id, iri) in cases {
            assert_eq!(schema.node_iri(kind, id), iri, "{kind}::{id}");
        }
    }

    #[test]
    fn source_ids_recovered_from_iris() {
        let schema = Schema::hetionet();
        let id = schema.source_id_from_iri("Disease", "http://purl.obolibrary.org/obo/DOID_9352");
        assert_eq!(id.as_deref(), Some("DOID:9352"));
        let id = schema.source_id_from_iri("Compound", "https://identifiers.org/drugbank:DB00945");
        assert_eq!(id.as_deref(), Some("DB00945"));
        assert_eq!(
            schema.source_id_from_iri("Compound", "https://example.org/x"),
            None
        );
    }

    #[test]
    fn ensure_kind_adds_once() {
        let mut schema = Schema::hetionet();
        let first = schema.ensure_kind("Cell Line");
        let second = schema.ensure_kind("Cell Line");
        assert_eq!(first, second);
        assert_eq!(schema.kinds[first as usize].abbreviation, "CL");
    }
}
