//! Logs on stderr through `tracing`: quiet by default (warnings only); `-v` shows what
//! starsnap does and how long each step took, `-vv` also every statement sent (secrets
//! masked, `starsnap_runtime::log`) with its time, `-vvv` everything, the libraries' too.
//! Without `-v`, `RUST_LOG` (`tracing-subscriber`'s env-filter syntax, e.g.
//! `RUST_LOG=starsnap::sql=debug`) chooses.

use std::io::Write;
use std::sync::Mutex;

use indicatif::MultiProgress;
use tracing_subscriber::EnvFilter;

/// The progress lines on the terminal while `apply` draws them: log lines are written with
/// the lines cleared and drawn again after, so a line never lands inside one of them.
static BARS: Mutex<Option<MultiProgress>> = Mutex::new(None);

/// Routes the log around `bars` (until [`without_bars`]).
pub fn around_bars(bars: &MultiProgress) {
    *BARS.lock().unwrap_or_else(|p| p.into_inner()) = Some(bars.clone());
}

/// The progress lines are gone: logs go straight to stderr again.
pub fn without_bars() {
    *BARS.lock().unwrap_or_else(|p| p.into_inner()) = None;
}

/// One log event's text, written to stderr whole when the event is done: around the progress
/// lines when they are shown (`MultiProgress::suspend`), directly otherwise.
struct EventWriter {
    buf: Vec<u8>,
}

impl Write for EventWriter {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(b);
        Ok(b.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for EventWriter {
    fn drop(&mut self) {
        if self.buf.is_empty() {
            return;
        }
        let bars = BARS.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let write = || {
            let _ = std::io::stderr().lock().write_all(&self.buf);
        };
        match bars {
            Some(bars) => bars.suspend(write),
            None => write(),
        }
    }
}

/// The filter for `verbose` times `-v` and the value of `RUST_LOG`: `-v` wins; a `RUST_LOG`
/// that does not parse is said once and ignored.
pub fn filter(verbose: u8, rust_log: Option<&str>) -> (EnvFilter, Option<String>) {
    let ours = |level: &str| {
        format!("warn,starsnap={level},starsnap_runtime={level},starsnap_repo={level},starsnap_compiler={level}")
    };
    let spec = match verbose {
        0 => match rust_log.filter(|s| !s.trim().is_empty()) {
            Some(s) => match EnvFilter::try_new(s) {
                Ok(f) => return (f, None),
                Err(e) => {
                    return (
                        EnvFilter::new("warn"),
                        Some(format!(
                            "RUST_LOG={s:?} is not a log filter ({e}); logging warnings only"
                        )),
                    )
                }
            },
            None => "warn".to_string(),
        },
        1 => ours("info"),
        2 => ours("debug"),
        _ => format!("debug,{}", ours("trace")),
    };
    (EnvFilter::new(spec), None)
}

/// Installs the stderr subscriber (colored when stderr is, per `--color`).
pub fn init(verbose: u8) {
    let rust_log = std::env::var("RUST_LOG").ok();
    let (filter, problem) = filter(verbose, rust_log.as_deref());
    let installed = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(|| EventWriter { buf: Vec::new() })
        .with_ansi(crate::cmd::color(crate::cmd::Stream::Stderr))
        .with_target(true)
        .try_init();
    if installed.is_ok() {
        if let Some(p) = problem {
            tracing::warn!("{p}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbosity_wins_over_rust_log_and_bad_filters_fall_back() {
        assert_eq!(filter(0, None).0.to_string(), "warn");
        assert!(filter(2, Some("error"))
            .0
            .to_string()
            .contains("starsnap_runtime=debug"));
        assert_eq!(
            filter(0, Some("starsnap::sql=debug")).0.to_string(),
            "starsnap::sql=debug"
        );
        let (f, problem) = filter(0, Some("=[bad"));
        assert_eq!(f.to_string(), "warn");
        assert!(problem.is_some_and(|p| p.contains("RUST_LOG")));
    }
}
