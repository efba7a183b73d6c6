//! The work directory that `rxgraph ingest` writes and every later command reads.
//!
//! ```text
//! W/manifest.json        format version, inputs with SHA-256, counts, graph hash
//! W/schema.json          kinds and relations
//! W/nodes.parquet        node table (see kg::table)
//! W/edges.parquet        edge table
//! W/store/               Oxigraph store (RDF of nodes, edges and the vocabulary)
//! W/splits/<name>/       split.json + edges.parquet with a `part` column
//! W/passages.parquet …   literature tables, when passages were added (see text::corpus)
//! W/mappings/, W/texts/  gene annotation tables for target facts (see rank::facts)
//! W/vectors.parquet      text vectors, written later by `rxgraph embed` (see text::cache)
//! ```
//!
//! A work directory is built in a temporary sibling directory and renamed into place at
//! the end, so a failed or interrupted ingest leaves no half-written directory behind.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::error::KgError;
use super::graph::KnowledgeGraph;
use super::schema::Schema;
use super::split::{Split, SplitConfig};
use super::{store, table};

/// Version of the work-directory layout; readers reject other versions.
pub const FORMAT_VERSION: u32 = 1;

/// One input file of an ingest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputFile {
    /// Path as given (or the embedded data's repository path).
    pub path: String,
    /// SHA-256 of the file's bytes, hex.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
}

/// Contents of `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Layout version ([`FORMAT_VERSION`]).
    pub format_version: u32,
    /// rxgraph version that wrote the directory.
    pub rxgraph_version: String,
    /// Creation time, seconds since the Unix epoch.
    pub created_unix_s: u64,
    /// Input files.
    pub inputs: Vec<InputFile>,
    /// Number of nodes.
    pub nodes: usize,
    /// Number of edges.
    pub edges: usize,
    /// SHA-256 over node ids and edges: equal graphs have equal hashes.
    pub graph_hash: String,
}

/// Settings of [`WorkDir::create`].
#[derive(Debug, Clone)]
pub struct CreateOptions {
    /// Replace an existing work directory.
    pub force: bool,
    /// Draw progress bars on a terminal.
    pub show_progress: bool,
    /// Default splits to make and store; one that the graph is too small for is skipped
    /// with a warning.
    pub splits: Vec<SplitConfig>,
    /// More files to store in the directory, as (path relative to the directory, bytes):
    /// written with the rest before the manifest, so they too are all present or the
    /// directory is absent.
    pub extra_files: Vec<(String, Vec<u8>)>,
}

/// A work directory on disk.
#[derive(Debug, Clone)]
pub struct WorkDir {
    path: PathBuf,
    manifest: Manifest,
}

impl WorkDir {
    /// Writes `graph`, its store and its splits to a new work directory at `out`.
    ///
    /// `inputs` are the files the graph was read from, recorded with their SHA-256.
    ///
    /// # Errors
    /// `out` exists and `force` is off, or writing fails; then nothing is left at `out`
    /// (an existing directory is kept).
    pub fn create(
        out: &Path,
        graph: &KnowledgeGraph,
        inputs: Vec<InputFile>,
        options: &CreateOptions,
    ) -> Result<Self, KgError> {
        Self::check_out(out, options.force)?;
        let parent = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent).map_err(|e| KgError::io("create", &parent, e))?;
        let name = out
            .file_name()
            .map_or_else(|| "workdir".into(), |n| n.to_string_lossy().into_owned());
        let staging = tempfile::Builder::new()
            .prefix(&format!(".{name}.partial-"))
            .tempdir_in(&parent)
            .map_err(|e| KgError::io("create a temporary directory in", &parent, e))?;

        let manifest = Manifest {
            format_version: FORMAT_VERSION,
            rxgraph_version: env!("CARGO_PKG_VERSION").to_owned(),
            created_unix_s: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
            inputs,
            nodes: graph.node_count(),
            edges: graph.edges().len(),
            graph_hash: graph_hash(graph),
        };
        write_contents(staging.path(), graph, &manifest, options)?;

