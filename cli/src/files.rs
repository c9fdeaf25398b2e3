//! Input collection for `lint` and `fmt`: files and directories (every `*.sql` below them, in
//! a stable order), or `-` for standard input.

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// One input: how to name it in output, and where it comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    Stdin,
    File(PathBuf),
    /// A file or folder found but not readable (why, as text): reported, the rest still checked.
    Unreadable(PathBuf, String),
}

impl Input {
    /// The name shown in diagnostics: the path as given, with `/` separators; `<stdin>`.
    pub fn display_name(&self) -> String {
        match self {
            Input::Stdin => "<stdin>".to_string(),
            Input::File(p) | Input::Unreadable(p, _) => p.to_string_lossy().replace('\\', "/"),
        }
    }

    pub fn read(&self) -> io::Result<Vec<u8>> {
        match self {
            Input::Stdin => {
                let mut buf = Vec::new();
                io::stdin().lock().read_to_end(&mut buf)?;
                Ok(buf)
            }
            Input::File(p) => fs::read(p),
            Input::Unreadable(_, why) => Err(io::Error::other(why.clone())),
        }
    }
}

/// Expands `paths` into inputs: `-` is stdin, a file is itself (whatever its extension), a
/// directory is every `*.sql` file below it, sorted, skipping hidden directories.
/// A path that does not exist is an error naming it.
pub fn collect(paths: &[PathBuf]) -> Result<Vec<Input>, String> {
    let mut out = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            out.push(Input::Stdin);
            continue;
        }
        let meta = fs::metadata(p).map_err(|e| format!("{}: {e}", p.display()))?;
        if meta.is_dir() {
            let mut found = Vec::new();
            walk(p, &mut found);
            found.sort_by(|a, b| input_path(a).cmp(input_path(b)));
            out.extend(found);
        } else if meta.is_file() {
            out.push(Input::File(p.clone()));
        } else {
            // A FIFO would block the read, a device never end it.
            out.push(Input::Unreadable(p.clone(), "not a regular file".into()));
        }
    }
    Ok(out)
}

fn input_path(i: &Input) -> &Path {
    match i {
        Input::File(p) | Input::Unreadable(p, _) => p,
        Input::Stdin => Path::new("-"),
    }
}

/// Every `*.sql` regular file below `dir` (symlinks to regular files included), skipping
/// hidden folders, FIFOs, devices, sockets and symlinks to them or to folders (no loops).
/// A folder or entry that cannot be read becomes an [`Input::Unreadable`]; the walk goes on.
fn walk(dir: &Path, out: &mut Vec<Input>) {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => return out.push(Input::Unreadable(dir.to_path_buf(), e.to_string())),
    };
    for entry in entries {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => return out.push(Input::Unreadable(dir.to_path_buf(), e.to_string())),
        };
        let path = entry.path();
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        let is_sql = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("sql"));
        let ty = match entry.file_type() {
            Ok(t) => t,
            Err(e) => {
                out.push(Input::Unreadable(path, e.to_string()));
                continue;
            }
        };
        if ty.is_dir() {
            if !hidden {
                walk(&path, out);
            }
        } else if ty.is_file() {
            if is_sql {
                out.push(Input::File(path));
            }
        } else if ty.is_symlink() && is_sql {
            match fs::metadata(&path) {
                Ok(m) if m.is_file() => out.push(Input::File(path)),
                Ok(_) => {}
                Err(e) => out.push(Input::Unreadable(path, e.to_string())),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_expand_to_sorted_sql_files() {
        let dir = std::env::temp_dir().join(format!("starsnap-files-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("b/.hidden")).expect("mkdir");
        fs::write(dir.join("b/2.sql"), "").expect("write");
        fs::write(dir.join("1.SQL"), "").expect("write");
        fs::write(dir.join("notes.txt"), "").expect("write");
        fs::write(dir.join("b/.hidden/x.sql"), "").expect("write");
        let got = collect(std::slice::from_ref(&dir)).expect("collect");
        let names: Vec<String> = got
            .iter()
            .map(|i| {
                i.display_name()
                    .rsplit('/')
                    .next()
                    .unwrap_or("")
                    .to_string()
            })
            .collect();
        assert_eq!(names, vec!["1.SQL", "2.sql"]);
        assert!(collect(&[dir.join("missing.sql")]).is_err());
        let _ = fs::remove_dir_all(&dir);
    }

    #[cfg(unix)]
    #[test]
    fn the_walk_skips_fifos_and_devices_and_reports_what_it_cannot_read() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        fs::write(d.join("a.sql"), "").expect("write");
        symlink("/dev/zero", d.join("zero.sql")).expect("symlink");
        symlink("a.sql", d.join("b.sql")).expect("symlink");
        symlink("missing", d.join("dangling.sql")).expect("symlink");
        symlink(".", d.join("loop.sql")).expect("symlink");
        let fifo = std::process::Command::new("mkfifo")
            .arg(d.join("pipe.sql"))
            .status()
            .is_ok_and(|s| s.success());
        let got = collect(&[d.to_path_buf()]).expect("collect");
        let names: Vec<(String, bool)> = got
            .iter()
            .map(|i| {
                let name = i
                    .display_name()
                    .rsplit('/')
                    .next()
                    .unwrap_or("")
                    .to_string();
                (name, matches!(i, Input::Unreadable(..)))
            })
            .collect();
        assert_eq!(
            names,
            vec![
                ("a.sql".to_string(), false),
                ("b.sql".to_string(), false),
                ("dangling.sql".to_string(), true),
            ]
        );
        if fifo {
            // Named on the command line: reported, never opened.
            let got = collect(&[d.join("pipe.sql")]).expect("collect");
            assert!(matches!(&got[..], [Input::Unreadable(..)]), "{got:?}");
        }
    }
}
