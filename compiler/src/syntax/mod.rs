//! The front end for StarRocks snapshot SQL: lexer, typed AST, parser, canonical printer.
//!
//! The grammar it implements is `grammar/starrocks-3.4.ebnf`. Entry points: [`parse`],
//! [`parse_bytes`]; printing: `Display` on [`ast::Statement`], [`quote_ident`],
//! [`quote_string`], [`display_for`] (SQL for a target version), [`to_3_4_syntax`].

pub mod ast;
pub mod codes;
pub mod dialect;
pub mod keywords;
pub mod lexer;
mod parser;
mod print;
mod rewrite;

pub use dialect::{Dialect, UnknownDialect};
pub use parser::{parse, parse_bytes, Comment, Parse, ParsedStatement, Statements};
pub use print::{is_expressible_ident, normalize_raw, quote_ident, quote_string};
pub use rewrite::{display_for, has_3_4_rewrite, legacy_expressible, to_3_4_syntax, DisplayFor};
