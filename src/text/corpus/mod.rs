//! Literature passages: PubMed abstracts from annotated corpora, linked to graph nodes.
//!
//! [`read_dir`] finds and parses the corpora in a directory or its direct subdirectories.
//! BioCreative V CDR (`*.PubTator.txt`) has chemicals and diseases with MeSH ids and
//! chemical-induced-disease relations. BioCreative VI ChemProt (`*_abstracts*.tsv` with
//! `*_entities*.tsv` and `*_relations*.tsv`) has chemicals and genes by name and CPR
//! relations. [`add_literature`] turns every abstract into a `Passage::<PMID>`
//! node named by its title, links the mentions ([`linking`]), adds one `PmC`, `PmD` or
//! `PmG` edge per passage and linked node, and returns the tables of [`Literature`] for the
//! work directory:
//!
//! ```text
//! W/passages.parquet       pmid, title, abstract, corpus, sets
//! W/mentions.parquet       pmid, node_id (null if unlinked), start, end, text, entity_type,
//!                          corpus, link, sentence_index, sentence
//! W/text_relations.parquet pmid, head_id, relation, tail_id, source, label, evaluated
//! W/literature.json        link rates per corpus, entity type and node kind
//! ```
//!
//! Offsets (`start`, `end`) count Unicode characters in `title + " " + abstract`, as the
//! corpora do; sentence 0 is the title ([`sentences`]). A PMID found in several sets or
//! both corpora is one passage with the first text read. The corpus relations are
//! text-derived evidence for explanations, not graph edges.
//!
//! The corpora are for research use only (BioCreative terms), so none is embedded; the
//! caller names their directories (`rxgraph ingest --literature DIR`).
//!
//! ```no_run
//! use rxgraph::kg::{ingest, GraphBuilder, Schema};
//! use rxgraph::text::corpus::{add_literature, read_dir, LinkOptions};
//!
//! let mut builder = GraphBuilder::new(Schema::hetionet());
//! ingest::read_into(&ingest::Sources::embedded(), &mut builder, false).unwrap();
//! let sets = read_dir(std::path::Path::new("../shared/data/bc5cdr")).unwrap();
//! let literature = add_literature(&mut builder, &sets, LinkOptions::default()).unwrap();
//! let graph = builder.build().unwrap();
//! println!("{} passages, {:?}", literature.passages.len(), literature.stats.by_kind);
//! ```

mod bc5cdr;
mod chemprot;
pub mod linking;
pub mod sentences;
mod tables;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::Serialize;

pub use self::bc5cdr::read_pubtator;
pub use self::chemprot::{find_sets, read_chemprot, ChemProtFiles};
pub use self::linking::{LinkMethod, LinkOptions, Linker};
use crate::kg::ingest::LineReader;
use crate::kg::{GraphBuilder, KgError, Location};
use crate::text::resources::{TextTable, XrefTable};

/// The shared data directory next to the repository (`../shared/data`).
#[cfg(test)]
pub(crate) const SHARED_DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data");

/// Entity type of a mention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum EntityType {
    /// A chemical or drug (BC5CDR `Chemical`, ChemProt `CHEMICAL`).
    Chemical,
    /// A disease (BC5CDR `Disease`).
    Disease,
    /// A gene or protein (ChemProt `GENE-Y`, `GENE-N`).
    Gene,
}

impl EntityType {
    /// Returns the graph node kind mentions of this type link to.
    #[must_use]
    pub fn kind(self) -> &'static str {
        match self {
            Self::Chemical => "Compound",
            Self::Disease => "Disease",
            Self::Gene => "Gene",
        }
    }

    /// Returns the relation from a passage to a node of this type.
    #[must_use]
    pub fn relation(self) -> &'static str {
        match self {
            Self::Chemical => "PmC",
            Self::Disease => "PmD",
            Self::Gene => "PmG",
        }
    }
}

/// One abstract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// PubMed id.
    pub pmid: String,
    /// Title.
    pub title: String,
    /// Abstract (may be empty).
    pub abstract_text: String,
    /// Line of the document in its file.
    pub line: u64,
}

