//! GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` line per finding,
//! so pull requests show annotations on the offending lines.

use std::io::Write as _;

use starsnap_compiler::{Diagnostic, LineIndex, Severity};

use super::{region, FileView, Rendered};

/// Appends `s` escaped as a workflow-command property value (`%`, CR, LF, `:` and `,`).
fn push_property(out: &mut Vec<u8>, s: &str) {
    push_escaped(out, s, true);
}

/// Appends `s` escaped as a workflow-command message (`%`, CR, LF).
fn push_data(out: &mut Vec<u8>, s: &str) {
    push_escaped(out, s, false);
}

fn push_escaped(out: &mut Vec<u8>, s: &str, property: bool) {
    let mut from = 0;
    for (i, b) in s.bytes().enumerate() {
        let esc: &[u8] = match b {
            b'%' => b"%25",
            b'\r' => b"%0D",
            b'\n' => b"%0A",
            b':' if property => b"%3A",
            b',' if property => b"%2C",
            _ => continue,
        };
        out.extend_from_slice(&s.as_bytes()[from..i]);
        out.extend_from_slice(esc);
        from = i + 1;
    }
    out.extend_from_slice(&s.as_bytes()[from..]);
}

#[cfg(test)]
fn escape_property(s: &str) -> String {
    let mut out = Vec::new();
    push_property(&mut out, s);
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
fn escape_data(s: &str) -> String {
    let mut out = Vec::new();
    push_data(&mut out, s);
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
pub fn render_github(reports: &[super::FileReport]) -> String {
    super::render(super::Format::Github, reports, &[], false)
}

/// One workflow command per finding of a chunk of one file's findings.
pub(crate) fn render_chunk(
    f: FileView<'_>,
    index: &LineIndex,
    ds: &mut [Diagnostic],
    out: &mut Rendered,
) {
    let out = &mut out.bytes;
    out.reserve(ds.len() * 300);
    for d in ds.iter() {
        let cmd = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let g = region(index, f.source, d);
        out.extend_from_slice(b"::");
        out.extend_from_slice(cmd.as_bytes());
        out.extend_from_slice(b" file=");
        push_property(out, f.path);
        let _ = write!(
            out,
            ",line={},col={},endLine={},endColumn={},title=starsnap ",
            g.start_line, g.start_col, g.end_line, g.end_col,
        );
        push_property(out, &d.code);
        out.extend_from_slice(b"::");
        push_data(out, &d.message);
        if let Some(help) = &d.help {
            out.extend_from_slice(b"%0Ahelp: ");
            push_data(out, help);
        }
        out.push(b'\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::fixtures;

    #[test]
    fn github_golden() {
        insta::assert_snapshot!(render_github(&fixtures::reports()));
    }

    #[test]
    fn escapes_workflow_command_syntax() {
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
        assert_eq!(escape_data("50%\r\nx:y"), "50%25%0D%0Ax:y");
    }
}
