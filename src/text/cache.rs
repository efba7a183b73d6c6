//! Text vectors of graph nodes, cached in `W/vectors.parquet`.
//!
//! [`embed_cached`] takes one text per node, reuses the vector of every node whose
//! (id, SHA-256 of the text, model id) is already in the file, encodes the rest with an
//! [`Encode`] implementation, and writes the file again. The columns:
//!
//! | column | Arrow type | meaning |
//! |---|---|---|
//! | `id` | utf8 | node id, `Compound::DB00945` |
//! | `kind` | utf8 | node kind |
//! | `text_hash` | utf8 | SHA-256 of the encoded text, hex |
//! | `model_id` | utf8 | the encoder's model id |
//! | `vector` | fixed_size_list<float32 not null>[dim] | the text vector |
//!
//! Rows follow the order of the items given (the node order of the graph). The file contains
//! vectors of one model: rows of another model id or length are not reused and are
//! dropped on write. An unreadable file is rebuilt with a warning. Every write goes to a
//! temporary file in the same directory that is renamed over the old one, so readers see
//! the old or the new file, never a partial one. A long run also writes such checkpoints,
//! so an interrupted run keeps what it encoded.
//!
//! ```
//! use rxgraph::text::cache::{embed_cached, EmbedItem, EmbedOptions, Encode, Encoded};
//! use rxgraph::text::cache::EmbedError;
//!
//! /// Encodes a text as its length and a constant.
//! struct Lengths;
//! impl Encode for Lengths {
//!     fn model_id(&self) -> &str { "lengths" }
//!     fn dim(&self) -> usize { 2 }
//!     fn encode(&self, texts: &[&str]) -> Result<Encoded, EmbedError> {
//!         let vectors = texts.iter().flat_map(|t| [t.len() as f32, 1.0]).collect();
//!         Ok(Encoded { vectors, truncated: 0 })
//!     }
//! }
//!
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("vectors.parquet");
//! let items = vec![EmbedItem::new("Gene::7157", "Gene", "Gene: TP53.")];
//! let first = embed_cached(&path, &items, &Lengths, &EmbedOptions::default()).unwrap();
//! let second = embed_cached(&path, &items, &Lengths, &EmbedOptions::default()).unwrap();
//! assert_eq!((first.encoded, second.encoded, second.reused), (1, 0, 1));
//! ```

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use arrow::array::{Array, ArrayRef, FixedSizeListArray, Float32Array, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;
use sha2::{Digest, Sha256};

use crate::kg::KgError;
use crate::progress::Progress;

/// File name of the vector cache in a work directory.
pub const VECTORS: &str = "vectors.parquet";

/// An error while encoding texts or reading and writing the vector cache.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EmbedError {
    /// Reading the work directory or its tables failed.
    #[error(transparent)]
    Kg(#[from] KgError),
    /// The encoder failed.
    #[error("encoding texts failed: {0}")]
    Encoder(#[from] super::TextError),
    /// The encoder returned a number of floats that is not texts × dim.
    #[error("the encoder returned {found} floats for {texts} texts of dimension {dim}; expected {}", texts * dim)]
    VectorCount {
        /// Texts passed.
        texts: usize,
        /// Vector length the encoder declares.
        dim: usize,
        /// Floats returned.
        found: usize,
    },
    /// Two items share an id.
    #[error("node id {id:?} appears twice in the texts to encode; ids must be unique")]
    DuplicateId {
        /// The repeated id.
        id: String,
    },
    /// A text is empty or only whitespace.
    #[error("the text of {id:?} is empty; every node needs a non-empty text")]
    EmptyText {
        /// Node id.
        id: String,
    },
    /// Writing the cache failed.
    #[error("failed to write the vector cache {}: {message}", path.display())]
    Write {
        /// File being written.
        path: PathBuf,
        /// Underlying error.
        message: String,
    },
}

/// Turns texts into fixed-length float32 vectors.
pub trait Encode {
    /// Returns the id of the model and the settings that change its vectors; cached vectors
    /// are reused only under the same id.
    fn model_id(&self) -> &str;

    /// Returns the length of every vector.
    fn dim(&self) -> usize;

    /// Encodes `texts`, returning row-major float32 [texts.len(), dim] in input order and
    /// the number of texts cut to the model's maximum length.
    ///
    /// # Errors
    /// Whatever the encoder fails with, as [`EmbedError::Encoder`].
    fn encode(&self, texts: &[&str]) -> Result<Encoded, EmbedError>;
}

impl Encode for super::TextEncoder {
    fn model_id(&self) -> &str {
        super::TextEncoder::model_id(self)
    }

    fn dim(&self) -> usize {
        super::TextEncoder::dim(self)
    }

    fn encode(&self, texts: &[&str]) -> Result<Encoded, EmbedError> {
        let output = super::TextEncoder::encode(self, texts)?;
        Ok(Encoded {
            vectors: output.vectors,
            truncated: output.truncated,
        })
    }
}

/// Output of [`Encode::encode`].
#[derive(Debug, Clone, PartialEq)]
pub struct Encoded {
    /// Row-major float32 [texts, dim].
    pub vectors: Vec<f32>,
    /// Texts truncated to the maximum length.
    pub truncated: usize,
}

/// One node and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbedItem {
    /// Node id.
    pub id: String,
    /// Node kind.
    pub kind: String,
    /// Text to encode.
    pub text: String,
}

impl EmbedItem {
    /// Makes an item.
    #[must_use]
    pub fn new(id: &str, kind: &str, text: &str) -> Self {
        Self {
            id: id.to_owned(),
            kind: kind.to_owned(),
            text: text.to_owned(),
        }
    }
}

/// Settings of [`embed_cached`].
#[derive(Debug, Clone)]
pub struct EmbedOptions {
    /// Texts per call to [`Encode::encode`]; the progress bar advances once per call.
    pub chunk_size: usize,
    /// Draw a progress bar on a terminal.
    pub show_progress: bool,
    /// Write the cache with the vectors done so far at most this often.
    pub checkpoint_every: Duration,
}

impl Default for EmbedOptions {
    fn default() -> Self {
        Self {
            chunk_size: 512,
            show_progress: false,
            checkpoint_every: Duration::from_secs(120),
        }
    }
}

/// Counts of one [`embed_cached`] run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EmbedReport {
    /// Items given.
    pub items: usize,
    /// Vectors taken from the cache.
    pub reused: usize,
    /// Texts encoded.
    pub encoded: usize,
    /// Encoded texts that were truncated to the model's maximum length.
    pub truncated: usize,
    /// Whether an unreadable cache was discarded.
    pub cache_rebuilt: bool,
    /// Seconds spent encoding.
    pub encode_seconds: f64,
}

