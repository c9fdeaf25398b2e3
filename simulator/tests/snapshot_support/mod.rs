//! A simulator front half for the snapshot tests: a hand-built catalog, a virtual clock, a
//! storage folder in a fresh temporary directory, and the snapshot engine driven directly
//! (`Snapshots::execute`, what the engine's router calls). Shared by the `snapshot_*` tests.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use starsnap_simulator::engine::catalog::{
    ColumnDef, Distribution, Function, KeysType, MvInfo, Partition, PartitionBound, Partitioning,
    Table, TableKind, TableState,
};
use starsnap_simulator::engine::{Catalog, SqlType, TimeZone, Value};
use starsnap_simulator::snapshot::{Pacing, SnapCtx, Snapshots};
use starsnap_simulator::{Clock, Outcome, Response, Session, SimConfig, SqlError};

/// 2024-03-01 00:00:00 UTC.
pub const NOW_MS: i64 = 1_709_251_200_000;
/// Each job state lasts this long in the tests (virtual milliseconds).
pub const STEP_MS: i64 = 1_000;

/// A temporary directory removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicU64 = AtomicU64::new(0);
        let p = std::env::temp_dir().join(format!(
            "starsnap-snap-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("temp dir");
        TempDir(p)
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn col(name: &str, ty: SqlType, key: bool) -> ColumnDef {
    ColumnDef {
        name: name.into(),
        ty,
        nullable: !key,
        is_key: key,
        agg: None,
        default: None,
        auto_increment: false,
        comment: String::new(),
    }
}

pub fn table(id: u64, name: &str, kind: TableKind) -> Table {
    Table {
        id,
        name: name.into(),
        kind,
        columns: vec![
            col("id", SqlType::BigInt, true),
            col("dt", SqlType::Date, true),
            col("v", SqlType::BigInt, false),
        ],
        keys: KeysType::Duplicate,
        partitioning: Partitioning::Unpartitioned,
        distribution: Distribution::Hash {
            columns: vec!["id".into()],
            buckets: 1,
        },
        order_by: Vec::new(),
        properties: BTreeMap::from([("replication_num".to_string(), "1".to_string())]),
        comment: String::new(),
        state: TableState::Normal,
        schema_version: 0,
        created_ms: NOW_MS,
        updated_ms: NOW_MS,
        partitions: Vec::new(),
        temp_partitions: Vec::new(),
        view_definition: None,
        mv: None,
    }
}

pub fn partition(id: u64, name: &str, bound: PartitionBound) -> Partition {
    Partition {
        id,
        name: name.into(),
        bound,
        visible_version: 1,
        visible_version_time: NOW_MS,
        buckets: 1,
        replication_num: 1,
        storage_medium: "HDD".into(),
        rows: Vec::new(),
        data_size: 0,
        sub_partitions: 1,
    }
}

/// 2024-01-01 as days since the epoch.
pub const JAN1: i32 = 19_723;

/// `sales.orders`: RANGE by day over `days` days from 2024-01-01, partition `pYYYYMMDD`-like
/// names `p<n>`, each with `rows_per` rows and version `1 + n % 3`.
pub fn orders(first_id: u64, days: u32, rows_per: u32) -> Table {
    let mut t = table(first_id, "orders", TableKind::Olap);
    t.partitioning = Partitioning::Range {
        columns: vec!["dt".into()],
        auto: None,
    };
    for d in 0..days {
        let day = JAN1 + d as i32;
        let mut p = partition(
            first_id + 1 + u64::from(d),
            &format!("p{d:03}"),
            PartitionBound::Range {
                lower: Some(vec![Value::Date(day)]),
                upper: Some(vec![Value::Date(day + 1)]),
            },
        );
        for r in 0..rows_per {
            p.rows.push(vec![
                Value::Int(i64::from(d) * 1000 + i64::from(r)),
                Value::Date(day),
                Value::Int(i64::from(r) * 7),
            ]);
        }
        p.visible_version = 1 + u64::from(d % 3);
        p.recompute_size();
        t.partitions.push(p);
    }
    t
}

/// `sales` (orders with 3 daily partitions, regions unpartitioned, view v_orders, MV mv1,
/// function fn1), `tempdb.t` with a temp partition, `empty_db`.
pub fn catalog() -> Catalog {
    let mut cat = Catalog::new(0);
    cat.create_database("sales", NOW_MS);
    cat.create_database("empty_db", NOW_MS);
    cat.create_database("tempdb", NOW_MS);
    let base = 50_000;
    let mut regions = table(base + 500, "regions", TableKind::Olap);
    let mut whole = partition(base + 501, "regions", PartitionBound::Whole);
    whole
        .rows
        .push(vec![Value::Int(1), Value::Date(JAN1), Value::Int(5)]);
    regions.partitions.push(whole);
    let mut view = table(base + 600, "v_orders", TableKind::View);
    view.view_definition = Some("SELECT * FROM orders".into());
    let mut mv = table(base + 700, "mv1", TableKind::MaterializedView);
    mv.mv = Some(MvInfo {
        base_tables: vec![("sales".into(), "orders".into())],
        query: "SELECT dt, sum(v) FROM orders GROUP BY dt".into(),
        refresh: "MANUAL".into(),
        active: true,
        inactive_reason: String::new(),
        last_refresh_ms: None,
    });
    mv.partitions
        .push(partition(base + 701, "mv1", PartitionBound::Whole));
    if let Some(db) = cat.db_mut("sales") {
        db.tables.insert("orders".into(), orders(base, 3, 2));
        db.tables.insert("regions".into(), regions);
        db.tables.insert("v_orders".into(), view);
        db.tables.insert("mv1".into(), mv);
        db.functions.push(Function {
            id: base + 800,
            name: "fn1".into(),
            args: vec!["INT".into()],
            return_type: "INT".into(),
            intermediate_type: None,
            kind: "SCALAR".into(),
            global: false,
            properties: BTreeMap::new(),
        });
    }
    let mut t = table(base + 900, "t", TableKind::Olap);
    t.partitions
        .push(partition(base + 901, "t", PartitionBound::Whole));
    t.temp_partitions
        .push(partition(base + 902, "tp", PartitionBound::Whole));
    if let Some(db) = cat.db_mut("tempdb") {
        db.tables.insert("t".into(), t);
    }
    cat
}

/// One simulator: catalog, config (virtual clock, storage `s3://bucket` → `<tmp>/store`),
/// snapshot engine and one session (current database `sales`).
pub struct Sim {
    pub catalog: Catalog,
    pub config: SimConfig,
    pub tz: TimeZone,
    pub snaps: Snapshots,
    pub session: Session,
}

impl Sim {
    /// A simulator whose storage is `store` (shared between simulators of one test).
    pub fn with_store(store: &Path, catalog: Catalog, data_dir: Option<&Path>) -> Sim {
        let mut config = SimConfig {
            clock: Clock::virtual_at(NOW_MS),
            snapshot_pacing: Pacing::uniform(STEP_MS),
            data_dir: data_dir.map(Path::to_path_buf),
            ..SimConfig::default()
        };
        config
            .storage
            .insert("s3://bucket".into(), store.to_path_buf());
        Sim::from_config(config, catalog)
    }

    pub fn from_config(config: SimConfig, catalog: Catalog) -> Sim {
        let tz = TimeZone::parse(&config.time_zone).unwrap_or_else(|_| TimeZone::utc());
        let snaps = Snapshots::new(&config);
        Sim {
            catalog,
            config,
            tz,
            snaps,
            session: Session {
                current_db: Some("sales".into()),
                user: "root".into(),
                ..Session::default()
            },
        }
    }

    pub fn q(&mut self, sql: &str) -> Outcome {
        let mut cx = SnapCtx {
            catalog: &mut self.catalog,
            config: &self.config,
            time_zone: &self.tz,
        };
        self.snaps.execute(&mut cx, &mut self.session, sql)
    }

    pub fn ok(&mut self, sql: &str) {
        if let Err(e) = self.q(sql) {
            panic!("{sql}: {e:?}");
        }
    }

    pub fn err(&mut self, sql: &str) -> SqlError {
        match self.q(sql) {
            Err(e) => e,
            Ok(r) => panic!("{sql}: expected an error, got {r:?}"),
        }
    }

    /// Rows of a result set, as maps by column name.
    pub fn rows(&mut self, sql: &str) -> Vec<BTreeMap<String, Option<String>>> {
        match self.q(sql) {
            Ok(Response::ResultSet { columns, rows }) => rows
                .into_iter()
                .map(|r| columns.iter().map(|c| c.name.clone()).zip(r).collect())
                .collect(),
            other => panic!("{sql}: expected rows, got {other:?}"),
        }
    }

    pub fn columns(&mut self, sql: &str) -> Vec<String> {
        match self.q(sql) {
            Ok(Response::ResultSet { columns, .. }) => {
                columns.into_iter().map(|c| c.name).collect()
            }
            other => panic!("{sql}: expected rows, got {other:?}"),
        }
    }

    /// Moves the virtual clock and lets jobs advance.
    pub fn advance(&mut self, ms: i64) {
        self.config.clock.advance(ms);
        let mut cx = SnapCtx {
            catalog: &mut self.catalog,
            config: &self.config,
            time_zone: &self.tz,
        };
        self.snaps.tick(&mut cx);
    }

    /// The one SHOW BACKUP FROM `db` row.
    pub fn backup_row(&mut self, db: &str) -> BTreeMap<String, Option<String>> {
        let mut rows = self.rows(&format!("SHOW BACKUP FROM {db}"));
        assert_eq!(rows.len(), 1, "{rows:?}");
        rows.remove(0)
    }

    pub fn cell(&mut self, db: &str, column: &str) -> Option<String> {
        self.backup_row(db).get(column).cloned().flatten()
    }
}

/// Asserts an error's code, SQLSTATE and text.
pub fn assert_err(e: &SqlError, code: u16, sqlstate: &str, message: &str) {
    assert_eq!(
        (e.code, e.sqlstate.as_str(), e.message.as_str()),
        (code, sqlstate, message),
        "{e:?}"
    );
}

/// Every file under `dir`, relative, sorted.
pub fn files_under(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, d: &Path, out: &mut Vec<String>) {
        if let Ok(rd) = std::fs::read_dir(d) {
            for e in rd.flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(base, &p, out);
                } else if let Ok(rel) = p.strip_prefix(base) {
                    out.push(rel.to_string_lossy().to_string());
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}
