//! Cell values and SQL column types of the simulated frontend, and the [`VirtualTable`]
//! shape that `information_schema` tables are served in.
//!
//! Values are what rows are stored as (per partition, serialized with the catalog) and what
//! expressions evaluate to. They are sent to clients as text; [`Value::to_text`] renders
//! them the way StarRocks does.

use std::cmp::Ordering;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::engine::time;
use crate::response::ColumnType;

/// One cell.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// A DECIMAL: `unscaled / 10^scale`.
    Decimal(i64, u8),
    /// A DATE: days since 1970-01-01.
    Date(i32),
    /// A DATETIME (no time zone): seconds since 1970-01-01 00:00:00.
    DateTime(i64),
    Str(String),
}

impl Value {
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The text a client receives; `None` is SQL NULL.
    pub fn to_text(&self) -> Option<String> {
        match self {
            Value::Null => None,
            Value::Bool(b) => Some(if *b { "1" } else { "0" }.to_string()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(format_double(*f)),
            Value::Decimal(u, s) => Some(format_decimal(*u, *s)),
            Value::Date(d) => Some(time::format_date(*d)),
            Value::DateTime(s) => Some(time::format_naive_datetime(*s)),
            Value::Str(s) => Some(s.clone()),
        }
    }

    /// [`Value::to_text`], borrowed when the value is a string.
    pub fn text(&self) -> Option<std::borrow::Cow<'_, str>> {
        match self {
            Value::Str(s) => Some(std::borrow::Cow::Borrowed(s)),
            other => other.to_text().map(std::borrow::Cow::Owned),
        }
    }

    /// [`Value::to_text`], consuming the value: a string moves instead of being copied
    /// (result sets of hundreds of thousands of rows are sent this way).
    pub fn into_text(self) -> Option<String> {
        match self {
            Value::Str(s) => Some(s),
            other => other.to_text(),
        }
    }

    /// A number view for arithmetic and numeric comparison.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            Value::Decimal(u, s) => Some(*u as f64 / 10f64.powi(i32::from(*s))),
            Value::Str(s) => s.trim().parse::<f64>().ok(),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Bool(b) => Some(i64::from(*b)),
            Value::Int(i) => Some(*i),
            Value::Float(f) => Some(*f as i64),
            Value::Decimal(u, s) => Some(*u / 10i64.pow(u32::from(*s))),
            Value::Str(s) => s.trim().parse::<i64>().ok(),
            _ => None,
        }
    }

    /// Truthiness in WHERE: NULL and false are false.
    pub fn truthy(&self) -> bool {
        match self {
            Value::Null => false,
            Value::Bool(b) => *b,
            Value::Str(s) => s.trim().parse::<f64>().map(|f| f != 0.0).unwrap_or(false),
            other => other.as_f64().map(|f| f != 0.0).unwrap_or(true),
        }
    }

    /// Approximate stored size in bytes (for DataSize figures).
    pub fn size_estimate(&self) -> u64 {
        match self {
            Value::Null => 1,
            Value::Bool(_) => 1,
            Value::Int(_) | Value::Float(_) | Value::Decimal(..) | Value::DateTime(_) => 8,
            Value::Date(_) => 4,
            Value::Str(s) => s.len() as u64 + 4,
        }
    }

    /// SQL comparison; `None` when either side is NULL or the two cannot be compared.
    pub fn sql_cmp(&self, other: &Value) -> Option<Ordering> {
        use Value::*;
        match (self, other) {
            (Null, _) | (_, Null) => None,
            (Str(a), Str(b)) => Some(a.cmp(b)),
            (Date(a), Date(b)) => Some(a.cmp(b)),
            (DateTime(a), DateTime(b)) => Some(a.cmp(b)),
            (Date(a), DateTime(b)) => Some((i64::from(*a) * 86_400).cmp(b)),
            (DateTime(a), Date(b)) => Some(a.cmp(&(i64::from(*b) * 86_400))),
            (Date(_) | DateTime(_), Str(s)) => {
                let other = time::parse_datetime_value(s)?;
                self.sql_cmp(&other)
            }
            (Str(s), Date(_) | DateTime(_)) => {
                let me = time::parse_datetime_value(s)?;
                me.sql_cmp(other)
            }
            (Int(a), Int(b)) => Some(a.cmp(b)),
            (a, b) => {
                let (x, y) = (a.as_f64()?, b.as_f64()?);
                x.partial_cmp(&y)
            }
        }
    }

    /// Total order for ORDER BY and keys: NULL first, then by `sql_cmp`, then by text.
    pub fn total_cmp(&self, other: &Value) -> Ordering {
        match (self.is_null(), other.is_null()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            _ => self
                .sql_cmp(other)
                .unwrap_or_else(|| self.to_text().cmp(&other.to_text())),
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.to_text() {
            Some(t) => f.write_str(&t),
            None => f.write_str("NULL"),
        }
    }
}

