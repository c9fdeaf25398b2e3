//! Typed reading of a spanned TOML table: every getter reports a wrong type as a `P003`
//! diagnostic at the value's byte span, and [`Table::finish`] reports every key nobody asked
//! for as `P002` at the key's span. Values that fail are simply absent: the caller falls back
//! to a default and parsing goes on (one mistake gives one diagnostic).

use std::cell::RefCell;
use std::collections::BTreeSet;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::codes;
use crate::diagnostic::Diagnostic;
use crate::span::Span;
use crate::time::parse_duration;

/// Collects diagnostics while a policy is read.
#[derive(Default)]
pub(crate) struct Sink {
    pub diagnostics: RefCell<Vec<Diagnostic>>,
}

impl Sink {
    pub fn push(&self, d: Diagnostic) {
        self.diagnostics.borrow_mut().push(d);
    }
}

pub(crate) fn span_of<T>(s: &Spanned<T>) -> Span {
    let r = s.span();
    Span::new(r.start, r.end)
}

/// A table being read, with the keys used so far.
pub(crate) struct Table<'a, 'i> {
    pub table: &'a DeTable<'i>,
    /// The span of the table (its header or inline table), for "missing key" findings.
    pub span: Span,
    /// Dotted path of the table for messages (`group.sales`).
    pub path: String,
    used: RefCell<BTreeSet<String>>,
    sink: &'a Sink,
}

