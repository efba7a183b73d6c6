//! `rxgraph embed`: encode the text of every node of a work directory into
//! `W/vectors.parquet`.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Args;

use crate::kg::WorkDir;
use crate::text::cache::{self, embed_cached, EmbedItem, EmbedOptions};
use crate::text::corpus::{read_passages, PASSAGES};
use crate::text::entity_text::{passage_text, EntityTextOptions, EntityTexts};
use crate::text::{EncoderOptions, TextEncoder};

/// Arguments of `rxgraph embed`.
#[derive(Debug, Args)]
pub struct EmbedArgs {
    /// Work directory written by `rxgraph ingest`; the vectors go to DIR/vectors.parquet.
    #[arg(long, value_name = "DIR", env = "RXGRAPH_WORKDIR")]
    pub workdir: PathBuf,

    /// Local BERT-family model directory (config.json, tokenizer, weights)
    /// [default: $RXGRAPH_MODEL_DIR, else all-MiniLM-L6-v2 from the virtual environment].
    #[arg(long, value_name = "DIR")]
    pub model: Option<PathBuf>,

    /// Texts per forward pass.
    #[arg(long, default_value_t = 32)]
    pub batch_size: usize,

    /// Device to encode on: cpu, cuda or auto [default: auto, CUDA when available, else the
    /// CPU].
    #[arg(long, value_parser = ["cpu", "cuda", "auto"])]
    pub device: Option<String>,

    /// Quantise the dense layers to int8 (CPU only). Vectors differ slightly (cosine to
    /// float32 at least 0.995 on the parity sentences). On an idle 2-core machine it encoded
    /// 1.08-1.15x as many passages per second as float32; on a busy one it was slower.
    #[arg(long)]
    pub int8: bool,

    /// Maximum tokens per text; longer texts are truncated [default: the model's].
    #[arg(long, value_name = "TOKENS")]
    pub max_length: Option<usize>,

    /// DrugBank entity texts (compound_drugbank_nc.tsv: descriptions, categories), licensed
    /// CC BY-NC 4.0 for non-commercial use only; not embedded in rxgraph.
    #[arg(long, value_name = "FILE")]
    pub texts_noncommercial: Option<PathBuf>,

    /// Add DrugCentral indications and targets to compound texts. They restate CtD, CpD and
    /// CbG edges, so a model evaluated on those edges must not use these vectors.
    #[arg(long)]
    pub include_indications_targets: bool,
}

pub fn run(args: &EmbedArgs, show_progress: bool) -> anyhow::Result<()> {
    crate::memory::retain_freed_memory();
    let started = Instant::now();
    let workdir = WorkDir::open(&args.workdir)?;
    let graph = workdir.load_graph()?;

    let text_options = EntityTextOptions {
        include_indications_targets: args.include_indications_targets,
        noncommercial_texts: args.texts_noncommercial.clone(),
    };
    let entity_texts = EntityTexts::load(&text_options).context("reading the entity texts")?;
    let passages_path = workdir.path().join(PASSAGES);
    let passages = if passages_path.is_file() {
        read_passages(&passages_path)?
    } else {
        Vec::new()
    };
    let passage_texts: std::collections::HashMap<String, String> = passages
        .iter()
        .map(|p| {
            (
                format!("Passage::{}", p.pmid),
                passage_text(&p.title, &p.abstract_text),
            )
        })
        .collect();

    let kinds = &graph.schema().kinds;
    let items: Vec<EmbedItem> = graph
        .nodes()
        .iter()
        .map(|node| {
            let kind = kinds[node.kind as usize].name.as_str();
            let text = passage_texts
                .get(&node.id)
                .cloned()
                .unwrap_or_else(|| entity_texts.text(&node.id, kind, &node.name));
            EmbedItem {
                id: node.id.clone(),
                kind: kind.to_owned(),
                text,
            }
        })
        .collect();
    tracing::info!(
        nodes = items.len(),
        passages = passage_texts.len(),
        "entity texts built"
    );

    let encoder = load_encoder(args)?;
    let options = EmbedOptions {
        chunk_size: args.batch_size.max(1) * 16,
        show_progress,
        ..EmbedOptions::default()
    };
    let path = workdir.path().join(cache::VECTORS);
    let report = embed_cached(&path, &items, &encoder, &options)
        .with_context(|| format!("encoding into {}", path.display()))?;

    if report.truncated > 0 {
        tracing::warn!(
            texts = report.truncated,
            max_length = encoder.max_length(),
            "texts longer than the maximum length were truncated; pass --max-length to change it"
        );
    }
    #[allow(clippy::cast_precision_loss)]
    let rate = if report.encode_seconds > 0.0 {
        report.encoded as f64 / report.encode_seconds
    } else {
        0.0
    };
    tracing::info!(
        path = %path.display(),
        reused = report.reused,
        encoded = report.encoded,
        texts_per_s = format!("{rate:.1}"),
        seconds = started.elapsed().as_secs_f64(),
        "vectors written"
    );
    Ok(())
}

fn load_encoder(args: &EmbedArgs) -> anyhow::Result<TextEncoder> {
    let device = super::device::parse_device(args.device.as_deref().unwrap_or("auto"))?;
    let model_dir = match &args.model {
        Some(dir) => dir.clone(),
        None => TextEncoder::default_model_dir()
            .context("finding the default model; pass --model DIR")?,
    };
    let options = EncoderOptions {
        device,
        batch_size: args.batch_size.max(1),
        max_length: args.max_length,
        int8: args.int8,
        ..EncoderOptions::default()
    };
    TextEncoder::load(&model_dir, options)
        .with_context(|| format!("loading the model in {}", model_dir.display()))
}
