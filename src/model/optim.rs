//! Adam and Adagrad that update only the rows of a table that a batch touched.
//!
//! A batch of 1024 positives with 64 negatives each touches a fraction of the 47k entity
//! rows, so updating the whole table (as `tch::nn::Adam` does) wastes most of a step.
//! [`RowOptimizer::update_rows`] gathers the moments of the touched rows, updates them and
//! scatters them back, like PyTorch's `SparseAdam`: moments of untouched rows do not decay,
//! and Adam's bias correction uses the global step count. Small tables (relations, text
//! projections) use [`RowOptimizer::update_dense`].
//!
//! ```
//! use rxgraph::model::{optim::RowOptimizer, OptimizerKind};
//! use tch::Tensor;
//!
//! let mut table = Tensor::zeros([3, 2], (tch::Kind::Float, tch::Device::Cpu));
//! let mut optimizer = RowOptimizer::new(OptimizerKind::Adam, 0.1);
//! optimizer.begin_step();
//! let rows = Tensor::from_slice(&[1i64]);
//! let grad = Tensor::ones([1, 2], (tch::Kind::Float, tch::Device::Cpu));
//! optimizer.update_rows("entities", &mut table, &rows, &grad);
//! assert!((table.double_value(&[1, 0]) + 0.1).abs() < 1e-5);
//! assert_eq!(table.double_value(&[0, 0]), 0.0);
//! ```

use std::collections::BTreeMap;

use tch::Tensor;

use super::config::OptimizerKind;

const BETA1: f64 = 0.9;
const BETA2: f64 = 0.999;
const ADAM_EPSILON: f64 = 1e-8;
const ADAGRAD_EPSILON: f64 = 1e-10;

/// Adam or Adagrad with per-table state, updating rows or whole tables in place.
#[derive(Debug)]
pub struct RowOptimizer {
    kind: OptimizerKind,
    learning_rate: f64,
    step: i64,
    /// Per table: Adam's first and second moments, or Adagrad's sum of squares.
    state: BTreeMap<String, Vec<Tensor>>,
}

impl RowOptimizer {
    /// Creates an optimiser with no state; state tensors are made on first use.
    #[must_use]
    pub fn new(kind: OptimizerKind, learning_rate: f64) -> Self {
        Self {
            kind,
            learning_rate,
            step: 0,
            state: BTreeMap::new(),
        }
    }

    /// Counts one optimisation step; call once per batch before the updates.
    pub fn begin_step(&mut self) {
        self.step += 1;
    }

    /// Returns the number of steps taken.
    #[must_use]
    pub fn step(&self) -> i64 {
        self.step
    }

    /// Updates rows `rows` (`[U]`, int64, unique) of `table` (`[N, W]`) with their
    /// gradient `grad` (`[U, W]`).
    pub fn update_rows(&mut self, name: &str, table: &mut Tensor, rows: &Tensor, grad: &Tensor) {
        let _guard = tch::no_grad_guard();
        let (step, rate, kind) = (self.step, self.learning_rate, self.kind);
        let slots = self.slots(name, table);
        match kind {
            OptimizerKind::Adam => {
                let m = slots[0].index_select(0, rows) * BETA1 + grad * (1.0 - BETA1);
                let v = slots[1].index_select(0, rows) * BETA2 + grad.square() * (1.0 - BETA2);
                let _ = slots[0].index_copy_(0, rows, &m);
                let _ = slots[1].index_copy_(0, rows, &v);
                let _ = table.index_add_(0, rows, &adam_delta(&m, &v, step, rate));
            }
            OptimizerKind::Adagrad => {
                let sum = slots[0].index_select(0, rows) + grad.square();
                let _ = slots[0].index_copy_(0, rows, &sum);
                let delta = grad / (sum.sqrt() + ADAGRAD_EPSILON) * -rate;
                let _ = table.index_add_(0, rows, &delta);
            }
        }
    }