        // Swap into place: an existing directory moves aside first and is removed last.
        let staged = staging.keep();
        let previous = if out.exists() {
            let aside = parent.join(format!(".{name}.old-{}", std::process::id()));
            std::fs::rename(out, &aside).map_err(|e| KgError::io("move aside", out, e))?;
            Some(aside)
        } else {
            None
        };
        if let Err(e) = std::fs::rename(&staged, out) {
            let _ = std::fs::remove_dir_all(&staged);
            if let Some(aside) = &previous {
                let _ = std::fs::rename(aside, out);
            }
            return Err(KgError::io("rename into place", out, e));
        }
        if let Some(aside) = previous {
            std::fs::remove_dir_all(&aside).map_err(|e| KgError::io("remove", &aside, e))?;
        }
        Ok(Self {
            path: out.to_owned(),
            manifest,
        })
    }

    /// Checks that [`Self::create`] may write a work directory at `out`: nothing may exist
    /// there unless `force` is set. `ingest` calls it before reading any input, so that it
    /// fails at once, and `create` checks again.
    ///
    /// # Errors
    /// `out` exists and `force` is off.
    pub fn check_out(out: &Path, force: bool) -> Result<(), KgError> {
        if out.exists() && !force {
            return Err(KgError::WorkDir {
                path: out.to_owned(),
                reason: "it already exists; pass --force to replace it or choose another --out"
                    .into(),
            });
        }
        Ok(())
    }

    /// Opens an existing work directory.
    ///
    /// # Errors
    /// The directory or its manifest is missing, or it has another layout version.
    pub fn open(path: &Path) -> Result<Self, KgError> {
        let manifest_path = path.join("manifest.json");
        let bad = |reason: String| KgError::WorkDir {
            path: path.to_owned(),
            reason,
        };
        if !path.is_dir() {
            return Err(bad(
                "no such directory; create it with `rxgraph ingest --out DIR`".into(),
            ));
        }
        let text = std::fs::read_to_string(&manifest_path)
            .map_err(|_| bad("manifest.json is missing; it is not a work directory, or an ingest into it failed: re-run `rxgraph ingest`".into()))?;
        let manifest: Manifest = serde_json::from_str(&text).map_err(|e| {
            bad(format!(
                "manifest.json is invalid ({e}); re-run `rxgraph ingest`"
            ))
        })?;
        if manifest.format_version != FORMAT_VERSION {
            return Err(bad(format!(
                "layout version {} is not {FORMAT_VERSION}, the one this rxgraph reads; re-run `rxgraph ingest`",
                manifest.format_version
            )));
        }
        Ok(Self {
            path: path.to_owned(),
            manifest,
        })
    }

    /// Returns the directory path.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Returns the manifest.
    #[must_use]
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Returns the path of the Oxigraph store.
    #[must_use]
    pub fn store_path(&self) -> PathBuf {
        self.path.join("store")
    }

    /// Reads the graph: schema, nodes and edges, with the petgraph view rebuilt.
    ///
    /// # Errors
    /// Missing or invalid files.
    pub fn load_graph(&self) -> Result<KnowledgeGraph, KgError> {
        let schema_path = self.path.join("schema.json");
        let text = std::fs::read_to_string(&schema_path)
            .map_err(|e| KgError::io("read", &schema_path, e))?;
        let schema: Schema = serde_json::from_str(&text).map_err(|e| KgError::WorkDir {
            path: self.path.clone(),
            reason: format!("schema.json is invalid ({e}); re-run `rxgraph ingest`"),
        })?;
        let nodes = table::read_nodes(&self.path.join("nodes.parquet"), &schema)?;
        let (edges, _) = table::read_triples(&self.path.join("edges.parquet"), &schema, None)?;
        let node_count = nodes.len();
        if nodes.windows(2).any(|w| w[0].kind > w[1].kind)
            || edges
                .iter()
                .any(|t| t.head as usize >= node_count || t.tail as usize >= node_count)
        {
            return Err(KgError::WorkDir {
                path: self.path.clone(),
                reason:
                    "nodes.parquet and edges.parquet do not fit together; re-run `rxgraph ingest`"
                        .into(),
            });
        }
        Ok(KnowledgeGraph::from_parts(schema, nodes, edges))
    }

    /// Returns the names of the stored splits, sorted.
    #[must_use]
    pub fn split_names(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.path.join("splits"))
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.path().join("split.json").is_file())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// Reads the split `name`.
    ///
    /// # Errors
    /// No such split, or its files are invalid.
    pub fn split(&self, name: &str, graph: &KnowledgeGraph) -> Result<Split, KgError> {
        if !self.split_names().iter().any(|n| n == name) {
            return Err(KgError::Split {
                name: name.to_owned(),
                reason: format!(
                    "no such split in {}; available: {}",
                    self.path.display(),
                    self.split_names().join(", ")
                ),
            });
        }
        Split::read(&self.path.join("splits").join(name), graph)
    }

    /// Makes and stores a split; an existing split of that name is replaced only with `force`.
    ///
    /// # Errors
    /// Invalid settings, an existing split without `force`, or a write failure.
    pub fn add_split(
        &self,
        graph: &KnowledgeGraph,
        config: &SplitConfig,
        force: bool,
    ) -> Result<Split, KgError> {
        let split = Split::make(graph, config)?;
        let splits = self.path.join("splits");
        let target = splits.join(&config.name);
        if target.exists() && !force {
            return Err(KgError::Split {
                name: config.name.clone(),
                reason: "a split of that name exists; pass --force to replace it".into(),
            });
        }
        std::fs::create_dir_all(&splits).map_err(|e| KgError::io("create", &splits, e))?;
        let staging = tempfile::Builder::new()
            .prefix(&format!(".{}.partial-", config.name))
            .tempdir_in(&splits)
            .map_err(|e| KgError::io("create a temporary directory in", &splits, e))?;
        split.write(staging.path(), graph)?;
        if target.exists() {
            std::fs::remove_dir_all(&target).map_err(|e| KgError::io("remove", &target, e))?;
        }
        std::fs::rename(staging.keep(), &target)
            .map_err(|e| KgError::io("rename into place", &target, e))?;
        Ok(split)
    }
}

