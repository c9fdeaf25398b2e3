//! Human views of a plan, as Strings (the CLI prints them): [`text`] in the manner of
//! `terraform plan` (destructive steps first, a one-line summary), [`markdown`] for a pull
//! request comment (under [`MARKDOWN_LIMIT`] characters, details collapsed, truncated with a
//! note), and [`compare`] (a unified diff of two text renderings).

use std::fmt::Write;

use super::{Action, BackupKind, Plan, Step, StepObject};

/// GitHub refuses comments above 65,536 characters; stay well under.
pub const MARKDOWN_LIMIT: usize = 60_000;

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `Plan: 2 backups (1 full, 1 incremental), 1 repository to create.`
pub fn summary_line(plan: &Plan) -> String {
    if plan.steps.is_empty() {
        return "No changes. Nothing to back up: the cluster matches the last backups.".into();
    }
    let s = &plan.summary;
    let count = |a: Action| s.by_action.get(a.as_str()).copied().unwrap_or(0);
    let mut parts = Vec::new();
    let backups = count(Action::Backup);
    if backups > 0 {
        let mut kinds = Vec::new();
        if s.full_backups > 0 {
            kinds.push(format!("{} full", s.full_backups));
        }
        if s.incremental_backups > 0 {
            kinds.push(format!("{} incremental", s.incremental_backups));
        }
        let detail = if kinds.is_empty() {
            String::new()
        } else {
            format!(" ({})", kinds.join(", "))
        };
        parts.push(format!("{}{detail}", plural(backups, "backup", "backups")));
    }
    let repos = count(Action::CreateRepository);
    if repos > 0 {
        parts.push(format!(
            "{} to create",
            plural(repos, "repository", "repositories")
        ));
    }
    if s.expired_sets > 0 {
        parts.push(format!(
            "{} to expire",
            plural(s.expired_sets, "set", "sets")
        ));
    }
    for (action, one, many) in [
        (Action::Restore, "restore", "restores"),
        (
            Action::RestoreCatalogs,
            "external-catalog restore",
            "external-catalog restores",
        ),
        (Action::Swap, "table swap", "table swaps"),
        (
            Action::DropRepository,
            "repository to drop",
            "repositories to drop",
        ),
        (
            Action::DropSnapshot,
            "snapshot to drop",
            "snapshots to drop",
        ),
        (
            Action::Sql,
            "hand-written statement",
            "hand-written statements",
        ),
        (
            Action::CreateDatabase,
            "scratch database",
            "scratch databases",
        ),
        (Action::CreateTableLike, "table copy", "table copies"),
        (Action::Copy, "data copy", "data copies"),
        (Action::Verify, "verification", "verifications"),
        (
            Action::Activate,
            "materialized view to activate",
            "materialized views to activate",
        ),
        (Action::DropTable, "table to drop", "tables to drop"),
        (Action::DropPartitions, "partition drop", "partition drops"),
        (
            Action::DropDatabase,
            "database to drop",
            "databases to drop",
        ),
    ] {
        let n = count(action);
        if n > 0 {
            let mut part = plural(n, one, many);
            if action == Action::Sql {
                part.push_str(&handwritten_kinds(plan));
            }
            parts.push(part);
        }
    }
    let mut line = format!("Plan: {}.", parts.join(", "));
    if s.destructive > 0 {
        line.push_str(&format!(" {} destructive.", s.destructive));
    }
    line
}

/// ` (1 restore, 1 swap)`: what the hand-written statements are.
fn handwritten_kinds(plan: &Plan) -> String {
    let mut kinds: std::collections::BTreeMap<&'static str, u64> = Default::default();
    for s in &plan.steps {
        if let super::Op::Sql(q) = &s.op {
            let name = match q.statement {
                Action::Sql => "other",
                a => a.as_str(),
            };
            *kinds.entry(name).or_insert(0) += 1;
        }
    }
    let list: Vec<String> = kinds.iter().map(|(k, n)| format!("{n} {k}")).collect();
    format!(" ({})", list.join(", "))
}

