//! The simulated StarRocks frontend: catalog, data and SQL execution behind the
//! [`Handler`](crate::response::Handler) trait.

pub mod catalog;
pub mod errors;
pub mod infoschema;
pub mod show;
pub mod time;
pub mod value;

pub use catalog::Catalog;
pub use time::TimeZone;
pub use value::{SqlType, Value, VirtualTable};

use crate::clock::EpochMillis;
use crate::config::SimConfig;
use crate::profile::VersionProfile;

/// Read-only view of the engine's state for SHOW statements and `information_schema`
/// tables. It borrows the catalog under the engine's read lock, so code that receives an
/// `EngineCtx` never locks anything itself.
pub struct EngineCtx<'a> {
    pub catalog: &'a Catalog,
    pub config: &'a SimConfig,
    pub time_zone: &'a TimeZone,
}

impl EngineCtx<'_> {
    pub fn now_ms(&self) -> EpochMillis {
        self.config.clock.now_ms()
    }

    pub fn version(&self) -> VersionProfile {
        self.config.version
    }

    /// Number of alive backends.
    pub fn alive_backends(&self) -> usize {
        self.config.backends.iter().filter(|b| b.alive).count()
    }

    /// `yyyy-MM-dd HH:mm:ss` in the FE time zone; `None` (NULL) when `ms <= 0`, as
    /// `TimeUtils.longToTimeString` does.
    pub fn format_time(&self, ms: EpochMillis) -> Option<String> {
        (ms > 0).then(|| self.time_zone.format_datetime(ms))
    }
}
