//! Helpers for the state-store tests: a private MariaDB server and the scenarios both
//! backends run.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod mariadb;
pub mod scenarios;
