//! A StarRocks frontend simulator: it speaks the MySQL wire protocol on 127.0.0.1 and answers
//! like StarRocks 3.4 (or 3.3, 3.5, 4.0, 4.1) as `shared/spec/starrocks-3.4.md` and
//! `starrocks-versions.md` describe them: same result columns, error texts and codes, job
//! states and repository layout. Used by starsnap's end-to-end tests and by `starsnap sandbox`.
//!
//! Layout: `protocol` is the wire (packets, handshake, commands); `engine` is the frontend
//! (catalog, data, SQL); they meet at the [`Handler`] trait in `response`.

pub mod clock;
pub mod config;
pub mod engine;
pub mod profile;
pub mod protocol;
pub mod response;
pub mod seed;
pub mod server;
pub mod sim;
pub mod snapshot;

pub use clock::Clock;
pub use config::{BackendSpec, SimConfig, User};
pub use profile::VersionProfile;
pub use response::{Column, ColumnType, Handler, Outcome, Response, Session, SqlError};
pub use server::Server;
