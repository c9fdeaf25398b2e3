//! The front end for StarRocks snapshot SQL: lexer, typed AST, parser, canonical printer.
//!
//! The grammar it implements is `grammar/starrocks-3.4.ebnf`.

pub mod ast;
pub mod dialect;

pub use dialect::Dialect;
