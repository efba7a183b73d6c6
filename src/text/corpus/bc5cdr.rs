//! The BioCreative V CDR corpus in PubTator format.
//!
//! A document is a title line `PMID|t|title`, an abstract line `PMID|a|abstract`, mention
//! lines `PMID<TAB>start<TAB>end<TAB>text<TAB>Chemical|Disease<TAB>MeSH ids[<TAB>parts]`
//! and relation lines `PMID<TAB>CID<TAB>chemical MeSH<TAB>disease MeSH`; blank lines
//! separate documents. Offsets count Unicode characters in `title + " " + abstract`. A
//! mention's id field contains one MeSH id, several joined by `|` (a composite mention
//! such as "cardiovascular, and respiratory depression"), or `-1` (not normalised). A
//! composite may mix both: `D002544|-1`.

use super::{Annotation, CorpusSet, Document, EntityType, RawRelation, RelationArg};
use crate::kg::ingest::LineReader;
use crate::kg::{KgError, Origin};

/// A document whose title and abstract lines have been read.
struct OpenDocument {
    document: Document,
    /// Byte offset of every character of the passage text, plus its length.
    char_starts: Vec<usize>,
    text: String,
}

/// Reads one PubTator file into a corpus set named `name`.
///
/// # Errors
/// A line of none of the four kinds, a mention or relation whose PMID is not the
/// current document's, offsets outside the text or a mention text that differs from the
/// text at its offsets, an unknown entity type, or a malformed MeSH id; each with the
/// file and line.
pub fn read_pubtator(reader: &mut LineReader, name: &str) -> Result<CorpusSet, KgError> {
    let mut set = CorpusSet::new("bc5cdr", name, reader.path());
    let mut open: Option<OpenDocument> = None;
    let mut title: Option<(String, String, u64)> = None;

    while let Some(line) = reader.next_line() {
        let line = line?.to_owned();
        let origin = reader.origin();
        let invalid = |field: &'static str, value: &str, reason: String| KgError::InvalidField {
            origin: origin.clone(),
            field,
            value: value.to_owned(),
            reason,
        };

        if line.trim().is_empty() {
            if let Some((pmid, _, _)) = &title {
                return Err(invalid(
                    "PubTator line",
                    "",
                    format!("document {pmid} has a title but no abstract line"),
                ));
            }
            continue;
        }

        if let Some((pmid, kind, text)) = split_text_line(&line) {
            check_pmid(pmid).map_err(|reason| invalid("PMID", pmid, reason))?;
            match kind {
                "t" => {
                    if let Some((previous, _, _)) = &title {
                        return Err(invalid("PubTator line", &line, format!("title of {pmid} follows the title of {previous} without an abstract line")));
                    }
                    if let Some(done) = open.take() {
                        set.documents.push(done.document);
                    }
                    title = Some((pmid.to_owned(), text.to_owned(), origin.line));
                }
                _ => {
                    let Some((title_pmid, title_text, title_line)) = title.take() else {
                        return Err(invalid(
                            "PubTator line",
                            &line,
                            format!("abstract of {pmid} without a title line before it"),
                        ));
                    };
                    if title_pmid != pmid {
                        return Err(invalid(
                            "PMID",
                            pmid,
                            format!("the abstract line follows the title of {title_pmid}"),
                        ));
                    }
                    let document = Document {
                        pmid: pmid.to_owned(),
                        title: title_text,
                        abstract_text: text.to_owned(),
                        line: title_line,
                    };
                    open = Some(OpenDocument::new(document));
                }
            }
            continue;
        }

        let fields: Vec<&str> = line.split('\t').collect();
        let Some(current) = open.as_ref() else {
            return Err(invalid(
                "PubTator line",
                &line,
                "annotation line before any title and abstract lines".into(),
            ));
        };
        if fields[0] != current.document.pmid {
            return Err(invalid(
                "PMID",
                fields[0],
                format!("the line is inside document {}", current.document.pmid),
            ));
        }
        match fields.len() {
            4 => set.relations.push(parse_relation(&fields, &origin)?),
            6 | 7 => set
                .annotations
                .push(parse_mention(&fields, current, &origin)?),
            n => {
                return Err(invalid(
                    "PubTator line",
                    &line,
                    format!(
                        "{n} tab-separated fields; expected PMID|t|title, PMID|a|abstract, a mention \
                         (6 or 7 fields) or a relation (PMID CID chemical disease)"
                    ),
                ));
            }
        }
    }

    if let Some((pmid, _, _)) = title {
        return Err(KgError::InvalidField {
            origin: reader.origin(),
            field: "PubTator line",
            value: String::new(),
            reason: format!("the file ends after the title of {pmid} without an abstract line"),
        });
    }
    if let Some(done) = open.take() {
        set.documents.push(done.document);
    }
    Ok(set)
}

