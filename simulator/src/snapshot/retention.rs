//! StarRocks 4.2 snapshot retention (`shared/spec/starrocks-versions.md` §5, PR #78092): the
//! BACKUP `ttl` property and the expiry it gives, the four retention columns of SHOW SNAPSHOT,
//! `DROP SNAPSHOT <name> ON <repo> [FORCE]`, and the leader's cleanup of expired snapshots,
//! run here before each snapshot statement under the simulator's clock.
//!
//! Sources (facts only): upstream `fe/fe-core/src/main/java/com/starrocks/backup/SnapshotTtl.java`
//! (`ttl` = `<n> <unit>` through `TimeUtils.parseHumanReadablePeriodOrDuration`, calendar
//! arithmetic in the FE zone from the finish time), `BackupJobInfoRetentionTest.java` (the
//! `cluster_id`/`finish_time`/`ttl`/`expire_time` keys), `BackupSnapshotCleanupTest.java` and
//! `DROP_SNAPSHOT.md` (the checks). Only fragments of the DROP SNAPSHOT messages are known
//! (§5.1); the full texts here are the simulator's and marked so in the tests.

use starsnap_compiler::syntax::ast::DropSnapshot;

use super::files::{self, JobInfo};
use super::{storage, Job, SnapCtx, State};
use crate::engine::errors;
use crate::engine::time::{TimeUnit, TimeZone};
use crate::profile::VersionProfile;
use crate::response::{Outcome, Response, SqlError};

/// `SnapshotTtl.parse` after the analyzer accepted it: `None` for an empty value (forever).
/// Seconds, minutes, hours, days and weeks are fixed lengths; months and years are calendar
/// arithmetic (`PeriodStyle`), so `1 MONTH` from Jan 31 is Feb 28.
pub fn expire_time(finish_ms: i64, ttl: &str, tz: &TimeZone) -> Option<i64> {
    let mut parts = ttl.split_whitespace();
    let n: i64 = parts.next()?.parse().ok()?;
    let unit = parts.next()?.to_ascii_lowercase();
    let unit = unit.strip_suffix('s').unwrap_or(&unit);
    let fixed = match unit {
        "second" => Some(1_000),
        "minute" => Some(60_000),
        "hour" => Some(3_600_000),
        "day" => Some(86_400_000),
        "week" => Some(7 * 86_400_000),
        _ => None,
    };
    if let Some(ms) = fixed {
        return finish_ms.checked_add(n.checked_mul(ms)?);
    }
    let calendar =
        TimeUnit::parse(unit).filter(|u| matches!(u, TimeUnit::Month | TimeUnit::Year))?;
    let local = tz.local_secs(finish_ms);
    let millis = finish_ms.rem_euclid(1_000);
    Some(tz.instant_of_local(calendar.add(local, n)) + millis)
}

/// Sets a finished 4.2 backup's retention keys on its job info.
pub fn stamp(info: &mut JobInfo, cx: &SnapCtx<'_>, finish_ms: i64, ttl: Option<&str>) {
    if cx.config.version < VersionProfile::V4_2 {
        return;
    }
    info.cluster_id = Some(cx.config.cluster_id());
    info.finish_time = Some(finish_ms);
    let ttl = ttl.map(str::trim).filter(|t| !t.is_empty());
    info.ttl = ttl.map(str::to_string);
    info.expire_time = ttl.and_then(|t| expire_time(finish_ms, t, cx.time_zone));
}

/// The four 4.2 columns of a SHOW SNAPSHOT row: `ClusterId, FinishTime, TTL, ExpireTime`,
/// the string `NULL` (`FeConstants.NULL_STRING`) where the snapshot cannot be read or holds
/// no value. Times as `yyyy-MM-dd HH:mm:ss` in the FE zone (the format is unverified, §2.9).
pub fn columns(info: Option<&JobInfo>, tz: &TimeZone) -> [Option<String>; 4] {
    let null = || Some("NULL".to_string());
    let Some(i) = info else {
        return [null(), null(), null(), null()];
    };
    let time = |ms: Option<i64>| ms.map(|m| tz.format_datetime(m)).or_else(null);
    [
        i.cluster_id.map(|c| c.to_string()).or_else(null),
        time(i.finish_time),
        i.ttl.clone().or_else(null),
        time(i.expire_time),
    ]
}

/// The job info of a label's newest timestamp, if it can be read.
pub fn newest_info(dir: &storage::RepoDir, label: &str) -> Option<JobInfo> {
    let ts = storage::timestamps(dir, label).pop()?;
    let key = storage::find_info(dir, label, &ts).ok()?;
    files::read_info(dir, &key).ok()
}

