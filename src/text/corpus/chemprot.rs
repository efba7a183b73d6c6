//! The BioCreative VI ChemProt corpus: three headerless TSV files per set.
//!
//! - abstracts: `pmid`, `title`, `abstract`;
//! - entities: `pmid`, `T<n>`, `CHEMICAL` | `GENE-Y` | `GENE-N`, `start`, `end`, `text`, with
//!   offsets counting Unicode characters in `title + " " + abstract`;
//! - relations: `pmid`, `CPR:<n>`, evaluated flag `Y`/`N`, relation label, `Arg1:T<n>`,
//!   `Arg2:T<n>`.
//!
//! Entities carry names only, no database ids; [`super::linking`] matches them to nodes.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use super::bc5cdr::{check_pmid, check_span};
use super::{Annotation, CorpusSet, Document, EntityType, RawRelation, RelationArg};
use crate::kg::ingest::LineReader;
use crate::kg::{KgError, Origin};

/// The files of one ChemProt set (`chemprot_training_abstracts.tsv` and its siblings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChemProtFiles {
    /// Abstracts file.
    pub abstracts: std::path::PathBuf,
    /// Entities file.
    pub entities: std::path::PathBuf,
    /// Relations file, if present.
    pub relations: Option<std::path::PathBuf>,
}

/// Reads one ChemProt set into a corpus set named `name`.
///
/// # Errors
/// A missing file, a row with the wrong number of columns, or an invalid PMID, offset,
/// entity type, relation group or argument. Also a PMID or entity that the abstracts or
/// entities file does not define, or an entity text that differs from the abstract at its
/// offsets.
pub fn read_chemprot(files: &ChemProtFiles, name: &str) -> Result<CorpusSet, KgError> {
    let mut set = CorpusSet::new("chemprot", name, &files.abstracts);
    set.files.push(files.entities.clone());
    set.files.extend(files.relations.clone());

    let mut texts: HashMap<String, (String, Vec<usize>)> = HashMap::new();
    let mut reader = LineReader::open(&files.abstracts)?;
    while let Some(record) = reader.next_record(3) {
        let (line, fields) = record?;
        let origin = Origin {
            path: files.abstracts.clone(),
            line,
        };
        check_pmid(fields[0]).map_err(|reason| invalid(&origin, "PMID", fields[0], reason))?;
        let document = Document {
            pmid: fields[0].to_owned(),
            title: fields[1].to_owned(),
            abstract_text: fields[2].to_owned(),
            line,
        };
        let text = document.text();
        let mut char_starts: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        char_starts.push(text.len());
        if texts
            .insert(document.pmid.clone(), (text, char_starts))
            .is_some()
        {
            return Err(invalid(
                &origin,
                "PMID",
                fields[0],
                "the abstracts file lists this PMID twice".into(),
            ));
        }
        set.documents.push(document);
    }

    let mut entity_keys: HashSet<(String, String)> = HashSet::new();
    let mut reader = LineReader::open(&files.entities)?;
    while let Some(record) = reader.next_record(6) {
        let (line, fields) = record?;
        let origin = Origin {
            path: files.entities.clone(),
            line,
        };
        let annotation = parse_entity(&fields, &texts, &origin)?;
        if !entity_keys.insert((annotation.pmid.clone(), fields[1].to_owned())) {
            return Err(invalid(
                &origin,
                "entity id",
                fields[1],
                format!("defined twice for PMID {}", fields[0]),
            ));
        }
        set.annotations.push(annotation);
    }

    if let Some(path) = &files.relations {
        let mut reader = LineReader::open(path)?;
        while let Some(record) = reader.next_record(6) {
            let (line, fields) = record?;
            let origin = Origin {
                path: path.clone(),
                line,
            };
            set.relations
                .push(parse_relation(&fields, &entity_keys, &origin)?);
        }
    }
    Ok(set)
}

fn invalid(origin: &Origin, field: &'static str, value: &str, reason: String) -> KgError {
    KgError::InvalidField {
        origin: origin.clone(),
        field,
        value: value.to_owned(),
        reason,
    }
}

