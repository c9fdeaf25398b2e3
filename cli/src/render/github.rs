//! GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` line per finding,
//! so pull requests show annotations on the offending lines.

use starsnap_compiler::{LineIndex, Severity};

use super::{region, FileReport};

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

pub fn render_github(reports: &[FileReport]) -> String {
    let mut out = String::new();
    for r in reports {
        let index = LineIndex::new(&r.source);
        for d in &r.diagnostics {
            let cmd = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "notice",
            };
            let g = region(&index, &r.source, d);
            let mut message = d.message.clone();
            if let Some(help) = &d.help {
                message.push_str("\nhelp: ");
                message.push_str(help);
            }
            out.push_str(&format!(
                "::{cmd} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
                escape_property(&r.path),
                g.start_line,
                g.start_col,
                g.end_line,
                g.end_col,
                escape_property(&format!("starsnap {}", d.code)),
                escape_data(&message),
            ));
        }
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
