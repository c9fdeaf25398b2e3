//! `starsnap fmt [PATHS…] [--check]`: canonical snapshot statements, everything else kept.
//!
//! Files are rewritten only when they change, through a randomly named temporary file and a
//! rename, keeping symlinks, BOM, permissions, owner and hard links (`write_formatted`);
//! read-only files are left alone. Statements with syntax errors are left exactly as written
//! and reported.

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

/// What became of a file that needed formatting.
#[derive(Debug, PartialEq, Eq)]
enum Written {
    /// Replaced through a temporary file and a rename.
    Replaced,
    /// Rewritten in place (hard links, or an owner we could not give the temporary file).
    InPlace,
    /// Read-only: left alone.
    ReadOnly,
}

/// Writes `text` (with `bom` put back) to the file `path` names, keeping what a reader of the
/// file would notice besides its content:
///
/// * a symbolic link is followed: the target is formatted and the link stays a link;
/// * a read-only file is left alone ([`Written::ReadOnly`]);
/// * normally the text goes to a temporary file beside the target with a random name created
///   exclusively (`O_EXCL`: a planted file or symlink at a guessable name cannot be written
///   through), gets the target's permissions and owner, and is renamed over it — a reader
///   sees the old or the new file, never half of one;
/// * a file with more than one hard link, or whose owner the temporary file cannot be given
///   (not root), is rewritten in place instead, from a fully written temporary copy: a rename
///   would split the links or change the owner, and keeping them is worth more than atomicity.
fn write_formatted(path: &Path, text: &str, bom: bool) -> std::io::Result<Written> {
    let target = fs::canonicalize(path)?;
    let meta = fs::metadata(&target)?;
    if meta.permissions().readonly() {
        return Ok(Written::ReadOnly);
    }
    let dir = target.parent().unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".starsnap-fmt")
        .tempfile_in(dir)?;
    if bom {
        tmp.write_all(b"\xef\xbb\xbf")?;
    }
    tmp.write_all(text.as_bytes())?;
    tmp.as_file().sync_all()?;
    if needs_in_place(&meta, tmp.as_file()) {
        let mut out = fs::OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(&target)?;
        let mut from = fs::File::open(tmp.path())?;
        std::io::copy(&mut from, &mut out)?;
        out.sync_all()?;
        return Ok(Written::InPlace);
    }
    fs::set_permissions(tmp.path(), meta.permissions())?;
    tmp.persist(&target).map_err(|e| e.error)?;
    Ok(Written::Replaced)
}

/// Whether a rename would lose something: other hard links, or the owner (the temporary
/// file is given the target's owner and group; that fails unless we are root or own both).
#[cfg(unix)]
fn needs_in_place(meta: &fs::Metadata, tmp: &fs::File) -> bool {
    use std::os::unix::fs::{fchown, MetadataExt};
    meta.nlink() > 1 || fchown(tmp, Some(meta.uid()), Some(meta.gid())).is_err()
}

#[cfg(not(unix))]
fn needs_in_place(_meta: &fs::Metadata, _tmp: &fs::File) -> bool {
    false
}

/// Myers's diff costs (lines) × (differences), up to (lines)²: above this bound on the
/// square of the lines that differ (about 4,000 of them) the part is shown as one replacement.
const MAX_DIFF_WORK: usize = 1 << 24;

/// A unified diff (2 lines of context) of `old` and `new`. The common first and last lines are
/// set aside in linear time; what is left is diffed line by line when small enough, and shown
/// as one hunk replacing old lines by new ones otherwise (a 4 MB statement on one line
/// reformatted into 700,000 lines would take Myers minutes).
fn unified_diff(old: &str, new: &str, name: &str) -> String {
    let header = format!("--- {name}\n+++ {name} (formatted)\n");
    let a: Vec<&str> = old.split_inclusive('\n').collect();
    let b: Vec<&str> = new.split_inclusive('\n').collect();
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (mid_a, mid_b) = (a.len() - prefix - suffix, b.len() - prefix - suffix);
    if mid_a == 0 && mid_b == 0 {
        return String::new();
    }
    let mid = mid_a + mid_b;
    if mid.saturating_mul(mid) <= MAX_DIFF_WORK {
        return TextDiff::from_lines(old, new)
            .unified_diff()
            .context_radius(2)
            .header(name, &format!("{name} (formatted)"))
            .to_string();
    }
    let before = prefix.min(2);
    let after = suffix.min(2);
    let start = prefix - before;
    let range = |len: usize| match len {
        0 => format!("{start},0"),
        1 => format!("{}", start + 1),
        n => format!("{},{n}", start + 1),
    };
    let mut out = header;
    out.push_str(&format!(
        "@@ -{} +{} @@\n",
        range(before + mid_a + after),
        range(before + mid_b + after)
    ));
    let mut line = |sign: char, l: &str| {
        out.push(sign);
        out.push_str(l);
        if !l.ends_with('\n') {
            out.push_str("\n\\ No newline at end of file\n");
        }
    };
    for l in &a[start..prefix] {
        line(' ', l);
    }
    for l in &a[prefix..prefix + mid_a] {
        line('-', l);
    }
    for l in &b[prefix..prefix + mid_b] {
        line('+', l);
    }
    for l in &a[a.len() - suffix..a.len() - suffix + after] {
        line(' ', l);
    }
    out
}