/// A double as StarRocks prints it: integral values without a fraction, others shortest.
pub fn format_double(f: f64) -> String {
    if f.is_finite() && f == f.trunc() && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

pub fn format_decimal(unscaled: i64, scale: u8) -> String {
    if scale == 0 {
        return unscaled.to_string();
    }
    let neg = unscaled < 0;
    let digits = unscaled.unsigned_abs().to_string();
    let scale = usize::from(scale);
    let padded = if digits.len() <= scale {
        format!("{}{}", "0".repeat(scale + 1 - digits.len()), digits)
    } else {
        digits
    };
    let (int, frac) = padded.split_at(padded.len() - scale);
    format!("{}{int}.{frac}", if neg { "-" } else { "" })
}

/// A column type as declared in CREATE TABLE.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SqlType {
    Boolean,
    TinyInt,
    SmallInt,
    Int,
    BigInt,
    LargeInt,
    Float,
    Double,
    Decimal(u8, u8),
    Date,
    DateTime,
    Char(u32),
    Varchar(u32),
    /// `STRING` = `varchar(65533)`.
    String,
    Json,
}

impl SqlType {
    /// The MySQL wire type of a result column of this type.
    pub fn column_type(&self) -> ColumnType {
        match self {
            SqlType::Boolean | SqlType::TinyInt => ColumnType::Tiny,
            SqlType::SmallInt | SqlType::Int => ColumnType::Long,
            SqlType::BigInt => ColumnType::LongLong,
            SqlType::LargeInt => ColumnType::VarString,
            SqlType::Float | SqlType::Double => ColumnType::Double,
            SqlType::Decimal(..) => ColumnType::Decimal,
            SqlType::Date => ColumnType::Date,
            SqlType::DateTime => ColumnType::DateTime,
            SqlType::Char(_) | SqlType::Varchar(_) | SqlType::String | SqlType::Json => {
                ColumnType::VarString
            }
        }
    }

    pub fn is_integer(&self) -> bool {
        matches!(
            self,
            SqlType::Boolean
                | SqlType::TinyInt
                | SqlType::SmallInt
                | SqlType::Int
                | SqlType::BigInt
                | SqlType::LargeInt
        )
    }

    pub fn is_string(&self) -> bool {
        matches!(
            self,
            SqlType::Char(_) | SqlType::Varchar(_) | SqlType::String | SqlType::Json
        )
    }

