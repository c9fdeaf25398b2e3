//! What `apply` shows while it runs. `--json`: one JSON event per line on stdout. On a
//! terminal: one line per database (step, job state, partitions, elapsed), redrawn in place on
//! stderr by `indicatif` (rate-limited, cleared and redrawn around other messages, cut to the
//! terminal's width). Otherwise (a pipe, a log file, cron): one line per step transition on
//! stderr — time, step, database, state, partitions, elapsed — so a log tells what happened
//! when; the summary comes at the end on stdout.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Instant;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use starsnap_compiler::plan::Plan;
use starsnap_runtime::apply::ApplyEvent;

use crate::out;

/// How events are shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Json,
    Terminal,
    Lines,
}

/// What is known of one database's line on a terminal.
struct Line {
    bar: ProgressBar,
    step: String,
    state: String,
}

/// The progress display of one run.
pub struct Progress {
    mode: Mode,
    partitions: BTreeMap<String, u64>,
    /// When each step started and, once it ended, how long it took.
    steps: Mutex<BTreeMap<String, (Instant, Option<f64>)>>,
    multi: MultiProgress,
    lines: Mutex<BTreeMap<String, Line>>,
}

impl Progress {
    pub fn new(mode: Mode, plan: &Plan) -> Progress {
        let partitions = plan
            .steps
            .iter()
            .map(|s| (s.id.clone(), s.partition_count()))
            .collect();
        let target = if mode == Mode::Terminal {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let multi = MultiProgress::with_draw_target(target);
        if mode == Mode::Terminal {
            // `-v` logs go above the lines, not into them.
            crate::log::around_bars(&multi);
        }
        Progress {
            mode,
            partitions,
            steps: Mutex::new(BTreeMap::new()),
            multi,
            lines: Mutex::new(BTreeMap::new()),
        }
    }

    pub fn event(&self, e: &ApplyEvent) {
        let elapsed = self.elapsed(e);
        match self.mode {
            Mode::Json => out::print(&event_json(e)),
            Mode::Lines => eprintln!("{}", self.transition(e, elapsed)),
            Mode::Terminal => self.draw(e, elapsed),
        }
    }

    /// Seconds since the event's step started (frozen once it ended).
    fn elapsed(&self, e: &ApplyEvent) -> f64 {
        let mut steps = self.steps.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        if e.kind == "step_started" {
            steps.insert(e.step_id.clone(), (now, None));
        }
        let entry = steps.entry(e.step_id.clone()).or_insert((now, None));
        let secs = entry
            .1
            .unwrap_or_else(|| now.duration_since(entry.0).as_secs_f64());
        if ended(e.kind) {
            entry.1 = Some(secs);
        }
        secs
    }

    /// One line for a log: `TIME STEP DATABASE STATE N partitions ELAPSED[: message]`.
    fn transition(&self, e: &ApplyEvent, elapsed: f64) -> String {
        let state = match (e.kind, &e.state) {
            ("state" | "reattached", Some(s)) => s.clone(),
            (k, _) => k.to_string(),
        };
        let message = e
            .message
            .as_deref()
            .map(|m| format!(": {m}"))
            .unwrap_or_default();
        format!(
            "{} {} {} {state} {} partitions {elapsed:.1}s{message}",
            super::event_time(),
            e.step_id,
            e.database.as_deref().unwrap_or("-"),
            self.partitions.get(&e.step_id).copied().unwrap_or(0),
        )
    }

    fn draw(&self, e: &ApplyEvent, elapsed: f64) {
        let Some(db) = e.database.clone() else {
            if !matches!(e.kind, "step_started" | "retry") {
                let msg = e
                    .message
                    .as_deref()
                    .map(|m| format!(": {m}"))
                    .unwrap_or_default();
                let _ =
                    self.multi
                        .println(format!("{}: {}{msg}", e.step_id, e.kind.replace('_', " ")));
            }
            return;
        };
        let mut lines = self.lines.lock().unwrap_or_else(|p| p.into_inner());
        let line = lines.entry(db.clone()).or_insert_with(|| {
            let bar = self.multi.add(ProgressBar::new_spinner());
            bar.set_style(
                ProgressStyle::with_template("{prefix:<16} {wide_msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.set_prefix(db);
            Line {
                bar,
                step: e.step_id.clone(),
                state: String::new(),
            }
        });
        if e.kind == "step_started" {
            line.step = e.step_id.clone();
        }
        line.state = match (e.kind, &e.state) {
            ("state" | "reattached", Some(s)) => s.clone(),
            ("retry", _) => format!("{} (retrying)", line.state.trim_end_matches(" (retrying)")),
            ("step_started", _) => "starting".into(),
            ("failed", _) => format!("FAILED: {}", e.message.as_deref().unwrap_or("")),
            (
                k @ ("finished" | "done" | "done_already" | "recorded" | "skipped" | "interrupted"
                | "cancelled"),
                _,
            ) => k.replace('_', " "),
            _ => line.state.clone(),
        };
        line.bar.set_message(format!(
            "{:<28} {:>6} partitions {elapsed:>7.1}s  {}",
            line.step,
            self.partitions.get(&line.step).copied().unwrap_or(0),
            line.state
        ));
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if self.mode == Mode::Terminal {
            crate::log::without_bars();
        }
    }
}

/// Whether an event ends its step.
fn ended(kind: &str) -> bool {
    matches!(
        kind,
        "done" | "done_already" | "failed" | "skipped" | "interrupted"
    )
}

fn event_json(e: &ApplyEvent) -> String {
    let v = serde_json::json!({
        "event": e.kind,
        "time": super::event_time(),
        "step": e.step_id,
        "database": e.database,
        "label": e.label,
        "state": e.state,
        "message": e.message,
    });
    format!("{v}\n")
}