/// The rows of a vector file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VectorTable {
    /// Node ids.
    pub ids: Vec<String>,
    /// Node kinds.
    pub kinds: Vec<String>,
    /// SHA-256 of each text, hex.
    pub text_hashes: Vec<String>,
    /// Model id of each row.
    pub model_ids: Vec<String>,
    /// Vector length.
    pub dim: usize,
    /// Row-major float32 [rows, dim].
    pub vectors: Vec<f32>,
}

impl VectorTable {
    /// Returns the number of rows.
    #[must_use]
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Returns whether the table has no rows.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Returns the vector of row `row`.
    #[must_use]
    pub fn vector(&self, row: usize) -> &[f32] {
        &self.vectors[row * self.dim..(row + 1) * self.dim]
    }
}

/// Returns the SHA-256 of `text`, hex.
#[must_use]
pub fn text_hash(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Encodes the texts of `items` that `path` lacks and writes all vectors to `path`.
///
/// # Errors
/// Duplicate ids, empty texts, an encoder failure, or a failed write (the old file is
/// then kept). An unreadable cache is no error: it is rebuilt with a warning.
pub fn embed_cached(
    path: &Path,
    items: &[EmbedItem],
    encoder: &impl Encode,
    options: &EmbedOptions,
) -> Result<EmbedReport, EmbedError> {
    check_items(items)?;
    let dim = encoder.dim();
    let model_id = encoder.model_id();
    let mut report = EmbedReport {
        items: items.len(),
        ..EmbedReport::default()
    };

    // Reuse rows whose (id, text hash, model id) match.
    let cached = match read_cache(path) {
        Ok(table) => table,
        Err(error) => {
            tracing::warn!(path = %path.display(), %error, "the vector cache is unreadable; rebuilding it");
            report.cache_rebuilt = true;
            None
        }
    };
    let hashes: Vec<String> = items.iter().map(|item| text_hash(&item.text)).collect();
    let mut vectors: Vec<Option<Vec<f32>>> = vec![None; items.len()];
    if let Some(table) = cached.as_ref().filter(|table| table.dim == dim) {
        let rows: HashMap<(&str, &str, &str), usize> = (0..table.len())
            .map(|row| {
                (
                    (
                        table.ids[row].as_str(),
                        table.text_hashes[row].as_str(),
                        table.model_ids[row].as_str(),
                    ),
                    row,
                )
            })
            .collect();
        for (index, item) in items.iter().enumerate() {
            if let Some(&row) = rows.get(&(item.id.as_str(), hashes[index].as_str(), model_id)) {
                vectors[index] = Some(table.vector(row).to_vec());
            }
        }
    }
    report.reused = vectors.iter().filter(|v| v.is_some()).count();
    tracing::debug!(
        reused = report.reused,
        items = items.len(),
        model = model_id,
        "vector cache read"
    );

    // Encode the rest, shortest texts first so each call pads little.
    let mut pending: Vec<usize> = (0..items.len()).filter(|&i| vectors[i].is_none()).collect();
    pending.sort_by_key(|&i| items[i].text.len());
    let progress = Progress::new(
        options.show_progress,
        pending.len() as u64,
        "encoding texts",
    );
    let started = Instant::now();
    let mut last_checkpoint = Instant::now();
    for chunk in pending.chunks(options.chunk_size.max(1)) {
        let texts: Vec<&str> = chunk.iter().map(|&i| items[i].text.as_str()).collect();
        let encoded = encoder.encode(&texts)?;
        if encoded.vectors.len() != texts.len() * dim {
            return Err(EmbedError::VectorCount {
                texts: texts.len(),
                dim,
                found: encoded.vectors.len(),
            });
        }
        for (&index, vector) in chunk.iter().zip(encoded.vectors.chunks_exact(dim.max(1))) {
            vectors[index] = Some(vector.to_vec());
        }
        report.encoded += chunk.len();
        report.truncated += encoded.truncated;
        progress.inc(chunk.len() as u64);

        if last_checkpoint.elapsed() >= options.checkpoint_every {
            write_vectors(path, items, &hashes, &vectors, model_id, dim)?;
            // Info level: without a terminal this is the only sign of progress.
            tracing::info!(
                encoded = report.encoded,
                to_encode = pending.len(),
                "vector cache checkpoint written"
            );
            last_checkpoint = Instant::now();
        }
    }
    progress.finish();
    report.encode_seconds = started.elapsed().as_secs_f64();

    let unchanged = cached
        .as_ref()
        .is_some_and(|table| report.encoded == 0 && table.len() == items.len());
    if !unchanged {
        write_vectors(path, items, &hashes, &vectors, model_id, dim)?;
    }
    Ok(report)
}

fn check_items(items: &[EmbedItem]) -> Result<(), EmbedError> {
    let mut seen = HashSet::with_capacity(items.len());
    for item in items {
        if !seen.insert(item.id.as_str()) {
            return Err(EmbedError::DuplicateId {
                id: item.id.clone(),
            });
        }
        if item.text.trim().is_empty() {
            return Err(EmbedError::EmptyText {
                id: item.id.clone(),
            });
        }
    }
    Ok(())
}

/// Reads the cache; `Ok(None)` if there is none, `Err` with a reason if it is unreadable.
fn read_cache(path: &Path) -> Result<Option<VectorTable>, String> {
    if !path.exists() {
        return Ok(None);
    }
    read_vectors(path).map(Some).map_err(|e| e.to_string())
}

/// Reads a vector file written by [`embed_cached`].
///
/// # Errors
/// The file is missing, not Parquet, lacks a column, or has a column of another type.
pub fn read_vectors(path: &Path) -> Result<VectorTable, EmbedError> {
    let invalid = |reason: String| {
        EmbedError::Kg(KgError::WorkDir {
            path: path.to_owned(),
            reason: format!("{VECTORS}: {reason}"),
        })
    };
    let file = File::open(path).map_err(|e| {
        EmbedError::Kg(KgError::Io {
            action: "open",
            path: path.to_owned(),
            source: e,
        })
    })?;
    let parquet_error =
        |e: parquet::errors::ParquetError| invalid(format!("invalid Parquet ({e})"));
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(parquet_error)?
        .build()
        .map_err(parquet_error)?;

    let mut table = VectorTable::default();
    for batch in reader {
        let batch = batch.map_err(|e| invalid(format!("invalid Arrow data ({e})")))?;
        let strings = |name: &str| {
            batch
                .column_by_name(name)
                .and_then(|c| c.as_any().downcast_ref::<StringArray>())
                .ok_or_else(|| invalid(format!("column {name:?} is missing or not utf8")))
        };
        let (ids, kinds, hashes, models) = (
            strings("id")?,
            strings("kind")?,
            strings("text_hash")?,
            strings("model_id")?,
        );
        let list = batch
            .column_by_name("vector")
            .and_then(|c| c.as_any().downcast_ref::<FixedSizeListArray>())
            .ok_or_else(|| {
                invalid("column \"vector\" is missing or not a fixed-size list".into())
            })?;
        let values = list
            .values()
            .as_any()
            .downcast_ref::<Float32Array>()
            .ok_or_else(|| invalid("column \"vector\" does not hold float32 values".into()))?;
        let dim = usize::try_from(list.value_length())
            .map_err(|_| invalid("negative vector length".into()))?;
        if !table.is_empty() && dim != table.dim {
            return Err(invalid(format!(
                "vector lengths {} and {dim} in one file",
                table.dim
            )));
        }
        if list.null_count() > 0
            || values.null_count() > 0
            || [ids, kinds, hashes, models]
                .iter()
                .any(|c| c.null_count() > 0)
        {
            return Err(invalid("a value is null".into()));
        }
        table.dim = dim;
        for row in 0..batch.num_rows() {
            table.ids.push(ids.value(row).to_owned());
            table.kinds.push(kinds.value(row).to_owned());
            table.text_hashes.push(hashes.value(row).to_owned());
            table.model_ids.push(models.value(row).to_owned());
        }
        let offset = list.offset() * dim;
        table
            .vectors
            .extend_from_slice(&values.values()[offset..offset + batch.num_rows() * dim]);
    }
    Ok(table)
}

/// Writes the items that have vectors, in item order, through a temporary file.
fn write_vectors(
    path: &Path,
    items: &[EmbedItem],
    hashes: &[String],
    vectors: &[Option<Vec<f32>>],
    model_id: &str,
    dim: usize,
) -> Result<(), EmbedError> {
    let write_error = |message: String| EmbedError::Write {
        path: path.to_owned(),
        message,
    };
    let rows: Vec<usize> = (0..items.len()).filter(|&i| vectors[i].is_some()).collect();
    let strings = |values: Vec<&str>| -> ArrayRef { Arc::new(StringArray::from(values)) };
    let flat: Vec<f32> = rows
        .iter()
        .flat_map(|&i| vectors[i].as_deref().unwrap_or_default().iter().copied())
        .collect();
    let length =
        i32::try_from(dim).map_err(|_| write_error(format!("vector length {dim} exceeds i32")))?;
    let element = Arc::new(Field::new("item", DataType::Float32, false));
    let list =
        FixedSizeListArray::try_new(element, length, Arc::new(Float32Array::from(flat)), None)
            .map_err(|e| write_error(e.to_string()))?;

    let columns: Vec<(&str, ArrayRef)> = vec![
        (
            "id",
            strings(rows.iter().map(|&i| items[i].id.as_str()).collect()),
        ),
        (
            "kind",
            strings(rows.iter().map(|&i| items[i].kind.as_str()).collect()),
        ),
        (
            "text_hash",
            strings(rows.iter().map(|&i| hashes[i].as_str()).collect()),
        ),
        ("model_id", strings(vec![model_id; rows.len()])),
        ("vector", Arc::new(list)),
    ];
    let fields: Vec<Field> = columns
        .iter()
        .map(|(name, array)| Field::new(*name, array.data_type().clone(), false))
        .collect();
    let batch = RecordBatch::try_new(
        Arc::new(Schema::new(fields)),
        columns.into_iter().map(|(_, a)| a).collect(),
    )
    .map_err(|e| write_error(e.to_string()))?;

    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    // Temporary files are private (0600) by default; the cache is an ordinary output file.
    let mut builder = tempfile::Builder::new();
    builder.prefix(".vectors.partial-");
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644));
    let temp = builder.tempfile_in(dir).map_err(|e| {
        write_error(format!(
            "cannot create a temporary file in {} ({e})",
            dir.display()
        ))
    })?;
    let properties = WriterProperties::builder()
        .set_compression(Compression::ZSTD(
            ZstdLevel::try_new(3).expect("valid zstd level"),
        ))
        .set_max_row_group_row_count(Some(8_192))
        .build();
    let file = temp.reopen().map_err(|e| write_error(e.to_string()))?;
    let mut writer = ArrowWriter::try_new(file, batch.schema(), Some(properties))
        .map_err(|e| write_error(e.to_string()))?;
    writer
        .write(&batch)
        .map_err(|e| write_error(e.to_string()))?;
    writer.close().map_err(|e| write_error(e.to_string()))?;
    temp.persist(path).map_err(|e| write_error(e.to_string()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

    /// Encodes a text as (byte length, number of words, 1), counting the texts it encodes.
    struct CountingEncoder {
        model_id: &'static str,
        calls: Cell<usize>,
        texts: Cell<usize>,
    }

    impl CountingEncoder {
        fn new(model_id: &'static str) -> Self {
            Self {
                model_id,
                calls: Cell::new(0),
                texts: Cell::new(0),
            }
        }
    }

    impl Encode for CountingEncoder {
        fn model_id(&self) -> &str {
            self.model_id
        }

        fn dim(&self) -> usize {
            3
        }

        #[allow(clippy::cast_precision_loss)]
        fn encode(&self, texts: &[&str]) -> Result<Encoded, EmbedError> {
            self.calls.set(self.calls.get() + 1);
            self.texts.set(self.texts.get() + texts.len());
            let vectors = texts
                .iter()
                .flat_map(|t| [t.len() as f32, t.split_whitespace().count() as f32, 1.0])
                .collect();
            let truncated = texts.iter().filter(|t| t.len() > 30).count();
            Ok(Encoded { vectors, truncated })
        }
    }

    fn items() -> Vec<EmbedItem> {
        vec![
            EmbedItem::new("Compound::DB01076", "Compound", "Compound: Atorvastatin."),
            EmbedItem::new(
                "Gene::7157",
                "Gene",
                "Gene: TP53. Full name: tumor protein p53.",
            ),
            EmbedItem::new("Disease::DOID:1612", "Disease", "Disease: breast cancer."),
        ]
    }

    #[test]
    fn second_run_encodes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(VECTORS);
        let encoder = CountingEncoder::new("m1");
        let first = embed_cached(&path, &items(), &encoder, &EmbedOptions::default()).unwrap();
        assert_eq!((first.encoded, first.reused), (3, 0));
        assert_eq!(first.truncated, 1);

        let again = CountingEncoder::new("m1");
        let second = embed_cached(&path, &items(), &again, &EmbedOptions::default()).unwrap();
        assert_eq!((second.encoded, second.reused), (0, 3));
        assert_eq!(again.texts.get(), 0);
        assert_eq!(again.calls.get(), 0);
    }

    #[test]
    fn changed_text_and_new_node_reencoded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(VECTORS);
        embed_cached(
            &path,
            &items(),
            &CountingEncoder::new("m1"),
            &EmbedOptions::default(),
        )
        .unwrap();

        let mut changed = items();
        changed[2].text = "Disease: breast carcinoma.".into();
        changed.push(EmbedItem::new(
            "Anatomy::UBERON:0002107",
            "Anatomy",
            "Anatomy: liver.",
        ));
        let encoder = CountingEncoder::new("m1");
        let report = embed_cached(&path, &changed, &encoder, &EmbedOptions::default()).unwrap();
        assert_eq!((report.encoded, report.reused), (2, 2));

        let table = read_vectors(&path).unwrap();
        let ids: Vec<&str> = table.ids.iter().map(String::as_str).collect();
        assert_eq!(
            ids,
            [
                "Compound::DB01076",
                "Gene::7157",
                "Disease::DOID:1612",
                "Anatomy::UBERON:0002107"
            ]
        );
        assert_eq!(
            table.text_hashes[2],
            text_hash("Disease: breast carcinoma.")
        );
        assert_eq!(table.vector(3), [15.0, 2.0, 1.0]);
    }

    #[test]
    fn other_model_not_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(VECTORS);
        embed_cached(
            &path,
            &items(),
            &CountingEncoder::new("m1"),
            &EmbedOptions::default(),
        )
        .unwrap();
        let report = embed_cached(
            &path,
            &items(),
            &CountingEncoder::new("m2"),
            &EmbedOptions::default(),
        )
        .unwrap();
        assert_eq!((report.encoded, report.reused), (3, 0));
        let table = read_vectors(&path).unwrap();
        assert!(table.model_ids.iter().all(|m| m == "m2"));
    }

    #[test]
    fn corrupt_cache_rebuilt() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(VECTORS);
        std::fs::write(&path, b"not parquet").unwrap();
        let report = embed_cached(
            &path,
            &items(),
            &CountingEncoder::new("m1"),
            &EmbedOptions::default(),
        )
        .unwrap();
        assert!(report.cache_rebuilt);
        assert_eq!(report.encoded, 3);
        assert_eq!(read_vectors(&path).unwrap().len(), 3);
    }

    #[test]
    fn chunks_and_checkpoints() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(VECTORS);
        let encoder = CountingEncoder::new("m1");
        let options = EmbedOptions {
            chunk_size: 2,
            show_progress: false,
            checkpoint_every: Duration::ZERO,
        };
        let report = embed_cached(&path, &items(), &encoder, &options).unwrap();
        assert_eq!(encoder.calls.get(), 2);
        assert_eq!(report.encoded, 3);
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers, [VECTORS]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // A plain new file gets 0666 minus the umask, and so should the cache.
            let reference = dir.path().join("reference");
            std::fs::write(&reference, b"").unwrap();
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&path) & 0o644, mode(&reference) & 0o644);
        }
    }

    #[test]
    fn duplicate_ids_and_empty_texts_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(VECTORS);
        let mut duplicate = items();
        duplicate.push(items()[0].clone());
        let err = embed_cached(
            &path,
            &duplicate,
            &CountingEncoder::new("m1"),
            &EmbedOptions::default(),
        )
        .unwrap_err();
        assert!(matches!(err, EmbedError::DuplicateId { .. }), "{err}");

        let empty = vec![EmbedItem::new("Gene::1", "Gene", " \t")];
        let err = embed_cached(
            &path,
            &empty,
            &CountingEncoder::new("m1"),
            &EmbedOptions::default(),
        )
        .unwrap_err();
        assert!(matches!(err, EmbedError::EmptyText { .. }), "{err}");
        assert!(!path.exists());
    }

    #[test]
    fn vector_column_is_fixed_size_float32() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(VECTORS);
        embed_cached(
            &path,
            &items(),
            &CountingEncoder::new("m1"),
            &EmbedOptions::default(),
        )
        .unwrap();
        let batches = crate::kg::table::read_batches(&path).unwrap();
        let expected =
            DataType::FixedSizeList(Arc::new(Field::new("item", DataType::Float32, false)), 3);
        assert_eq!(
            batches[0]
                .schema()
                .field_with_name("vector")
                .unwrap()
                .data_type(),
            &expected
        );
    }
}
