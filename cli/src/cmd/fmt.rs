//! `starsnap fmt [PATHS…] [--check]`: canonical snapshot statements, everything else kept.
//!
//! Files are rewritten atomically (a temporary file beside them, then a rename) and only when
//! they change. Statements with syntax errors are left exactly as written and reported.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use similar::TextDiff;
use starsnap_compiler::fmt::format;
use starsnap_compiler::syntax::Dialect;
use starsnap_compiler::Severity;

use super::{parse_dialect, usage_error};
use crate::files::{collect, Input};
use crate::render::{render_text, FileReport};
use crate::{exit, out};

/// `fmt` arguments.
#[derive(Debug, clap::Args)]
pub struct FmtArgs {
    /// Files or directories (every `*.sql` below them); `-` formats standard input to stdout.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Change nothing: print a diff of what would change and exit 1 if anything would.
    #[arg(long)]
    pub check: bool,
    /// The StarRocks version the SQL must run on (starrocks-3.3 … starrocks-4.2).
    #[arg(long, default_value = "starrocks-3.4", value_parser = parse_dialect)]
    pub dialect: Dialect,
}

fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.starsnap-fmt.{}", std::process::id()));
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        if let Ok(meta) = fs::metadata(path) {
            fs::set_permissions(&tmp, meta.permissions())?;
        }
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

pub fn run(args: FmtArgs) -> i32 {
    let inputs = match collect(&args.paths) {
        Ok(i) => i,
        Err(e) => return usage_error(e),
    };
    let mut failed = false;
    let mut would_change = 0usize;
    for input in &inputs {
        let name = input.display_name();
        let bytes = match input.read() {
            Ok(b) => b,
            Err(e) => {
                eprintln!("starsnap: {name}: {e}");
                failed = true;
                continue;
            }
        };
        let (text, problem) = starsnap_compiler::lint::decode(&bytes);
        if let Some(d) = problem {
            // Never rewrite a file we could not read whole.
            eprint!(
                "{}",
                render_text(&[FileReport::new(&name, text, vec![d])], false)
            );
            failed = true;
            continue;
        }
        let result = format(text, args.dialect);
        let errors: Vec<_> = result
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .cloned()
            .collect();
        if !errors.is_empty() {
            eprint!(
                "{}",
                render_text(&[FileReport::new(&name, text, errors)], false)
            );
            eprintln!("starsnap: {name}: statements with syntax errors were left as written");
            failed = true;
        }
        match input {
            Input::Stdin if !args.check => out::print(&result.output),
            _ if !result.changed => {}
            _ if args.check => {
                would_change += 1;
                let diff = TextDiff::from_lines(text, &result.output);
                out::print(
                    &diff
                        .unified_diff()
                        .context_radius(2)
                        .header(&name, &format!("{name} (formatted)"))
                        .to_string(),
                );
            }
            Input::File(path) => match write_atomically(path, &result.output) {
                Ok(()) => eprintln!("formatted {name}"),
                Err(e) => {
                    eprintln!("starsnap: {name}: cannot write: {e}");
                    failed = true;
                }
            },
            Input::Stdin => {}
        }
    }
    if args.check && would_change > 0 {
        eprintln!("starsnap: {would_change} file(s) would be reformatted");
        return exit::FAILURE;
    }
    if failed {
        exit::FAILURE
    } else {
        exit::OK
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_content_and_leaves_no_temp_file() {
        let dir = std::env::temp_dir().join(format!("starsnap-fmt-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("mkdir");
        let p = dir.join("a.sql");
        fs::write(&p, "old").expect("write");
        write_atomically(&p, "new").expect("atomic write");
        assert_eq!(fs::read_to_string(&p).expect("read"), "new");
        assert_eq!(fs::read_dir(&dir).expect("ls").count(), 1);
        let _ = fs::remove_dir_all(&dir);
    }
}
