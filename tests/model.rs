//! Model tests on a real subgraph of the embedded Hetionet: every scorer runs one shared
//! battery (shapes, constraints, save/load round trip, falling loss, text-only entities),
//! then configs, checkpoint files read by Python, NaN handling and resume after SIGKILL.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rxgraph::kg::ingest::{load, Sources};
use rxgraph::kg::{
    CreateOptions, GraphBuilder, KnowledgeGraph, Schema, SplitConfig, Triple, WorkDir,
};
use rxgraph::model::checkpoint::{self, ModelManifest};
use rxgraph::model::text::{write_vectors, TextVectors};
use rxgraph::model::trainer::Trainer;
use rxgraph::model::validate::{filtered_ranking, KnownTriples};
use rxgraph::model::{fit, load_model, FitOptions, LinkScorer, ModelError, ModelKind, TrainConfig};
use rxgraph::progress::Progress;
use tch::{Device, Kind, Tensor};

const MODELS: [ModelKind; 4] = [
    ModelKind::TransE,
    ModelKind::DistMult,
    ModelKind::ComplEx,
    ModelKind::RotatE,
];

/// Compounds and diseases joined by CtD/CpD among the first 200 compounds, with the DrD
/// and CrC edges between them, from the embedded Hetionet (about 300 nodes).
fn subgraph() -> &'static KnowledgeGraph {
    static GRAPH: OnceLock<KnowledgeGraph> = OnceLock::new();
    GRAPH.get_or_init(|| {
        let full = load(&Sources::embedded(), false).expect("embedded graph loads");
        let schema = full.schema();
        let keep: Vec<u16> = ["CtD", "CpD", "DrD", "CrC"]
            .iter()
            .map(|r| schema.relation_id(r).unwrap())
            .collect();
        let compounds = full.kind_range(schema.kind_id("Compound").unwrap());
        let chosen = compounds.start..compounds.start + 200;
        let in_scope = |n: u32| !compounds.contains(&n) || chosen.contains(&n);
        let edges: Vec<&Triple> = full
            .edges()
            .iter()
            .filter(|t| keep.contains(&t.relation) && in_scope(t.head) && in_scope(t.tail))
            .collect();
        let mut used: Vec<u32> = edges.iter().flat_map(|t| [t.head, t.tail]).collect();
        used.sort_unstable();
        used.dedup();

        let mut builder = GraphBuilder::new(Schema::hetionet());
        for &n in &used {
            let node = full.node(n);
            let kind = &schema.kinds[node.kind as usize].name;
            builder.add_node(&node.id, kind, &node.name, None).unwrap();
        }
        for t in edges {
            let relation = &schema.relations[t.relation as usize].abbreviation;
            builder.add_edge(&full.node(t.head).id, relation, &full.node(t.tail).id, None);
        }
        builder.build().unwrap()
    })
}

/// A work directory of the subgraph with its default splits, shared by the tests.
fn workdir() -> &'static WorkDir {
    static DIR: OnceLock<(tempfile::TempDir, WorkDir)> = OnceLock::new();
    &DIR.get_or_init(|| {
        let temp = tempfile::tempdir().unwrap();
        let graph = subgraph();
        let options = CreateOptions {
            force: false,
            show_progress: false,
            splits: SplitConfig::defaults(graph, 42),
        };
        let workdir = WorkDir::create(&temp.path().join("w"), graph, Vec::new(), &options).unwrap();
        (temp, workdir)
    })
    .1
}

fn small_config(model: ModelKind) -> TrainConfig {
    let margin = if matches!(model, ModelKind::DistMult | ModelKind::ComplEx) {
        0.0
    } else {
        6.0
    };
    TrainConfig {
        model,
        dim: 16,
        negatives: 8,
        batch_size: 256,
        margin,
        epochs: 3,
        validate_every: 1,
        ..TrainConfig::default()
    }
}

fn trainer(model: ModelKind) -> Trainer {
    let graph = subgraph();
    Trainer::new(
        graph,
        graph.edges(),
        &small_config(model),
        None,
        Device::Cpu,
    )
}

fn relation(name: &str) -> u16 {
    subgraph().schema().relation_id(name).unwrap()
}

fn range(kind: &str) -> std::ops::Range<u32> {
    let graph = subgraph();
    graph.kind_range(graph.schema().kind_id(kind).unwrap())
}

// --- Shared battery, run for every model -------------------------------------------------

