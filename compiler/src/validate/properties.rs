//! PROPERTIES checks of BACKUP and RESTORE (spec §2.1 step 5, §2.3 step 2). StarRocks keeps
//! properties in a Java `HashMap` (trimmed key, last duplicate wins) and checks them in that
//! map's iteration order; the first bad one is what the client sees. Findings are emitted in the
//! same order, so the first finding is StarRocks's answer.

use super::java::{self, JavaHashMap};
use super::{Check, Cx};
use crate::span::Span;
use crate::syntax::ast::{Properties, Property};
use crate::syntax::Dialect;

/// The properties as StarRocks's map holds them: key → the property that supplied the value.
fn java_map(props: Option<&Properties>) -> JavaHashMap<&Property> {
    let mut map = JavaHashMap::new();
    for p in props.map(|p| p.items.as_slice()).unwrap_or(&[]) {
        map.put(java::trim(&p.key.value).to_string(), p);
    }
    map
}

/// `setPropTimeout`: `Long.parseLong`, then `seconds * 1000 < 600000` (Java `long`
/// arithmetic, wrapping) means too short.
fn check_timeout(cx: &mut Cx<'_>, p: &Property) {
    let value = &p.value.value;
    match java::parse_long(value) {
        None => {
            cx.emit(
                Check::InvalidTimeout,
                p.value.span,
                format!("`timeout` must be an integer number of seconds, not \"{value}\""),
                "write the timeout in seconds, e.g. \"timeout\" = \"86400\" for one day",
                String::new(),
                &format!("Invalid timeout format: {value}"),
            );
        }
        Some(secs) if secs.wrapping_mul(1000) < 600_000 => {
            cx.emit(
                Check::TimeoutTooShort,
                p.value.span,
                format!("`timeout` of {secs} seconds is below StarRocks's minimum of 600"),
                "use at least \"600\" (10 minutes); the default is 86400 (one day)",
                String::new(),
                "timeout must be at least 10 min",
            );
        }
        Some(_) => {}
    }
}

fn check_int(cx: &mut Cx<'_>, key: &str, p: &Property) {
    let value = &p.value.value;
    if java::parse_int(value).is_none() {
        cx.emit(
            Check::InvalidIntProperty,
            p.value.span,
            format!("`{key}` must be a 32-bit integer, not \"{value}\""),
            format!("write a whole number, e.g. \"{key}\" = \"1\" (StarRocks's message says 'meta version' for all three properties)"),
            String::new(),
            &format!("Invalid meta version format: {value}"),
        );
    }
}

/// `ttl` (StarRocks 4.2, `SnapshotTtl.parse`): empty or blank = forever; else `<n> <unit>`
/// with a positive `n`.
fn check_ttl(cx: &mut Cx<'_>, p: &Property) {
    let value = &p.value.value;
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return;
    }
    const UNITS: &[&str] = &["second", "minute", "hour", "day", "week", "month", "year"];
    let mut parts = trimmed.split_whitespace();
    let (Some(n), Some(unit), None) = (parts.next(), parts.next(), parts.next()) else {
        return emit_invalid_ttl(cx, p);
    };
    let unit = unit.to_ascii_lowercase();
    let unit = unit.strip_suffix('s').unwrap_or(&unit);
    if !UNITS.contains(&unit) {
        return emit_invalid_ttl(cx, p);
    }
    match java::parse_long(n) {
        None => emit_invalid_ttl(cx, p),
        Some(v) if v <= 0 => {
            cx.emit(
                Check::NonPositiveTtl,
                p.value.span,
                format!("`ttl` must be a positive duration, not \"{value}\""),
                "write a positive duration such as \"7 DAY\", or an empty value to keep the snapshot forever",
                String::new(),
                &format!("ttl must be a positive duration, but got: {value}"),
            );
        }
        Some(_) => {}
    }
}

fn emit_invalid_ttl(cx: &mut Cx<'_>, p: &Property) {
    let value = &p.value.value;
    cx.emit(
        Check::InvalidTtl,
        p.value.span,
        format!("`ttl` \"{value}\" is not a duration StarRocks understands"),
        "write `<n> <unit>` with unit SECOND, MINUTE, HOUR, DAY, WEEK, MONTH or YEAR, e.g. \"7 DAY\"",
        String::new(),
        &format!("Invalid ttl: '{value}'. Expected a duration such as '7 DAY' or '12 HOUR', or an empty value to keep the snapshot forever"),
    );
}