/// Steps in display order: destructive first, then the rest, each in plan order.
fn display_order(plan: &Plan) -> Vec<&Step> {
    let mut steps: Vec<&Step> = plan.steps.iter().filter(|s| s.destructive()).collect();
    steps.extend(plan.steps.iter().filter(|s| !s.destructive()));
    steps
}

fn symbol(step: &Step) -> &'static str {
    if step.destructive() {
        "-/+"
    } else {
        "  +"
    }
}

fn title(step: &Step) -> String {
    let mut t = match &step.op {
        super::Op::Sql(q) => format!("sql {}", q.statement.as_str()),
        op => op.action().as_str().to_string(),
    };
    let repo = match step.action() {
        Action::CreateRepository | Action::DropRepository => step.repository(),
        _ => None,
    };
    for part in [
        step.group(),
        step.database(),
        repo,
        touched(step).as_deref(),
    ]
    .into_iter()
    .flatten()
    {
        t.push(' ');
        t.push_str(part);
    }
    if let Some(k) = step.kind() {
        t.push(' ');
        t.push_str(k.as_str());
    }
    if let Some(c) = step.chunk() {
        t.push_str(&format!(" (part {} of {})", c.index, c.count));
    }
    t
}

/// Where retention keeps sets: a database, or (empty) the group's external-catalog sets.
fn retention_scope(database: &str) -> &str {
    if database.is_empty() {
        "external catalogs"
    } else {
        database
    }
}

/// The table a restore-family step touches (`db.table`), for its title.
fn touched(step: &Step) -> Option<String> {
    use super::Op;
    match &step.op {
        Op::CreateTableLike(c) => Some(c.table.clone()),
        Op::Copy(c) => Some(c.table.clone()),
        Op::Verify(v) => Some(v.table.clone()),
        Op::Swap(s) => Some(s.table.clone()),
        Op::Activate(a) => Some(a.materialized_view.clone()),
        Op::DropTable(t) => Some(t.table.clone()),
        Op::DropPartitions(d) => Some(d.table.clone()),
        Op::Expire(e) => Some(e.set.clone()),
        _ => None,
    }
}

/// What a restore-family step reads and writes, one field each.
fn op_fields(step: &Step) -> Vec<(&'static str, String)> {
    use super::{Onto, Op};
    let mut v = Vec::new();
    match &step.op {
        Op::Restore(r) => {
            v.push((
                "snapshot",
                format!("{} ({})", r.snapshot, r.backup_timestamp),
            ));
            let into = if r.scratch {
                format!("{} (scratch) from {}", r.database, r.source_database)
            } else {
                format!("{} from {}", r.database, r.source_database)
            };
            v.push(("into", into));
            for t in &r.tables {
                let alias = t
                    .alias
                    .as_ref()
                    .map(|a| format!(" as {a}"))
                    .unwrap_or_default();
                let parts = if t.partitions.is_empty() {
                    "whole".to_string()
                } else {
                    format!(
                        "{} partitions: {}",
                        t.partitions.len(),
                        t.partitions.join(", ")
                    )
                };
                let onto = match t.onto {
                    Onto::New => "new",
                    Onto::Assembled => "adds to the table restored before",
                    Onto::Live => "OVERWRITES the live table",
                };
                v.push(("table", format!("{}{alias} ({parts}; {onto})", t.name)));
            }
            if !r.functions.is_empty() {
                v.push(("functions", r.functions.join(", ")));
            }
            if let Some(why) = &r.why {
                v.push(("why", why.clone()));
            }
        }
        Op::RestoreCatalogs(r) => {
            v.push((
                "snapshot",
                format!("{} ({})", r.snapshot, r.backup_timestamp),
            ));
            v.push(("catalogs", r.catalogs.join(", ")));
        }
        Op::CreateTableLike(c) => v.push(("like", format!("{}.{}", c.like_database, c.like_table))),
        Op::Copy(c) => v.push(("from", format!("{}.{}", c.from_database, c.from_table))),
        Op::Verify(x) => v.push((
            "checks",
            format!(
                "{} partitions exactly, {} visible versions, {} row counts, schema {}",
                x.partitions.len(),
                x.partitions
                    .iter()
                    .filter(|p| p.visible_version.is_some())
                    .count(),
                x.partitions.iter().filter(|p| p.rows.is_some()).count(),
                x.schema_fingerprint.chars().take(12).collect::<String>()
            ),
        )),
        Op::Swap(s) => v.push(("with", s.with.clone())),
        Op::DropPartitions(d) => {
            v.push(("partitions", d.partitions.join(", ")));
            v.push(("why", d.why.clone()));
        }
        Op::DropTable(t) => v.push(("why", t.why.clone())),
        Op::Expire(e) => {
            v.push(("set", e.set.clone()));
            for l in &e.labels {
                let ts = l
                    .snapshot_timestamp
                    .as_ref()
                    .map(|t| format!(" ({t})"))
                    .unwrap_or_default();
                v.push(("snapshot", format!("{}{ts}", l.label)));
            }
            v.push((
                "how",
                match e.how {
                    super::ExpireHow::DropSnapshot => "DROP SNAPSHOT (StarRocks 4.2+)".to_string(),
                    super::ExpireHow::DeleteObjects => {
                        "delete the snapshot's objects in the repository (StarRocks before 4.2 cannot drop a snapshot)".to_string()
                    }
                },
            ));
        }
        _ => {}
    }
    v
}

