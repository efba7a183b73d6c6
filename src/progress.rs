//! Progress reporting for long steps: an indicatif bar on a terminal, and a log line per
//! step when stderr is not a terminal or bars are switched off.
//!
//! ```
//! let progress = rxgraph::progress::Progress::new(false, 3, "reading nodes");
//! progress.inc(3);
//! progress.finish();
//! ```

use std::io::IsTerminal;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A progress bar that draws only when enabled and stderr is a terminal.
#[derive(Debug, Clone)]
pub struct Progress {
    bar: ProgressBar,
    message: String,
    started: Instant,
}

impl Progress {
    /// Starts a bar of `len` steps (0 for an unknown length). Without a terminal, or with
    /// `show` false, nothing is drawn and [`Progress::finish`] logs one line at debug level.
    #[must_use]
    pub fn new(show: bool, len: u64, message: &str) -> Self {
        let bar = if show && std::io::stderr().is_terminal() {
            let bar = if len == 0 {
                ProgressBar::new_spinner()
            } else {
                ProgressBar::new(len)
            };
            bar.set_draw_target(ProgressDrawTarget::stderr());
            let template = if len == 0 {
                "{spinner} {msg}: {human_pos} ({per_sec}) {elapsed}"
            } else {
                "{msg} [{bar:30}] {human_pos}/{human_len} ({per_sec}, eta {eta})"
            };
            bar.set_style(
                ProgressStyle::with_template(template)
                    .expect("valid template")
                    .progress_chars("=> "),
            );
            bar
        } else {
            ProgressBar::hidden()
        };
        bar.set_message(message.to_owned());
        Self {
            bar,
            message: message.to_owned(),
            started: Instant::now(),
        }
    }

    /// Returns a bar that never draws (tests, benches, `serve`).
    #[must_use]
    pub fn hidden() -> Self {
        Self::new(false, 0, "")
    }

    /// Advances by `delta` steps.
    pub fn inc(&self, delta: u64) {
        self.bar.inc(delta);
    }

    /// Sets the number of steps done.
    pub fn set_position(&self, position: u64) {
        self.bar.set_position(position);
    }

    /// Sets the message shown after the bar (e.g. the loss).
    pub fn set_message(&self, message: String) {
        self.bar.set_message(message);
    }

    /// Returns the number of steps done.
    #[must_use]
    pub fn position(&self) -> u64 {
        self.bar.position()
    }

    /// Clears the bar and logs how many steps took how long.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
        tracing::debug!(
            step = %self.message,
            done = self.bar.position(),
            seconds = self.started.elapsed().as_secs_f64(),
            "finished"
        );
    }
}