fn check_score_shapes(model: ModelKind) {
    let trainer = trainer(model);
    let scorer = trainer.scoring_model();
    let (compounds, diseases) = (range("Compound"), range("Disease"));
    let heads = [compounds.start, compounds.start + 1, compounds.start + 2];
    assert_eq!(
        scorer
            .score_tails(&heads, relation("CtD"), diseases.clone())
            .len(),
        3 * diseases.len(),
        "{model:?}"
    );
    assert_eq!(
        scorer
            .score_heads(&[diseases.start], relation("CtD"), compounds.clone())
            .len(),
        compounds.len(),
        "{model:?}"
    );
    let triples = &subgraph().edges()[..5];
    let scores = scorer.score_triples(triples);
    assert_eq!(scores.len(), 5, "{model:?}");
    assert!(
        scores.iter().all(|s| s.is_finite()),
        "{model:?}: {scores:?}"
    );

    // score_tails and score_triples agree on the same triple.
    let t = triples[0];
    let tail_range = subgraph().kind_range(subgraph().node(t.tail).kind);
    let row = scorer.score_tails(&[t.head], t.relation, tail_range.clone());
    let from_grid = row[(t.tail - tail_range.start) as usize];
    assert!(
        (from_grid - scores[0]).abs() < 1e-4,
        "{model:?}: {from_grid} vs {}",
        scores[0]
    );

    // Broadcasting: [B, 1, W] against [B, N, W] gives [B, N].
    let width = scorer.interaction().entity_width(16);
    let h = Tensor::randn([4, 1, width], (Kind::Float, Device::Cpu));
    let t = Tensor::randn([4, 7, width], (Kind::Float, Device::Cpu));
    let r = scorer.interaction().relation_vectors(&Tensor::randn(
        [4, 1, scorer.interaction().relation_width(16)],
        (Kind::Float, Device::Cpu),
    ));
    assert_eq!(
        scorer.interaction().score(&h, &r, &t).size(),
        vec![4, 7],
        "{model:?}"
    );
    assert_eq!(
        scorer.interaction().score(&t, &r, &h).size(),
        vec![4, 7],
        "{model:?}"
    );
}

fn check_loss_falls(model: ModelKind) {
    let mut trainer = trainer(model);
    let mut losses = Vec::new();
    for epoch in 1..=4 {
        let mut rng = ChaCha8Rng::seed_from_u64(epoch);
        losses.push(trainer.train_epoch(&mut rng, &Progress::hidden()).unwrap());
    }
    assert!(
        losses.iter().all(|l| l.is_finite()),
        "{model:?}: {losses:?}"
    );
    assert!(
        losses[3] < losses[0],
        "{model:?}: loss did not fall: {losses:?}"
    );
}

fn check_round_trip(model: ModelKind) {
    let graph = subgraph();
    let mut trainer = trainer(model);
    trainer
        .train_epoch(&mut ChaCha8Rng::seed_from_u64(1), &Progress::hidden())
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let manifest = ModelManifest::new(&small_config(model), graph, None, Device::Cpu);
    checkpoint::write_tensors(
        &dir.path().join(checkpoint::MODEL_FILE),
        &trainer.embeddings.named_tensors(),
    )
    .unwrap();
    checkpoint::write_manifest(dir.path(), &manifest).unwrap();

    let loaded = load_model(dir.path(), graph, Device::Cpu).unwrap();
    let original = trainer.scoring_model();
    let (compounds, diseases) = (range("Compound"), range("Disease"));
    let heads: Vec<u32> = compounds.clone().take(20).collect();
    assert_eq!(
        loaded.score_tails(&heads, relation("CtD"), diseases.clone()),
        original.score_tails(&heads, relation("CtD"), diseases.clone()),
        "{model:?}"
    );
    assert_eq!(
        loaded.score_heads(&[diseases.start], relation("CtD"), compounds.clone()),
        original.score_heads(&[diseases.start], relation("CtD"), compounds),
        "{model:?}"
    );
    assert_eq!(
        loaded.score_triples(graph.edges()),
        original.score_triples(graph.edges()),
        "{model:?}"
    );
    assert_eq!(loaded.name(), model.name());
}