/// Reports the unknown keys left over, at the first one's span, as StarRocks does (one error
/// listing all of them in map order).
fn emit_unknown(
    cx: &mut Cx<'_>,
    check: Check,
    what: &str,
    unknown: &JavaHashMap<&Property>,
    known: &str,
) {
    let Some((_, first)) = unknown.iter().next() else {
        return;
    };
    let keys: Vec<&str> = unknown.keys().collect();
    let list = java::set_to_string(keys.iter().copied());
    let message = format!(
        "unknown {what} {} {list}",
        if keys.len() == 1 {
            "property"
        } else {
            "properties"
        }
    );
    let help = format!(
        "StarRocks {} accepts only {known}; keys are case-sensitive",
        cx.dialect().version()
    );
    let detail = format!("Unknown {what} job properties: {list}");
    let first_span = first.key.span;
    let others: Vec<Span> = unknown.iter().skip(1).map(|(_, p)| p.key.span).collect();
    let d = cx.emit(check, first_span, message, help, String::new(), &detail);
    for s in others {
        d.labels.push(crate::diagnostic::Label {
            span: s,
            message: "also unknown".to_string(),
        });
    }
}

/// `analyzeBackupProperties`.
pub fn check_backup(cx: &mut Cx<'_>, props: Option<&Properties>) {
    let map = java_map(props);
    let mut unknown = JavaHashMap::new();
    let has_ttl = cx.dialect() >= Dialect::StarRocks4_2;
    for (key, p) in map.iter() {
        match key {
            "timeout" => check_timeout(cx, p),
            "type" => {
                let upper = java::to_upper_case(&p.value.value);
                if upper != "FULL" && upper != "INCREMENTAL" {
                    let value = &p.value.value;
                    cx.emit(
                        Check::InvalidBackupType,
                        p.value.span,
                        format!("backup `type` must be \"full\" or \"incremental\", not \"{value}\""),
                        "write \"type\" = \"full\" (StarRocks takes only full snapshots; starsnap plans incrementals itself)",
                        String::new(),
                        &format!("Invalid backup job type: {value}"),
                    );
                }
            }
            "ttl" if has_ttl => check_ttl(cx, p),
            _ => unknown.put(key.to_string(), *p),
        }
    }
    let known = if has_ttl {
        "\"type\", \"timeout\" and \"ttl\""
    } else {
        "\"type\" and \"timeout\""
    };
    emit_unknown(cx, Check::UnknownBackupProperty, "backup", &unknown, known);
}

/// The RESTORE property loop plus the two final checks (missing `backup_timestamp`, then
/// unknown keys).
pub fn check_restore(cx: &mut Cx<'_>, props: Option<&Properties>, stmt_span: Span) {
    let original = java_map(props);
    let mut copied = JavaHashMap::copy_of(&original);
    let mut has_timestamp = false;
    let keys: Vec<String> = copied.keys().map(str::to_string).collect();
    for key in keys {
        let Some(&p) = copied.get(&key) else {
            continue;
        };
        let known = match key.as_str() {
            "timeout" => {
                check_timeout(cx, p);
                true
            }
            "allow_load" => {
                let value = &p.value.value;
                if !java::equals_ignore_case(value, "true")
                    && !java::equals_ignore_case(value, "false")
                {
                    cx.emit(
                        Check::InvalidAllowLoad,
                        p.value.span,
                        format!("`allow_load` must be \"true\" or \"false\", not \"{value}\""),
                        "write \"allow_load\" = \"false\" (StarRocks 3.4 records the value but ignores it)",
                        String::new(),
                        &format!("Invalid allow load value: {value}"),
                    );
                }
                true
            }
            "replication_num" | "meta_version" | "starrocks_meta_version" => {
                check_int(cx, &key, p);
                true
            }
            "backup_timestamp" => {
                has_timestamp = true;
                true
            }
            _ => false,
        };
        if known {
            copied.remove(&key);
        }
    }
    if !has_timestamp {
        let span = props.map(|p| p.span).unwrap_or(stmt_span);
        cx.emit(
            Check::MissingBackupTimestamp,
            span,
            "RESTORE needs the `backup_timestamp` property",
            "find the snapshot's timestamp with `SHOW SNAPSHOT ON <repo> WHERE SNAPSHOT = '<label>'` and add PROPERTIES (\"backup_timestamp\" = \"yyyy-MM-dd-HH-mm-ss-SSS\")",
            String::new(),
            "Missing backup_timestamp property",
        );
    }
    emit_unknown(
        cx,
        Check::UnknownRestoreProperty,
        "restore",
        &copied,
        "\"backup_timestamp\", \"timeout\", \"allow_load\", \"replication_num\", \"meta_version\" and \"starrocks_meta_version\"",
    );
}
