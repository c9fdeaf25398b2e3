//! SHOW BACKENDS and SHOW FRONTENDS (spec §3.8, versions §2.1/§2.2).
//!
//! Backends come from `SimConfig.backends` (alive or dead); their tablet counts and used
//! capacity from the catalog (every bucket of every native partition, times its replication
//! number, spread over the backends). Row builders follow 3.4's
//! `common/proc/BackendsProcDir.getClusterBackendInfos` (sorted by IP, then BePort, as
//! strings) and `common/proc/FrontendsProcNode` (paths relative to
//! `fe/fe-core/src/main/java/com/starrocks/`).

use crate::engine::show::clauses41::{self, Clauses};
use crate::engine::show::format::{capacity, java_bool, percent, pretty_bytes};
use crate::engine::show::layouts;
use crate::engine::show::parse::Cursor;
use crate::engine::show::{result, session_time_zone};
use crate::engine::{backend_id, EngineCtx};
use crate::profile::VersionProfile;
use crate::response::{Outcome, Session};

/// The simulated hardware of every backend: disk, cores and memory limit.
const DISK_BYTES: u64 = 1 << 40;
const CPU_CORES: u32 = 8;
const MEM_LIMIT_BYTES: u64 = 16 << 30;
/// Default StarRocks ports (`be.conf`, `fe.conf`); backend `i` adds `10 * i` so that
/// backends on one host stay distinct.
const BE_HEARTBEAT_PORT: u32 = 9050;
const BE_PORT: u32 = 9060;
const BE_HTTP_PORT: u32 = 8040;
const BE_BRPC_PORT: u32 = 8060;
const FE_EDIT_LOG_PORT: u32 = 9010;
const FE_HTTP_PORT: u32 = 8030;
const FE_RPC_PORT: u32 = 9020;
const FE_QUERY_PORT: u32 = 9030;
const HOST: &str = "127.0.0.1";
/// An FE's node name ends with the time it first started (`host_editLogPort_millis`); the
/// simulator's FE "first started" at 2020-01-01 UTC plus the seed, so names are stable.
const FE_NAME_EPOCH_MS: i64 = 1_577_836_800_000;

/// Replicas and bytes each backend holds: `(tablets, data bytes)` per backend index.
fn placement(ctx: &EngineCtx<'_>) -> Vec<(u64, u64)> {
    let n = ctx.config.backends.len();
    let mut out = vec![(0u64, 0u64); n];
    if n == 0 {
        return out;
    }
    let mut next = 0usize;
    for db in ctx.catalog.databases.values() {
        for table in db.tables.values().filter(|t| t.is_native()) {
            for p in table.partitions.iter().chain(&table.temp_partitions) {
                let replicas = (p.replication_num as usize).clamp(1, n);
                let per_tablet = p.data_size / u64::from(p.buckets.max(1));
                for _ in 0..p.buckets {
                    for r in 0..replicas {
                        let slot = &mut out[(next + r) % n];
                        slot.0 += 1;
                        slot.1 += per_tablet;
                    }
                    next = (next + 1) % n;
                }
            }
        }
    }
    out
}

/// `SHOW BACKENDS`.
pub fn show_backends(ctx: &EngineCtx<'_>, s: &mut Session, c: &mut Cursor<'_>) -> Outcome {
    let clauses = clauses41::parse(c, ctx.version())?;
    backends(ctx, s, Some(clauses))
}