/// What a typed value is expected to be, for messages.
fn type_name(v: &DeValue<'_>) -> &'static str {
    v.type_str()
}

impl<'a, 'i> Table<'a, 'i> {
    pub fn new(table: &'a DeTable<'i>, span: Span, path: String, sink: &'a Sink) -> Self {
        Table {
            table,
            span,
            path,
            used: RefCell::new(BTreeSet::new()),
            sink,
        }
    }

    fn key_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// The raw value of `key`, marking it used.
    pub fn get(&self, key: &str) -> Option<&'a Spanned<DeValue<'i>>> {
        self.used.borrow_mut().insert(key.to_string());
        self.table.get(key)
    }

    fn wrong_type(&self, key: &str, v: &Spanned<DeValue<'_>>, expected: &str) {
        self.sink.push(
            Diagnostic::error(
                codes::WRONG_TYPE,
                span_of(v),
                format!(
                    "`{}` must be {expected}, not {}",
                    self.key_path(key),
                    type_name(v.get_ref())
                ),
            )
            .with_help("see grammar/policy.md for the type of every key"),
        );
    }

    /// Reports `key` as required and missing.
    pub fn missing(&self, key: &str, help: &str) {
        self.sink.push(
            Diagnostic::error(
                codes::MISSING_KEY,
                self.span,
                format!("`{}` is required", self.key_path(key)),
            )
            .with_help(help.to_string()),
        );
    }

    pub fn string(&self, key: &str) -> Option<(String, Span)> {
        let v = self.get(key)?;
        match v.get_ref() {
            DeValue::String(s) => Some((s.to_string(), span_of(v))),
            _ => {
                self.wrong_type(key, v, "a string");
                None
            }
        }
    }

    pub fn boolean(&self, key: &str) -> Option<bool> {
        let v = self.get(key)?;
        match v.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            _ => {
                self.wrong_type(key, v, "a boolean (true or false)");
                None
            }
        }
    }

    /// A non-negative integer no larger than `max`.
    pub fn integer(&self, key: &str, min: u64, max: u64) -> Option<(u64, Span)> {
        let v = self.get(key)?;
        let DeValue::Integer(i) = v.get_ref() else {
            self.wrong_type(key, v, "an integer");
            return None;
        };
        match u64::from_str_radix(i.as_str(), i.radix()) {
            Ok(n) if (min..=max).contains(&n) => Some((n, span_of(v))),
            _ => {
                self.sink.push(Diagnostic::error(
                    codes::INVALID_VALUE,
                    span_of(v),
                    format!("`{}` must be between {min} and {max}", self.key_path(key)),
                ));
                None
            }
        }
    }

    /// A duration string (`7d`, `24h`), in seconds.
    pub fn duration(&self, key: &str) -> Option<(u64, Span)> {
        let v = self.get(key)?;
        let DeValue::String(s) = v.get_ref() else {
            self.wrong_type(key, v, "a duration string such as \"7d\"");
            return None;
        };
        match parse_duration(s) {
            Ok(secs) => Some((secs, span_of(v))),
            Err(e) => {
                self.sink.push(
                    Diagnostic::error(
                        codes::BAD_DURATION,
                        span_of(v),
                        format!("`{}`: {e}", self.key_path(key)),
                    )
                    .with_help("units: s (seconds), m (minutes), h (hours), d (days), w (weeks)"),
                );
                None
            }
        }
    }

    /// An array of strings, each with its span.
    pub fn strings(&self, key: &str) -> Option<Vec<(String, Span)>> {
        let v = self.get(key)?;
        let DeValue::Array(items) = v.get_ref() else {
            self.wrong_type(key, v, "an array of strings");
            return None;
        };
        let mut out = Vec::new();
        for item in items.iter() {
            match item.get_ref() {
                DeValue::String(s) => out.push((s.to_string(), span_of(item))),
                _ => self.wrong_type(key, item, "a string (in an array of strings)"),
            }
        }
        Some(out)
    }

    /// A sub-table (`[a.b]` or an inline table).
    pub fn table(&self, key: &str) -> Option<Table<'a, 'i>> {
        let v = self.get(key)?;
        match v.get_ref() {
            DeValue::Table(t) => Some(Table::new(t, span_of(v), self.key_path(key), self.sink)),
            _ => {
                self.wrong_type(key, v, "a table");
                None
            }
        }
    }

    /// Every entry of the table as (key, key span, value), marking all used.
    pub fn entries(&self) -> Vec<(String, Span, &'a Spanned<DeValue<'i>>)> {
        let mut out = Vec::new();
        for (k, v) in self.table.iter() {
            self.used.borrow_mut().insert(k.get_ref().to_string());
            out.push((k.get_ref().to_string(), span_of(k), v));
        }
        out
    }

    /// Sub-table view of an entry value (reports a wrong type).
    pub fn as_table(&self, key: &str, v: &'a Spanned<DeValue<'i>>) -> Option<Table<'a, 'i>> {
        match v.get_ref() {
            DeValue::Table(t) => Some(Table::new(t, span_of(v), self.key_path(key), self.sink)),
            _ => {
                self.wrong_type(key, v, "a table");
                None
            }
        }
    }

    /// Reports every key that was never asked for.
    pub fn finish(&self, allowed: &[&str]) {
        let used = self.used.borrow();
        for (k, _) in self.table.iter() {
            let name = k.get_ref();
            if used.contains(name.as_ref()) {
                continue;
            }
            let mut d = Diagnostic::error(
                codes::UNKNOWN_KEY,
                span_of(k),
                format!("unknown key `{}`", self.key_path(name)),
            );
            let close = allowed
                .iter()
                .find(|a| close_enough(a, name))
                .map(|a| format!("did you mean `{a}`? "))
                .unwrap_or_default();
            d = d.with_help(format!(
                "{close}keys allowed here: {}",
                if allowed.is_empty() {
                    "none".to_string()
                } else {
                    allowed.join(", ")
                }
            ));
            self.sink.push(d);
        }
    }
}

/// A cheap "did you mean": same letters ignoring case, `-`/`_`, or one edit apart.
fn close_enough(candidate: &str, name: &str) -> bool {
    let norm = |s: &str| s.to_ascii_lowercase().replace('-', "_");
    let (a, b) = (norm(candidate), norm(name));
    if a == b {
        return true;
    }
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev.last().is_some_and(|&d| d <= 1)
}