fn check_text_only_entity(model: ModelKind) {
    // A graph with one extra disease that has a text vector but no edge.
    let graph = subgraph();
    let mut builder = GraphBuilder::new(Schema::hetionet());
    for node in graph.nodes() {
        builder
            .add_node(
                &node.id,
                &graph.schema().kinds[node.kind as usize].name,
                &node.name,
                None,
            )
            .unwrap();
    }
    builder
        .add_node("Disease::DOID:0000000", "Disease", "text only", None)
        .unwrap();
    for t in graph.edges() {
        let relation = &graph.schema().relations[t.relation as usize].abbreviation;
        builder.add_edge(
            &graph.node(t.head).id,
            relation,
            &graph.node(t.tail).id,
            None,
        );
    }
    let extended = builder.build().unwrap();
    let lonely = extended.find("Disease::DOID:0000000").unwrap();
    assert_eq!(extended.degree(lonely), 0);

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vectors.parquet");
    let rows: Vec<(&str, Vec<f32>)> = extended
        .nodes()
        .iter()
        .filter(|n| n.id.starts_with("Disease::"))
        .map(|n| {
            (
                n.id.as_str(),
                (0..8)
                    .map(|i| ((n.id.len() + i) % 5) as f32 / 5.0)
                    .collect(),
            )
        })
        .collect();
    write_vectors(&path, &extended, &rows).unwrap();
    let text = TextVectors::read(&path, &extended).unwrap();
    assert!(text.present[lonely as usize]);

    let config = TrainConfig {
        text: true,
        ..small_config(model)
    };
    let mut trainer = Trainer::new(
        &extended,
        extended.edges(),
        &config,
        Some(&text),
        Device::Cpu,
    );
    trainer
        .train_epoch(&mut ChaCha8Rng::seed_from_u64(3), &Progress::hidden())
        .unwrap();
    let compound = extended
        .kind_range(extended.schema().kind_id("Compound").unwrap())
        .start;
    let triple = Triple {
        head: compound,
        relation: relation("CtD"),
        tail: lonely,
    };
    let score = trainer.scoring_model().score_triples(&[triple])[0];
    assert!(score.is_finite(), "{model:?}: {score}");
}

#[test]
fn battery_score_shapes() {
    MODELS.into_iter().for_each(check_score_shapes);
}

#[test]
fn battery_loss_falls() {
    MODELS.into_iter().for_each(check_loss_falls);
}

#[test]
fn battery_save_load_round_trip() {
    MODELS.into_iter().for_each(check_round_trip);
}

#[test]
fn battery_text_only_entity() {
    MODELS.into_iter().for_each(check_text_only_entity);
}

#[test]
fn rotate_relations_have_unit_modulus() {
    let mut trainer = trainer(ModelKind::RotatE);
    trainer
        .train_epoch(&mut ChaCha8Rng::seed_from_u64(2), &Progress::hidden())
        .unwrap();
    let scorer = trainer.scoring_model();
    let vectors = scorer
        .interaction()
        .relation_vectors(&trainer.embeddings.relations)
        .detach();
    let half = vectors.size()[1] / 2;
    let modulus = vectors.narrow(1, 0, half).square() + vectors.narrow(1, half, half).square();
    let deviation = (modulus - 1.0).abs().max().double_value(&[]);
    assert!(deviation < 1e-5, "max |‖r‖ − 1| = {deviation}");
}

#[test]
fn transe_rows_stay_unit_norm() {
    let mut trainer = trainer(ModelKind::TransE);
    let batch = &subgraph().edges()[..64];
    trainer
        .train_batch(batch, &mut ChaCha8Rng::seed_from_u64(5))
        .unwrap();
    let heads = Tensor::from_slice(&batch.iter().map(|t| i64::from(t.head)).collect::<Vec<_>>());
    let norms = trainer
        .embeddings
        .entities
        .index_select(0, &heads)
        .square()
        .sum_dim_intlist(-1, false, None)
        .sqrt();
    let deviation = (norms - 1.0).abs().max().double_value(&[]);
    assert!(deviation < 1e-5, "max |‖e‖ − 1| = {deviation}");
}

// --- Runs through `fit` ------------------------------------------------------------------

fn fit_into(config: &TrainConfig, out: &Path) -> Result<ModelManifest, ModelError> {
    fit(
        workdir(),
        config,
        &FitOptions::new(Device::Cpu, out.to_owned()),
    )
}

#[test]
fn fit_validates_and_reloads() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m");
    let config = TrainConfig {
        epochs: 4,
        validate_every: 2,
        ..small_config(ModelKind::DistMult)
    };
    let manifest = fit_into(&config, &out).unwrap();
    assert_eq!(manifest.epoch, 4);
    assert_eq!(manifest.loss_curve.len(), 4);
    assert_eq!(manifest.valid_curve.len(), 2);
    assert!(manifest.finished);

    // The reloaded best model reproduces its recorded validation MRR.
    let graph = workdir().load_graph().unwrap();
    let split = workdir().split(&config.split, &graph).unwrap();
    let mut known = split.train(&graph);
    known.extend(split.valid(&graph));
    let model = load_model(&out, &graph, Device::Cpu).unwrap();
    let ranking = filtered_ranking(
        &model,
        &graph,
        &split.valid(&graph),
        &KnownTriples::new(&graph, &known),
    );
    let best = manifest.best_valid_mrr.unwrap();
    assert!(
        (ranking.mrr - best).abs() < 1e-9,
        "{} vs {best}",
        ranking.mrr
    );

    // A second run into the same directory without --resume is rejected.
    let message = fit_into(&config, &out).unwrap_err().to_string();
    assert!(message.contains("--resume"), "{message}");
}