impl Document {
    /// Returns `title + " " + abstract`, the text that offsets count in.
    #[must_use]
    pub fn text(&self) -> String {
        format!("{} {}", self.title, self.abstract_text)
    }
}

/// One entity mention as the corpus annotates it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    /// PubMed id of the abstract.
    pub pmid: String,
    /// ChemProt term id (`T12`); `None` in BC5CDR.
    pub key: Option<String>,
    /// First character, counted in `title + " " + abstract`.
    pub start: usize,
    /// Character after the last one.
    pub end: usize,
    /// Mention text.
    pub text: String,
    /// Entity type.
    pub entity_type: EntityType,
    /// The corpus's type label (`Chemical`, `GENE-Y` …).
    pub label: String,
    /// MeSH ids (BC5CDR); empty when the corpus gives none or `-1`.
    pub mesh_ids: Vec<String>,
    /// Line in the annotation file.
    pub line: u64,
}

/// An end of a corpus relation.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RelationArg {
    /// A MeSH id (BC5CDR).
    Mesh(String),
    /// A term id of an annotation in the same abstract (ChemProt).
    Entity(String),
}

/// A relation as the corpus annotates it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRelation {
    /// PubMed id of the abstract.
    pub pmid: String,
    /// `CID` or a ChemProt group such as `CPR:4`.
    pub relation: String,
    /// Finer label: `chemical-induced disease`, or ChemProt's `INHIBITOR` …
    pub label: String,
    /// Whether the corpus evaluates it (ChemProt `Y`; always true in BC5CDR).
    pub evaluated: bool,
    /// Chemical end.
    pub head: RelationArg,
    /// Disease or gene end.
    pub tail: RelationArg,
}

/// One set of a corpus (one PubTator file, or one ChemProt triple of files).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorpusSet {
    /// `bc5cdr` or `chemprot`.
    pub corpus: &'static str,
    /// Set name, from the file name (`CDR_TrainingSet`).
    pub name: String,
    /// Files read. The first contains the documents, the second (if any) the annotations.
    pub files: Vec<PathBuf>,
    /// Abstracts in file order.
    pub documents: Vec<Document>,
    /// Mentions in file order.
    pub annotations: Vec<Annotation>,
    /// Relations in file order.
    pub relations: Vec<RawRelation>,
}

impl CorpusSet {
    fn new(corpus: &'static str, name: &str, path: &Path) -> Self {
        Self {
            corpus,
            name: name.to_owned(),
            files: vec![path.to_owned()],
            documents: Vec::new(),
            annotations: Vec::new(),
            relations: Vec::new(),
        }
    }

    fn annotation_file(&self) -> &Path {
        self.files.get(1).unwrap_or(&self.files[0])
    }
}

/// Finds and reads the corpora in `dir` and its direct subdirectories, sets sorted by path.
///
/// # Errors
/// The directory is missing or contains no corpus file, or a file is malformed (with file,
/// line and reason).
pub fn read_dir(dir: &Path) -> Result<Vec<CorpusSet>, KgError> {
    if !dir.is_dir() {
        return Err(KgError::MissingFile {
            path: dir.to_owned(),
        });
    }
    let mut directories = vec![dir.to_owned()];
    directories.extend(sorted_files(dir)?.into_iter().filter(|p| p.is_dir()));

    let mut sets = Vec::new();
    for directory in &directories {
        for path in sorted_files(directory)? {
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            if let Some(set_name) = name
                .strip_suffix(".PubTator.txt")
                .or_else(|| name.strip_suffix(".pubtator.txt"))
            {
                let mut reader = LineReader::open(&path)?;
                sets.push(read_pubtator(&mut reader, set_name)?);
            }
        }
        for files in find_sets(directory)? {
            let name = files
                .abstracts
                .file_stem()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .replacen("_abstracts", "", 1);
            sets.push(read_chemprot(&files, &name)?);
        }
    }

    if sets.is_empty() {
        return Err(KgError::InvalidField {
            origin: crate::kg::Origin {
                path: dir.to_owned(),
                line: 0,
            },
            field: "literature directory",
            value: dir.display().to_string(),
            reason: "no corpus found; expected BC5CDR files (*.PubTator.txt) or ChemProt files \
                     (*_abstracts*.tsv with *_entities*.tsv) in it or its subdirectories"
                .into(),
        });
    }
    Ok(sets)
}

