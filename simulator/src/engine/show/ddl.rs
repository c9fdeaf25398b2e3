//! SHOW CREATE TABLE / VIEW / MATERIALIZED VIEW text, and the catalog-to-text pieces it
//! shares with SHOW PARTITIONS and `partitions_meta` (column DDL, partition key literals).
//!
//! Follows `sql/analyzer/AstToStringBuilder.getDdlStmt` (3.4, lines 1600-1760) and the
//! `toSql` methods it calls: `catalog/Column.toSql`, `RangePartitionInfo.toSql`,
//! `ListPartitionInfo.toSql`, `ExpressionRangePartitionInfo.toSql`,
//! `HashDistributionInfo.toSql` (note its trailing space), `RandomDistributionInfo.toSql`,
//! `OlapTable.getProperties` (a sorted map) printed by `common/util/PrintableMap`
//! (paths relative to `fe/fe-core/src/main/java/com/starrocks/`).

use std::collections::BTreeMap;

use crate::engine::catalog::{
    Catalog, ColumnDef, Distribution, KeysType, Partition, PartitionBound, Partitioning, Table,
    TableKind,
};
use crate::engine::show::format::{quoted_comment, PartitionKeyText};
use crate::engine::value::{SqlType, Value};

/// `Column.toSql` for an OLAP table: `` `k` int(11) NOT NULL COMMENT "" ``. Aggregation
/// names are printed only for AGGREGATE KEY value columns (implicit REPLACE of UNIQUE KEY
/// tables and PRIMARY KEY tables print none, `toSqlWithoutAggregateTypeName`).
pub fn column_sql(col: &ColumnDef, keys: KeysType) -> String {
    let mut s = format!("`{}` {} ", col.name, col.ty);
    if keys == KeysType::Aggregate && !col.is_key {
        if let Some(agg) = col.agg {
            s.push_str(agg.name());
            s.push(' ');
        }
    }
    s.push_str(if col.nullable { "NULL " } else { "NOT NULL " });
    match &col.default {
        _ if col.auto_increment => s.push_str("AUTO_INCREMENT "),
        Some(d)
            if d.eq_ignore_ascii_case("CURRENT_TIMESTAMP") || d.eq_ignore_ascii_case("now()") =>
        {
            s.push_str("DEFAULT CURRENT_TIMESTAMP ");
        }
        Some(d) => {
            s.push_str("DEFAULT \"");
            s.push_str(&java_escape(d));
            s.push_str("\" ");
        }
        None => {}
    }
    s.push_str("COMMENT ");
    s.push_str(&quoted_comment(&col.comment));
    s
}

/// `StringEscapeUtils.escapeJava` for the characters a DEFAULT literal can hold.
fn java_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}

/// `PrimitiveType.toString()` of a partition column type (`PartitionKey` types).
pub fn primitive_name(ty: &SqlType) -> &'static str {
    match ty {
        SqlType::Boolean => "BOOLEAN",
        SqlType::TinyInt => "TINYINT",
        SqlType::SmallInt => "SMALLINT",
        SqlType::Int => "INT",
        SqlType::BigInt => "BIGINT",
        SqlType::LargeInt => "LARGEINT",
        SqlType::Float => "FLOAT",
        SqlType::Double => "DOUBLE",
        SqlType::Decimal(..) => "DECIMAL64",
        SqlType::Date => "DATE",
        SqlType::DateTime => "DATETIME",
        SqlType::Char(_) => "CHAR",
        SqlType::Varchar(_) | SqlType::String => "VARCHAR",
        SqlType::Json => "JSON",
    }
}

/// `LiteralExpr.createInfinity(type, false).getStringValue()`: the lower bound of a
/// `VALUES LESS THAN` partition.
fn min_literal(ty: &SqlType) -> String {
    match ty {
        SqlType::TinyInt => i8::MIN.to_string(),
        SqlType::SmallInt => i16::MIN.to_string(),
        SqlType::Int => i32::MIN.to_string(),
        SqlType::BigInt => i64::MIN.to_string(),
        SqlType::LargeInt => i128::MIN.to_string(),
        SqlType::DateTime => "0000-01-01 00:00:00".to_string(),
        _ => "0000-01-01".to_string(),
    }
}