fn write_contents(
    dir: &Path,
    graph: &KnowledgeGraph,
    manifest: &Manifest,
    options: &CreateOptions,
) -> Result<(), KgError> {
    let write_json = |name: &str, json: String| {
        let path = dir.join(name);
        std::fs::write(&path, json).map_err(|e| KgError::io("write", &path, e))
    };
    write_json(
        "schema.json",
        serde_json::to_string_pretty(graph.schema()).expect("schema serialises"),
    )?;
    table::write_nodes(&dir.join("nodes.parquet"), graph)?;
    table::write_triples(&dir.join("edges.parquet"), graph, graph.edges(), None)?;
    store::build_store(&dir.join("store"), graph, options.show_progress)?;
    for config in &options.splits {
        match Split::make(graph, config) {
            Ok(split) => split.write(&dir.join("splits").join(&config.name), graph)?,
            // Default splits are skipped on graphs too small for them, not fatal.
            Err(KgError::Split { name, reason }) => {
                tracing::warn!(split = %name, %reason, "skipped a default split; make one with `rxgraph split`");
            }
            Err(other) => return Err(other),
        }
    }
    for (name, bytes) in &options.extra_files {
        let relative = Path::new(name);
        let plain = !name.contains('\\')
            && relative
                .components()
                .all(|c| matches!(c, std::path::Component::Normal(_)));
        if !plain || name.is_empty() || name == "manifest.json" {
            return Err(KgError::WorkDir {
                path: dir.to_owned(),
                reason: format!(
                    "extra file name {name:?} must be a relative path of plain names, not \
                     manifest.json"
                ),
            });
        }
        let path = dir.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| KgError::io("create", parent, e))?;
        }
        std::fs::write(&path, bytes).map_err(|e| KgError::io("write", &path, e))?;
    }
    // The manifest goes last: a directory without one is never taken for a complete one.
    write_json(
        "manifest.json",
        serde_json::to_string_pretty(manifest).expect("manifest serialises"),
    )
}