/// Reads every directory with [`read_dir`], sets in the order of `dirs`.
///
/// # Errors
/// As [`read_dir`].
pub fn read_dirs(dirs: &[PathBuf]) -> Result<Vec<CorpusSet>, KgError> {
    let mut sets = Vec::new();
    for dir in dirs {
        sets.extend(read_dir(dir)?);
    }
    Ok(sets)
}

/// Lists the entries of `dir`, sorted by path.
pub(crate) fn sorted_files(dir: &Path) -> Result<Vec<PathBuf>, KgError> {
    let entries = std::fs::read_dir(dir).map_err(|e| KgError::Io {
        action: "list",
        path: dir.to_owned(),
        source: e,
    })?;
    let mut paths: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    Ok(paths)
}

/// A passage as stored in `passages.parquet`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassageRecord {
    /// PubMed id.
    pub pmid: String,
    /// Title.
    pub title: String,
    /// Abstract.
    pub abstract_text: String,
    /// Corpora that contain it (`bc5cdr`, `chemprot`), in reading order.
    pub corpora: Vec<String>,
    /// Sets that contain it (`CDR_TrainingSet` …), in reading order.
    pub sets: Vec<String>,
}

/// One row of `mentions.parquet`: a mention and one node it links to (or none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MentionRecord {
    /// PubMed id.
    pub pmid: String,
    /// Linked node id; `None` when the mention links to nothing.
    pub node_id: Option<String>,
    /// First character in `title + " " + abstract`.
    pub start: usize,
    /// Character after the last one.
    pub end: usize,
    /// Mention text.
    pub text: String,
    /// Corpus type label (`Chemical`, `Disease`, `CHEMICAL`, `GENE-Y`, `GENE-N`).
    pub entity_type: String,
    /// `bc5cdr` or `chemprot`.
    pub corpus: &'static str,
    /// Link method, `None` for an unlinked mention.
    pub link: Option<LinkMethod>,
    /// Index of the sentence that contains `start` (0 is the title).
    pub sentence_index: usize,
    /// That sentence, through the sentence of the last character when the mention crosses
    /// a sentence break.
    pub sentence: String,
}

/// One row of `text_relations.parquet`: a corpus relation between two linked nodes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TextRelationRecord {
    /// PubMed id.
    pub pmid: String,
    /// Chemical end (a compound id).
    pub head_id: String,
    /// `CID` or `CPR:<n>`.
    pub relation: String,
    /// Disease or gene end.
    pub tail_id: String,
    /// `bc5cdr` or `chemprot`.
    pub source: &'static str,
    /// Finer label (`INHIBITOR` …).
    pub label: String,
    /// Whether the corpus evaluates the relation.
    pub evaluated: bool,
}

/// Mention counts for one corpus and type label, or for one node kind.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LinkCount {
    /// Corpus (`bc5cdr`, `chemprot`), or `all` for a node kind.
    pub corpus: String,
    /// Corpus type label, or the node kind.
    pub entity_type: String,
    /// Node kind the mentions link to.
    pub kind: String,
    /// Mentions read.
    pub mentions: usize,
    /// Mentions linked to at least one node.
    pub linked: usize,
    /// `linked / mentions`.
    pub share: f64,
    /// Distinct nodes linked.
    pub nodes: usize,
}