fn parse_entity(
    fields: &[&str],
    texts: &HashMap<String, (String, Vec<usize>)>,
    origin: &Origin,
) -> Result<Annotation, KgError> {
    let Some((text, char_starts)) = texts.get(fields[0]) else {
        return Err(invalid(
            origin,
            "PMID",
            fields[0],
            "the abstracts file has no such PMID".into(),
        ));
    };
    if !is_term_id(fields[1]) {
        return Err(invalid(
            origin,
            "entity id",
            fields[1],
            "expected T followed by digits, e.g. T12".into(),
        ));
    }
    let entity_type = match fields[2] {
        "CHEMICAL" => EntityType::Chemical,
        "GENE-Y" | "GENE-N" => EntityType::Gene,
        other => {
            return Err(invalid(
                origin,
                "entity type",
                other,
                "expected CHEMICAL, GENE-Y or GENE-N".into(),
            ))
        }
    };
    let offset = |field: &'static str, value: &str| {
        value.parse::<usize>().map_err(|_| {
            invalid(
                origin,
                field,
                value,
                "expected a character offset (a non-negative integer)".into(),
            )
        })
    };
    let start = offset("start", fields[3])?;
    let end = offset("end", fields[4])?;
    check_span(text, char_starts, start, end, fields[5])
        .map_err(|reason| invalid(origin, "entity", fields[5], reason))?;

    Ok(Annotation {
        pmid: fields[0].to_owned(),
        key: Some(fields[1].to_owned()),
        start,
        end,
        text: fields[5].to_owned(),
        entity_type,
        label: fields[2].to_owned(),
        mesh_ids: Vec::new(),
        line: origin.line,
    })
}

fn parse_relation(
    fields: &[&str],
    entity_keys: &HashSet<(String, String)>,
    origin: &Origin,
) -> Result<RawRelation, KgError> {
    let group_number = fields[1].strip_prefix("CPR:");
    if !group_number.is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())) {
        return Err(invalid(
            origin,
            "relation group",
            fields[1],
            "expected CPR: followed by digits, e.g. CPR:4".into(),
        ));
    }
    let evaluated = match fields[2].trim() {
        "Y" => true,
        "N" => false,
        other => {
            return Err(invalid(
                origin,
                "evaluated flag",
                other,
                "expected Y or N".into(),
            ))
        }
    };
    if fields[3].trim().is_empty() {
        return Err(invalid(
            origin,
            "relation label",
            fields[3],
            "the label is empty".into(),
        ));
    }
    let argument = |value: &str, prefix: &str| {
        let term = value
            .strip_prefix(prefix)
            .filter(|t| is_term_id(t))
            .ok_or_else(|| {
                invalid(
                    origin,
                    "relation argument",
                    value,
                    format!("expected {prefix}T<n>"),
                )
            })?;
        if entity_keys.contains(&(fields[0].to_owned(), term.to_owned())) {
            Ok(RelationArg::Entity(term.to_owned()))
        } else {
            Err(invalid(
                origin,
                "relation argument",
                value,
                format!("the entities file defines no {term} for PMID {}", fields[0]),
            ))
        }
    };
    Ok(RawRelation {
        pmid: fields[0].to_owned(),
        relation: fields[1].to_owned(),
        label: fields[3].trim().to_owned(),
        evaluated,
        head: argument(fields[4], "Arg1:")?,
        tail: argument(fields[5], "Arg2:")?,
    })
}

