//! L009 short-timeout.

use super::{
    named_objects, property, selects_everything_of_a_kind, DiagnosticExt, RuleCx, Statement,
};
use crate::lint::registry::{rule_doc, Rule};
use crate::validate::java;

rule_doc! {
    /// ## What it does
    /// Flags a BACKUP or RESTORE `timeout` below StarRocks's default of one day (86400
    /// seconds) when the job covers a whole database (no `ON`, or `ALL …`) or ten or more
    /// objects. Timeouts under 600 seconds are StarRocks's own error (`V010`).
    ///
    /// ## Why is this bad?
    /// The timeout covers the whole job: snapshotting, uploading or downloading every tablet.
    /// A big job that hits it is cancelled (`[TIMEOUT, msg: …]`) and its work is lost; for a
    /// RESTORE the tables stay unreadable until then. A short timeout is rarely what a
    /// whole-database job needs.
    ///
    /// ## Example
    /// ```sql
    /// BACKUP DATABASE d SNAPSHOT s TO repo PROPERTIES ("timeout" = "1800");
    /// ```
    /// Use instead:
    /// ```sql
    /// BACKUP DATABASE d SNAPSHOT s TO repo PROPERTIES ("timeout" = "86400");
    /// ```
    ShortTimeout
}

const DEFAULT_TIMEOUT_SECS: i64 = 86_400;
const MANY_OBJECTS: usize = 10;

pub(crate) fn check(stmt: &Statement, cx: &mut RuleCx<'_>) {
    let (props, on, what) = match stmt {
        Statement::Backup(b) if b.catalogs.is_none() => {
            (b.properties.as_ref(), b.on.as_ref(), "BACKUP")
        }
        Statement::Restore(r) if r.catalogs.is_none() => {
            (r.properties.as_ref(), r.on.as_ref(), "RESTORE")
        }
        _ => return,
    };
    let Some(p) = property(props, "timeout") else {
        return;
    };
    let Some(secs) = java::parse_long(&p.value.value) else {
        return;
    };
    if !(600..DEFAULT_TIMEOUT_SECS).contains(&secs) {
        return;
    }
    let many = named_objects(on).count() >= MANY_OBJECTS;
    if !(selects_everything_of_a_kind(on) || many) {
        return;
    }
    cx.report(
        Rule::ShortTimeout,
        p.value.span,
        format!("a {secs}-second timeout for a {what} of a whole database is shorter than StarRocks's one-day default"),
    )
    .help("a job that times out is cancelled and its work lost; omit `timeout` (86400) or size it from past jobs in SHOW BACKUP/SHOW RESTORE");
}

#[cfg(test)]
mod tests {
    use super::super::test_support::fires;

    #[test]
    fn fires_on_short_whole_database_job() {
        assert!(fires(
            "L009",
            "BACKUP DATABASE d SNAPSHOT s TO r PROPERTIES (\"timeout\" = \"1800\");"
        ));
    }

    #[test]
    fn silent_on_default_or_small_jobs() {
        assert!(!fires(
            "L009",
            "BACKUP DATABASE d SNAPSHOT s TO r PROPERTIES (\"timeout\" = \"86400\");"
        ));
        assert!(!fires(
            "L009",
            "BACKUP DATABASE d SNAPSHOT s TO r ON (TABLE t) PROPERTIES (\"timeout\" = \"1800\");"
        ));
    }
}
