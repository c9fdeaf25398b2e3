//! `information_schema.columns`: one row per column of every table, with StarRocks's 24
//! columns (`catalog/system/information/ColumnsSystemTable.java`, branch-3.4). starsnap's
//! inspection reads it in bulk to fingerprint table schemas without a statement per table.
//!
//! Known gap: StarRocks also lists the columns of views and materialized views (the schema it
//! derived when analysing their query); the simulator keeps no derived schema for them, so they
//! list none here. starsnap does not rely on their rows (`verify` and restore's verification
//! treat an object that lists no column as present when `information_schema.tables` has it).

use crate::engine::catalog::{KeysType, Table};
use crate::engine::{EngineCtx, Value};
use crate::response::{Column, ColumnType};

use crate::engine::value::SqlType;

/// The 24 columns, in StarRocks's order and types.
pub fn layout() -> Vec<Column> {
    use ColumnType::{LongLong, VarString};
    [
        ("TABLE_CATALOG", VarString),
        ("TABLE_SCHEMA", VarString),
        ("TABLE_NAME", VarString),
        ("COLUMN_NAME", VarString),
        ("ORDINAL_POSITION", LongLong),
        ("COLUMN_DEFAULT", VarString),
        ("IS_NULLABLE", VarString),
        ("DATA_TYPE", VarString),
        ("CHARACTER_MAXIMUM_LENGTH", LongLong),
        ("CHARACTER_OCTET_LENGTH", LongLong),
        ("NUMERIC_PRECISION", LongLong),
        ("NUMERIC_SCALE", LongLong),
        ("DATETIME_PRECISION", LongLong),
        ("CHARACTER_SET_NAME", VarString),
        ("COLLATION_NAME", VarString),
        ("COLUMN_TYPE", VarString),
        ("COLUMN_KEY", VarString),
        ("EXTRA", VarString),
        ("PRIVILEGES", VarString),
        ("COLUMN_COMMENT", VarString),
        ("COLUMN_SIZE", LongLong),
        ("DECIMAL_DIGITS", LongLong),
        ("GENERATION_EXPRESSION", VarString),
        ("SRS_ID", LongLong),
    ]
    .into_iter()
    .map(|(n, k)| Column::typed(n, k))
    .collect()
}

/// `DATA_TYPE`: the bare type name.
fn data_type(ty: &SqlType) -> &'static str {
    match ty {
        SqlType::Boolean => "boolean",
        SqlType::TinyInt => "tinyint",
        SqlType::SmallInt => "smallint",
        SqlType::Int => "int",
        SqlType::BigInt => "bigint",
        SqlType::LargeInt => "largeint",
        SqlType::Float => "float",
        SqlType::Double => "double",
        SqlType::Decimal(..) => "decimal",
        SqlType::Date => "date",
        SqlType::DateTime => "datetime",
        SqlType::Char(_) => "char",
        SqlType::Varchar(_) | SqlType::String => "varchar",
        SqlType::Json => "json",
    }
}

/// `(CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION, NUMERIC_SCALE)` as MySQL defines them.
fn sizes(ty: &SqlType) -> (Value, Value, Value) {
    let int = |n: i64| Value::Int(n);
    match ty {
        SqlType::Char(n) | SqlType::Varchar(n) => (int(i64::from(*n)), Value::Null, Value::Null),
        SqlType::String => (int(65533), Value::Null, Value::Null),
        SqlType::TinyInt => (Value::Null, int(3), int(0)),
        SqlType::SmallInt => (Value::Null, int(5), int(0)),
        SqlType::Int => (Value::Null, int(10), int(0)),
        SqlType::BigInt => (Value::Null, int(19), int(0)),
        SqlType::LargeInt => (Value::Null, int(39), int(0)),
        SqlType::Decimal(p, s) => (Value::Null, int(i64::from(*p)), int(i64::from(*s))),
        _ => (Value::Null, Value::Null, Value::Null),
    }
}

/// `COLUMN_KEY`: the table's key model for key columns, empty otherwise.
fn column_key(table: &Table, is_key: bool) -> &'static str {
    if !is_key {
        return "";
    }
    match table.keys {
        KeysType::Primary => "PRI",
        KeysType::Unique => "UNI",
        KeysType::Aggregate => "AGG",
        KeysType::Duplicate => "DUP",
    }
}

/// The rows, databases and tables in name order, columns in table order. `db`/`table`
/// restrict the scan (pushed-down equalities).
pub fn rows(ctx: &EngineCtx<'_>, keeps: &dyn Fn(&str, &str) -> bool) -> Vec<Vec<Value>> {
    let mut out = Vec::new();
    let mut dbs: Vec<_> = ctx.catalog.databases.iter().collect();
    dbs.sort_by(|a, b| a.0.cmp(b.0));
    for (db_name, database) in dbs {
        let mut tables: Vec<&Table> = database.tables.values().collect();
        tables.sort_by(|a, b| a.name.cmp(&b.name));
        for t in tables {
            if !keeps(db_name, &t.name) {
                continue;
            }
            for (i, c) in t.columns.iter().enumerate() {
                let (char_len, precision, scale) = sizes(&c.ty);
                let text_type = matches!(
                    c.ty,
                    SqlType::Char(_) | SqlType::Varchar(_) | SqlType::String
                );
                out.push(vec![
                    Value::Str("def".into()),
                    Value::Str(db_name.clone()),
                    Value::Str(t.name.clone()),
                    Value::Str(c.name.clone()),
                    Value::Int(i as i64 + 1),
                    c.default.clone().map(Value::Str).unwrap_or(Value::Null),
                    Value::Str(if c.nullable { "YES" } else { "NO" }.into()),
                    Value::Str(data_type(&c.ty).into()),
                    char_len.clone(),
                    char_len,
                    precision.clone(),
                    scale.clone(),
                    Value::Null,
                    if text_type {
                        Value::Str("utf8".into())
                    } else {
                        Value::Null
                    },
                    if text_type {
                        Value::Str("utf8_general_ci".into())
                    } else {
                        Value::Null
                    },
                    Value::Str(c.ty.to_string()),
                    Value::Str(column_key(t, c.is_key).into()),
                    Value::Str(
                        if c.auto_increment {
                            "auto_increment"
                        } else {
                            ""
                        }
                        .into(),
                    ),
                    Value::Str("SELECT,INSERT,UPDATE,REFERENCES".into()),
                    Value::Str(c.comment.clone()),
                    precision,
                    scale,
                    Value::Null,
                    Value::Null,
                ]);
            }
        }
    }
    out
}
