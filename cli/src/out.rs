//! Writing to stdout without panicking: `print!` panics when the reader goes away
//! (`starsnap rules | head`). A closed pipe ends the process quietly, as Unix tools do.
//!
//! Errors: [`error`] says them on stderr (`starsnap: …`) and keeps the last one, so that a
//! run whose output is JSON also reports its failure as JSON on stdout ([`json_error`],
//! `grammar/error.schema.json`).

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

static WROTE: AtomicBool = AtomicBool::new(false);
static LAST_ERROR: Mutex<Option<String>> = Mutex::new(None);

/// Writes `s` to stdout. On a closed pipe, exits at once with status 0 (nothing more can be
/// said to anyone); other write errors are reported on stderr and exit 1.
pub fn print(s: &str) {
    write_bytes(s.as_bytes());
}

/// [`print`] for bytes already encoded.
pub fn write_bytes(b: &[u8]) {
    if !b.is_empty() {
        WROTE.store(true, Ordering::Relaxed);
    }
    let mut out = io::stdout().lock();
    if let Err(e) = out.write_all(b).and_then(|()| out.flush()) {
        if e.kind() == io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("starsnap: cannot write to stdout: {e}");
        std::process::exit(crate::exit::FAILURE);
    }
}

/// Says an error on stderr (`starsnap: msg`) and keeps it for [`json_error`].
pub fn error(msg: impl std::fmt::Display) {
    eprintln!("starsnap: {msg}");
    remember(msg);
}

/// Keeps `msg` as the run's error for [`json_error`] without saying it again (what failed
/// was already shown in another form, such as findings).
pub fn remember(msg: impl std::fmt::Display) {
    *LAST_ERROR.lock().unwrap_or_else(|p| p.into_inner()) = Some(msg.to_string());
}

/// How a command's JSON output takes an error object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsonOutput {
    /// Text output: errors only on stderr.
    None,
    /// One JSON document (lint, plan, show, status, verify, inspect): the error object is
    /// the output, when nothing else was written.
    Document,
    /// One JSON object per line (history, rules, apply's events): the error object is the
    /// last line.
    Lines,
}

/// The stable name of an exit code, as the error object's `code` says it.
pub fn code_name(exit_code: i32) -> &'static str {
    match exit_code {
        crate::exit::USAGE => "usage",
        crate::cmd::apply::STALE => "stale_plan",
        crate::cmd::apply::LOCK_HELD => "lock_held",
        crate::cmd::apply::INTERRUPTED => "interrupted",
        _ => "failure",
    }
}

/// The error object (`grammar/error.schema.json`) for a run that ended with `exit_code`.
pub fn error_object(exit_code: i32, message: &str) -> String {
    let v = serde_json::json!({
        "error": {
            "code": code_name(exit_code),
            "message": message,
            "exit_code": exit_code,
        }
    });
    format!("{v}\n")
}

/// After a failed run whose output is JSON: the last error said, as one JSON object on stdout
/// (unless a JSON document was already written, which then carries the failure itself).
pub fn json_error(mode: JsonOutput, exit_code: i32) {
    if exit_code == crate::exit::OK || mode == JsonOutput::None {
        return;
    }
    if mode == JsonOutput::Document && WROTE.load(Ordering::Relaxed) {
        return;
    }
    let last = LAST_ERROR.lock().unwrap_or_else(|p| p.into_inner()).take();
    if let Some(message) = last {
        print(&error_object(exit_code, &message));
    }
}