fn object_line(o: &StepObject) -> String {
    let kind = match o.kind {
        super::ObjectKind::Table => "table",
        super::ObjectKind::MaterializedView => "materialized view",
        super::ObjectKind::View => "view",
        super::ObjectKind::Functions => "functions",
        super::ObjectKind::ExternalCatalog => "external catalog",
    };
    if o.partition_count == 0 {
        format!("{kind} {}", o.name)
    } else {
        format!(
            "{kind} {} ({})",
            o.name,
            plural(o.partition_count, "partition", "partitions")
        )
    }
}

fn partition_lines(o: &StepObject, full: bool, out: &mut Vec<String>) {
    for p in &o.partitions {
        if full {
            out.push(format!(
                "    {}.{}  id {}, version {}",
                o.name, p.name, p.id, p.visible_version
            ));
            continue;
        }
        out.push(match p.previous {
            Some(prev) if prev.id != p.id => format!(
                "-/+ {}.{}  id {} -> {}, version {} -> {}",
                o.name, p.name, prev.id, p.id, prev.visible_version, p.visible_version
            ),
            Some(prev) => format!(
                "  ~ {}.{}  id {}, version {} -> {}",
                o.name, p.name, p.id, prev.visible_version, p.visible_version
            ),
            None => format!(
                "  + {}.{}  id {}, version {} (new)",
                o.name, p.name, p.id, p.visible_version
            ),
        });
    }
}

/// `      name:       value` with values aligned.
/// One `name: value` line; names from the cluster cannot spoof a reviewer's terminal
/// (controls, bidirectional and zero-width characters are shown escaped).
fn field(out: &mut String, name: &str, value: &str) {
    let value = crate::escape::escape_controls(value);
    let _ = writeln!(out, "      {:<12}{value}", format!("{name}:"));
}

/// A line of SQL: shown as it is, but for controls.
fn sql_line(out: &mut String, name: &str, line: &str) {
    let line = crate::escape::escape_controls_keep_lines(line);
    let _ = writeln!(out, "      {:<12}{line}", name);
}

