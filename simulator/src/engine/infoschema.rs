//! `information_schema` virtual tables (spec §3.7, versions §2.5/§2.6): owned by the
//! SHOW/information_schema work, which replaces this body. The SELECT executor asks for a
//! table by name and evaluates WHERE/ORDER BY/LIMIT/projections over what it gets.

use crate::engine::{EngineCtx, VirtualTable};
use crate::response::Session;

/// The rows of `information_schema.<name>` (name lower-cased by the caller), or `None` when
/// the simulator has no such table.
pub fn table(_ctx: &EngineCtx<'_>, _session: &Session, _name: &str) -> Option<VirtualTable> {
    None
}