/// Partition-column names and types of a table, computed once per table.
pub struct PartitionColumns {
    pub names: Vec<String>,
    pub types: Vec<SqlType>,
    pub type_names: Vec<&'static str>,
    /// The last date written and its text: a partition's upper bound is the next one's
    /// lower bound, so a scan in range order formats each date once.
    last_date: std::cell::RefCell<(Option<i32>, String)>,
}

impl PartitionColumns {
    pub fn of(table: &Table) -> PartitionColumns {
        let names: Vec<String> = table.partitioning.columns().to_vec();
        let types: Vec<SqlType> = names
            .iter()
            .map(|n| {
                table
                    .column_index(n)
                    .and_then(|i| table.columns.get(i))
                    .map(|c| c.ty.clone())
                    .unwrap_or(SqlType::String)
            })
            .collect();
        let type_names = types.iter().map(primitive_name).collect();
        PartitionColumns {
            names,
            types,
            type_names,
            last_date: std::cell::RefCell::new((None, String::new())),
        }
    }

    /// Guava's `Range.toString` of `[lower, upper)` written straight into one string (the
    /// hot path of SHOW PARTITIONS and `partitions_meta`); same text as
    /// `format::guava_range(&key_text(lower), &key_text(upper))`.
    pub fn range_text(&self, lower: Option<&Vec<Value>>, upper: Option<&Vec<Value>>) -> String {
        let mut out = String::with_capacity(96);
        self.write_range_text(&mut out, lower, upper);
        out
    }

    /// [`Self::range_text`] appended to `out`.
    pub fn write_range_text(
        &self,
        out: &mut String,
        lower: Option<&Vec<Value>>,
        upper: Option<&Vec<Value>>,
    ) {
        out.push('[');
        self.push_key(out, lower, true);
        out.push_str("..");
        self.push_key(out, upper, false);
        out.push(')');
    }

    fn push_key(&self, out: &mut String, bound: Option<&Vec<Value>>, lower: bool) {
        out.push_str("types: [");
        for (i, t) in self.type_names.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(t);
        }
        out.push_str("]; keys: [");
        for i in 0..self.types.len() {
            if i > 0 {
                out.push_str(", ");
            }
            match bound {
                Some(values) => match values.get(i) {
                    Some(Value::Date(days)) => self.push_date(out, *days),
                    v => push_literal(out, v),
                },
                None if lower => out.push_str(&min_literal(&self.types[i])),
                None => out.push_str("MAXVALUE"),
            }
        }
        out.push_str("]; ");
    }

    /// A DATE key as `YYYY-MM-DD`, from the one-entry memo when it is the last date written.
    fn push_date(&self, out: &mut String, days: i32) {
        let mut memo = self.last_date.borrow_mut();
        if memo.0 == Some(days) {
            out.push_str(&memo.1);
            return;
        }
        let start = out.len();
        push_literal(out, Some(&Value::Date(days)));
        memo.0 = Some(days);
        memo.1.clear();
        memo.1.push_str(&out[start..]);
    }

    /// A range end as `PartitionKey` text; `None` bound = MIN (lower) or MAXVALUE (upper).
    pub fn key_text(&self, bound: Option<&Vec<Value>>, lower: bool) -> PartitionKeyText {
        let keys = match bound {
            Some(values) => values
                .iter()
                .map(|v| Some(v.to_text().unwrap_or_default()))
                .collect(),
            None if lower => self.types.iter().map(|t| Some(min_literal(t))).collect(),
            None => vec![None; self.types.len()],
        };
        PartitionKeyText {
            types: self.type_names.clone(),
            keys,
        }
    }
}