/// Splits `PMID|t|text` or `PMID|a|text`; `None` for other lines.
fn split_text_line(line: &str) -> Option<(&str, &str, &str)> {
    let (pmid, rest) = line.split_once('|')?;
    let (kind, text) = rest.split_once('|')?;
    (matches!(kind, "t" | "a") && !pmid.contains('\t')).then_some((pmid, kind, text))
}

pub(super) fn check_pmid(pmid: &str) -> Result<(), String> {
    if !pmid.is_empty() && pmid.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err("a PMID is a non-empty string of digits".into())
    }
}

fn parse_relation(fields: &[&str], origin: &Origin) -> Result<RawRelation, KgError> {
    let invalid = |field: &'static str, value: &str, reason: &str| KgError::InvalidField {
        origin: origin.clone(),
        field,
        value: value.to_owned(),
        reason: reason.to_owned(),
    };
    if fields[1] != "CID" {
        return Err(invalid(
            "relation type",
            fields[1],
            "expected CID (chemical-induced disease)",
        ));
    }
    for id in &fields[2..4] {
        if !is_mesh_id(id) {
            return Err(invalid(
                "MeSH id",
                id,
                "expected a MeSH unique id such as D008750",
            ));
        }
    }
    Ok(RawRelation {
        pmid: fields[0].to_owned(),
        relation: "CID".into(),
        label: "chemical-induced disease".into(),
        evaluated: true,
        head: RelationArg::Mesh(fields[2].to_owned()),
        tail: RelationArg::Mesh(fields[3].to_owned()),
    })
}

fn parse_mention(
    fields: &[&str],
    document: &OpenDocument,
    origin: &Origin,
) -> Result<Annotation, KgError> {
    let invalid = |field: &'static str, value: &str, reason: String| KgError::InvalidField {
        origin: origin.clone(),
        field,
        value: value.to_owned(),
        reason,
    };
    let offset = |field: &'static str, value: &str| {
        value.parse::<usize>().map_err(|_| {
            invalid(
                field,
                value,
                "expected a character offset (a non-negative integer)".into(),
            )
        })
    };
    let start = offset("start", fields[1])?;
    let end = offset("end", fields[2])?;
    let entity_type = match fields[4] {
        "Chemical" => EntityType::Chemical,
        "Disease" => EntityType::Disease,
        other => {
            return Err(invalid(
                "entity type",
                other,
                "expected Chemical or Disease".into(),
            ))
        }
    };
    // A composite mention may have unnormalised parts: `D002544|-1`.
    let parts: Vec<&str> = fields[5].split('|').collect();
    if let Some(bad) = parts.iter().find(|id| **id != "-1" && !is_mesh_id(id)) {
        return Err(invalid(
            "MeSH id",
            bad,
            format!(
                "in {:?}: expected MeSH unique ids or -1, joined by | (D003000|C012345)",
                fields[5]
            ),
        ));
    }
    let ids: Vec<String> = parts
        .into_iter()
        .filter(|id| *id != "-1")
        .map(str::to_owned)
        .collect();
    document
        .check_span(start, end, fields[3])
        .map_err(|reason| invalid("mention", fields[3], reason))?;

    Ok(Annotation {
        pmid: fields[0].to_owned(),
        key: None,
        start,
        end,
        text: fields[3].to_owned(),
        entity_type,
        label: fields[4].to_owned(),
        mesh_ids: ids,
        line: origin.line,
    })
}

/// Returns whether `id` looks like a MeSH unique id: one upper-case letter and digits.
fn is_mesh_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && id.len() > 1
        && chars.all(|c| c.is_ascii_digit())
}

impl OpenDocument {
    fn new(document: Document) -> Self {
        let text = document.text();
        let mut char_starts: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        char_starts.push(text.len());
        Self {
            document,
            char_starts,
            text,
        }
    }

    fn check_span(&self, start: usize, end: usize, expected: &str) -> Result<(), String> {
        check_span(&self.text, &self.char_starts, start, end, expected)
    }
}