/// Summary of [`add_literature`], stored as `literature.json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LinkStats {
    /// Passages (distinct PMIDs).
    pub passages: usize,
    /// Sets read, as `corpus/set`.
    pub sets: Vec<String>,
    /// Counts per corpus and type label.
    pub by_type: Vec<LinkCount>,
    /// Counts per node kind over all corpora.
    pub by_kind: Vec<LinkCount>,
    /// Linked mentions per method (`mesh`, `name` …).
    pub by_method: BTreeMap<String, usize>,
    /// Passage edges per relation.
    pub edges: BTreeMap<String, usize>,
    /// Corpus relations read.
    pub relations: usize,
    /// Rows of `text_relations.parquet` (one per pair of linked nodes).
    pub text_relations: usize,
    /// Mentions left out because a PMID read before had a different text.
    pub mentions_dropped: usize,
    /// Whether disease MeSH ids fell back to propagated DO cross-references.
    pub propagated_disease_xrefs: bool,
}

/// Passages, mentions and relations of the corpora, linked to one graph.
#[derive(Debug, Clone, Default)]
pub struct Literature {
    /// One per PMID, in reading order.
    pub passages: Vec<PassageRecord>,
    /// One per (mention, linked node); unlinked mentions once with no node.
    pub mentions: Vec<MentionRecord>,
    /// Corpus relations whose ends both link, one per pair of nodes, deduplicated.
    pub relations: Vec<TextRelationRecord>,
    /// Link rates and counts.
    pub stats: LinkStats,
    /// Every corpus file read.
    pub inputs: Vec<PathBuf>,
}

/// The text and sentences of one passage.
struct PassageText {
    index: usize,
    text: String,
    char_starts: Vec<usize>,
    sentences: Vec<std::ops::Range<usize>>,
}

impl PassageText {
    fn slice(&self, range: std::ops::Range<usize>) -> &str {
        &self.text[self.char_starts[range.start]..self.char_starts[range.end]]
    }
}

