//! starsnap's compiler: everything that turns bytes (snapshot SQL, policy files, observed
//! catalogs) into typed, validated values and canonical text.
//!
//! This crate is pure: no I/O, no clock, no environment. The same inputs always give the
//! same outputs, byte for byte (ARCHITECTURE.md, invariant 1). It never prints; diagnostics
//! are data and the CLI renders them.

pub mod catalog;
pub mod diagnostic;
pub mod escape;
pub mod fmt;
pub mod lint;
pub mod plan;
pub mod planner;
pub mod policy;
pub mod restore;
pub mod span;
pub mod syntax;
pub mod time;
pub mod validate;

pub use diagnostic::{Diagnostic, Label, Severity, Stage, StarRocksError};
pub use span::{LineIndex, Span};