fn has_bom(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\xef\xbb\xbf")
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
                crate::out::error(format!("{name}: {e}"));
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
                out::print(&unified_diff(text, &result.output, &name));
            }
            Input::File(path) => match write_formatted(path, &result.output, has_bom(&bytes)) {
                Ok(Written::Replaced | Written::InPlace) => eprintln!("formatted {name}"),
                Ok(Written::ReadOnly) => {
                    eprintln!("starsnap: {name}: read-only, left alone (it is not formatted)");
                }
                Err(e) => {
                    crate::out::error(format!("{name}: cannot write: {e}"));
                    failed = true;
                }
            },
            Input::Stdin | Input::Unreadable(..) => {}
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

    fn setup(content: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("a.sql");
        fs::write(&p, content).expect("write");
        (dir, p)
    }

    #[test]
    fn large_differences_are_one_replacement_hunk() {
        // Small: Myers, as before.
        let d = unified_diff("a\nb\nc\n", "a\nB\nc\n", "x.sql");
        assert_eq!(
            d,
            "--- x.sql\n+++ x.sql (formatted)\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"
        );
        assert_eq!(unified_diff("same\n", "same\n", "x.sql"), "");
        // One long line becoming many: one hunk, with the context kept.
        let old = format!("-- head\n{}\n-- tail\n", "x, ".repeat(5000));
        let many: String = (0..5000).map(|_| "x,\n").collect();
        let new = format!("-- head\n{many}-- tail\n");
        let d = unified_diff(&old, &new, "x.sql");
        assert!(
            d.starts_with("--- x.sql\n+++ x.sql (formatted)\n@@ -1,3 +1,5002 @@\n -- head\n-x, "),
            "{}",
            &d[..80]
        );
        assert_eq!(
            d.lines()
                .filter(|l| l.starts_with('+') && !l.starts_with("+++"))
                .count(),
            5000
        );
        assert!(d.ends_with("\n -- tail\n"));
    }

    #[test]
    fn replaces_content_and_leaves_no_temp_file() {
        let (dir, p) = setup("old");
        assert_eq!(
            write_formatted(&p, "new", false).expect("write"),
            Written::Replaced
        );
        assert_eq!(fs::read_to_string(&p).expect("read"), "new");
        assert_eq!(fs::read_dir(dir.path()).expect("ls").count(), 1);
    }

    #[test]
    fn keeps_the_byte_order_mark() {
        let (_dir, p) = setup("\u{feff}old");
        write_formatted(&p, "new", true).expect("write");
        assert_eq!(fs::read(&p).expect("read"), b"\xef\xbb\xbfnew");
    }

    #[test]
    fn read_only_files_are_left_alone() {
        let (_dir, p) = setup("old");
        let mut perms = fs::metadata(&p).expect("meta").permissions();
        perms.set_readonly(true);
        fs::set_permissions(&p, perms).expect("chmod");
        assert_eq!(
            write_formatted(&p, "new", false).expect("write"),
            Written::ReadOnly
        );
        assert_eq!(fs::read_to_string(&p).expect("read"), "old");
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_permissions_and_hard_links_are_kept() {
        use std::os::unix::fs::{symlink, MetadataExt, PermissionsExt};
        let (dir, p) = setup("old");
        fs::set_permissions(&p, fs::Permissions::from_mode(0o640)).expect("chmod");
        // A link to the file: the target is formatted, the link stays a link.
        let link = dir.path().join("link.sql");
        symlink("a.sql", &link).expect("symlink");
        write_formatted(&link, "via link", false).expect("write");
        assert!(fs::symlink_metadata(&link)
            .expect("lstat")
            .file_type()
            .is_symlink());
        assert_eq!(fs::read_to_string(&p).expect("read"), "via link");
        assert_eq!(
            fs::metadata(&p).expect("meta").permissions().mode() & 0o777,
            0o640
        );
        // A second hard link: rewritten in place, both names see the new text.
        let hard = dir.path().join("hard.sql");
        fs::hard_link(&p, &hard).expect("hard link");
        let ino = fs::metadata(&p).expect("meta").ino();
        assert_eq!(
            write_formatted(&p, "both", false).expect("write"),
            Written::InPlace
        );
        assert_eq!(fs::read_to_string(&hard).expect("read"), "both");
        assert_eq!(fs::metadata(&p).expect("meta").ino(), ino);
        assert_eq!(fs::metadata(&p).expect("meta").nlink(), 2);
        // No temporary file is left anywhere.
        let names: Vec<_> = fs::read_dir(dir.path())
            .expect("ls")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names.len(), 3, "{names:?}");
    }

    /// A symlink planted at the name the old code used for its temporary file is not written
    /// through: temporary names are random and created exclusively.
    #[cfg(unix)]
    #[test]
    fn a_planted_symlink_is_not_followed() {
        let (dir, p) = setup("old");
        let victim = dir.path().join("victim");
        fs::write(&victim, "precious").expect("write");
        for pid in [std::process::id(), 1, 2] {
            let planted = dir.path().join(format!(".a.sql.starsnap-fmt.{pid}"));
            std::os::unix::fs::symlink(&victim, planted).expect("symlink");
        }
        write_formatted(&p, "new", false).expect("write");
        assert_eq!(fs::read_to_string(&victim).expect("read"), "precious");
        assert_eq!(fs::read_to_string(&p).expect("read"), "new");
    }
}
