//! `starsnap restore TARGET…`: a restore as a reviewed plan. It observes the cluster and
//! reads starsnap's history, asks the restore planner (`compiler::restore`) which snapshots
//! to read and how to reach the live name (spec §9), and writes a plan that `starsnap apply`
//! executes like any other — or applies it at once with `--apply` (incidents).

use std::path::PathBuf;

use starsnap_compiler::plan::{self, render, restore_plan_creating, RestoreInputs};
use starsnap_compiler::restore::{Mode, Point, RestoreRequest, Target};
use starsnap_compiler::time::Timestamp;

use super::apply::{self, ApplyArgs};
use super::plan::{now, PlanFormat};
use super::project;
use super::usage_error;
use crate::{exit, out};

/// `restore` arguments.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("point").args(["at", "label"])))]
#[command(group(clap::ArgGroup::new("mode").args(["into", "in_place"])))]
pub struct RestoreArgs {
    /// What to restore: `db.table`, `db.*` or `db` (the whole database as the snapshots hold
    /// it: tables, views, materialized views, functions), `group:NAME`, or `catalog:NAME`
    /// (an external catalog, from the newest catalog backup holding it; left out, and the
    /// plan says so, when the cluster already has a catalog of that name).
    #[arg(required_unless_present = "all", value_name = "TARGET")]
    pub targets: Vec<String>,
    /// Every database the backups hold, whole, and every external catalog they hold (with
    /// --from-repository: every database and catalog the repository describes).
    #[arg(long, conflicts_with = "targets")]
    pub all: bool,
    /// Disaster recovery: plan from repository NAME's set manifests instead of starsnap's
    /// history (no state store is read). Each set is confirmed against StarRocks's listing of
    /// the repository; when the cluster does not have the repository, the plan's first step
    /// creates it read-only with the policy's name, location and properties.
    #[arg(long = "from-repository", value_name = "NAME")]
    pub from_repository: Option<String>,
    /// With --from-repository: create the repository writable, as the policy declares it,
    /// instead of read-only — for the cluster that takes over the backups (only once the old
    /// cluster can no longer write to it).
    #[arg(long, requires = "from_repository")]
    pub writable: bool,
    /// The policy file ([cluster] and [state]: where the cluster and the history are).
    /// Default: $STARSNAP_CONFIG, then ./starsnap.toml.
    #[arg(short = 'c', long = "config", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Restore as of this instant (RFC 3339, any offset): per database, the newest finished
    /// backup set whose StarRocks backup_time is at or before it. Default: the latest.
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// Restore the backup set holding this snapshot label.
    #[arg(long, value_name = "LABEL")]
    pub label: Option<String>,
    /// Restore into this database under the original names; nothing live is touched.
    #[arg(long, value_name = "DATABASE")]
    pub into: Option<String>,
    /// Restore onto the live tables (faster; each table is locked meanwhile and partitions
    /// newer than the point are dropped). Every overwrite is a destructive step.
    #[arg(long)]
    pub in_place: bool,
    /// After the swap, drop the old data instead of keeping it under the copy's name.
    #[arg(long, conflicts_with_all = ["into", "in_place"])]
    pub drop_old: bool,
    /// The replication_num of every RESTORE job. Default: the live tables' own, capped by
    /// the alive backends (3 when unknown).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=32))]
    pub replication_num: Option<u32>,
    /// Write the plan JSON here (what `starsnap apply` executes).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// What to print on stdout.
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub format: PlanFormat,
    /// Exit 0 when there is nothing to do, 2 when the plan has changes, 1 on error.
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Apply the plan in the same run (the same checks, locks and confirmation as apply).
    #[arg(long)]
    pub apply: bool,
    /// With --apply: do not ask for confirmation.
    #[arg(long, requires = "apply")]
    pub auto_approve: bool,
    /// With --apply: stream one JSON event per line on stdout.
    #[arg(long, requires = "apply")]
    pub json: bool,
    /// With --apply: write a Prometheus textfile after the run (see `apply --metrics-file`).
    #[arg(long, value_name = "PATH", requires = "apply")]
    pub metrics_file: Option<PathBuf>,
}

