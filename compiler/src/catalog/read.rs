//! Reading and writing catalog JSON: a clear error with line:column for malformed files, and a
//! clear refusal of a `format_version` this build does not know.

use std::fmt;

use super::{ObservedCatalog, CATALOG_FORMAT_VERSION};

/// Why a catalog file could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CatalogReadError {
    /// Not JSON, or JSON of the wrong shape (serde_json's message, with line and column).
    Malformed {
        line: usize,
        column: usize,
        message: String,
    },
    /// No `format_version` field, or one that is not an integer.
    MissingVersion,
    /// A `format_version` this build does not read.
    UnsupportedVersion(u64),
    /// Well-formed JSON that cannot describe a cluster (a name listed twice).
    Invalid(String),
}

impl fmt::Display for CatalogReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CatalogReadError::Malformed {
                line,
                column,
                message,
            } => write!(
                f,
                "malformed catalog at line {line}, column {column}: {message}"
            ),
            CatalogReadError::MissingVersion => f.write_str(
                "the catalog has no integer `format_version`; write it with `starsnap inspect --out catalog.json`",
            ),
            CatalogReadError::Invalid(why) => write!(f, "invalid catalog: {why}"),
            CatalogReadError::UnsupportedVersion(v) => write!(
                f,
                "catalog format_version {v} is not supported by this starsnap (it reads version {CATALOG_FORMAT_VERSION}); re-run `starsnap inspect` with this version"
            ),
        }
    }
}

impl std::error::Error for CatalogReadError {}

fn malformed(e: &serde_json::Error) -> CatalogReadError {
    // serde_json's Display appends " at line L column C"; keep only the message.
    let text = e.to_string();
    let message = match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    };
    CatalogReadError::Malformed {
        line: e.line(),
        column: e.column(),
        message,
    }
}

/// Reads a catalog JSON document (any key order, any list order).
pub fn from_json(text: &str) -> Result<ObservedCatalog, CatalogReadError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| malformed(&e))?;
    match value
        .get("format_version")
        .and_then(serde_json::Value::as_u64)
    {
        None => return Err(CatalogReadError::MissingVersion),
        Some(v) if v != u64::from(CATALOG_FORMAT_VERSION) => {
            return Err(CatalogReadError::UnsupportedVersion(v))
        }
        Some(_) => {}
    }
    // Deserialize from the text (not the Value) so shape errors keep their line and column.
    let catalog: ObservedCatalog = serde_json::from_str(text).map_err(|e| malformed(&e))?;
    check_unique(&catalog)?;
    Ok(catalog)
}

/// Names are keys: a database, table, partition, repository or backup label listed twice
/// would make the plan depend on the order of the file.
fn check_unique(c: &ObservedCatalog) -> Result<(), CatalogReadError> {
    fn dup<'a>(what: &str, names: impl Iterator<Item = &'a str>) -> Result<(), CatalogReadError> {
        let mut seen = std::collections::BTreeSet::new();
        for n in names {
            if !seen.insert(n) {
                return Err(CatalogReadError::Invalid(format!(
                    "{what} `{n}` is listed twice"
                )));
            }
        }
        Ok(())
    }
    dup("database", c.databases.iter().map(|d| d.name.as_str()))?;
    for d in &c.databases {
        dup(
            &format!("table of database `{}`", d.name),
            d.tables.iter().map(|t| t.name.as_str()),
        )?;
        for t in &d.tables {
            dup(
                &format!("partition of table `{}.{}`", d.name, t.name),
                t.partitions.iter().map(|p| p.name.as_str()),
            )?;
        }
    }
    dup("repository", c.repositories.iter().map(|r| r.name.as_str()))?;
    dup(
        "backup label",
        c.history.backups.iter().map(|b| b.label.as_str()),
    )
}

/// The canonical JSON of a catalog (normalized order, sorted keys, two-space indent).
pub fn to_json(catalog: &ObservedCatalog) -> String {
    let value = serde_json::to_value(catalog.normalized()).unwrap_or(serde_json::Value::Null);
    crate::plan::canonical::to_string(&value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_json_reports_line_and_column() {
        let err = from_json("{\n  \"format_version\": 1,\n  \"cluster\": {\"version\": 3}\n}")
            .expect_err("wrong type");
        match err {
            CatalogReadError::Malformed { line, .. } => assert_eq!(line, 3),
            other => panic!("unexpected {other:?}"),
        }
        let err = from_json("{ nope").expect_err("not json");
        assert!(err.to_string().contains("line 1, column 3"), "{err}");
    }

    #[test]
    fn version_is_checked() {
        assert_eq!(
            from_json("{\"format_version\": 7}"),
            Err(CatalogReadError::UnsupportedVersion(7))
        );
        assert_eq!(from_json("{}"), Err(CatalogReadError::MissingVersion));
    }

    #[test]
    fn names_listed_twice_are_refused() {
        let text = r#"{"format_version": 1, "cluster": {"version": "3.4.5"},
            "databases": [{"name": "d"}, {"name": "d"}]}"#;
        let err = from_json(text).expect_err("duplicate");
        assert_eq!(
            err.to_string(),
            "invalid catalog: database `d` is listed twice"
        );
    }

    #[test]
    fn round_trips() {
        let mut c = ObservedCatalog::empty("3.4.5-abcdef0");
        c.databases.push(crate::catalog::Database {
            name: "d".into(),
            ..Default::default()
        });
        let text = to_json(&c);
        assert_eq!(from_json(&text), Ok(c));
    }

    #[test]
    fn restore_facts_are_optional_and_round_trip() {
        let old = r#"{"format_version": 1, "cluster": {"version": "3.4.5"},
            "databases": [{"name": "d", "tables": [{"name": "t", "kind": "OLAP"}]}],
            "history": {"backups": [{"label": "l", "group": "g", "database": "d", "kind": "full",
              "repository": "r", "created_at": "2026-11-21T00:00:00Z", "state": "finished",
              "manifest": [{"table": "t", "partition": "p1", "partition_id": 1, "visible_version": 2}]}]}}"#;
        let mut c = from_json(old).expect("an older catalog still reads");
        let record = serde_json::to_string(&c.history.backups[0]).unwrap_or_default();
        let table = serde_json::to_string(&c.databases[0].tables[0]).unwrap_or_default();
        for absent in [
            "backup_time_ms",
            "objects",
            "functions",
            "rows",
            "partitioning",
        ] {
            assert!(
                !record.contains(absent),
                "{absent} written while empty: {record}"
            );
            assert!(
                !table.contains(absent),
                "{absent} written while empty: {table}"
            );
        }
        c.databases[0].tables[0].partitioning = Some(crate::catalog::Partitioning::ExprRange);
        let b = &mut c.history.backups[0];
        b.backup_time_ms = Some(1_795_000_000_123);
        b.functions = vec!["f".into()];
        b.objects.insert(
            "t".into(),
            crate::catalog::BackedUpObject {
                kind: crate::catalog::TableKind::Olap,
                partitioning: Some(crate::catalog::Partitioning::List),
            },
        );
        b.manifest[0].rows = Some(42);
        let text = to_json(&c);
        assert!(text.contains("\"partitioning\": \"expr_range\""), "{text}");
        assert_eq!(from_json(&text), Ok(c));
    }
}
