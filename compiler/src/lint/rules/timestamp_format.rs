//! L004 backup-timestamp-format.

use super::{property, DiagnosticExt, RuleCx, Statement};
use crate::lint::registry::{rule_doc, Rule};

rule_doc! {
    /// ## What it does
    /// Flags a RESTORE whose `backup_timestamp` is not shaped `yyyy-MM-dd-HH-mm-ss-SSS`
    /// (e.g. `2024-12-09-10-25-58-842`). A missing `backup_timestamp` is StarRocks's own
    /// analyzer error (`V017`) and is not reported again here.
    ///
    /// ## Why is this bad?
    /// StarRocks does not validate the value: it looks for the file `__info_<value>` in the
    /// repository and, when the value is off, fails at execution with `Failed to get info of
    /// snapshot … Maybe specified wrong backup timestamp`. The seconds-only form
    /// `yyyy-MM-dd-HH-mm-ss` comes from Apache Doris (and old StarRocks docs); StarRocks
    /// snapshots carry milliseconds. Copy the value from `SHOW SNAPSHOT ON <repo>`.
    ///
    /// ## Example
    /// ```sql
    /// RESTORE SNAPSHOT d.s FROM repo PROPERTIES ("backup_timestamp" = "2024-12-09 10:25:58");
    /// ```
    /// Use instead:
    /// ```sql
    /// RESTORE SNAPSHOT d.s FROM repo PROPERTIES ("backup_timestamp" = "2024-12-09-10-25-58-842");
    /// ```
    TimestampFormat
}

/// `yyyy-MM-dd-HH-mm-ss` followed by `-SSS` when `millis`.
fn shaped(value: &str, millis: bool) -> bool {
    let groups: &[usize] = if millis {
        &[4, 2, 2, 2, 2, 2, 3]
    } else {
        &[4, 2, 2, 2, 2, 2]
    };
    value.split('-').count() == groups.len()
        && value
            .split('-')
            .zip(groups)
            .all(|(p, &n)| p.len() == n && p.bytes().all(|b| b.is_ascii_digit()))
}

pub(crate) fn check(stmt: &Statement, cx: &mut RuleCx<'_>) {
    let Statement::Restore(r) = stmt else { return };
    let Some(p) = property(r.properties.as_ref(), "backup_timestamp") else {
        return;
    };
    let value = &p.value.value;
    if shaped(value, true) {
        return;
    }
    let doris = shaped(value, false);
    let message = if doris {
        format!("`backup_timestamp` \"{value}\" has no milliseconds: StarRocks snapshots are named `yyyy-MM-dd-HH-mm-ss-SSS`")
    } else {
        format!("`backup_timestamp` \"{value}\" is not shaped `yyyy-MM-dd-HH-mm-ss-SSS`")
    };
    cx.report(Rule::TimestampFormat, p.value.span, message).help(if doris {
        "the seconds-only form is Apache Doris's (and old StarRocks docs'); copy the Timestamp column of `SHOW SNAPSHOT ON <repo> WHERE SNAPSHOT = '<label>'`"
    } else {
        "copy the Timestamp column of `SHOW SNAPSHOT ON <repo> WHERE SNAPSHOT = '<label>'`, e.g. \"2024-12-09-10-25-58-842\""
    });
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{findings, fires};

    const OK: &str = "RESTORE SNAPSHOT d.s FROM r PROPERTIES (\"backup_timestamp\" = \"2024-12-09-10-25-58-842\");";

    #[test]
    fn fires_on_other_shapes() {
        assert!(fires("L004", &OK.replace("-842", "")));
        assert!(fires(
            "L004",
            &OK.replace("2024-12-09-10-25-58-842", "2024-12-09 10:25:58")
        ));
        let doris = findings(&OK.replace("-842", ""));
        assert!(doris.iter().any(|d| d.message.contains("no milliseconds")));
    }

    #[test]
    fn silent_on_millisecond_form_or_missing() {
        assert!(!fires("L004", OK));
        assert!(!fires("L004", "RESTORE SNAPSHOT d.s FROM r;"));
    }
}