/// Returns the SHA-256 (hex) over node ids and edge triples.
#[must_use]
pub fn graph_hash(graph: &KnowledgeGraph) -> String {
    let mut hasher = Sha256::new();
    for node in graph.nodes() {
        hasher.update(node.id.as_bytes());
        hasher.update([0]);
    }
    for t in graph.edges() {
        hasher.update(t.head.to_le_bytes());
        hasher.update(
            graph.schema().relations[t.relation as usize]
                .abbreviation
                .as_bytes(),
        );
        hasher.update(t.tail.to_le_bytes());
    }
    hex(&hasher.finalize())
}

/// Hashes a file for the manifest.
///
/// # Errors
/// The file cannot be read.
pub fn input_file(path: &Path) -> Result<InputFile, KgError> {
    let mut file = std::fs::File::open(path).map_err(|e| KgError::io("open", path, e))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    let mut bytes = 0u64;
    loop {
        let n = file
            .read(&mut buffer)
            .map_err(|e| KgError::io("read", path, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        bytes += n as u64;
    }
    Ok(InputFile {
        path: path.display().to_string(),
        sha256: hex(&hasher.finalize()),
        bytes,
    })
}

/// Describes data compiled into the binary for the manifest.
#[must_use]
pub fn embedded_input(path: &str, bytes: &[u8]) -> InputFile {
    InputFile {
        path: path.to_owned(),
        sha256: hex(&Sha256::digest(bytes)),
        bytes: bytes.len() as u64,
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kg::GraphBuilder;

    fn options(extra_files: Vec<(String, Vec<u8>)>) -> CreateOptions {
        CreateOptions {
            force: false,
            show_progress: false,
            splits: Vec::new(),
            extra_files,
        }
    }

    fn graph() -> KnowledgeGraph {
        let mut builder = GraphBuilder::new(Schema::hetionet());
        builder.add_node("1017", "Gene", "CDK2", None).unwrap();
        builder.build().unwrap()
    }

    #[test]
    fn check_out_rejects_existing_path() {
        let dir = tempfile::tempdir().unwrap();
        let error = WorkDir::check_out(dir.path(), false).unwrap_err();
        assert!(error.to_string().contains("pass --force"), "{error}");
        WorkDir::check_out(dir.path(), true).unwrap();
        WorkDir::check_out(&dir.path().join("new"), false).unwrap();
    }

    #[test]
    fn extra_files_may_be_in_subdirectories() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("work");
        let files = vec![("texts/table.tsv.gz".to_owned(), b"rows".to_vec())];
        WorkDir::create(&out, &graph(), Vec::new(), &options(files)).unwrap();
        assert_eq!(
            std::fs::read(out.join("texts/table.tsv.gz")).unwrap(),
            b"rows"
        );
    }

    #[test]
    fn extra_file_outside_directory_rejected() {
        for name in [
            "../escape",
            "/tmp/absolute",
            "",
            "manifest.json",
            "a\\b",
            "./x",
        ] {
            let dir = tempfile::tempdir().unwrap();
            let out = dir.path().join("work");
            let files = vec![(name.to_owned(), Vec::new())];
            let error = WorkDir::create(&out, &graph(), Vec::new(), &options(files)).unwrap_err();
            assert!(
                error.to_string().contains("extra file name"),
                "{name}: {error}"
            );
            assert!(!out.exists(), "{name}");
        }
    }
}