/// Adds a `Passage` node per abstract of `sets` and an edge per passage and linked node to
/// `builder`, whose nodes are the graph to link to, and returns the literature tables.
///
/// # Errors
/// A passage id that the builder already has (an input graph with the same `Passage`
/// node), or a malformed embedded mapping file.
pub fn add_literature(
    builder: &mut GraphBuilder,
    sets: &[CorpusSet],
    options: LinkOptions,
) -> Result<Literature, KgError> {
    let xrefs = XrefTable::embedded()?;
    let gene_texts = TextTable::embedded(false)?;
    let nodes: Vec<(String, String, String)> = builder
        .nodes()
        .map(|(id, kind, name)| (id.to_owned(), kind.to_owned(), name.to_owned()))
        .collect();
    let linker = Linker::new(
        nodes
            .iter()
            .map(|(i, k, n)| (i.as_str(), k.as_str(), n.as_str())),
        &xrefs,
        &gene_texts,
        options,
    );

    let mut literature = Literature::default();
    literature.stats.propagated_disease_xrefs = options.propagated_disease_xrefs;
    let mut texts: HashMap<String, PassageText> = HashMap::new();
    let mut edges: HashSet<(String, &'static str, String)> = HashSet::new();
    let mut counts: BTreeMap<(String, String, &'static str), (usize, usize, HashSet<String>)> =
        BTreeMap::new();
    let mut kind_counts: BTreeMap<&'static str, (usize, usize, HashSet<String>)> = BTreeMap::new();

    for set in sets {
        let document_file = builder.register_file(&set.files[0]);
        let annotation_file = if set.files.len() > 1 {
            builder.register_file(set.annotation_file())
        } else {
            document_file
        };
        literature
            .stats
            .sets
            .push(format!("{}/{}", set.corpus, set.name));
        literature.inputs.extend(set.files.iter().cloned());

        // Passages: the first text of a PMID wins; later sets only add their names.
        let mut same_text: HashSet<&str> = HashSet::new();
        for document in &set.documents {
            if let Some(existing) = texts.get(&document.pmid) {
                let record = &mut literature.passages[existing.index];
                push_unique(&mut record.corpora, set.corpus);
                push_unique(&mut record.sets, &set.name);
                if existing.text == document.text() {
                    same_text.insert(&document.pmid);
                }
                continue;
            }
            same_text.insert(&document.pmid);
            let location = Location {
                file: document_file,
                line: document.line,
            };
            builder.add_node(
                &format!("Passage::{}", document.pmid),
                "Passage",
                &document.title,
                Some(location),
            )?;
            texts.insert(
                document.pmid.clone(),
                passage_text(literature.passages.len(), document),
            );
            literature.passages.push(PassageRecord {
                pmid: document.pmid.clone(),
                title: document.title.clone(),
                abstract_text: document.abstract_text.clone(),
                corpora: vec![set.corpus.to_owned()],
                sets: vec![set.name.clone()],
            });
        }

        // Mentions: link, count, record with their sentence, add one edge per node.
        let mut linked_keys: HashMap<(&str, &str), Vec<String>> = HashMap::new();
        for annotation in &set.annotations {
            if !same_text.contains(annotation.pmid.as_str()) {
                literature.stats.mentions_dropped += 1;
                continue;
            }
            let passage = &texts[&annotation.pmid];
            let (ids, method) = linker.link(annotation);
            let kind = annotation.entity_type.kind();
            let count = counts
                .entry((set.corpus.to_owned(), annotation.label.clone(), kind))
                .or_default();
            let kind_count = kind_counts.entry(kind).or_default();
            count.0 += 1;
            kind_count.0 += 1;
            if let Some(method) = method {
                count.1 += 1;
                kind_count.1 += 1;
                *literature
                    .stats
                    .by_method
                    .entry(method.as_str().to_owned())
                    .or_default() += 1;
            }
            if let Some(key) = &annotation.key {
                linked_keys.insert((annotation.pmid.as_str(), key.as_str()), ids.clone());
            }

            // A mention across a sentence break (`7. 8-Epi-PGF2`) quotes every sentence it
            // touches.
            let sentence_index = sentences::sentence_of(&passage.sentences, annotation.start);
            let last_index = sentences::sentence_of(&passage.sentences, annotation.end - 1);
            let sentence = match (
                passage.sentences.get(sentence_index),
                passage.sentences.get(last_index),
            ) {
                (Some(first), Some(last)) => passage.slice(first.start..last.end.max(first.end)),
                _ => "",
            };
            let record = |node_id: Option<String>| MentionRecord {
                pmid: annotation.pmid.clone(),
                node_id,
                start: annotation.start,
                end: annotation.end,
                text: annotation.text.clone(),
                entity_type: annotation.label.clone(),
                corpus: set.corpus,
                link: method,
                sentence_index,
                sentence: sentence.to_owned(),
            };
            if ids.is_empty() {
                literature.mentions.push(record(None));
            }
            for id in ids {
                count.2.insert(id.clone());
                kind_count.2.insert(id.clone());
                literature.mentions.push(record(Some(id.clone())));
                let passage_id = format!("Passage::{}", annotation.pmid);
                let relation = annotation.entity_type.relation();
                if edges.insert((passage_id.clone(), relation, id.clone())) {
                    let location = Location {
                        file: annotation_file,
                        line: annotation.line,
                    };
                    builder.add_edge(&passage_id, relation, &id, Some(location));
                }
            }
        }

        // Relations between linked ends.
        literature.stats.relations += set.relations.len();
        for relation in &set.relations {
            let ends = |arg: &RelationArg, entity_type: EntityType| match arg {
                RelationArg::Mesh(id) => linker.link_mesh(entity_type, id),
                RelationArg::Entity(key) => linked_keys
                    .get(&(relation.pmid.as_str(), key.as_str()))
                    .cloned()
                    .unwrap_or_default(),
            };
            let tail_type = if set.corpus == "bc5cdr" {
                EntityType::Disease
            } else {
                EntityType::Gene
            };
            for head in ends(&relation.head, EntityType::Chemical) {
                for tail in ends(&relation.tail, tail_type) {
                    literature.relations.push(TextRelationRecord {
                        pmid: relation.pmid.clone(),
                        head_id: head.clone(),
                        relation: relation.relation.clone(),
                        tail_id: tail,
                        source: set.corpus,
                        label: relation.label.clone(),
                        evaluated: relation.evaluated,
                    });
                }
            }
        }
    }

    let mut seen = HashSet::new();
    literature.relations.retain(|r| seen.insert(r.clone()));
    literature.stats.passages = literature.passages.len();
    literature.stats.text_relations = literature.relations.len();
    for (_, relation, _) in &edges {
        *literature
            .stats
            .edges
            .entry((*relation).to_owned())
            .or_default() += 1;
    }
    literature.stats.by_type = counts
        .into_iter()
        .map(|((corpus, label, kind), (mentions, linked, nodes))| {
            link_count(corpus, label, kind, mentions, linked, nodes.len())
        })
        .collect();
    literature.stats.by_kind = kind_counts
        .into_iter()
        .map(|(kind, (mentions, linked, nodes))| {
            link_count(
                "all".into(),
                kind.into(),
                kind,
                mentions,
                linked,
                nodes.len(),
            )
        })
        .collect();
    Ok(literature)
}

fn link_count(
    corpus: String,
    entity_type: String,
    kind: &str,
    mentions: usize,
    linked: usize,
    nodes: usize,
) -> LinkCount {
    #[allow(clippy::cast_precision_loss)]
    let share = if mentions == 0 {
        0.0
    } else {
        linked as f64 / mentions as f64
    };
    LinkCount {
        corpus,
        entity_type,
        kind: kind.to_owned(),
        mentions,
        linked,
        share,
        nodes,
    }
}

fn push_unique(list: &mut Vec<String>, value: &str) {
    if !list.iter().any(|v| v == value) {
        list.push(value.to_owned());
    }
}

fn passage_text(index: usize, document: &Document) -> PassageText {
    let text = document.text();
    let mut char_starts: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
    char_starts.push(text.len());
    let sentences = sentences::split_sentences(&document.title, &document.abstract_text);
    PassageText {
        index,
        text,
        char_starts,
        sentences,
    }
}

impl Literature {
    /// Logs the link rates per node kind at info, and per corpus type at debug.
    pub fn log_stats(&self) {
        let stats = &self.stats;
        tracing::info!(passages = stats.passages, sets = %stats.sets.join(", "), edges = ?stats.edges, text_relations = stats.text_relations, "literature passages added");
        for count in &stats.by_kind {
            tracing::info!(kind = %count.kind, mentions = count.mentions, linked = count.linked, share = format!("{:.3}", count.share), nodes = count.nodes, "mentions linked");
        }
        for count in &stats.by_type {
            tracing::debug!(corpus = %count.corpus, entity_type = %count.entity_type, mentions = count.mentions, linked = count.linked, share = format!("{:.3}", count.share), "mentions linked");
        }
        if stats.mentions_dropped > 0 {
            tracing::warn!(
                mentions = stats.mentions_dropped,
                "left out mentions of PMIDs whose text differs from the copy read first; \
                 pass that corpus first with --literature to keep its mentions"
            );
        }
    }

    /// Returns the work-directory files: `passages.parquet`, `mentions.parquet`,
    /// `text_relations.parquet` and `literature.json`, as (file name, bytes).
    ///
    /// # Errors
    /// Encoding Parquet fails.
    pub fn files(&self) -> Result<Vec<(String, Vec<u8>)>, KgError> {
        let json = serde_json::to_vec_pretty(&self.stats).expect("link statistics serialise");
        Ok(vec![
            (
                tables::PASSAGES.to_owned(),
                tables::passages(&self.passages)?,
            ),
            (
                tables::MENTIONS.to_owned(),
                tables::mentions(&self.mentions)?,
            ),
            (
                tables::TEXT_RELATIONS.to_owned(),
                tables::text_relations(&self.relations)?,
            ),
            ("literature.json".to_owned(), json),
        ])
    }
}

pub use self::tables::{read_passages, MENTIONS, PASSAGES, TEXT_RELATIONS};

#[cfg(test)]
mod tests;
