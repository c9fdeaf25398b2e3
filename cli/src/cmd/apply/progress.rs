//! What `apply` shows while it runs. `--json`: one JSON event per line on stdout. On a
//! terminal: one line per database (step, job state, partitions, elapsed), redrawn in place
//! on stderr. Otherwise quiet: only failures, as they happen (the summary comes at the end).

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Mutex;
use std::time::Instant;

use starsnap_compiler::plan::Plan;
use starsnap_runtime::apply::ApplyEvent;

use crate::out;

/// How events are shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Json,
    Terminal,
    Quiet,
}

struct Line {
    step: String,
    state: String,
    partitions: u64,
    started: Instant,
    ended: Option<Instant>,
}

/// The progress display of one run.
pub struct Progress {
    mode: Mode,
    partitions: BTreeMap<String, u64>,
    lines: Mutex<(BTreeMap<String, Line>, usize)>,
}

impl Progress {
    pub fn new(mode: Mode, plan: &Plan) -> Progress {
        let partitions = plan
            .steps
            .iter()
            .map(|s| (s.id.clone(), s.partition_count()))
            .collect();
        Progress {
            mode,
            partitions,
            lines: Mutex::new((BTreeMap::new(), 0)),
        }
    }

    pub fn event(&self, e: &ApplyEvent) {
        match self.mode {
            Mode::Json => out::print(&event_json(e)),
            Mode::Quiet => {
                if matches!(e.kind, "failed" | "interrupted" | "warning" | "note") {
                    let msg = e.message.as_deref().unwrap_or("");
                    eprintln!("{}: {}: {msg}", e.step_id, e.kind);
                }
            }
            Mode::Terminal => self.draw(e),
        }
    }

    fn draw(&self, e: &ApplyEvent) {
        let Some(db) = e.database.clone() else {
            let msg = e
                .message
                .as_deref()
                .map(|m| format!(": {m}"))
                .unwrap_or_default();
            if !matches!(e.kind, "step_started" | "retry") {
                eprintln!("{}: {}{msg}", e.step_id, e.kind.replace('_', " "));
            }
            return;
        };
        let mut guard = self.lines.lock().unwrap_or_else(|p| p.into_inner());
        let (lines, drawn) = &mut *guard;
        let now = Instant::now();
        let line = lines.entry(db).or_insert_with(|| Line {
            step: e.step_id.clone(),
            state: String::new(),
            partitions: 0,
            started: now,
            ended: None,
        });
        if e.kind == "step_started" {
            line.step = e.step_id.clone();
            line.started = now;
            line.ended = None;
            line.partitions = self.partitions.get(&e.step_id).copied().unwrap_or(0);
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
        if matches!(
            e.kind,
            "done" | "done_already" | "failed" | "skipped" | "interrupted"
        ) {
            line.ended = Some(now);
        }
        let mut text = String::new();
        if *drawn > 0 {
            text.push_str(&format!("\x1b[{}F", *drawn));
        }
        for (db, l) in lines.iter() {
            let elapsed = l.ended.unwrap_or(now).duration_since(l.started);
            text.push_str(&format!(
                "\x1b[2K{db:<16} {:<28} {:>6} partitions {:>7.1}s  {}\n",
                l.step,
                l.partitions,
                elapsed.as_secs_f64(),
                l.state
            ));
        }
        *drawn = lines.len();
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(text.as_bytes());
        let _ = err.flush();
    }
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
