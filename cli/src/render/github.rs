//! GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` line per finding,
//! so pull requests show annotations on the offending lines.

use std::fmt::Write as _;

use starsnap_compiler::{Diagnostic, LineIndex, Severity};

use super::{par_findings, region, FileReport};

/// Escapes a workflow-command property value (`%`, CR, LF, `:` and `,`).
fn escape_property(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
        .replace(':', "%3A")
        .replace(',', "%2C")
}

/// Escapes a workflow-command message (`%`, CR, LF).
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Writes one workflow command per finding to `sink`, rendered on every core.
pub fn write_github(reports: &[FileReport], sink: &mut dyn FnMut(&str)) {
    par_findings(reports, &render_chunk, sink);
}

pub fn render_github(reports: &[FileReport]) -> String {
    let mut out = String::new();
    write_github(reports, &mut |piece| out.push_str(piece));
    out
}

fn render_chunk(r: &FileReport, index: &LineIndex, ds: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in ds {
        let cmd = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let g = region(index, &r.source, d);
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        let _ = writeln!(
            out,
            "::{cmd} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(&r.path),
            g.start_line,
            g.start_col,
            g.end_line,
            g.end_col,
            escape_property(&format!("starsnap {}", d.code)),
            escape_data(&message),
        );
    }
    out
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
