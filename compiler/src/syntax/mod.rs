//! The front end for StarRocks snapshot SQL: lexer, typed AST, parser, canonical printer.
//!
//! The grammar it implements is `grammar/starrocks-3.4.ebnf`. Entry points: [`parse`],
//! [`parse_bytes`]; printing: `Display` on [`ast::Statement`], [`quote_ident`],
//! [`quote_string`], [`to_3_4_syntax`].

pub mod ast;
pub mod codes;
pub mod dialect;
pub mod keywords;
pub mod lexer;
mod parser;
mod print;

pub use dialect::{Dialect, UnknownDialect};
pub use parser::{parse, parse_bytes, Comment, Parse, ParsedStatement};
pub use print::{is_expressible_ident, normalize_raw, quote_ident, quote_string, to_3_4_syntax};