/// The terraform-style text view.
pub fn text(plan: &Plan) -> String {
    let mut out = String::new();
    let fp: String = plan.fingerprint.chars().take(12).collect();
    let _ = writeln!(
        out,
        "starsnap plan as of {} (cluster {}, fingerprint {fp})",
        plan.as_of, plan.observed.cluster_version
    );
    out.push('\n');
    for n in &plan.notes {
        let _ = writeln!(out, "Note: {}", crate::escape::escape_controls(n));
    }
    if !plan.notes.is_empty() {
        out.push('\n');
    }
    if plan.steps.is_empty() {
        let _ = writeln!(out, "{}", summary_line(plan));
        return out;
    }
    let _ = writeln!(
        out,
        "starsnap will perform the following actions (  + create, -/+ replace or delete):"
    );
    for step in display_order(plan) {
        out.push('\n');
        let _ = writeln!(
            out,
            "{} {}",
            symbol(step),
            crate::escape::escape_controls(&title(step))
        );
        field(&mut out, "id", &step.id);
        field(
            &mut out,
            "reason",
            &format!("{} ({})", step.reason.as_str(), step.detail),
        );
        if let Some(label) = step.label() {
            let parent = step
                .parent()
                .map(|p| format!(" (parent {p})"))
                .unwrap_or_default();
            field(&mut out, "label", &format!("{label}{parent}"));
        }
        if let Some(repo) = step.repository() {
            field(&mut out, "repository", repo);
        }
        if let Some(src) = step.source() {
            field(&mut out, "source", &format!("{}:{}", src.file, src.line));
        }
        for o in step.objects() {
            field(&mut out, "object", &object_line(o));
        }
        for (name, value) in op_fields(step) {
            field(&mut out, name, &value);
        }
        let mut parts = Vec::new();
        for o in step.objects() {
            partition_lines(o, step.kind() != Some(BackupKind::Incremental), &mut parts);
        }
        for line in parts {
            let _ = writeln!(out, "      {line}");
        }
        let env = step.env();
        if !env.is_empty() {
            field(&mut out, "env", &env.join(", "));
        }
        if !step.depends_on.is_empty() {
            field(&mut out, "after", &step.depends_on.join(", "));
        }
        for (i, line) in step.sql.lines().enumerate() {
            sql_line(&mut out, if i == 0 { "sql:" } else { "" }, line);
        }
    }
    for r in &plan.retention {
        out.push('\n');
        let _ = writeln!(
            out,
            "Retention keeps in {} (group {}, repository {}):",
            retention_scope(&r.database),
            r.group,
            r.repository
        );
        let width = r.kept.iter().map(|k| k.set.len()).max().unwrap_or(0) + 2;
        for k in &r.kept {
            let _ = writeln!(out, "      {:<width$}{}", k.set, k.rules.join(", "));
        }
    }
    out.push('\n');
    let _ = writeln!(out, "{}", summary_line(plan));
    out
}

fn cell(s: &str) -> String {
    crate::escape::markdown_text(s)
}

fn code(s: &str) -> String {
    crate::escape::markdown_code(s)
}

fn details(step: &Step) -> String {
    let mut d = String::new();
    let _ = writeln!(
        d,
        "<details><summary>{} <code>{}</code></summary>\n",
        symbol(step).trim(),
        cell(&title(step))
    );
    let _ = writeln!(d, "- id: {}", code(&step.id));
    let _ = writeln!(
        d,
        "- reason: `{}`: {}",
        step.reason.as_str(),
        cell(&step.detail)
    );
    if let Some(label) = step.label() {
        let _ = writeln!(d, "- label: {}", code(label));
    }
    if let Some(p) = step.parent() {
        let _ = writeln!(d, "- parent: {}", code(p));
    }
    for (name, value) in op_fields(step) {
        let _ = writeln!(d, "- {name}: {}", cell(&value));
    }
    if let Some(src) = step.source() {
        let _ = writeln!(
            d,
            "- source: {}",
            code(&format!("{}:{}", src.file, src.line))
        );
    }
    for o in step.objects() {
        let _ = writeln!(d, "- {}", cell(&object_line(o)));
    }
    let mut parts = Vec::new();
    for o in step.objects() {
        partition_lines(o, step.kind() != Some(BackupKind::Incremental), &mut parts);
    }
    if !parts.is_empty() {
        d.push_str("\n```diff\n");
        for p in parts {
            let _ = writeln!(
                d,
                "{}",
                p.trim_start().replacen("-/+", "!", 1).replacen('~', "!", 1)
            );
        }
        d.push_str("```\n");
    }
    let fence = crate::escape::markdown_fence(&step.sql);
    let sql = crate::escape::escape_controls_keep_lines(&step.sql);
    let _ = writeln!(d, "\n{fence}sql\n{sql}\n{fence}\n\n</details>\n");
    d
}