#[test]
fn unknown_split_lists_available() {
    let dir = tempfile::tempdir().unwrap();
    let config = TrainConfig {
        split: "nope".into(),
        ..small_config(ModelKind::TransE)
    };
    let message = fit_into(&config, &dir.path().join("m"))
        .unwrap_err()
        .to_string();
    assert!(message.contains("`split`"), "{message}");
    assert!(message.contains("indication-random"), "{message}");
}

#[test]
fn text_without_vectors_names_embed() {
    let dir = tempfile::tempdir().unwrap();
    let config = TrainConfig {
        text: true,
        ..small_config(ModelKind::TransE)
    };
    let message = fit_into(&config, &dir.path().join("m"))
        .unwrap_err()
        .to_string();
    assert!(message.contains("rxgraph embed"), "{message}");
    assert!(message.contains("vectors.parquet"), "{message}");
}

#[test]
fn non_finite_loss_names_epoch_and_batch() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m");
    let config = TrainConfig {
        learning_rate: 1e30,
        loss: rxgraph::model::LossKind::Margin,
        epochs: 5,
        ..small_config(ModelKind::DistMult)
    };
    let Err(ModelError::NonFiniteLoss { epoch, batch, loss }) = fit_into(&config, &out) else {
        panic!("expected a non-finite loss");
    };
    assert!(batch >= 1, "batch {batch}");
    assert!(!loss.is_finite());

    // The last checkpoint is the one of the epoch before, with finite losses only.
    if epoch > 1 {
        let (_, state) = checkpoint::read_state(&out).unwrap();
        assert_eq!(state.epoch, epoch - 1);
        assert!(
            state.loss_curve.iter().all(|l| l.is_finite()),
            "{:?}",
            state.loss_curve
        );
    } else {
        assert!(!out.join(checkpoint::STATE_FILE).exists());
    }
}

#[test]
fn safetensors_readable_by_python() {
    let python = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python");
    if !python.exists() {
        eprintln!("skipped: no {}", python.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m");
    fit_into(
        &TrainConfig {
            epochs: 1,
            ..small_config(ModelKind::RotatE)
        },
        &out,
    )
    .unwrap();
    let script = "import sys, json\n\
        from safetensors.numpy import load_file\n\
        m = load_file(sys.argv[1] + '/model.safetensors')\n\
        s = load_file(sys.argv[1] + '/state.safetensors')\n\
        manifest = json.loads(bytes(s['state.manifest']).decode())\n\
        print(m['entities'].shape[0], m['entities'].shape[1], m['relations'].shape[1], manifest['epoch'], str(s['optimizer.entities.m'].dtype))";
    let output = Command::new(&python)
        .arg("-c")
        .arg(script)
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let expected = format!("{} 32 16 1 float32", subgraph().node_count());
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), expected);
}

// --- The CLI: resume after SIGKILL --------------------------------------------------------

fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_rxgraph"))
}

#[test]
fn resume_after_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m");
    let config_path = dir.path().join("slow.toml");
    std::fs::write(&config_path, "model = \"transe\"\ndim = 32\nnegatives = 16\nbatch_size = 64\nepochs = 6\nvalidate_every = 1\npatience = 0\n").unwrap();
    let train = |resume: bool| {
        let mut command = Command::new(binary());
        command
            .args(["--quiet", "train", "--device", "cpu", "--workdir"])
            .arg(workdir().path());
        command
            .arg("--config")
            .arg(&config_path)
            .arg("--out")
            .arg(&out);
        if resume {
            command.arg("--resume");
        }
        command
    };

    // Kill the first run with SIGKILL as soon as it has written a checkpoint.
    let mut child = train(false).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !out.join(checkpoint::STATE_FILE).exists() {
        assert!(Instant::now() < deadline, "no checkpoint within 60 s");
        assert!(
            child.try_wait().unwrap().is_none(),
            "training ended before it could be killed"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let (_, interrupted) = checkpoint::read_state(&out).unwrap();
    assert!(
        interrupted.epoch >= 1 && !interrupted.finished,
        "{interrupted:?}"
    );

    // Without --resume the directory is protected; with it the run completes.
    assert!(!train(false).output().unwrap().status.success());
    let output = train(true).output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let manifest = checkpoint::read_manifest(&out).unwrap();
    assert_eq!(manifest.epoch, 6);
    assert!(manifest.finished);
    assert_eq!(manifest.loss_curve.len(), 6);
    assert_eq!(
        &manifest.loss_curve[..interrupted.epoch],
        &interrupted.loss_curve[..]
    );
    assert!(load_model(&out, &workdir().load_graph().unwrap(), Device::Cpu).is_ok());
}
