//! BC5CDR abstracts (title + abstract) as benchmark passages, shared by `benches/encode.rs`
//! and `examples/encode_throughput.rs` so that both measure the same texts.

use std::path::{Path, PathBuf};

/// The BC5CDR training set in PubTator format, relative to the repository root.
pub const BC5CDR_TRAINING: &str = "../shared/data/bc5cdr/CDR_TrainingSet.PubTator.txt";

/// The path of the BC5CDR training set next to this checkout.
pub fn bc5cdr_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(BC5CDR_TRAINING)
}

/// Reads up to `limit` passages, `title + " " + abstract`, in file order.
///
/// PubTator lines are `PMID|t|title` and `PMID|a|abstract`, followed by tab-separated
/// annotation lines and a blank line between documents.
pub fn read_passages(path: &Path, limit: usize) -> std::io::Result<Vec<String>> {
    let text = std::fs::read_to_string(path)?;
    let mut passages = Vec::new();
    let mut title = String::new();
    for line in text.lines() {
        if let Some((_, rest)) = line.split_once("|t|") {
            title = rest.to_string();
        } else if let Some((_, abstract_text)) = line.split_once("|a|") {
            passages.push(format!("{title} {abstract_text}"));
            if passages.len() == limit {
                break;
            }
        }
    }
    Ok(passages)
}
