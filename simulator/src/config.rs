//! How a simulator is started: users, clock, time zone, version, backends, storage.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::clock::Clock;
use crate::profile::VersionProfile;

/// A user that may log in (`mysql_native_password`). An empty password accepts an empty
/// auth response only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub name: String,
    pub password: String,
}

/// One simulated backend (BE) node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackendSpec {
    pub alive: bool,
}

#[derive(Clone, Debug)]
pub struct SimConfig {
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    pub users: Vec<User>,
    pub version: VersionProfile,
    pub clock: Clock,
    /// The FE's time zone, as StarRocks accepts it: `UTC`, `+08:00`, `Asia/Shanghai`, …
    /// Shown in VisibleVersionTime, job times and snapshot timestamps.
    pub time_zone: String,
    pub backends: Vec<BackendSpec>,
    /// Where the simulator keeps its own state (catalog and data) so that a restart on the
    /// same directory finds it again. `None`: memory only.
    pub data_dir: Option<PathBuf>,
    /// Repository locations (`s3://bucket/prefix`, `hdfs://…`) mapped to local folders by
    /// longest prefix. A location with no mapping is refused like an unreachable store.
    pub storage: BTreeMap<String, PathBuf>,
    /// Seed for ids and anything pseudo-random, so runs are reproducible.
    pub seed: u64,
    /// The largest packet the server reads; a bigger one is refused with error 1153 and the
    /// connection closes. StarRocks's `max_allowed_packet` default: 32 MiB.
    pub max_allowed_packet: usize,
    /// How long each BACKUP/RESTORE job state lasts (`snapshot::pacing`); a few
    /// milliseconds per state by default.
    pub snapshot_pacing: crate::snapshot::Pacing,
    /// Backends marked dead at run time (fault injection), by index into `backends`; shared by
    /// every clone of the config, so SHOW BACKENDS, CREATE TABLE and RESTORE agree.
    pub dead_backends: std::sync::Arc<std::sync::Mutex<std::collections::BTreeSet<usize>>>,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            port: 0,
            users: vec![User {
                name: "root".into(),
                password: String::new(),
            }],
            version: VersionProfile::default(),
            clock: Clock::Real,
            time_zone: "UTC".into(),
            backends: vec![BackendSpec { alive: true }; 3],
            data_dir: None,
            storage: BTreeMap::new(),
            seed: 0,
            max_allowed_packet: crate::protocol::DEFAULT_MAX_ALLOWED_PACKET,
            snapshot_pacing: crate::snapshot::Pacing::default(),
            dead_backends: Default::default(),
        }
    }
}

impl SimConfig {
    /// The cluster id (SHOW FRONTENDS `ClusterId`, a 4.2 snapshot's `cluster_id`): `NodeMgr`
    /// draws a random positive int; the simulator derives it from the seed.
    pub fn cluster_id(&self) -> i64 {
        1 + (self.seed % (i32::MAX as u64 - 1)) as i64
    }

    /// Whether backend `index` is alive: configured alive and not marked dead since.
    pub fn backend_is_alive(&self, index: usize) -> bool {
        let down = self
            .dead_backends
            .lock()
            .map(|d| d.contains(&index))
            .unwrap_or_else(|e| e.into_inner().contains(&index));
        self.backends.get(index).is_some_and(|b| b.alive) && !down
    }

    /// How many backends are alive.
    pub fn alive_backend_count(&self) -> usize {
        (0..self.backends.len())
            .filter(|&i| self.backend_is_alive(i))
            .count()
    }
}
