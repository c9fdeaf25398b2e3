//! StarRocks DDL, which generic SQL parsers cannot read: CREATE TABLE with keys models,
//! RANGE/LIST/expression partitioning, `DISTRIBUTED BY`, `ORDER BY`, `PROPERTIES`; views,
//! asynchronous materialized views, Java UDFs, external catalogs; DROP, TRUNCATE, and
//! ALTER TABLE / ALTER MATERIALIZED VIEW (StarRocks.g4 `createTableStatement`,
//! `alterClause`, `partitionDesc`, `distributionDesc`).

use std::collections::BTreeMap;

use crate::engine::ast::*;
use crate::engine::catalog::{AggType, Distribution, KeysType, Partitioning};
use crate::engine::errors;
use crate::engine::lexer::Tok;
use crate::engine::parser::{PResult, Parser};
use crate::engine::time::TimeUnit;
use crate::engine::value::Value;

impl Parser<'_> {
    pub fn ddl_statement(&mut self) -> PResult<Stmt> {
        let verb = self.advance();
        let stmt = if verb.is_kw("CREATE") {
            self.create()?
        } else if verb.is_kw("DROP") {
            self.drop()?
        } else if verb.is_kw("TRUNCATE") {
            self.expect_kw("TABLE")?;
            let table = self.obj_name()?;
            let mut partitions = Vec::new();
            if self.eat_kw("PARTITION") || self.eat_kw("PARTITIONS") {
                if self.eat_sym("(") {
                    partitions.push(self.ident_or_string()?);
                    while self.eat_sym(",") {
                        partitions.push(self.ident_or_string()?);
                    }
                    self.expect_sym(")")?;
                } else {
                    partitions.push(self.ident_or_string()?);
                }
            }
            Stmt::Truncate { table, partitions }
        } else {
            self.alter()?
        };
        self.expect_end()?;
        Ok(stmt)
    }

    /// Whether one of `kws` appears as a word before the end of the statement.
    fn later_kw(&self, kws: &[&str]) -> bool {
        let mut n = 0;
        loop {
            let t = self.peek_at(n);
            if matches!(t.tok, Tok::Eof) || t.is_sym(";") {
                return false;
            }
            if kws.iter().any(|k| t.is_kw(k)) {
                return true;
            }
            n += 1;
        }
    }

    pub(crate) fn if_not_exists(&mut self) -> bool {
        self.eat_kws(&["IF", "NOT", "EXISTS"])
    }

    pub(crate) fn if_exists(&mut self) -> bool {
        self.eat_kws(&["IF", "EXISTS"])
    }

    /// `PROPERTIES ("k" = "v", …)`: both sides quoted strings; keys trimmed; last wins.
    pub fn properties(&mut self) -> PResult<BTreeMap<String, String>> {
        let mut m = BTreeMap::new();
        self.expect_sym("(")?;
        loop {
            let k = self.string_lit()?;
            self.expect_sym("=")?;
            let v = self.string_lit()?;
            m.insert(k.trim().to_string(), v);
            if !self.eat_sym(",") {
                break;
            }
        }
        self.expect_sym(")")?;
        Ok(m)
    }

    fn create(&mut self) -> PResult<Stmt> {
        if self.eat_kw("DATABASE") || self.eat_kw("SCHEMA") {
            let if_not_exists = self.if_not_exists();
            let name = self.ident()?;
            if self.eat_kw("PROPERTIES") {
                self.properties()?;
            }
            return Ok(Stmt::CreateDatabase {
                name,
                if_not_exists,
            });
        }
        let or_replace = self.eat_kws(&["OR", "REPLACE"]);
        if self.eat_kw("VIEW") {
            return self.create_view(or_replace);
        }
        if self.eat_kws(&["MATERIALIZED", "VIEW"]) {
            return self.create_mv();
        }
        if self.eat_kws(&["EXTERNAL", "CATALOG"]) {
            let _ = self.if_not_exists();
            let name = self.ident()?;
            let comment = if self.eat_kw("COMMENT") {
                self.string_lit()?
            } else {
                String::new()
            };
            self.expect_kw("PROPERTIES")?;
            let properties = self.properties()?;
            return Ok(Stmt::CreateCatalog {
                name,
                comment,
                properties,
            });
        }
        let global = self.eat_kw("GLOBAL");
        let kind = if self.eat_kw("AGGREGATE") {
            "AGGREGATE"
        } else if self.peek_kw("TABLE") && self.peek_at(1).is_kw("FUNCTION") {
            self.advance();
            "TABLE"
        } else {
            "SCALAR"
        };
        if self.eat_kw("FUNCTION") {
            return self.create_function(global, kind);
        }
        if global || kind != "SCALAR" {
            return Err(self.unexpected(&["FUNCTION"]));
        }
        let _ = self.eat_kw("EXTERNAL") || self.eat_kw("TEMPORARY");
        if self.eat_kw("TABLE") {
            return self.create_table();
        }
        Err(self.no_viable())
    }

    fn create_view(&mut self, or_replace: bool) -> PResult<Stmt> {
        let if_not_exists = self.if_not_exists();
        let name = self.obj_name()?;
        if self.eat_sym("(") {
            loop {
                self.ident()?;
                if self.eat_kw("COMMENT") {
                    self.string_lit()?;
                }
                if !self.eat_sym(",") {
                    break;
                }
            }
            self.expect_sym(")")?;
        }
        let comment = if self.eat_kw("COMMENT") {
            self.string_lit()?
        } else {
            String::new()
        };
        self.expect_kw("AS")?;
        let (query, base_tables) = self.query_text()?;
        Ok(Stmt::CreateView {
            name,
            if_not_exists,
            or_replace,
            query,
            base_tables,
            comment,
        })
    }

    /// The rest of the statement as a query: its text and the tables it reads.
    fn query_text(&mut self) -> PResult<(String, Vec<ObjName>)> {
        if !(self.peek_kw("SELECT") || self.peek_kw("WITH") || self.peek().is_sym("(")) {
            return Err(self.unexpected(&["SELECT", "WITH", "("]));
        }
        let start = self.peek().start;
        let mut tables = Vec::new();
        while !self.at_end() {
            let t = self.advance();
            if t.is_kw("FROM") || t.is_kw("JOIN") {
                loop {
                    if !matches!(self.peek().tok, Tok::Word(_) | Tok::QuotedIdent(_)) {
                        break;
                    }
                    let save = self.pos;
                    match self.obj_name() {
                        Ok(n) => tables.push(n),
                        Err(_) => {
                            self.pos = save;
                            break;
                        }
                    }
                    if self.eat_kw("AS") {
                        let _ = self.ident();
                    } else if matches!(self.peek().tok, Tok::QuotedIdent(_)) {
                        self.advance();
                    } else if let Tok::Word(w) = &self.peek().tok {
                        let w = w.to_ascii_uppercase();
                        if ![
                            "WHERE", "GROUP", "ORDER", "LIMIT", "JOIN", "LEFT", "RIGHT", "INNER",
                            "FULL", "CROSS", "ON", "UNION", "HAVING", "USING", "OUTER",
                        ]
                        .contains(&w.as_str())
                        {
                            self.advance();
                        }
                    }
                    if !self.eat_sym(",") {
                        break;
                    }
                }
            }
        }
        let text = self.text_since(start);
        Ok((text, tables))
    }

    fn create_mv(&mut self) -> PResult<Stmt> {
        let if_not_exists = self.if_not_exists();
        let name = self.obj_name()?;
        let mut comment = String::new();
        let mut refresh = String::from("MANUAL");
        let mut properties = BTreeMap::new();
        loop {
            if self.peek_kw("AS") {
                self.advance();
                break;
            }
            if self.at_end() {
                return Err(self.unexpected(&["AS"]));
            }
            if self.eat_kw("COMMENT") {
                comment = self.string_lit()?;
            } else if self.eat_kw("PROPERTIES") {
                properties = self.properties()?;
            } else if self.eat_kw("REFRESH") {
                let start = self.peek().start;
                let mut depth = 0i32;
                while !self.at_end() {
                    if depth == 0 && (self.peek_kw("AS") || self.peek_kw("PROPERTIES")) {
                        break;
                    }
                    let t = self.advance();
                    if t.is_sym("(") {
                        depth += 1;
                    } else if t.is_sym(")") {
                        depth -= 1;
                    }
                }
                let text = self.text_since(start);
                if !text.is_empty() {
                    refresh = text
                        .split_whitespace()
                        .filter(|w| {
                            !w.eq_ignore_ascii_case("DEFERRED")
                                && !w.eq_ignore_ascii_case("IMMEDIATE")
                        })
                        .collect::<Vec<_>>()
                        .join(" ");
                    if refresh.is_empty() {
                        refresh = "MANUAL".into();
                    }
                }
            } else {
                // PARTITION BY / DISTRIBUTED BY / ORDER BY of the MV: kept with the query.
                let t = self.advance();
                if t.is_sym("(") {
                    let mut depth = 1;
                    while depth > 0 && !self.at_end() {
                        let t = self.advance();
                        if t.is_sym("(") {
                            depth += 1;
                        } else if t.is_sym(")") {
                            depth -= 1;
                        }
                    }
                }
            }
        }
        let (query, base_tables) = self.query_text()?;
        Ok(Stmt::CreateMv {
            name,
            if_not_exists,
            query,
            refresh,
            base_tables,
            properties,
            comment,
        })
    }

    /// Function argument types: `(INT, VARCHAR(10), ...)` upper-cased without spaces.
    fn type_list(&mut self) -> PResult<Vec<String>> {
        self.expect_sym("(")?;
        let mut out = Vec::new();
        if self.eat_sym(")") {
            return Ok(out);
        }
        loop {
            if self.eat_sym(".") {
                self.expect_sym(".")?;
                self.expect_sym(".")?;
                out.push("...".into());
            } else {
                let start = self.peek().start;
                self.sql_type()?;
                out.push(self.text_since(start).to_ascii_uppercase().replace(' ', ""));
            }
            if !self.eat_sym(",") {
                break;
            }
        }
        self.expect_sym(")")?;
        Ok(out)
    }

    fn create_function(&mut self, global: bool, kind: &str) -> PResult<Stmt> {
        let if_not_exists = self.if_not_exists();
        let name = self.obj_name()?;
        let args = self.type_list()?;
        self.expect_kw("RETURNS")?;
        let start = self.peek().start;
        self.sql_type()?;
        let return_type = self.text_since(start).to_ascii_uppercase().replace(' ', "");
        let intermediate_type = if self.eat_kw("INTERMEDIATE") {
            let start = self.peek().start;
            self.sql_type()?;
            Some(self.text_since(start).to_ascii_uppercase().replace(' ', ""))
        } else {
            None
        };
        let properties = if self.eat_kw("PROPERTIES") {
            self.properties()?
        } else {
            BTreeMap::new()
        };
        if self.eat_kw("AS") {
            self.string_lit()?;
        }
        Ok(Stmt::CreateFunction {
            global,
            name,
            args,
            return_type,
            intermediate_type,
            kind: kind.to_string(),
            if_not_exists,
            properties,
        })
    }

    fn drop(&mut self) -> PResult<Stmt> {
        if self.eat_kw("DATABASE") || self.eat_kw("SCHEMA") {
            let if_exists = self.if_exists();
            let name = self.ident()?;
            let _ = self.eat_kw("FORCE");
            return Ok(Stmt::DropDatabase { name, if_exists });
        }
        if self.eat_kw("CATALOG") {
            let if_exists = self.if_exists();
            let name = self.ident()?;
            return Ok(Stmt::DropCatalog { name, if_exists });
        }
        let global = self.eat_kw("GLOBAL");
        if self.eat_kw("FUNCTION") {
            let if_exists = self.if_exists();
            let name = self.obj_name()?;
            let args = self.type_list()?;
            return Ok(Stmt::DropFunction {
                global,
                name,
                args,
                if_exists,
            });
        }
        if global {
            return Err(self.unexpected(&["FUNCTION"]));
        }
        let kind = if self.eat_kw("TABLE") {
            ObjKind::Table
        } else if self.eat_kw("VIEW") {
            ObjKind::View
        } else if self.eat_kws(&["MATERIALIZED", "VIEW"]) {
            ObjKind::MaterializedView
        } else {
            return Err(self.no_viable());
        };
        let if_exists = self.if_exists();
        let name = self.obj_name()?;
        let _ = self.eat_kw("FORCE");
        Ok(Stmt::Drop {
            kind,
            name,
            if_exists,
        })
    }

    // ---- CREATE TABLE ------------------------------------------------------------------

    fn create_table(&mut self) -> PResult<Stmt> {
        let if_not_exists = self.if_not_exists();
        let name = self.obj_name()?;
        // StarRocks.g4 `createTableLikeStatement`: `CREATE (TEMPORARY|EXTERNAL)? TABLE
        // (IF NOT EXISTS)? qualifiedName partitionDesc? distributionDesc? properties? LIKE
        // qualifiedName`; only the form without its own partitioning, distribution or
        // properties is simulated.
        if self.eat_kw("LIKE") {
            let source = self.obj_name()?;
            return Ok(Stmt::CreateTableLike {
                name,
                if_not_exists,
                source,
            });
        }
        let own_clauses = ["PARTITION", "DISTRIBUTED", "PROPERTIES"]
            .iter()
            .any(|k| self.peek_kw(k));
        if self.peek_kw("AS") || (own_clauses && self.later_kw(&["LIKE", "AS"])) {
            return Ok(Stmt::Unsupported(
                "CREATE TABLE … AS SELECT, or LIKE with its own partitioning, distribution or properties"
                    .into(),
            ));
        }
        self.expect_sym("(")?;
        let mut columns = Vec::new();
        loop {
            if self.eat_kw("INDEX") {
                self.ident()?;
                self.ident_list()?;
                if self.eat_kw("USING") {
                    self.ident()?;
                }
                if self.eat_kw("COMMENT") {
                    self.string_lit()?;
                }
            } else {
                columns.push(self.column_spec()?);
            }
            if !self.eat_sym(",") {
                break;
            }
        }
        self.expect_sym(")")?;
        let mut ct = CreateTable {
            name,
            if_not_exists,
            columns,
            keys: None,
            comment: String::new(),
            partitioning: Partitioning::Unpartitioned,
            partitions: Vec::new(),
            distribution: None,
            order_by: Vec::new(),
            properties: BTreeMap::new(),
        };
        if self.eat_kw("ENGINE") {
            self.expect_sym("=")?;
            self.ident()?;
        }
        let keys = if self.eat_kws(&["DUPLICATE", "KEY"]) {
            Some(KeysType::Duplicate)
        } else if self.eat_kws(&["AGGREGATE", "KEY"]) {
            Some(KeysType::Aggregate)
        } else if self.eat_kws(&["UNIQUE", "KEY"]) {
            Some(KeysType::Unique)
        } else if self.eat_kws(&["PRIMARY", "KEY"]) {
            Some(KeysType::Primary)
        } else {
            None
        };
        if let Some(k) = keys {
            ct.keys = Some((k, self.ident_list()?));
        }
        if self.eat_kw("COMMENT") {
            ct.comment = self.string_lit()?;
        }
        if self.eat_kws(&["PARTITION", "BY"]) {
            self.partition_by(&mut ct)?;
        }
        if self.eat_kws(&["DISTRIBUTED", "BY"]) {
            ct.distribution = Some(self.distribution()?);
        }
        if self.eat_kws(&["ORDER", "BY"]) {
            ct.order_by = self.ident_list()?;
        }
        if self.eat_kw("PROPERTIES") {
            ct.properties = self.properties()?;
        }
        Ok(Stmt::CreateTable(Box::new(ct)))
    }

    pub(crate) fn column_spec(&mut self) -> PResult<ColumnSpec> {
        let pos = self.peek().start;
        let name = self.ident()?;
        let ty = self.sql_type()?;
        let mut c = ColumnSpec {
            name,
            ty,
            nullable: None,
            agg: None,
            default: None,
            auto_increment: false,
            comment: String::new(),
            pos,
        };
        loop {
            if self.eat_kws(&["NOT", "NULL"]) {
                c.nullable = Some(false);
            } else if self.eat_kw("NULL") {
                c.nullable = Some(true);
            } else if self.eat_kw("KEY") {
            } else if self.eat_kw("AUTO_INCREMENT") {
                c.auto_increment = true;
            } else if self.eat_kw("CHARSET") || self.eat_kws(&["CHARACTER", "SET"]) {
                self.ident_or_string()?;
            } else if self.eat_kw("COMMENT") {
                c.comment = self.string_lit()?;
            } else if self.eat_kw("DEFAULT") {
                let t = self.advance();
                c.default = Some(match t.tok {
                    Tok::Str(s) | Tok::Num(s) => s,
                    Tok::Word(w) if w.eq_ignore_ascii_case("CURRENT_TIMESTAMP") => {
                        if self.eat_sym("(") {
                            self.expect_sym(")")?;
                        }
                        "CURRENT_TIMESTAMP".into()
                    }
                    Tok::Word(w) if w.eq_ignore_ascii_case("NULL") => "NULL".into(),
                    Tok::Sym("-") => match self.advance().tok {
                        Tok::Num(n) => format!("-{n}"),
                        _ => return Err(self.unexpected(&["<literal>"])),
                    },
                    _ => return Err(self.unexpected(&["<literal>"])),
                });
            } else if let Tok::Word(w) = &self.peek().tok {
                match AggType::parse(w) {
                    Some(a) if c.agg.is_none() => {
                        self.advance();
                        c.agg = Some(a);
                    }
                    _ if ["BITMAP_UNION", "HLL_UNION", "PERCENTILE_UNION"]
                        .iter()
                        .any(|x| x.eq_ignore_ascii_case(w)) =>
                    {
                        return Err(errors::unsupported(&format!("aggregate type {w}")));
                    }
                    _ => break,
                }
            } else {
                break;
            }
        }
        Ok(c)
    }

    fn partition_by(&mut self, ct: &mut CreateTable) -> PResult<()> {
        if self.eat_kw("RANGE") {
            let columns = self.ident_list()?;
            ct.partitioning = Partitioning::Range {
                columns,
                auto: None,
            };
            ct.partitions = self.partition_list()?;
            return Ok(());
        }
        if self.eat_kw("LIST") {
            let columns = self.ident_list()?;
            ct.partitioning = Partitioning::List {
                columns,
                auto: false,
            };
            ct.partitions = self.partition_list()?;
            return Ok(());
        }
        // Expression partitioning: date_trunc('unit', col) / time_slice(col, INTERVAL n unit)
        // / one or more columns.
        if self.peek_kw("date_trunc") && self.peek_at(1).is_sym("(") {
            self.advance();
            self.advance();
            let unit_pos = self.peek().start;
            let unit = self.string_lit()?;
            let unit = TimeUnit::parse(&unit).ok_or_else(|| {
                errors::syntax_at(
                    self.sql,
                    unit_pos,
                    &format!("Unsupported date_trunc unit '{unit}'"),
                )
            })?;
            self.expect_sym(",")?;
            let col = self.ident()?;
            self.expect_sym(")")?;
            ct.partitioning = Partitioning::Range {
                columns: vec![col],
                auto: Some(unit),
            };
            return Ok(());
        }
        if self.peek_kw("time_slice") && self.peek_at(1).is_sym("(") {
            self.advance();
            self.advance();
            let col = self.ident()?;
            self.expect_sym(",")?;
            self.expect_kw("INTERVAL")?;
            self.integer()?;
            let unit = self.ident()?;
            let unit =
                TimeUnit::parse(&unit).ok_or_else(|| self.unexpected(&["DAY", "MONTH", "YEAR"]))?;
            self.expect_sym(")")?;
            ct.partitioning = Partitioning::Range {
                columns: vec![col],
                auto: Some(unit),
            };
            return Ok(());
        }
        let columns = if self.peek().is_sym("(") {
            self.ident_list()?
        } else {
            let mut v = vec![self.ident()?];
            while self.eat_sym(",") {
                v.push(self.ident()?);
            }
            v
        };
        ct.partitioning = Partitioning::List {
            columns,
            auto: true,
        };
        Ok(())
    }

    /// `( partitionDesc, … )` after RANGE/LIST (may be empty).
    fn partition_list(&mut self) -> PResult<Vec<PartitionSpec>> {
        self.expect_sym("(")?;
        let mut v = Vec::new();
        if self.eat_sym(")") {
            return Ok(v);
        }
        loop {
            v.push(self.partition_spec(false)?);
            if !self.eat_sym(",") {
                break;
            }
        }
        self.expect_sym(")")?;
        Ok(v)
    }

    /// One value of a partition bound: a string, number or `MAXVALUE` (`None`).
    fn bound_value(&mut self) -> PResult<Option<Value>> {
        let t = self.peek().clone();
        match t.tok {
            Tok::Str(s) => {
                self.advance();
                Ok(Some(Value::Str(s)))
            }
            Tok::Num(_) | Tok::Sym("-") => Ok(Some(Value::Int(self.integer()?))),
            Tok::Word(w) if w.eq_ignore_ascii_case("MAXVALUE") => {
                self.advance();
                Ok(None)
            }
            _ => Err(self.unexpected(&["<string>", "<integer>", "MAXVALUE"])),
        }
    }

    fn bound_tuple(&mut self) -> PResult<Option<Vec<Value>>> {
        self.expect_sym("(")?;
        let mut v = Vec::new();
        loop {
            match self.bound_value()? {
                Some(x) => v.push(x),
                None => {
                    self.expect_sym(")")?;
                    return Ok(None);
                }
            }
            if !self.eat_sym(",") {
                break;
            }
        }
        self.expect_sym(")")?;
        Ok(Some(v))
    }

    pub(crate) fn partition_spec(&mut self, alter: bool) -> PResult<PartitionSpec> {
        if self.eat_kw("START") {
            self.expect_sym("(")?;
            let start = self.bound_value()?.unwrap_or(Value::Null);
            self.expect_sym(")")?;
            self.expect_kw("END")?;
            self.expect_sym("(")?;
            let end = self.bound_value()?.unwrap_or(Value::Null);
            self.expect_sym(")")?;
            self.expect_kw("EVERY")?;
            self.expect_sym("(")?;
            let (every, unit) = if self.eat_kw("INTERVAL") {
                let n = self.integer()?;
                let u = self.ident()?;
                let unit = TimeUnit::parse(&u)
                    .ok_or_else(|| self.unexpected(&["DAY", "MONTH", "YEAR"]))?;
                (n, Some(unit))
            } else {
                (self.integer()?, None)
            };
            self.expect_sym(")")?;
            return Ok(PartitionSpec::Batch {
                start,
                end,
                every,
                unit,
            });
        }
        self.expect_kw("PARTITION")?;
        let if_not_exists = self.if_not_exists();
        let name = self.ident()?;
        self.expect_kw("VALUES")?;
        let spec = if self.eat_kws(&["LESS", "THAN"]) {
            let upper = if self.eat_kw("MAXVALUE") {
                None
            } else {
                self.bound_tuple()?
            };
            PartitionSpec::LessThan {
                name,
                upper,
                if_not_exists,
            }
        } else if self.eat_sym("[") {
            let lower = self.bound_tuple()?.unwrap_or_default();
            self.expect_sym(",")?;
            let upper = self.bound_tuple()?.unwrap_or_default();
            self.expect_sym(")")?;
            PartitionSpec::Fixed {
                name,
                lower,
                upper,
                if_not_exists,
            }
        } else if self.eat_kw("IN") {
            self.expect_sym("(")?;
            let mut values = Vec::new();
            loop {
                if self.peek().is_sym("(") {
                    values.push(self.bound_tuple()?.unwrap_or_default());
                } else {
                    values.push(vec![self.bound_value()?.unwrap_or(Value::Null)]);
                }
                if !self.eat_sym(",") {
                    break;
                }
            }
            self.expect_sym(")")?;
            PartitionSpec::In {
                name,
                values,
                if_not_exists,
            }
        } else {
            return Err(self.unexpected(&["LESS", "[", "IN"]));
        };
        if self.peek().is_sym("(") && matches!(self.peek_at(1).tok, Tok::Str(_)) {
            self.properties()?;
        }
        let _ = alter;
        Ok(spec)
    }

    pub(crate) fn distribution(&mut self) -> PResult<Distribution> {
        let d = if self.eat_kw("HASH") {
            let columns = self.ident_list()?;
            Distribution::Hash {
                columns,
                buckets: 0,
            }
        } else if self.eat_kw("RANDOM") {
            Distribution::Random { buckets: 0 }
        } else {
            return Err(self.unexpected(&["HASH", "RANDOM"]));
        };
        let buckets = if self.eat_kw("BUCKETS") {
            self.integer()?.clamp(0, 1_000_000) as u32
        } else {
            0
        };
        Ok(match d {
            Distribution::Hash { columns, .. } => Distribution::Hash { columns, buckets },
            Distribution::Random { .. } => Distribution::Random { buckets },
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::ast::*;
    use crate::engine::catalog::{KeysType, Partitioning};
    use crate::engine::parser::parse_all;

    fn one(sql: &str) -> Stmt {
        let mut v = parse_all(sql).expect("parses");
        v.remove(0).stmt
    }

    #[test]
    fn create_table_with_range_partitions() {
        let Stmt::CreateTable(ct) = one(r#"CREATE TABLE IF NOT EXISTS sales.orders (
                 dt DATE NOT NULL COMMENT "day", id BIGINT, amount DECIMAL(10, 2) SUM DEFAULT "0"
               ) AGGREGATE KEY(dt, id) COMMENT 'orders'
               PARTITION BY RANGE(dt) (
                 PARTITION p1 VALUES LESS THAN ("2024-01-02"),
                 PARTITION p2 VALUES [("2024-01-02"), ("2024-01-03")),
                 START ("2024-01-03") END ("2024-01-10") EVERY (INTERVAL 1 DAY)
               )
               DISTRIBUTED BY HASH(id) BUCKETS 4 ORDER BY (dt) PROPERTIES ("replication_num" = "1")"#)
        else {
            panic!("not create table")
        };
        assert!(ct.if_not_exists);
        assert_eq!(ct.keys.as_ref().map(|k| k.0), Some(KeysType::Aggregate));
        assert_eq!(ct.partitions.len(), 3);
        assert_eq!(
            ct.properties.get("replication_num").map(String::as_str),
            Some("1")
        );
        assert_eq!(ct.columns[2].default.as_deref(), Some("0"));
    }

    #[test]
    fn expression_partitioning() {
        let Stmt::CreateTable(ct) =
            one("CREATE TABLE t (dt DATETIME, v INT) PARTITION BY date_trunc('day', dt)")
        else {
            panic!("not create table")
        };
        assert!(matches!(
            ct.partitioning,
            Partitioning::Range { auto: Some(_), .. }
        ));
        let Stmt::CreateTable(ct) =
            one("CREATE TABLE t (city VARCHAR(20), v INT) PARTITION BY city")
        else {
            panic!("not create table")
        };
        assert!(matches!(
            ct.partitioning,
            Partitioning::List { auto: true, .. }
        ));
    }

    #[test]
    fn alter_rename_to_is_not_starrocks_syntax() {
        let e = parse_all("ALTER TABLE t RENAME TO t3").expect_err("RENAME TO");
        assert!(
            e.message
                .ends_with("Detail message: No viable statement for input 'RENAME TO'."),
            "{}",
            e.message
        );
        let e = parse_all("ALTER TABLE t SWAP WITH db.t2").expect_err("qualified swap");
        assert!(
            e.message.ends_with(
                "Detail message: Unexpected input '.', the most similar input is {<EOF>, ';'}."
            ),
            "{}",
            e.message
        );
    }

    #[test]
    fn functions_views_mvs_catalogs() {
        assert!(matches!(
            one(r#"CREATE GLOBAL FUNCTION f(INT, VARCHAR(10)) RETURNS INT PROPERTIES ("symbol" = "a.B", "type" = "StarrocksJar")"#),
            Stmt::CreateFunction { global: true, ref args, .. } if args == &["INT".to_string(), "VARCHAR(10)".to_string()]
        ));
        let Stmt::CreateMv { base_tables, refresh, .. } = one(
            "CREATE MATERIALIZED VIEW mv DISTRIBUTED BY HASH(a) REFRESH ASYNC EVERY (INTERVAL 1 DAY) AS SELECT a, sum(b) FROM db1.t1 JOIN t2 ON t1.a = t2.a GROUP BY a",
        ) else {
            panic!("not mv")
        };
        assert_eq!(base_tables.len(), 2);
        assert_eq!(refresh, "ASYNC EVERY (INTERVAL 1 DAY)");
        assert!(matches!(
            one(r#"CREATE EXTERNAL CATALOG hive1 PROPERTIES ("type" = "hive")"#),
            Stmt::CreateCatalog { .. }
        ));
    }
}