/// Whether an unfinished BACKUP writes `label` to `repo` (`backup is writing`) or an
/// unfinished RESTORE reads it (`restore is reading`).
fn in_use(st: &State, repo: &str, label: &str) -> Option<&'static str> {
    st.jobs.values().find_map(|j| {
        if j.is_done() || j.repository() != repo {
            return None;
        }
        match j {
            Job::Backup(b) if b.label == label => Some("backup is writing"),
            Job::Restore(r) if r.label == label => Some("restore is reading"),
            _ => None,
        }
    })
}

/// `DROP SNAPSHOT <name> ON <repo> [FORCE]` (`BackupHandler.dropSnapshot`): DdlExceptions,
/// so bare messages.
pub fn drop_snapshot(st: &State, cx: &SnapCtx<'_>, d: &DropSnapshot) -> Outcome {
    let (label, repo_name) = (&d.snapshot.value, &d.repository.value);
    let fail = |m: String| Err::<Response, SqlError>(errors::ddl_plain(m));
    let Some(repo) = cx.catalog.repositories.get(repo_name) else {
        return fail(format!("Repository {repo_name} does not exist"));
    };
    if repo.read_only {
        return fail(format!("Repository {repo_name} is read only"));
    }
    if label.is_empty() || label.contains('/') || label.contains('\\') {
        return fail(format!(
            "Invalid snapshot name {label}: it must not be empty or contain a path separator"
        ));
    }
    let dir = storage::repo_dir(
        &cx.config.storage,
        &repo.name,
        &repo.location,
        &repo.properties,
    )
    .map_err(|m| errors::ddl_plain(format!("Failed to list snapshots: {m}")))?;
    let listed = storage::list_snapshots(&dir)
        .map_err(|m| errors::ddl_plain(format!("Failed to list snapshots: {m}")))?;
    if !listed.iter().any(|e| e.label == *label) {
        return fail(format!(
            "Snapshot {label} does not exist in repository {repo_name}"
        ));
    }
    if let Some(why) = in_use(st, repo_name, label) {
        return fail(format!("Cannot drop snapshot {label}: a {why} it"));
    }
    if !d.force {
        let owner = newest_info(&dir, label).map(|i| i.cluster_id);
        let ours = cx.config.cluster_id();
        let refusal = match owner {
            None => Some(format!(
                "Snapshot {label} has no readable job info (a backup may be running or was interrupted); use FORCE to drop it"
            )),
            Some(None) => Some(format!(
                "Snapshot {label} has no cluster id (written before 4.2); use FORCE to drop it"
            )),
            Some(Some(id)) if id != ours => Some(format!(
                "Snapshot {label} was created by cluster {id}, not this cluster ({ours}); use FORCE to drop it"
            )),
            Some(Some(_)) => None,
        };
        if let Some(m) = refusal {
            return fail(m);
        }
    }
    storage::delete_label(&dir, label)
        .map_err(|e| errors::ddl_plain(format!("Failed to drop snapshot {label}: {e}")))?;
    Ok(Response::ok())
}

/// The leader daemon (`BackupHandler.cleanExpiredSnapshots`): every snapshot of a writable
/// repository that names this cluster, whose `expire_time <= now` and that no unfinished job
/// uses, is deleted. Snapshots of other clusters, from before 4.2 or without a ttl stay.
pub fn clean_expired(st: &State, cx: &SnapCtx<'_>) {
    if cx.config.version < VersionProfile::V4_2 {
        return;
    }
    let now = cx.now_ms();
    let ours = cx.config.cluster_id();
    for repo in cx.catalog.repositories.values().filter(|r| !r.read_only) {
        let Ok(dir) = storage::repo_dir(
            &cx.config.storage,
            &repo.name,
            &repo.location,
            &repo.properties,
        ) else {
            continue;
        };
        let Ok(list) = storage::list_snapshots(&dir) else {
            continue;
        };
        for entry in list {
            let Some(info) = newest_info(&dir, &entry.label) else {
                continue;
            };
            let expired = info.cluster_id == Some(ours)
                && info.expire_time.is_some_and(|t| t <= now)
                && in_use(st, &repo.name, &entry.label).is_none();
            if expired {
                if let Err(e) = storage::delete_label(&dir, &entry.label) {
                    eprintln!(
                        "starsnap-simulator: could not delete expired snapshot {}: {e}",
                        entry.label
                    );
                }
            }
        }
    }
}