/// `db.table`, `db.*`, `db`, `group:NAME` or `catalog:NAME`.
pub fn parse_target(s: &str) -> Result<Target, String> {
    let bad = || format!("target '{s}' is not db.table, db.*, db, group:NAME or catalog:NAME");
    if let Some(c) = s.strip_prefix("catalog:") {
        return if c.is_empty() || c == "default_catalog" {
            Err(format!(
                "target '{s}': name an external catalog (the internal default_catalog is restored by database)"
            ))
        } else {
            Ok(Target::Catalog(c.to_string()))
        };
    }
    if let Some(g) = s.strip_prefix("group:") {
        return if g.is_empty() {
            Err(bad())
        } else {
            Ok(Target::Group(g.to_string()))
        };
    }
    match s.split_once('.') {
        None if !s.is_empty() => Ok(Target::Database {
            database: s.to_string(),
        }),
        Some((db, "*")) if !db.is_empty() => Ok(Target::Database {
            database: db.to_string(),
        }),
        Some((db, table)) if !db.is_empty() && !table.is_empty() && !table.contains('.') => {
            Ok(Target::Table {
                database: db.to_string(),
                table: table.to_string(),
            })
        }
        _ => Err(bad()),
    }
}

/// RFC 3339 with any offset → epoch milliseconds.
pub fn parse_at(s: &str) -> Result<i64, String> {
    Timestamp::parse_rfc3339(s)
        .map(|t| t.0.saturating_mul(1000))
        .map_err(|e| format!("--at '{s}': {}", e.0))
}

/// The restore point of `--at` / `--label` (default: the latest).
pub fn parse_point(at: Option<&str>, label: Option<&str>) -> Result<Point, String> {
    Ok(match (at, label) {
        (Some(at), _) => Point::At {
            epoch_ms: parse_at(at)?,
        },
        (None, Some(label)) => Point::Label(label.to_string()),
        (None, None) => Point::Latest,
    })
}

/// Every database of a history, whole.
pub fn every_database(history: &starsnap_compiler::catalog::History) -> Vec<Target> {
    let dbs: std::collections::BTreeSet<&str> = history
        .backups
        .iter()
        .map(|b| b.database.as_str())
        .filter(|d| !d.is_empty())
        .collect();
    dbs.into_iter()
        .map(|d| Target::Database {
            database: d.to_string(),
        })
        .collect()
}

/// The largest job timeout of the policy's groups (one day when none says).
pub fn timeout_of(policy: &starsnap_compiler::policy::Policy) -> u64 {
    policy
        .groups
        .iter()
        .map(|g| g.job_timeout_secs)
        .max()
        .unwrap_or(86_400)
}

