//! WordPiece tokenization for the BERT encoder, with truncation that is counted.
//!
//! [`TextTokenizer`] wraps a [`tokenizers::Tokenizer`] loaded from a model directory's
//! `tokenizer.json`, or built from its `vocab.txt` the way Hugging Face's `BertTokenizer`
//! does. Padding is switched off, because the encoder pads each batch only to its longest
//! text, and truncation is set to the encoder's maximum length.
//!
//! ```no_run
//! use rxgraph::text::TextTokenizer;
//!
//! let dir = std::path::Path::new("model");
//! let tokenizer = TextTokenizer::from_vocab(&dir.join("vocab.txt"), true, 256)?;
//! let tokens = tokenizer.encode("Atorvastatin inhibits HMG-CoA reductase.", 0)?;
//! assert_eq!(tokens.ids.first(), Some(&101)); // [CLS] in the uncased BERT vocabulary
//! # Ok::<(), rxgraph::text::TextError>(())
//! ```

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use tokenizers::models::wordpiece::WordPiece;
use tokenizers::normalizers::BertNormalizer;
use tokenizers::pre_tokenizers::bert::BertPreTokenizer;
use tokenizers::processors::bert::BertProcessing;
use tokenizers::{Tokenizer, TruncationDirection, TruncationParams, TruncationStrategy};

use super::error::TextError;

/// The token ids of one text, with special tokens, after truncation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenizedText {
    /// Token ids, `[CLS] … [SEP]` for BERT; at most the tokenizer's maximum length.
    pub ids: Vec<u32>,
    /// Whether tokens were dropped to fit the maximum length.
    pub truncated: bool,
}

/// A BERT tokenizer that never pads and truncates to a fixed maximum length.
#[derive(Debug, Clone)]
pub struct TextTokenizer {
    inner: Tokenizer,
    pad_id: u32,
    max_length: usize,
}

impl TextTokenizer {
    /// Loads a `tokenizer.json` and sets its truncation to `max_length` tokens.
    ///
    /// Padding stored in the file is removed, but its pad id is kept for batching. Without
    /// padding in the file, the pad id is that of `[PAD]`, or 0 when the vocabulary has none.
    pub fn from_file(path: &Path, max_length: usize) -> Result<Self, TextError> {
        let inner = Tokenizer::from_file(path).map_err(|error| TextError::TokenizerLoad {
            path: path.to_path_buf(),
            message: error.to_string(),
        })?;
        let pad_id = match inner.get_padding() {
            Some(padding) => padding.pad_id,
            None => inner.token_to_id("[PAD]").unwrap_or(0),
        };
        Self::configure(inner, pad_id, max_length, path)
    }

    /// Builds a WordPiece tokenizer from a `vocab.txt` (one token per line, id = line number).
    ///
    /// The pipeline is the one of Hugging Face's `BertTokenizer`: BERT normalisation (clean
    /// control characters, space around CJK characters, lower-case and strip accents when
    /// `lowercase`), BERT pre-tokenization, WordPiece with `[UNK]`, then `[CLS] … [SEP]`.
    pub fn from_vocab(path: &Path, lowercase: bool, max_length: usize) -> Result<Self, TextError> {
        let load_error = |message: String| TextError::TokenizerLoad {
            path: path.to_path_buf(),
            message,
        };
        let vocab_path = path
            .to_str()
            .ok_or_else(|| load_error("path is not UTF-8".into()))?;
        let model = WordPiece::from_file(vocab_path)
            .unk_token("[UNK]".into())
            .build()
            .map_err(|error| load_error(error.to_string()))?;
        let mut inner = Tokenizer::new(model);

        let special_id = |token: &str| {
            inner
                .token_to_id(token)
                .ok_or_else(|| load_error(format!("the vocabulary has no {token} token")))
        };
        let cls_id = special_id("[CLS]")?;
        let sep_id = special_id("[SEP]")?;
        let pad_id = special_id("[PAD]")?;

        inner
            .with_normalizer(Some(BertNormalizer::new(true, true, None, lowercase)))
            .map_err(|error| load_error(error.to_string()))?;
        inner.with_pre_tokenizer(Some(BertPreTokenizer));
        inner.with_post_processor(Some(BertProcessing::new(
            ("[SEP]".into(), sep_id),
            ("[CLS]".into(), cls_id),
        )));
        Self::configure(inner, pad_id, max_length, path)
    }

