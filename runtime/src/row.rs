//! Result sets read by column name (invariant 5). A column's position is never used: StarRocks
//! versions add, move and rename columns (`shared/spec/starrocks-versions.md` §7). SQL NULL is
//! `None`, never a panic.

use std::collections::HashMap;
use std::sync::Arc;

use crate::error::RuntimeError;

/// The rows of one statement, with their column names.
#[derive(Clone, Debug, Default)]
pub struct ResultSet {
    pub statement: String,
    pub columns: Arc<[String]>,
    index: Arc<HashMap<String, usize>>,
    pub rows: Vec<Vec<Option<String>>>,
}

impl ResultSet {
    pub fn new(
        statement: impl Into<String>,
        columns: Vec<String>,
        rows: Vec<Vec<Option<String>>>,
    ) -> Self {
        let mut index = HashMap::with_capacity(columns.len());
        for (i, c) in columns.iter().enumerate() {
            // Exact names; `position` falls back to a case-insensitive scan, because MySQL
            // column titles are case-insensitive and versions spell some differently.
            index.entry(c.clone()).or_insert(i);
        }
        ResultSet {
            statement: statement.into(),
            columns: columns.into(),
            index: Arc::new(index),
            rows,
        }
    }

    pub fn has_column(&self, name: &str) -> bool {
        self.position(name).is_some()
    }

    /// The position of a column, by exact name first, then ignoring ASCII case; no
    /// allocation (this runs once per cell of results with hundreds of thousands of rows).
    fn position(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied().or_else(|| {
            self.columns
                .iter()
                .position(|c| c.eq_ignore_ascii_case(name))
        })
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The rows as [`NamedRow`]s.
    pub fn iter(&self) -> impl Iterator<Item = NamedRow<'_>> {
        self.rows
            .iter()
            .map(move |values| NamedRow { set: self, values })
    }

    /// Fails early, with the columns that exist, when a required column is missing.
    pub fn require(&self, columns: &[&str]) -> Result<(), RuntimeError> {
        for c in columns {
            if !self.has_column(c) {
                return Err(self.missing(c));
            }
        }
        Ok(())
    }

    fn missing(&self, column: &str) -> RuntimeError {
        RuntimeError::MissingColumn {
            statement: self.statement.clone(),
            column: column.to_string(),
            available: self.columns.join(", "),
        }
    }
}

/// One row, read by column name.
#[derive(Clone, Copy, Debug)]
pub struct NamedRow<'a> {
    set: &'a ResultSet,
    values: &'a [Option<String>],
}

impl<'a> NamedRow<'a> {
    /// The cell of `column`: `Ok(None)` for SQL NULL, an error if the column does not exist.
    pub fn get(&self, column: &str) -> Result<Option<&'a str>, RuntimeError> {
        let i = self
            .set
            .position(column)
            .ok_or_else(|| self.set.missing(column))?;
        Ok(self.values.get(i).and_then(|v| v.as_deref()))
    }

    /// A cell that must be present (not NULL).
    pub fn text(&self, column: &str) -> Result<&'a str, RuntimeError> {
        self.get(column)?
            .ok_or_else(|| self.bad(column, "NULL", "a value"))
    }

    /// An optional integer cell.
    pub fn opt_i64(&self, column: &str) -> Result<Option<i64>, RuntimeError> {
        match self.get(column)? {
            None => Ok(None),
            Some(s) if s.trim().is_empty() => Ok(None),
            Some(s) => s
                .trim()
                .parse::<i64>()
                .map(Some)
                .map_err(|_| self.bad(column, s, "an integer")),
        }
    }

    /// An integer cell that must be present.
    pub fn i64(&self, column: &str) -> Result<i64, RuntimeError> {
        self.opt_i64(column)?
            .ok_or_else(|| self.bad(column, "NULL", "an integer"))
    }

    fn bad(&self, column: &str, value: &str, expected: &'static str) -> RuntimeError {
        RuntimeError::BadValue {
            statement: self.set.statement.clone(),
            column: column.to_string(),
            value: value.to_string(),
            expected,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_by_name_case_insensitively_and_null_is_none() {
        let rs = ResultSet::new(
            "SHOW X",
            vec![
                "PartitionId".into(),
                "VisibleVersion".into(),
                "ErrMsg".into(),
            ],
            vec![vec![Some("10".into()), Some("3".into()), None]],
        );
        let row = rs.iter().next().expect("row");
        assert_eq!(row.i64("partitionid").expect("id"), 10);
        assert_eq!(row.get("ErrMsg").expect("col"), None);
        assert!(row.text("ErrMsg").is_err());
        assert!(matches!(
            row.get("Nope"),
            Err(RuntimeError::MissingColumn { .. })
        ));
        assert!(rs.require(&["PartitionId", "Missing"]).is_err());
    }

    #[test]
    fn bad_integers_are_errors_not_panics() {
        let rs = ResultSet::new("q", vec!["n".into()], vec![vec![Some("1.5KB".into())]]);
        let row = rs.iter().next().expect("row");
        assert!(matches!(row.i64("n"), Err(RuntimeError::BadValue { .. })));
    }
}