pub fn run(args: RestoreArgs) -> i32 {
    let mut targets = Vec::new();
    for t in &args.targets {
        match parse_target(t) {
            Ok(t) => targets.push(t),
            Err(e) => return usage_error(e),
        }
    }
    let point = match parse_point(args.at.as_deref(), args.label.as_deref()) {
        Ok(p) => p,
        Err(e) => return usage_error(e),
    };
    let mode = match (&args.into, args.in_place) {
        (Some(db), _) => Mode::Into {
            database: db.clone(),
        },
        (None, true) => Mode::InPlace,
        (None, false) => Mode::Swap {
            drop_old: args.drop_old,
        },
    };
    let policy = match apply::load_policy(&super::config_file(&args.config)) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let mut cluster = match project::connect(&policy) {
        Ok(c) => c,
        Err(e) => {
            crate::out::error(e);
            return exit::FAILURE;
        }
    };
    let observed = match &args.from_repository {
        None => project::observe(&policy, &mut cluster),
        Some(_) => project::observe_with_history(&policy, &mut cluster, Default::default()),
    };
    let mut catalog = match observed {
        Ok(c) => c,
        Err(e) => {
            crate::out::error(format!("observing the cluster failed: {e}"));
            return exit::FAILURE;
        }
    };
    let mut create = None;
    if let Some(name) = &args.from_repository {
        let read = match super::dr::read(&policy, &catalog, name) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("starsnap: {}", super::apply::redactor(&policy).redact(&e));
                return exit::FAILURE;
            }
        };
        eprint!("{}", read.skipped_text(name));
        eprintln!(
            "Repository `{name}`: {} usable set(s) of {} manifest(s){}.",
            read.sets.len(),
            read.found,
            if read.listed_by_cluster {
                ", confirmed by SHOW SNAPSHOT"
            } else {
                "; the cluster does not have the repository yet: the plan creates it read-only, and apply checks each snapshot with SHOW SNAPSHOT before restoring it"
            }
        );
        catalog.history = read.history();
        create = read.create.clone().map(|mut r| {
            r.read_only = r.read_only || !args.writable;
            r
        });
    }
    if args.all {
        targets = every_database(&catalog.history);
        targets.extend(
            plan::restorable_catalogs(&catalog.history, &point)
                .into_iter()
                .map(Target::Catalog),
        );
        if targets.is_empty() {
            eprintln!("starsnap: cannot restore: no finished backup set to restore from");
            return exit::FAILURE;
        }
    }
    let replication_num = match args.replication_num {
        Some(n) => n,
        None => {
            let databases: Vec<String> = targets
                .iter()
                .filter_map(|t| match t {
                    Target::Table { database, .. } | Target::Database { database } => {
                        Some(database.clone())
                    }
                    Target::Group(_) | Target::Catalog(_) => None,
                })
                .collect();
            match starsnap_runtime::restore::replication_num(&mut cluster, &databases) {
                Ok(n) => n,
                Err(e) => {
                    crate::out::error(format!("reading replication numbers failed: {e}"));
                    return exit::FAILURE;
                }
            }
        }
    };
    let timeout_s = timeout_of(&policy);
    let inputs = RestoreInputs {
        request: RestoreRequest {
            targets,
            point,
            mode,
            replication_num,
            timeout_s,
            run: None,
        },
        catalog,
        as_of: now(),
    };
    let (plan, _) = match restore_plan_creating(&inputs, create.as_ref()) {
        Ok(p) => p,
        Err(e) => {
            crate::out::error(format!("cannot restore: {e}"));
            return exit::FAILURE;
        }
    };
    let json = plan::to_canonical_json(&plan);
    if let Some(out_path) = &args.out {
        if let Err(e) = std::fs::write(out_path, &json) {
            crate::out::error(format!("cannot write {}: {e}", out_path.display()));
            return exit::FAILURE;
        }
        eprintln!("restore plan written to {}", out_path.display());
    }
    if args.apply {
        // Shown on stderr: stdout stays for --json events.
        eprint!("{}", render::text(&plan));
        let apply_args = ApplyArgs {
            plan: None,
            plan_and_apply: false,
            config: args.config.clone(),
            auto_approve: args.auto_approve,
            parallel: 1,
            format: super::FormatArgs {
                format: super::DataFormat::Text,
                json: args.json,
            },
            lock_timeout: None,
            expect_fingerprint: None,
            metrics_file: args.metrics_file.clone(),
        };
        return apply::execute(plan, &apply_args);
    }
    match args.format {
        PlanFormat::Text => out::print(&render::text(&plan)),
        PlanFormat::Json => out::print(&json),
        PlanFormat::Markdown => out::print(&render::markdown(&plan)),
    }
    if args.detailed_exitcode && plan.has_changes() {
        exit::CHANGES
    } else {
        exit::OK
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        assert_eq!(
            parse_target("sales.orders"),
            Ok(Target::Table {
                database: "sales".into(),
                table: "orders".into()
            })
        );
        for whole in ["sales", "sales.*"] {
            assert_eq!(
                parse_target(whole),
                Ok(Target::Database {
                    database: "sales".into()
                })
            );
        }
        assert_eq!(
            parse_target("group:nightly"),
            Ok(Target::Group("nightly".into()))
        );
        assert_eq!(
            parse_target("catalog:lake"),
            Ok(Target::Catalog("lake".into()))
        );
        for bad in [
            "",
            ".t",
            "db.",
            "group:",
            "a.b.c",
            "catalog:",
            "catalog:default_catalog",
        ] {
            assert!(parse_target(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn at_takes_any_offset() {
        assert_eq!(
            parse_at("2026-11-22T04:00:00Z"),
            parse_at("2026-11-22T12:00:00+08:00")
        );
        assert!(parse_at("yesterday").is_err());
    }
}
