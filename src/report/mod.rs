//! The candidate report: one self-contained HTML page (inline CSS and SVG, no scripts, no
//! network) with the ranked table, its evidence, plots and a model card, plus the same table
//! as CSV and Parquet beside it.
//!
//! Entry point: [`write_report`] takes a [`ReportInput`] that the caller filled from a
//! ranking ([`crate::rank`]), evaluation curves ([`Curves`]), the model manifest's training
//! curve and a [`ModelCard`]. [`html::escape`] escapes every text that enters the page.
//!
//! ```
//! use rxgraph::report::{write_report, ModelCard, ReportInput, SplitLinks};
//!
//! let input = ReportInput {
//!     question: "drugs for a disease".into(),
//!     query_id: "Disease::DOID:1".into(),
//!     query_name: "<asthma>".into(),
//!     relation_label: "Compound–treats–Disease".into(),
//!     scorer: "degree prior".into(),
//!     split: "indication-random".into(),
//!     split_links: SplitLinks { train: 0, valid: 1, test: 0 },
//!     total_candidates: 3,
//!     known_removed: 1,
//!     candidates: &[],
//!     rows: Vec::new(),
//!     all_scores: vec![0.1, 0.5, 0.9],
//!     known_scores: vec![0.9],
//!     curves: Vec::new(),
//!     training: None,
//!     card: ModelCard::default(),
//! };
//! let dir = tempfile::tempdir().unwrap();
//! let html = dir.path().join("report.html");
//! write_report(&input, &html).unwrap();
//! let page = std::fs::read_to_string(&html).unwrap();
//! assert!(page.contains("&lt;asthma&gt;") && page.contains("<svg"));
//! assert!(page.contains("holds out all 1 known links of &lt;asthma&gt;"));
//! assert!(html.with_extension("csv").is_file());
//! ```

pub mod curves;
pub mod html;
pub mod plots;

use std::path::Path;

pub use curves::Curves;

use crate::rank::{write_csv, write_parquet, CandidateEvidence, PredictionRow, RankError};

/// ROC and PR curves of one scorer.
#[derive(Debug, Clone)]
pub struct ScoredCurves {
    /// Scorer name for the legend.
    pub scorer: String,
    /// Its curves.
    pub curves: Curves,
}

/// Training loss and validation MRR by epoch.
#[derive(Debug, Clone, Default)]
pub struct TrainingCurve {
    /// (epoch, loss divided by the first epoch's loss).
    pub loss: Vec<(f64, f64)>,
    /// (epoch, validation filtered MRR).
    pub valid_mrr: Vec<(f64, f64)>,
}

/// Model facts, metrics and limitations shown in the report.
#[derive(Debug, Clone, Default)]
pub struct ModelCard {
    /// (field, value) rows: model, configuration, graph hash, seed, split, device.
    pub facts: Vec<(String, String)>,
    /// (metric, model value, degree-prior value).
    pub metrics: Vec<(String, Option<f64>, Option<f64>)>,
    /// Known limits of the model and of the report.
    pub limitations: Vec<String>,
}

/// Everything the page shows.
pub struct ReportInput<'a> {
    /// The question in words (`drugs for a disease`).
    pub question: String,
    /// Id of the queried node.
    pub query_id: String,
    /// Name of the queried node.
    pub query_name: String,
    /// Relation in words (`Compound–treats–Disease`).
    pub relation_label: String,
    /// Scorer name.
    pub scorer: String,
    /// Split used for calibration and curves.
    pub split: String,
    /// Known links of the queried node in the split's target relations, by part.
    pub split_links: SplitLinks,
    /// Candidates of the ranked kind, known links included.
    pub total_candidates: usize,
    /// Candidates removed as known links.
    pub known_removed: usize,
    /// The ranked candidates with evidence.
    pub candidates: &'a [CandidateEvidence],
    /// The same candidates as table rows (for CSV and Parquet).
    pub rows: Vec<PredictionRow>,
    /// Scores of all candidates of the kind.
    pub all_scores: Vec<f32>,
    /// Scores of the known links among them.
    pub known_scores: Vec<f32>,
    /// ROC and PR curves, model first, then the baseline.
    pub curves: Vec<ScoredCurves>,
    /// Training curve, for a trained model.
    pub training: Option<TrainingCurve>,
    /// Model card.
    pub card: ModelCard,
}

/// Numbers of the queried node's links in each part of a split, counting only the split's
/// target relations (such as CtD and CpD).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SplitLinks {
    /// Links the model trained on.
    pub train: usize,
    /// Links held out for validation.
    pub valid: usize,
    /// Links held out for test.
    pub test: usize,
}

/// Writes `html` and, beside it, the table as `.csv` and `.parquet` (same stem).
///
/// # Errors
/// A file cannot be written.
pub fn write_report(input: &ReportInput<'_>, html: &Path) -> Result<(), RankError> {
    if let Some(parent) = html.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| RankError::io("create", parent, e))?;
    }
    let page = html::render(input);
    std::fs::write(html, page).map_err(|e| RankError::io("write", html, e))?;

    let csv_path = html.with_extension("csv");
    let file =
        std::fs::File::create(&csv_path).map_err(|e| RankError::io("create", &csv_path, e))?;
    write_csv(&input.rows, file).map_err(|e| RankError::Io {
        action: "write",
        path: csv_path.clone(),
        source: std::io::Error::other(e),
    })?;
    write_parquet(&input.rows, &html.with_extension("parquet"))?;
    Ok(())
}