/// Checks that characters `start..end` of `text` are `expected`.
pub(super) fn check_span(
    text: &str,
    char_starts: &[usize],
    start: usize,
    end: usize,
    expected: &str,
) -> Result<(), String> {
    let chars = char_starts.len() - 1;
    if start >= end || end > chars {
        return Err(format!(
            "offsets {start}..{end} are not a span of the {chars}-character title and abstract"
        ));
    }
    let found = &text[char_starts[start]..char_starts[end]];
    if found == expected {
        Ok(())
    } else {
        Err(format!(
            "the text at offsets {start}..{end} is {found:?}, not the mention text"
        ))
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn read(text: &'static str) -> Result<CorpusSet, KgError> {
        let mut reader =
            LineReader::from_bytes(Path::new("test.PubTator.txt"), text.as_bytes()).unwrap();
        read_pubtator(&mut reader, "test")
    }

    #[test]
    fn first_training_abstract() {
        let path = Path::new(super::super::SHARED_DATA).join("bc5cdr/CDR_TrainingSet.PubTator.txt");
        if !path.is_file() {
            eprintln!("skipped: {} is missing", path.display());
            return;
        }
        let mut reader = LineReader::open(&path).unwrap();
        let set = read_pubtator(&mut reader, "CDR_TrainingSet").unwrap();
        assert_eq!(set.documents.len(), 500);

        let first = &set.documents[0];
        assert_eq!(first.pmid, "227508");
        assert_eq!(
            first.title,
            "Naloxone reverses the antihypertensive effect of clonidine."
        );
        assert!(first
            .abstract_text
            .starts_with("In unanesthetized, spontaneously hypertensive rats"));
        assert_eq!(first.line, 1);

        let mentions: Vec<&Annotation> = set
            .annotations
            .iter()
            .filter(|a| a.pmid == "227508")
            .collect();
        assert_eq!(mentions.len(), 20);
        assert_eq!(
            (
                mentions[0].start,
                mentions[0].end,
                mentions[0].text.as_str()
            ),
            (0, 8, "Naloxone")
        );
        assert_eq!(mentions[0].mesh_ids, ["D009270"]);
        assert!(mentions[4].mesh_ids.is_empty(), "nalozone is -1");

        let relation = &set.relations[0];
        assert_eq!(relation.head, RelationArg::Mesh("D008750".into()));
        assert_eq!(relation.tail, RelationArg::Mesh("D007022".into()));
    }

    #[test]
    fn composite_mention_keeps_all_ids() {
        let set = read(
            "1|t|Depression.\n1|a|Cardiovascular and respiratory depression.\n\
             1\t12\t53\tCardiovascular and respiratory depression\tDisease\tD002318|D012131\tcardiovascular depression|respiratory depression\n",
        )
        .unwrap();
        assert_eq!(set.annotations[0].mesh_ids, ["D002318", "D012131"]);
    }

    #[test]
    fn mention_text_mismatch_rejected() {
        let err = read("1|t|Aspirin.\n1|a|Text.\n1\t0\t7\tAspirim\tChemical\tD001241\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("test.PubTator.txt:3: invalid mention \"Aspirim\""),
            "{err}"
        );
        assert!(err.contains("is \"Aspirin\""), "{err}");
    }

    #[test]
    fn malformed_lines_rejected_with_line() {
        let cases = [
            (
                "1|t|A.\n1|a|B.\n1\t0\t1\tA\tChemical\n",
                "test.PubTator.txt:3:",
                "5 tab-separated fields",
            ),
            (
                "1|t|A.\n1|a|B.\n1\t0\t1\tA\n",
                "test.PubTator.txt:3:",
                "invalid relation type \"0\"",
            ),
            (
                "1|t|A.\n1|a|B.\n1\t0\tx\tA\tChemical\tD1\n",
                "test.PubTator.txt:3:",
                "invalid end \"x\"",
            ),
            (
                "1|t|A.\n1|a|B.\n1\t0\t1\tA\tDrug\tD1\n",
                "test.PubTator.txt:3:",
                "expected Chemical or Disease",
            ),
            (
                "1|t|A.\n1|a|B.\n1\t0\t1\tA\tChemical\tmesh:1\n",
                "test.PubTator.txt:3:",
                "invalid MeSH id",
            ),
            (
                "1|t|A.\n1|a|B.\n2\t0\t1\tA\tChemical\tD1\n",
                "test.PubTator.txt:3:",
                "inside document 1",
            ),
            (
                "1|t|A.\n1|a|B.\n1\tCID\tD1\n",
                "test.PubTator.txt:3:",
                "3 tab-separated fields",
            ),
            (
                "1|t|A.\n1|a|B.\n1\tXYZ\tD1\tD2\n",
                "test.PubTator.txt:3:",
                "expected CID",
            ),
            ("1|a|B.\n", "test.PubTator.txt:1:", "without a title line"),
            ("x1|t|A.\n", "test.PubTator.txt:1:", "invalid PMID"),
            ("1|t|A.\n\n", "test.PubTator.txt:2:", "no abstract line"),
            (
                "1\t0\t1\tA\tChemical\tD1\n",
                "test.PubTator.txt:1:",
                "before any title",
            ),
            (
                "1|t|A.\n1|a|B.\n1\t2\t9\tB.\tChemical\tD1\n",
                "test.PubTator.txt:3:",
                "not a span",
            ),
        ];
        for (input, prefix, reason) in cases {
            let err = read(input).unwrap_err().to_string();
            assert!(err.starts_with(prefix), "{input:?}: {err}");
            assert!(err.contains(reason), "{input:?}: {err}");
        }
    }
}