/// `LiteralExpr.getStringValue()` of a key value appended to `out`; dates and integers are
/// written in place (the common partition keys), anything else through `Value::to_text`.
fn push_literal(out: &mut String, value: Option<&Value>) {
    use std::fmt::Write;
    match value {
        Some(Value::Date(days)) => {
            let (y, m, d) = crate::engine::time::civil_from_days(i64::from(*days));
            match u32::try_from(y) {
                // Digit by digit: a scan of every partition formats two dates per row.
                Ok(y) if y <= 9999 => {
                    let digit = |n: u32| char::from(b'0' + (n % 10) as u8);
                    out.extend([y / 1000, y / 100, y / 10, y].map(digit));
                    out.push('-');
                    out.extend([m / 10, m].map(digit));
                    out.push('-');
                    out.extend([d / 10, d].map(digit));
                }
                _ => {
                    let _ = write!(out, "{y:04}-{m:02}-{d:02}");
                }
            }
        }
        Some(Value::Int(i)) => {
            let _ = write!(out, "{i}");
        }
        Some(v) => out.push_str(&v.to_text().unwrap_or_default()),
        None => {}
    }
}

/// The string values of a LIST partition, one list per item (`getValuesFormat`).
pub fn list_values(bound: &PartitionBound) -> Vec<Vec<String>> {
    match bound {
        PartitionBound::List(items) => items
            .iter()
            .map(|item| {
                item.iter()
                    .map(|v| v.to_text().unwrap_or_default())
                    .collect()
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// SHOW CREATE output for a table, view or materialized view of database `db`: the DDL
/// text. The catalog resolves `*` in a view's query when the view stores no columns.
pub fn create_statement(catalog: &Catalog, db: &str, table: &Table) -> String {
    match table.kind {
        TableKind::View => create_view(catalog, db, table),
        TableKind::MaterializedView => create_materialized_view(catalog, db, table),
        TableKind::Olap => create_table(table),
    }
}

/// The output columns of a view or materialized view as `` `name` [COMMENT "…"] ``: the
/// stored columns, else the names of its query's select list (aliases, column names, the
/// expression text; `*` expanded from a single base table).
fn output_columns(catalog: &Catalog, db: &str, table: &Table) -> Vec<String> {
    if !table.columns.is_empty() {
        return table
            .columns
            .iter()
            .map(|c| {
                if c.comment.is_empty() {
                    format!("`{}`", c.name)
                } else {
                    format!("`{}` COMMENT {}", c.name, quoted_comment(&c.comment))
                }
            })
            .collect();
    }
    let query = match (&table.view_definition, &table.mv) {
        (Some(q), _) => q.as_str(),
        (None, Some(mv)) => mv.query.as_str(),
        (None, None) => return Vec::new(),
    };
    select_names(catalog, db, query)
        .into_iter()
        .map(|n| format!("`{n}`"))
        .collect()
}

fn select_names(catalog: &Catalog, db: &str, query: &str) -> Vec<String> {
    use sqlparser::ast::{Expr, SelectItem, SetExpr, Statement, TableFactor};
    let Ok(stmts) =
        sqlparser::parser::Parser::parse_sql(&sqlparser::dialect::MySqlDialect {}, query)
    else {
        return Vec::new();
    };
    let Some(Statement::Query(q)) = stmts.into_iter().next() else {
        return Vec::new();
    };
    let SetExpr::Select(select) = *q.body else {
        return Vec::new();
    };
    let base = select.from.first().and_then(|f| match &f.relation {
        TableFactor::Table { name, .. } => {
            let parts: Vec<String> = name
                .0
                .iter()
                .map(|p| p.to_string().replace('`', ""))
                .collect();
            match parts.as_slice() {
                [t] => catalog.table(db, t),
                [d, t] => catalog.table(d, t),
                _ => None,
            }
        }
        _ => None,
    });
    let mut out = Vec::new();
    for item in &select.projection {
        match item {
            SelectItem::ExprWithAlias { alias, .. } => out.push(alias.value.clone()),
            SelectItem::UnnamedExpr(Expr::Identifier(id)) => out.push(id.value.clone()),
            SelectItem::UnnamedExpr(Expr::CompoundIdentifier(parts)) => {
                out.extend(parts.last().map(|p| p.value.clone()));
            }
            SelectItem::UnnamedExpr(e) => out.push(e.to_string()),
            SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..) => {
                out.extend(
                    base.iter()
                        .flat_map(|t| t.columns.iter().map(|c| c.name.clone())),
                );
            }
            SelectItem::ExprWithAliases { aliases, .. } => {
                out.extend(aliases.iter().map(|a| a.value.clone()));
            }
        }
    }
    out
}

/// `CREATE VIEW `v` (`a`, `b`) AS <query>;` (comment and `SECURITY NONE` as 3.4 prints them).
fn create_view(catalog: &Catalog, db: &str, table: &Table) -> String {
    let cols = output_columns(catalog, db, table);
    let mut s = format!("CREATE VIEW `{}` ({})", table.name, cols.join(", "));
    table_comment(&mut s, table);
    s.push_str(" SECURITY NONE AS ");
    s.push_str(table.view_definition.as_deref().unwrap_or(""));
    s.push(';');
    s
}

fn table_comment(s: &mut String, table: &Table) {
    if !table.comment.is_empty() {
        s.push_str("\nCOMMENT ");
        s.push_str(&quoted_comment(&table.comment));
    }
}

pub(crate) fn create_table(table: &Table) -> String {
    let mut s = format!("CREATE TABLE `{}` (\n", table.name);
    let cols: Vec<String> = table
        .columns
        .iter()
        .map(|c| format!("  {}", column_sql(c, table.keys)))
        .collect();
    s.push_str(&cols.join(",\n"));
    s.push_str("\n) ENGINE=OLAP \n");
    body(&mut s, table);
    s
}

/// Keys, comment, partitioning, distribution, ORDER BY and PROPERTIES.
fn body(s: &mut String, table: &Table) {
    s.push_str(table.keys.ddl_keyword());
    let keys: Vec<String> = table
        .columns
        .iter()
        .filter(|c| c.is_key)
        .map(|c| format!("`{}`", c.name))
        .collect();
    s.push('(');
    s.push_str(&keys.join(", "));
    s.push(')');
    table_comment(s, table);
    if let Some(p) = partition_sql(table) {
        s.push('\n');
        s.push_str(&p);
    }
    s.push('\n');
    s.push_str(&distribution_sql(&table.distribution));
    if !table.order_by.is_empty() {
        let cols: Vec<String> = table.order_by.iter().map(|c| format!("`{c}`")).collect();
        s.push_str("\nORDER BY(");
        s.push_str(&cols.join(", "));
        s.push(')');
    }
    s.push_str("\nPROPERTIES (\n");
    let props: Vec<String> = show_properties(table)
        .iter()
        .map(|(k, v)| format!("\"{k}\" = \"{}\"", v.replace('"', "\\\"")))
        .collect();
    s.push_str(&props.join(",\n"));
    s.push_str("\n)");
}

/// `MaterializedView.getMaterializedViewDdlStmt(true)`: columns by name, comment,
/// `PARTITION BY (…)`, distribution, `REFRESH <type>[ EVERY(INTERVAL n UNIT)]`, the stored
/// properties then `storage_medium`, and `AS <query>;`.
fn create_materialized_view(catalog: &Catalog, db: &str, table: &Table) -> String {
    let mut s = format!("CREATE MATERIALIZED VIEW `{}` (", table.name);
    let cols = output_columns(catalog, db, table);
    s.push_str(&cols.join(", "));
    s.push(')');
    table_comment(&mut s, table);
    match &table.partitioning {
        Partitioning::Unpartitioned => {}
        Partitioning::Range { columns, auto } => {
            let col = columns.first().cloned().unwrap_or_default();
            match auto {
                Some(unit) => s.push_str(&format!(
                    "\nPARTITION BY (date_trunc('{}', `{col}`))",
                    unit_name(unit)
                )),
                None => s.push_str(&format!("\nPARTITION BY (`{col}`)")),
            }
        }
        Partitioning::List { columns, .. } => {
            s.push_str(&format!("\nPARTITION BY ({})", quoted_list(columns, ",")));
        }
    }
    s.push('\n');
    s.push_str(&distribution_sql(&table.distribution));
    let refresh = table
        .mv
        .as_ref()
        .map(|m| normalize_refresh(&m.refresh))
        .unwrap_or_else(|| "MANUAL".to_string());
    s.push_str("\nREFRESH ");
    s.push_str(&refresh);
    s.push_str("\nPROPERTIES (\n");
    let mut props: Vec<String> = table
        .properties
        .iter()
        .filter(|(k, _)| k.as_str() != "storage_medium")
        .map(|(k, v)| format!("\"{k}\" = \"{v}\""))
        .collect();
    let medium = table
        .properties
        .get("storage_medium")
        .cloned()
        .or_else(|| table.partitions.first().map(|p| p.storage_medium.clone()))
        .unwrap_or_else(|| "HDD".to_string());
    props.push(format!(
        "\"storage_medium\" = \"{}\"",
        medium.to_ascii_uppercase()
    ));
    s.push_str(&props.join(",\n"));
    s.push_str("\n)\nAS ");
    s.push_str(table.mv.as_ref().map(|m| m.query.as_str()).unwrap_or(""));
    s.push(';');
    s
}

/// The refresh clause as `MvRefreshScheme` prints it: `ASYNC EVERY(INTERVAL 1 DAY)`,
/// `DEFERRED MANUAL`, `MANUAL`.
fn normalize_refresh(written: &str) -> String {
    let words: Vec<String> = written
        .split_whitespace()
        .map(|w| {
            if w.chars()
                .any(|c| c.is_ascii_digit() || c == '\'' || c == '"')
            {
                w.to_string()
            } else {
                w.to_ascii_uppercase()
            }
        })
        .collect();
    let text = words.join(" ");
    let text = text
        .replace("EVERY (", "EVERY(")
        .replace("START (", "START(");
    if text.is_empty() {
        "MANUAL".to_string()
    } else {
        text
    }
}

/// `PARTITION BY …` for partitioned tables; `None` when unpartitioned.
fn partition_sql(table: &Table) -> Option<String> {
    match &table.partitioning {
        Partitioning::Unpartitioned => None,
        Partitioning::Range {
            columns,
            auto: Some(unit),
        } => {
            let col = columns.first().cloned().unwrap_or_default();
            Some(format!(
                "PARTITION BY date_trunc('{}', `{col}`)",
                unit_name(unit)
            ))
        }
        Partitioning::Range {
            columns,
            auto: None,
        } => {
            let pc = PartitionColumns::of(table);
            let default_rep = table.replication_num();
            let items: Vec<String> = table
                .partitions
                .iter()
                .map(|p| {
                    let (lo, hi) = match &p.bound {
                        PartitionBound::Range { lower, upper } => (
                            pc.key_text(lower.as_ref(), true),
                            pc.key_text(upper.as_ref(), false),
                        ),
                        _ => (pc.key_text(None, true), pc.key_text(None, false)),
                    };
                    format!(
                        "PARTITION {} VALUES [{}, {}){}",
                        p.name,
                        lo.to_sql(),
                        hi.to_sql(),
                        replication_suffix(p, default_rep, "")
                    )
                })
                .collect();
            Some(format!(
                "PARTITION BY RANGE({})\n({})",
                quoted_list(columns, ", "),
                items.join(",\n")
            ))
        }
        Partitioning::List {
            columns,
            auto: true,
        } => Some(format!("PARTITION BY ({})", quoted_list(columns, ","))),
        Partitioning::List {
            columns,
            auto: false,
        } => {
            let default_rep = table.replication_num();
            let items: Vec<String> = table
                .partitions
                .iter()
                .map(|p| {
                    let values = list_values(&p.bound);
                    let single = columns.len() == 1;
                    let text: Vec<String> = values
                        .iter()
                        .map(|item| {
                            let quoted: Vec<String> =
                                item.iter().map(|v| format!("'{v}'")).collect();
                            if single {
                                quoted.join(", ")
                            } else {
                                format!("({})", quoted.join(", "))
                            }
                        })
                        .collect();
                    format!(
                        "  PARTITION {} VALUES IN ({}){}",
                        p.name,
                        text.join(", "),
                        replication_suffix(p, default_rep, " ")
                    )
                })
                .collect();
            Some(format!(
                "PARTITION BY LIST({})(\n{}\n)",
                quoted_list(columns, ","),
                items.join(",\n")
            ))
        }
    }
}

fn unit_name(unit: &crate::engine::time::TimeUnit) -> String {
    format!("{unit:?}").to_lowercase()
}

fn replication_suffix(p: &Partition, table_default: u32, sep: &str) -> String {
    if p.replication_num != table_default {
        format!("{sep}(\"replication_num\" = \"{}\")", p.replication_num)
    } else {
        String::new()
    }
}

fn quoted_list(cols: &[String], sep: &str) -> String {
    cols.iter()
        .map(|c| format!("`{c}`"))
        .collect::<Vec<_>>()
        .join(sep)
}

/// `DISTRIBUTED BY HASH(`k`) BUCKETS 3 ` (trailing space, as Java prints it) or
/// `DISTRIBUTED BY RANDOM BUCKETS 3`; no BUCKETS when automatic (0).
pub fn distribution_sql(d: &Distribution) -> String {
    match d {
        Distribution::Hash { columns, buckets } => {
            let mut s = format!("DISTRIBUTED BY HASH({})", quoted_list(columns, ", "));
            if *buckets > 0 {
                s.push_str(&format!(" BUCKETS {buckets} "));
            }
            s
        }
        Distribution::Random { buckets } => {
            let mut s = "DISTRIBUTED BY RANDOM".to_string();
            if *buckets > 0 {
                s.push_str(&format!(" BUCKETS {buckets}"));
            }
            s
        }
    }
}

/// `OlapTable.getProperties()` as SHOW CREATE TABLE prints it: the table's own properties
/// plus the ones StarRocks always reports (`compression`, `fast_schema_evolution`,
/// `replicated_storage`, `replication_num`; `enable_persistent_index` for primary keys),
/// sorted by key.
pub fn show_properties(table: &Table) -> BTreeMap<String, String> {
    let mut props: BTreeMap<String, String> = table
        .properties
        .iter()
        .filter(|(k, _)| !HIDDEN_PROPERTIES.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    props.insert(
        "replication_num".into(),
        table.replication_num().to_string(),
    );
    let compression = props
        .get("compression")
        .map(|c| c.to_ascii_uppercase())
        .filter(|c| c != "LZ4_FRAME")
        .unwrap_or_else(|| "LZ4".to_string());
    props.insert("compression".into(), compression);
    props
        .entry("fast_schema_evolution".into())
        .or_insert_with(|| "true".into());
    props
        .entry("replicated_storage".into())
        .or_insert_with(|| "true".into());
    if table.keys == KeysType::Primary {
        props
            .entry("enable_persistent_index".into())
            .or_insert_with(|| "true".into());
    }
    props
}

/// Properties accepted at CREATE time that `getProperties` does not print back.
const HIDDEN_PROPERTIES: [&str; 2] = ["in_memory", "storage_format"];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::catalog::{AggType, TableState};
    use crate::engine::show::format::guava_range;

    fn column(name: &str, ty: SqlType, key: bool) -> ColumnDef {
        ColumnDef {
            name: name.into(),
            ty,
            nullable: !key,
            is_key: key,
            agg: None,
            default: None,
            auto_increment: false,
            comment: String::new(),
        }
    }

    fn table(keys: KeysType, columns: Vec<ColumnDef>) -> Table {
        Table {
            id: 1,
            name: "t".into(),
            kind: TableKind::Olap,
            columns,
            keys,
            partitioning: Partitioning::Unpartitioned,
            distribution: Distribution::Hash {
                columns: vec!["k".into()],
                buckets: 4,
            },
            order_by: Vec::new(),
            properties: BTreeMap::new(),
            comment: String::new(),
            state: TableState::Normal,
            schema_version: 0,
            created_ms: 0,
            updated_ms: 0,
            partitions: Vec::new(),
            temp_partitions: Vec::new(),
            view_definition: None,
            mv: None,
        }
    }

    #[test]
    fn primary_key_tables_print_no_aggregation_and_persistent_index() {
        let mut v = column("v", SqlType::Varchar(20), false);
        v.agg = Some(AggType::Replace);
        v.default = Some("a\"b".into());
        let mut t = table(KeysType::Primary, vec![column("k", SqlType::Int, true), v]);
        t.order_by = vec!["v".into()];
        let ddl = create_statement(&Catalog::default(), "d", &t);
        assert!(
            ddl.contains("  `v` varchar(20) NULL DEFAULT \"a\\\"b\" COMMENT \"\"\n"),
            "{ddl}"
        );
        assert!(
            ddl.contains("PRIMARY KEY(`k`)\nDISTRIBUTED BY HASH(`k`) BUCKETS 4 \nORDER BY(`v`)\n"),
            "{ddl}"
        );
        assert!(
            ddl.contains("\"enable_persistent_index\" = \"true\""),
            "{ddl}"
        );
        assert!(!ddl.contains("PARTITION BY"), "{ddl}");
    }

    #[test]
    fn less_than_partitions_start_at_the_type_minimum() {
        let mut t = table(KeysType::Duplicate, vec![column("k", SqlType::Int, true)]);
        t.partitioning = Partitioning::Range {
            columns: vec!["k".into()],
            auto: None,
        };
        let mut p = crate::engine::catalog::Partition {
            id: 2,
            name: "p1".into(),
            bound: PartitionBound::Range {
                lower: None,
                upper: Some(vec![Value::Int(10)]),
            },
            visible_version: 1,
            visible_version_time: 0,
            buckets: 4,
            replication_num: 1,
            storage_medium: "HDD".into(),
            rows: Vec::new(),
            data_size: 0,
            sub_partitions: 1,
        };
        t.partitions.push(p.clone());
        p.name = "pmax".into();
        p.bound = PartitionBound::Range {
            lower: Some(vec![Value::Int(10)]),
            upper: None,
        };
        t.partitions.push(p);
        let ddl = create_statement(&Catalog::default(), "d", &t);
        assert!(
            ddl.contains("(PARTITION p1 VALUES [(\"-2147483648\"), (\"10\"))(\"replication_num\" = \"1\"),\nPARTITION pmax VALUES [(\"10\"), (MAXVALUE))(\"replication_num\" = \"1\"))"),
            "{ddl}"
        );
    }

    #[test]
    fn direct_range_text_equals_the_guava_rendering() {
        let pc = PartitionColumns {
            names: vec!["a".into(), "b".into()],
            types: vec![SqlType::Int, SqlType::DateTime],
            type_names: vec!["INT", "DATETIME"],
            last_date: Default::default(),
        };
        let lo = vec![Value::Int(1), Value::DateTime(0)];
        for (l, u) in [(Some(&lo), None), (None, Some(&lo)), (Some(&lo), Some(&lo))] {
            assert_eq!(
                pc.range_text(l, u),
                guava_range(&pc.key_text(l, true), &pc.key_text(u, false))
            );
        }
        assert_eq!(
            pc.range_text(None, None),
            "[types: [INT, DATETIME]; keys: [-2147483648, 0000-01-01 00:00:00]; ..types: [INT, DATETIME]; keys: [MAXVALUE, MAXVALUE]; )"
        );
    }

    #[test]
    fn remembered_dates_are_written_as_the_guava_rendering() {
        let pc = PartitionColumns {
            names: vec!["dt".into()],
            types: vec![SqlType::Date],
            type_names: vec!["DATE"],
            last_date: Default::default(),
        };
        let d = |days: i32| vec![Value::Date(days)];
        // Consecutive ranges (each lower bound the last upper one), a repeat, a jump back,
        // and dates outside years 0-9999.
        let bounds = [
            (0, 1),
            (1, 2),
            (2, 2),
            (-719_529, 1),
            (1, 20_000),
            (2_932_897, 2_932_898),
            (-800_000, 0),
        ];
        for (lo, hi) in bounds {
            let (l, u) = (d(lo), d(hi));
            assert_eq!(
                pc.range_text(Some(&l), Some(&u)),
                guava_range(&pc.key_text(Some(&l), true), &pc.key_text(Some(&u), false)),
                "[{lo}, {hi})"
            );
        }
    }
}