/// The SHOW BACKENDS result (also `SHOW PROC '/backends'`), with 4.1's clauses if any.
pub fn backends(ctx: &EngineCtx<'_>, s: &Session, clauses: Option<Clauses>) -> Outcome {
    let profile = ctx.version();
    let tz = session_time_zone(ctx, s);
    let now = ctx.now_ms();
    let placed = placement(ctx);
    let mut rows: Vec<Vec<Option<String>>> = Vec::new();
    for i in 0..ctx.config.backends.len() {
        let alive = ctx.config.backend_is_alive(i);
        let step = 10 * i as u32;
        let (tablets, used) = placed.get(i).copied().unwrap_or((0, 0));
        let (used, total) = if alive { (used, DISK_BYTES) } else { (0, 0) };
        let avail = total.saturating_sub(used);
        let pct = |part: u64, whole: u64| {
            if whole == 0 {
                0.0
            } else {
                part as f64 * 100.0 / whole as f64
            }
        };
        let time = |ms| alive.then(|| tz.format_datetime(ms));
        let mut row = vec![
            Some(backend_id(i).to_string()),
            Some(HOST.to_string()),
            Some((BE_HEARTBEAT_PORT + step).to_string()),
            Some((BE_PORT + step).to_string()),
            Some((BE_HTTP_PORT + step).to_string()),
            Some((BE_BRPC_PORT + step).to_string()),
            time(now),
            time(now),
            Some(java_bool(alive).to_string()),
            Some("false".into()),
            Some("false".into()),
            Some(tablets.to_string()),
            Some(capacity(used)),
            Some(capacity(avail)),
            Some(capacity(total)),
            Some(percent(pct(total - avail, total))),
            Some(percent(pct(total - avail, total))),
            Some(if alive {
                String::new()
            } else {
                "java.net.ConnectException: Connection refused".to_string()
            }),
            Some(if alive {
                profile.version_comment().to_string()
            } else {
                String::new()
            }),
            Some(format!(
                "{{\"lastSuccessReportTabletsTime\":\"{}\"}}",
                time(now).unwrap_or_else(|| "N/A".into())
            )),
            Some(capacity(used + avail)),
            Some(percent(pct(used, used + avail))),
            Some(if alive { CPU_CORES } else { 0 }.to_string()),
            Some(pretty_bytes(if alive { MEM_LIMIT_BYTES } else { 0 })),
            Some("0".into()),
            Some(percent(0.0)),
            Some("0.0 %".into()),
            Some("N/A".into()),
            Some(String::new()),
        ];
        if profile >= VersionProfile::V3_4 {
            row.push(Some(if alive { "OK" } else { "DISCONNECTED" }.to_string()));
        }
        rows.push(row);
    }
    // ListComparator(1, 3): IP, then BePort, compared as strings.
    rows.sort_by(|a, b| (&a[1], &a[3]).cmp(&(&b[1], &b[3])));
    let columns = layouts::show_backends(profile);
    let rows = match clauses {
        Some(c) => c.apply(&columns, rows)?,
        None => rows,
    };
    result(columns, rows)
}

/// `SHOW FRONTENDS`: the simulator is a single leader FE.
pub fn show_frontends(ctx: &EngineCtx<'_>, s: &mut Session, c: &mut Cursor<'_>) -> Outcome {
    let clauses = clauses41::parse(c, ctx.version())?;
    frontends(ctx, s, Some(clauses))
}

/// The SHOW FRONTENDS result (also `SHOW PROC '/frontends'`), with 4.1's clauses if any.
pub fn frontends(ctx: &EngineCtx<'_>, s: &Session, clauses: Option<Clauses>) -> Outcome {
    let profile = ctx.version();
    let tz = session_time_zone(ctx, s);
    let now = ctx.now_ms();
    let query_port = match u32::from(ctx.config.port) {
        0 => FE_QUERY_PORT,
        p => p,
    };
    let cluster_id = ctx.config.cluster_id();
    let mut row = Vec::with_capacity(17);
    if profile >= VersionProfile::V3_5 {
        row.push(Some("1".to_string()));
    }
    row.extend([
        Some(format!(
            "{HOST}_{FE_EDIT_LOG_PORT}_{}",
            FE_NAME_EPOCH_MS + (ctx.config.seed % 1_000_000_000) as i64
        )),
        Some(HOST.to_string()),
        Some(FE_EDIT_LOG_PORT.to_string()),
        Some(FE_HTTP_PORT.to_string()),
        Some(query_port.to_string()),
        Some(FE_RPC_PORT.to_string()),
        Some("LEADER".to_string()),
        Some(cluster_id.to_string()),
        Some("true".to_string()),
        Some("true".to_string()),
        Some(ctx.catalog.next_id.to_string()),
        Some(tz.format_datetime(now)),
        Some("true".to_string()),
        Some(String::new()),
        Some(tz.format_datetime(now)),
        Some(profile.version_comment().to_string()),
    ]);
    let columns = layouts::show_frontends(profile);
    let rows = match clauses {
        Some(c) => c.apply(&columns, vec![row])?,
        None => vec![row],
    };
    result(columns, rows)
}