/// Markdown for a pull-request comment, at most `MARKDOWN_LIMIT` characters.
pub fn markdown(plan: &Plan) -> String {
    markdown_with_limit(plan, MARKDOWN_LIMIT)
}

/// Markdown of at most `limit` characters (steps that do not fit are left out with a note).
pub fn markdown_with_limit(plan: &Plan, limit: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "### starsnap plan\n\n**{}**\n", summary_line(plan));
    let fp: String = plan.fingerprint.chars().take(12).collect();
    let _ = writeln!(
        out,
        "as of {} · cluster {} · fingerprint {}\n",
        code(&plan.as_of),
        code(&plan.observed.cluster_version),
        code(&fp)
    );
    for n in &plan.notes {
        let _ = writeln!(out, "> **Note:** {}\n", crate::escape::markdown_text(n));
    }
    if plan.steps.is_empty() {
        return out;
    }
    let steps = display_order(plan);
    let mut table = String::from("| | action | group | database | kind | reason | label | partitions |\n|---|---|---|---|---|---|---|---|\n");
    let mut rows = Vec::new();
    for s in &steps {
        rows.push(format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
            symbol(s).trim(),
            s.action().as_str(),
            cell(s.group().unwrap_or("")),
            cell(s.database().unwrap_or("")),
            s.kind().map(BackupKind::as_str).unwrap_or(""),
            s.reason.as_str(),
            s.label().map(code).unwrap_or_default(),
            s.partition_count()
        ));
    }
    let note_reserve = 200;
    let budget = limit.saturating_sub(note_reserve);
    let mut shown_rows = 0;
    for r in &rows {
        if out.len() + table.len() + r.len() > budget {
            break;
        }
        table.push_str(r);
        shown_rows += 1;
    }
    out.push_str(&table);
    out.push('\n');
    for r in &plan.retention {
        let mut k = format!(
            "<details><summary>retention keeps {} sets of {} (group {})</summary>\n\n| set | kept by |\n|---|---|\n",
            r.kept.len(),
            if r.database.is_empty() {
                retention_scope("").to_string()
            } else {
                code(&r.database)
            },
            code(&r.group)
        );
        for set in &r.kept {
            let _ = writeln!(
                k,
                "| {} | {} |",
                code(&set.set),
                cell(&set.rules.join(", "))
            );
        }
        k.push_str("\n</details>\n\n");
        if out.len() + k.len() <= budget {
            out.push_str(&k);
        }
    }
    let mut shown_details = 0;
    if shown_rows == rows.len() {
        for s in &steps {
            let d = details(s);
            if out.len() + d.len() > budget {
                break;
            }
            out.push_str(&d);
            shown_details += 1;
        }
    }
    if shown_details < steps.len() {
        let _ = writeln!(
            out,
            "\n_Truncated to stay under {limit} characters: {shown_rows} of {} steps listed, {shown_details} with details. Run `starsnap show plan.json` for the whole plan._",
            steps.len()
        );
    }
    out
}

/// A unified diff of the text renderings of two plans (empty when they render the same).
pub fn compare(old: &Plan, new: &Plan) -> String {
    let (a, b) = (text(old), text(new));
    if a == b {
        return String::new();
    }
    similar::TextDiff::from_lines(&a, &b)
        .unified_diff()
        .context_radius(3)
        .header("old plan", "new plan")
        .to_string()
}