    /// Converts a value to this type for storage; `Err` carries the offending text.
    pub fn coerce(&self, v: Value) -> Result<Value, String> {
        if v.is_null() {
            return Ok(Value::Null);
        }
        let text = || v.to_text().unwrap_or_default();
        match self {
            SqlType::Boolean => match &v {
                Value::Str(s) if s.eq_ignore_ascii_case("true") => Ok(Value::Bool(true)),
                Value::Str(s) if s.eq_ignore_ascii_case("false") => Ok(Value::Bool(false)),
                _ => v.as_f64().map(|f| Value::Bool(f != 0.0)).ok_or_else(text),
            },
            t if t.is_integer() => match &v {
                Value::Float(f) => Ok(Value::Int(f.round() as i64)),
                Value::Decimal(..) => v
                    .as_f64()
                    .map(|f| Value::Int(f.round() as i64))
                    .ok_or_else(text),
                _ => v.as_i64().map(Value::Int).ok_or_else(text),
            },
            SqlType::Float | SqlType::Double => v.as_f64().map(Value::Float).ok_or_else(text),
            SqlType::Decimal(_, s) => {
                let f = v.as_f64().ok_or_else(text)?;
                let unscaled = (f * 10f64.powi(i32::from(*s))).round() as i64;
                Ok(Value::Decimal(unscaled, *s))
            }
            SqlType::Date => match v {
                Value::Date(_) => Ok(v),
                Value::DateTime(s) => Ok(Value::Date(s.div_euclid(86_400) as i32)),
                Value::Str(ref s) => time::parse_date(s).map(Value::Date).ok_or_else(text),
                _ => Err(text()),
            },
            SqlType::DateTime => match v {
                Value::DateTime(_) => Ok(v),
                Value::Date(d) => Ok(Value::DateTime(i64::from(d) * 86_400)),
                Value::Str(ref s) => time::parse_datetime(s)
                    .map(Value::DateTime)
                    .ok_or_else(text),
                _ => Err(text()),
            },
            _ => Ok(Value::Str(text())),
        }
    }
}

impl fmt::Display for SqlType {
    /// The type as `DESC`/`SHOW CREATE TABLE` print it (`int(11)`, `varchar(20)`, …).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SqlType::Boolean => f.write_str("boolean"),
            SqlType::TinyInt => f.write_str("tinyint(4)"),
            SqlType::SmallInt => f.write_str("smallint(6)"),
            SqlType::Int => f.write_str("int(11)"),
            SqlType::BigInt => f.write_str("bigint(20)"),
            SqlType::LargeInt => f.write_str("largeint(40)"),
            SqlType::Float => f.write_str("float"),
            SqlType::Double => f.write_str("double"),
            SqlType::Decimal(p, s) => write!(f, "decimal({p}, {s})"),
            SqlType::Date => f.write_str("date"),
            SqlType::DateTime => f.write_str("datetime"),
            SqlType::Char(n) => write!(f, "char({n})"),
            SqlType::Varchar(n) => write!(f, "varchar({n})"),
            SqlType::String => f.write_str("varchar(65533)"),
            SqlType::Json => f.write_str("json"),
        }
    }
}

/// A table computed on demand (an `information_schema` table): typed columns and rows of
/// values. The SELECT executor filters, sorts and projects it like a stored table.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct VirtualTable {
    pub columns: Vec<(String, ColumnType)>,
    pub rows: Vec<Vec<Value>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_print_with_their_scale() {
        assert_eq!(format_decimal(12345, 2), "123.45");
        assert_eq!(format_decimal(-5, 3), "-0.005");
        assert_eq!(format_decimal(7, 0), "7");
    }

    #[test]
    fn coercion_to_date_and_int() {
        assert_eq!(
            SqlType::Date.coerce(Value::Str("2024-01-02".into())),
            Ok(Value::Date(19724))
        );
        assert!(SqlType::Int.coerce(Value::Str("x".into())).is_err());
        assert_eq!(
            SqlType::Decimal(10, 2).coerce(Value::Float(1.5)),
            Ok(Value::Decimal(150, 2))
        );
    }

    #[test]
    fn comparison_mixes_dates_and_strings() {
        let d = Value::Date(19724);
        assert_eq!(
            d.sql_cmp(&Value::Str("2024-01-01".into())),
            Some(Ordering::Greater)
        );
        assert_eq!(Value::Null.sql_cmp(&d), None);
    }
}
