//! ALTER TABLE and ALTER MATERIALIZED VIEW (StarRocks.g4 `alterTableStatement`,
//! `alterClause`, `alterMaterializedViewStatement`): partitions, columns, SWAP WITH,
//! RENAME (never `RENAME TO`), SET properties, ACTIVE / INACTIVE / REFRESH.

use crate::engine::ast::*;
use crate::engine::errors;
use crate::engine::parser::{PResult, Parser};

impl Parser<'_> {
    pub(crate) fn alter(&mut self) -> PResult<Stmt> {
        if self.eat_kws(&["MATERIALIZED", "VIEW"]) {
            let name = self.obj_name()?;
            let action = if self.eat_kw("ACTIVE") {
                MvAction::Active
            } else if self.eat_kw("INACTIVE") {
                MvAction::Inactive
            } else if self.eat_kws(&["SWAP", "WITH"]) {
                let pos = self.peek().start;
                MvAction::Swap {
                    with: self.ident()?,
                    pos,
                }
            } else if self.eat_kw("RENAME") {
                let pos = self.peek().start;
                MvAction::Rename {
                    to: self.ident()?,
                    pos,
                }
            } else if self.eat_kw("REFRESH") {
                while !self.at_end() {
                    self.advance();
                }
                MvAction::Refresh
            } else {
                return Err(self.unexpected(&["ACTIVE", "INACTIVE", "SWAP", "RENAME", "REFRESH"]));
            };
            return Ok(Stmt::AlterMv { name, action });
        }
        // StarRocks.g4 `alterDatabaseRenameStatement: ALTER DATABASE identifier RENAME
        // identifier` (no `TO`, no `SCHEMA`).
        if self.eat_kw("DATABASE") {
            let from = self.ident()?;
            self.expect_kw("RENAME")?;
            let to = self.ident()?;
            return Ok(Stmt::RenameDatabase { from, to });
        }
        self.expect_kw("TABLE")?;
        let table = self.obj_name()?;
        let mut clauses = Vec::new();
        loop {
            clauses.push(self.alter_clause()?);
            if !self.eat_sym(",") {
                break;
            }
        }
        if !self.at_end() {
            return Err(self.unexpected(&["<EOF>", ";"]));
        }
        Ok(Stmt::AlterTable { table, clauses })
    }

    fn alter_clause(&mut self) -> PResult<AlterClause> {
        let clause_start = self.peek().start;
        if self.eat_kws(&["SWAP", "WITH"]) {
            let pos = self.peek().start;
            return Ok(AlterClause::Swap {
                with: self.ident()?,
                pos,
            });
        }
        if self.eat_kw("RENAME") {
            if self.peek_kw("TO") || self.peek_kw("COLUMN") || self.peek_kw("PARTITION") {
                let t = self.peek().clone();
                let text = self.sql.get(clause_start..t.end).unwrap_or("");
                return Err(errors::syntax_at(
                    self.sql,
                    t.start,
                    &format!("No viable statement for input '{text}'"),
                ));
            }
            let pos = self.peek().start;
            return Ok(AlterClause::Rename {
                to: self.ident()?,
                pos,
            });
        }
        if self.eat_kw("SET") {
            return Ok(AlterClause::SetProperties(self.properties()?));
        }
        if self.eat_kw("COMMENT") {
            let _ = self.eat_sym("=");
            return Ok(AlterClause::Comment(self.string_lit()?));
        }
        if self.eat_kw("ADD") {
            let temp = self.eat_kw("TEMPORARY");
            if self.peek_kw("PARTITION") {
                let spec = self.partition_spec(true)?;
                let buckets = self.alter_partition_tail()?;
                return Ok(AlterClause::AddPartitions {
                    temp,
                    specs: vec![spec],
                    buckets,
                });
            }
            if self.eat_kw("PARTITIONS") {
                let spec = self.partition_spec(true)?;
                let buckets = self.alter_partition_tail()?;
                return Ok(AlterClause::AddPartitions {
                    temp,
                    specs: vec![spec],
                    buckets,
                });
            }
            if temp {
                return Err(self.unexpected(&["PARTITION", "PARTITIONS"]));
            }
            self.expect_kw("COLUMN")?;
            let columns = if self.eat_sym("(") {
                let mut v = vec![self.column_spec()?];
                while self.eat_sym(",") {
                    v.push(self.column_spec()?);
                }
                self.expect_sym(")")?;
                v
            } else {
                vec![self.column_spec()?]
            };
            let mut after = None;
            let mut first = false;
            if self.eat_kw("AFTER") {
                after = Some(self.ident()?);
            } else if self.eat_kw("FIRST") {
                first = true;
            }
            if self.eat_kw("TO") || self.eat_kw("IN") {
                self.ident()?;
            }
            if self.eat_kw("PROPERTIES") {
                self.properties()?;
            }
            return Ok(AlterClause::AddColumns {
                columns,
                after,
                first,
            });
        }
        if self.eat_kw("DROP") {
            let temp = self.eat_kw("TEMPORARY");
            if self.eat_kw("PARTITION") {
                let if_exists = self.if_exists();
                let name = self.ident_or_string()?;
                let _ = self.eat_kw("FORCE");
                return Ok(AlterClause::DropPartition {
                    temp,
                    name,
                    if_exists,
                });
            }
            if temp {
                return Err(self.unexpected(&["PARTITION"]));
            }
            self.expect_kw("COLUMN")?;
            let pos = self.peek().start;
            let name = self.ident()?;
            if self.eat_kw("FROM") {
                self.ident()?;
            }
            return Ok(AlterClause::DropColumn { name, pos });
        }
        Err(self.no_viable())
    }

    fn alter_partition_tail(&mut self) -> PResult<Option<u32>> {
        let mut buckets = None;
        if self.eat_kws(&["DISTRIBUTED", "BY"]) {
            let d = self.distribution()?;
            buckets = Some(d.buckets()).filter(|b| *b > 0);
        }
        if self.eat_kw("PROPERTIES") {
            self.properties()?;
        }
        Ok(buckets)
    }
}