fn is_term_id(id: &str) -> bool {
    id.strip_prefix('T')
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Finds the ChemProt sets in `dir`: every `*_abstracts*.tsv` with an `*_entities*.tsv`
/// beside it (same name with `abstracts` replaced), and a `*_relations*.tsv` if present.
///
/// # Errors
/// The directory cannot be read, or an abstracts file has no entities file.
pub fn find_sets(dir: &Path) -> Result<Vec<ChemProtFiles>, KgError> {
    let mut sets = Vec::new();
    for path in super::sorted_files(dir)? {
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if !(name.contains("_abstracts") && name.ends_with(".tsv")) {
            continue;
        }
        let sibling = |part: &str| path.with_file_name(name.replacen("_abstracts", part, 1));
        let entities = sibling("_entities");
        if !entities.is_file() {
            return Err(KgError::MissingFile { path: entities });
        }
        let relations = Some(sibling("_relations")).filter(|p| p.is_file());
        sets.push(ChemProtFiles {
            abstracts: path.clone(),
            entities,
            relations,
        });
    }
    Ok(sets)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn shared_training() -> Option<ChemProtFiles> {
        let dir = Path::new(super::super::SHARED_DATA).join("chemprot/chemprot_training");
        let sets = find_sets(&dir).ok()?;
        sets.into_iter().next()
    }

    #[test]
    fn training_set_files_found() {
        let Some(files) = shared_training() else {
            eprintln!("skipped: the shared ChemProt corpus is missing");
            return;
        };
        assert!(files.abstracts.ends_with("chemprot_training_abstracts.tsv"));
        assert!(files.entities.ends_with("chemprot_training_entities.tsv"));
        assert!(files
            .relations
            .as_ref()
            .unwrap()
            .ends_with("chemprot_training_relations.tsv"));
    }

    #[test]
    fn training_set_parsed() {
        let Some(files) = shared_training() else {
            eprintln!("skipped: the shared ChemProt corpus is missing");
            return;
        };
        let set = read_chemprot(&files, "chemprot_training").unwrap();
        assert_eq!(set.documents.len(), 1_020);
        assert_eq!(set.annotations.len(), 25_752);
        assert_eq!(set.relations.len(), 6_437);

        let first = &set.documents[0];
        assert_eq!(first.pmid, "16357751");
        assert!(first
            .title
            .starts_with("Selective costimulation modulators"));

        let first_entity = &set.annotations[0];
        assert_eq!(first_entity.pmid, "11319232");
        assert_eq!(first_entity.key.as_deref(), Some("T1"));
        assert_eq!(first_entity.text, "acyl-CoAs");
        assert_eq!((first_entity.start, first_entity.end), (242, 251));
        assert_eq!(first_entity.entity_type, EntityType::Chemical);

        let relation = &set.relations[0];
        assert_eq!(
            (
                relation.pmid.as_str(),
                relation.relation.as_str(),
                relation.label.as_str()
            ),
            ("10047461", "CPR:3", "ACTIVATOR")
        );
        assert!(relation.evaluated);
        assert_eq!(relation.head, RelationArg::Entity("T13".into()));
    }

    fn write_set(dir: &Path, abstracts: &str, entities: &str, relations: &str) -> ChemProtFiles {
        let write = |name: &str, text: &str| {
            let path = dir.join(name);
            std::fs::File::create(&path)
                .unwrap()
                .write_all(text.as_bytes())
                .unwrap();
            path
        };
        ChemProtFiles {
            abstracts: write("x_abstracts.tsv", abstracts),
            entities: write("x_entities.tsv", entities),
            relations: Some(write("x_relations.tsv", relations)),
        }
    }

    #[test]
    fn malformed_rows_rejected_with_line() {
        let abstracts = "1\tAspirin.\tIt binds COX1.\n";
        let good_entities = "1\tT1\tCHEMICAL\t0\t7\tAspirin\n1\tT2\tGENE-Y\t18\t22\tCOX1\n";
        let cases = [
            (
                "1\tA.\n",
                good_entities,
                "",
                "x_abstracts.tsv:1:",
                "expected 3 tab-separated columns",
            ),
            (
                abstracts,
                "1\tT1\tDRUG\t0\t7\tAspirin\n",
                "",
                "x_entities.tsv:1:",
                "expected CHEMICAL, GENE-Y or GENE-N",
            ),
            (
                abstracts,
                "1\tT1\tCHEMICAL\t0\t7\tAspirim\n",
                "",
                "x_entities.tsv:1:",
                "not the mention text",
            ),
            (
                abstracts,
                "2\tT1\tCHEMICAL\t0\t7\tAspirin\n",
                "",
                "x_entities.tsv:1:",
                "no such PMID",
            ),
            (
                abstracts,
                "1\tX1\tCHEMICAL\t0\t7\tAspirin\n",
                "",
                "x_entities.tsv:1:",
                "expected T followed by digits",
            ),
            (
                abstracts,
                good_entities,
                "1\tCPR:4\tY \tINHIBITOR\tArg1:T1\tArg2:T9\n",
                "x_relations.tsv:1:",
                "defines no T9",
            ),
            (
                abstracts,
                good_entities,
                "1\tCPR4\tY \tINHIBITOR\tArg1:T1\tArg2:T2\n",
                "x_relations.tsv:1:",
                "expected CPR:",
            ),
            (
                abstracts,
                good_entities,
                "1\tCPR:4\tmaybe\tINHIBITOR\tArg1:T1\tArg2:T2\n",
                "x_relations.tsv:1:",
                "expected Y or N",
            ),
        ];
        for (abstracts, entities, relations, file_line, reason) in cases {
            let dir = tempfile::tempdir().unwrap();
            let files = write_set(dir.path(), abstracts, entities, relations);
            let err = read_chemprot(&files, "x").unwrap_err().to_string();
            assert!(err.contains(file_line), "{err}");
            assert!(err.contains(reason), "{err}");
        }
    }

    #[test]
    fn small_set_parsed() {
        let dir = tempfile::tempdir().unwrap();
        let files = write_set(
            dir.path(),
            "1\tAspirin.\tIt binds COX1.\n",
            "1\tT1\tCHEMICAL\t0\t7\tAspirin\n1\tT2\tGENE-Y\t18\t22\tCOX1\n",
            "1\tCPR:4\tY \tINHIBITOR\tArg1:T1\tArg2:T2\n",
        );
        let set = read_chemprot(&files, "x").unwrap();
        assert_eq!(set.annotations[1].entity_type, EntityType::Gene);
        assert_eq!(set.relations[0].tail, RelationArg::Entity("T2".into()));
    }
}
