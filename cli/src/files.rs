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
}

impl Input {
    /// The name shown in diagnostics: the path as given, with `/` separators; `<stdin>`.
    pub fn display_name(&self) -> String {
        match self {
            Input::Stdin => "<stdin>".to_string(),
            Input::File(p) => p.to_string_lossy().replace('\\', "/"),
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
            walk(p, &mut found).map_err(|e| format!("{}: {e}", p.display()))?;
            found.sort();
            out.extend(found.into_iter().map(Input::File));
        } else {
            out.push(Input::File(p.clone()));
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        let ty = entry.file_type()?;
        if ty.is_dir() {
            if !hidden {
                walk(&path, out)?;
            }
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("sql"))
        {
            out.push(path);
        }
    }
    Ok(())
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
}