    /// Updates all of `tensor` with its gradient `grad` (same shape).
    pub fn update_dense(&mut self, name: &str, tensor: &mut Tensor, grad: &Tensor) {
        let _guard = tch::no_grad_guard();
        let (step, rate, kind) = (self.step, self.learning_rate, self.kind);
        let slots = self.slots(name, tensor);
        match kind {
            OptimizerKind::Adam => {
                let m = &slots[0] * BETA1 + grad * (1.0 - BETA1);
                let v = &slots[1] * BETA2 + grad.square() * (1.0 - BETA2);
                let _ = tensor.g_add_(&adam_delta(&m, &v, step, rate));
                slots[0].copy_(&m);
                slots[1].copy_(&v);
            }
            OptimizerKind::Adagrad => {
                let sum = &slots[0] + grad.square();
                let _ = tensor.g_add_(&(grad / (sum.sqrt() + ADAGRAD_EPSILON) * -rate));
                slots[0].copy_(&sum);
            }
        }
    }

    /// Returns the state as named tensors (`optimizer.<table>.<slot>` and `optimizer.step`)
    /// for a checkpoint; they stay on their device.
    #[must_use]
    pub fn state_tensors(&self) -> Vec<(String, Tensor)> {
        let slot_names: &[&str] = match self.kind {
            OptimizerKind::Adam => &["m", "v"],
            OptimizerKind::Adagrad => &["sum"],
        };
        let mut tensors = vec![(
            "optimizer.step".to_owned(),
            Tensor::from_slice(&[self.step]),
        )];
        for (name, slots) in &self.state {
            for (slot, tensor) in slot_names.iter().zip(slots) {
                tensors.push((format!("optimizer.{name}.{slot}"), tensor.shallow_clone()));
            }
        }
        tensors
    }

    /// Restores the state from tensors written by [`RowOptimizer::state_tensors`]; tables
    /// without saved state start with zero moments.
    pub fn load_state(&mut self, tensors: &[(String, Tensor)], device: tch::Device) {
        let slot_names: &[&str] = match self.kind {
            OptimizerKind::Adam => &["m", "v"],
            OptimizerKind::Adagrad => &["sum"],
        };
        self.state.clear();
        for (name, tensor) in tensors {
            if name == "optimizer.step" {
                self.step = tensor.int64_value(&[0]);
                continue;
            }
            let Some(rest) = name.strip_prefix("optimizer.") else {
                continue;
            };
            let Some((table, slot)) = rest.rsplit_once('.') else {
                continue;
            };
            let Some(index) = slot_names.iter().position(|s| *s == slot) else {
                continue;
            };
            let slots = self.state.entry(table.to_owned()).or_default();
            if slots.len() <= index {
                slots.resize_with(slot_names.len(), Tensor::new);
            }
            slots[index] = tensor.to_device(device);
        }
        self.state
            .retain(|_, slots| slots.iter().all(Tensor::defined));
    }

    fn slots(&mut self, name: &str, like: &Tensor) -> &mut Vec<Tensor> {
        let count = match self.kind {
            OptimizerKind::Adam => 2,
            OptimizerKind::Adagrad => 1,
        };
        self.state
            .entry(name.to_owned())
            .or_insert_with(|| (0..count).map(|_| like.zeros_like().detach()).collect())
    }
}

/// Returns Adam's step `−rate · m̂ / (√v̂ + ε)` with bias-corrected moments.
#[allow(clippy::cast_possible_truncation)]
fn adam_delta(m: &Tensor, v: &Tensor, step: i64, rate: f64) -> Tensor {
    let step = i32::try_from(step).unwrap_or(i32::MAX);
    let correction1 = 1.0 - BETA1.powi(step);
    let correction2 = 1.0 - BETA2.powi(step);
    (m / correction1) / ((v / correction2).sqrt() + ADAM_EPSILON) * -rate
}