    fn configure(
        mut inner: Tokenizer,
        pad_id: u32,
        max_length: usize,
        path: &Path,
    ) -> Result<Self, TextError> {
        inner.with_padding(None);
        inner
            .with_truncation(Some(TruncationParams {
                direction: TruncationDirection::Right,
                max_length,
                strategy: TruncationStrategy::LongestFirst,
                stride: 0,
            }))
            .map_err(|error| TextError::TokenizerLoad {
                path: PathBuf::from(path),
                message: format!("cannot truncate to {max_length} tokens: {error}"),
            })?;
        Ok(Self {
            inner,
            pad_id,
            max_length,
        })
    }

    /// Tokenizes one text; `index` only labels the error.
    pub fn encode(&self, text: &str, index: usize) -> Result<TokenizedText, TextError> {
        let encoding = self
            .inner
            .encode_fast(text, true)
            .map_err(|error| TextError::Tokenize {
                index,
                message: error.to_string(),
            })?;

        // Truncation moves the dropped tokens into `overflowing`.
        Ok(TokenizedText {
            ids: encoding.get_ids().to_vec(),
            truncated: !encoding.get_overflowing().is_empty(),
        })
    }

    /// Tokenizes texts in parallel on the rayon thread pool, in input order.
    pub fn encode_all(&self, texts: &[&str]) -> Result<Vec<TokenizedText>, TextError> {
        texts
            .par_iter()
            .enumerate()
            .map(|(index, text)| self.encode(text, index))
            .collect()
    }

    /// Returns the id that fills the padded positions of a batch.
    pub fn pad_id(&self) -> u32 {
        self.pad_id
    }

    /// Returns the maximum number of tokens per text, special tokens included.
    pub fn max_length(&self) -> usize {
        self.max_length
    }

    /// Returns the number of tokens in the vocabulary, added tokens included.
    pub fn vocab_size(&self) -> usize {
        self.inner.get_vocab_size(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny_vocab() -> tempfile::NamedTempFile {
        let file = tempfile::NamedTempFile::new().unwrap();
        let tokens = [
            "[PAD]", "[UNK]", "[CLS]", "[SEP]", "the", "drug", "dose", "##s", ".",
        ];
        std::fs::write(file.path(), tokens.join("\n")).unwrap();
        file
    }

    #[test]
    fn vocab_tokenizer_splits_word_pieces() {
        let vocab = tiny_vocab();
        let tokenizer = TextTokenizer::from_vocab(vocab.path(), true, 16).unwrap();

        let tokens = tokenizer.encode("The DOSES of drug.", 0).unwrap();

        // [CLS] the dose ##s [UNK] drug . [SEP]
        assert_eq!(tokens.ids, vec![2, 4, 6, 7, 1, 5, 8, 3]);
        assert!(!tokens.truncated);
        assert_eq!(tokenizer.pad_id(), 0);
    }

    #[test]
    fn vocab_tokenizer_counts_truncation() {
        let vocab = tiny_vocab();
        let tokenizer = TextTokenizer::from_vocab(vocab.path(), true, 4).unwrap();

        let tokens = tokenizer.encode("the drug the drug", 3).unwrap();

        assert_eq!(tokens.ids, vec![2, 4, 5, 3]);
        assert!(tokens.truncated);
    }

    #[test]
    fn vocab_without_cls_is_rejected() {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), "[PAD]\n[UNK]\n[SEP]\nthe\n").unwrap();

        let error = TextTokenizer::from_vocab(file.path(), true, 8).unwrap_err();

        assert!(error.to_string().contains("no [CLS] token"), "{error}");
    }
}
