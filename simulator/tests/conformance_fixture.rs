//! A hand-built catalog for the SHOW / information_schema conformance tests, and helpers to
//! run statements against it per version profile. Shared by the `conformance_*` test files
//! through `#[path]`; compiled on its own it has no tests.
#![allow(dead_code)]

use std::collections::BTreeMap;

use starsnap_simulator::engine::catalog::{
    AggType, ColumnDef, Distribution, KeysType, MvInfo, Partition, PartitionBound, Partitioning,
    Repository, Table, TableKind, TableState,
};
use starsnap_simulator::engine::time::TimeUnit;
use starsnap_simulator::engine::{infoschema, show, Catalog, EngineCtx, SqlType, TimeZone, Value};
use starsnap_simulator::{
    BackendSpec, Clock, Column, Response, Session, SimConfig, SqlError, VersionProfile,
};

/// 2024-03-01 00:00:00 UTC.
pub const NOW_MS: i64 = 1_709_251_200_000;
/// 2024-01-01 00:00:00 UTC.
pub const CREATED_MS: i64 = 1_704_067_200_000;

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

pub fn partition(id: u64, name: &str, bound: PartitionBound) -> Partition {
    Partition {
        id,
        name: name.into(),
        bound,
        visible_version: 1,
        visible_version_time: CREATED_MS,
        buckets: 3,
        replication_num: 3,
        storage_medium: "HDD".into(),
        rows: Vec::new(),
        data_size: 0,
        sub_partitions: 1,
    }
}

fn date(s: &str) -> Value {
    Value::Date(starsnap_simulator::engine::time::parse_date(s).unwrap_or(0))
}

fn month(id: u64, name: &str, lo: &str, hi: &str) -> Partition {
    partition(
        id,
        name,
        PartitionBound::Range {
            lower: Some(vec![date(lo)]),
            upper: Some(vec![date(hi)]),
        },
    )
}

fn base_table(id: u64, name: &str, kind: TableKind) -> Table {
    Table {
        id,
        name: name.into(),
        kind,
        columns: Vec::new(),
        keys: KeysType::Duplicate,
        partitioning: Partitioning::Unpartitioned,
        distribution: Distribution::Hash {
            columns: Vec::new(),
            buckets: 3,
        },
        order_by: Vec::new(),
        properties: BTreeMap::from([("replication_num".to_string(), "3".to_string())]),
        comment: String::new(),
        state: TableState::Normal,
        schema_version: 0,
        created_ms: CREATED_MS,
        updated_ms: CREATED_MS,
        partitions: Vec::new(),
        temp_partitions: Vec::new(),
        view_definition: None,
        mv: None,
    }
}

/// `sales`: `orders` (RANGE by month, 3 partitions, one loaded twice), `regions` (LIST),
/// `totals` (AGGREGATE, unpartitioned), `v_orders` (view), `mv_daily` (materialized view);
/// `empty_db` with nothing in it; one repository.
pub fn catalog() -> Catalog {
    let mut cat = Catalog::new(0);
    cat.create_database("sales", CREATED_MS);
    cat.create_database("empty_db", CREATED_MS);

    let mut orders = base_table(20_001, "orders", TableKind::Olap);
    orders.columns = vec![
        col("order_id", SqlType::BigInt, true),
        col("dt", SqlType::Date, true),
        col("amount", SqlType::Decimal(10, 2), false),
    ];
    orders.partitioning = Partitioning::Range {
        columns: vec!["dt".into()],
        auto: None,
    };
    orders.distribution = Distribution::Hash {
        columns: vec!["order_id".into()],
        buckets: 3,
    };
    orders.partitions = vec![
        month(20_010, "p202401", "2024-01-01", "2024-02-01"),
        month(20_011, "p202402", "2024-02-01", "2024-03-01"),
        month(20_012, "p202403", "2024-03-01", "2024-04-01"),
    ];
    orders.partitions[1].visible_version = 3;
    orders.partitions[1].visible_version_time = NOW_MS - 3_600_000;
    orders.partitions[1].data_size = 1536;
    orders.partitions[1].rows =
        vec![vec![Value::Int(1), date("2024-02-03"), Value::Decimal(1050, 2)]; 2];
    orders.temp_partitions = vec![month(20_013, "tp202404", "2024-04-01", "2024-05-01")];

    let mut regions = base_table(20_002, "regions", TableKind::Olap);
    regions.columns = vec![
        col("region", SqlType::Varchar(16), true),
        col("name", SqlType::Varchar(64), false),
    ];
    regions.partitioning = Partitioning::List {
        columns: vec!["region".into()],
        auto: false,
    };
    regions.distribution = Distribution::Random { buckets: 2 };
    regions.partitions = vec![
        partition(
            20_020,
            "p_east",
            PartitionBound::List(vec![
                vec![Value::Str("east".into())],
                vec![Value::Str("e'1".into())],
            ]),
        ),
        partition(
            20_021,
            "p_west",
            PartitionBound::List(vec![vec![Value::Str("west".into())]]),
        ),
    ];

    let mut totals = base_table(20_003, "totals", TableKind::Olap);
    totals.keys = KeysType::Aggregate;
    let mut v = col("v", SqlType::BigInt, false);
    v.agg = Some(AggType::Sum);
    v.nullable = false;
    v.default = Some("0".into());
    totals.columns = vec![col("k", SqlType::Int, true), v];
    totals.distribution = Distribution::Hash {
        columns: vec!["k".into()],
        buckets: 1,
    };
    totals.comment = "running totals".into();
    totals.partitions = vec![partition(20_030, "totals", PartitionBound::Whole)];
    totals.partitions[0].buckets = 1;

    let mut view = base_table(20_004, "v_orders", TableKind::View);
    view.columns = vec![col("order_id", SqlType::BigInt, false)];
    view.view_definition = Some("SELECT `order_id` FROM `sales`.`orders`".into());

    let mut mv = base_table(20_005, "mv_daily", TableKind::MaterializedView);
    mv.columns = vec![
        col("dt", SqlType::Date, false),
        col("total", SqlType::Decimal(38, 2), false),
    ];
    mv.partitioning = Partitioning::Range {
        columns: vec!["dt".into()],
        auto: Some(TimeUnit::Day),
    };
    mv.distribution = Distribution::Hash {
        columns: vec!["dt".into()],
        buckets: 2,
    };
    mv.partitions = vec![month(20_050, "p20240201", "2024-02-01", "2024-02-02")];
    mv.mv = Some(MvInfo {
        base_tables: vec![("sales".into(), "orders".into())],
        query: "SELECT dt, sum(amount) AS total FROM orders GROUP BY dt".into(),
        refresh: "ASYNC EVERY (INTERVAL 1 DAY)".into(),
        active: true,
        inactive_reason: String::new(),
        last_refresh_ms: None,
    });

    if let Some(db) = cat.db_mut("sales") {
        for t in [orders, regions, totals, view, mv] {
            db.tables.insert(t.name.clone(), t);
        }
    }
    cat.repositories.insert(
        "repo1".into(),
        Repository {
            id: 30_001,
            name: "repo1".into(),
            created_ms: CREATED_MS,
            read_only: false,
            location: "s3://bucket/backups".into(),
            broker: String::new(),
            properties: BTreeMap::new(),
            error: None,
        },
    );
    cat
}

/// A configuration answering as `profile` in `tz`, at [`NOW_MS`], with `backends`.
pub fn config(profile: VersionProfile, backends: &[bool]) -> SimConfig {
    SimConfig {
        version: profile,
        clock: Clock::virtual_at(NOW_MS),
        backends: backends.iter().map(|a| BackendSpec { alive: *a }).collect(),
        ..SimConfig::default()
    }
}

/// A session whose current database is `sales`.
pub fn session() -> Session {
    Session {
        current_db: Some("sales".into()),
        user: "root".into(),
        ..Session::default()
    }
}

pub struct Run {
    pub catalog: Catalog,
    pub config: SimConfig,
    pub tz: TimeZone,
    pub session: Session,
}

impl Run {
    pub fn new(profile: VersionProfile) -> Run {
        Run::with(profile, "UTC", &[true, true, true])
    }

    pub fn with(profile: VersionProfile, tz: &str, backends: &[bool]) -> Run {
        Run {
            catalog: catalog(),
            config: config(profile, backends),
            tz: TimeZone::parse(tz).unwrap_or_else(|_| TimeZone::utc()),
            session: session(),
        }
    }

    pub fn show(&mut self, sql: &str) -> Result<Rs, SqlError> {
        let ctx = EngineCtx {
            catalog: &self.catalog,
            config: &self.config,
            time_zone: &self.tz,
        };
        match show::execute(&ctx, &mut self.session, sql)? {
            Response::ResultSet { columns, rows } => Ok(Rs { columns, rows }),
            other => panic!("{sql}: expected a result set, got {other:?}"),
        }
    }

    pub fn infoschema(&self, name: &str) -> Option<Rs> {
        let ctx = EngineCtx {
            catalog: &self.catalog,
            config: &self.config,
            time_zone: &self.tz,
        };
        infoschema::table(&ctx, &self.session, name).map(|t| Rs {
            columns: t
                .columns
                .into_iter()
                .map(|(name, kind)| Column { name, kind })
                .collect(),
            rows: t
                .rows
                .into_iter()
                .map(|r| r.into_iter().map(|v| v.to_text()).collect())
                .collect(),
        })
    }
}

/// A result set read by column name.
#[derive(Debug)]
pub struct Rs {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Option<String>>>,
}

impl Rs {
    pub fn names(&self) -> Vec<&str> {
        self.columns.iter().map(|c| c.name.as_str()).collect()
    }

    fn idx(&self, col: &str) -> usize {
        self.columns
            .iter()
            .position(|c| c.name == col)
            .unwrap_or_else(|| panic!("no column {col} in {:?}", self.names()))
    }

    /// The cell of `col` in row `row`; `None` is SQL NULL.
    pub fn cell(&self, row: usize, col: &str) -> Option<&str> {
        let i = self.idx(col);
        self.rows[row][i].as_deref()
    }

    /// Every value of `col` (NULL as `"NULL"`).
    pub fn column(&self, col: &str) -> Vec<String> {
        let i = self.idx(col);
        self.rows
            .iter()
            .map(|r| r[i].clone().unwrap_or_else(|| "NULL".into()))
            .collect()
    }

    /// The row whose `key_col` equals `key`.
    pub fn row_where(&self, key_col: &str, key: &str) -> usize {
        let i = self.idx(key_col);
        self.rows
            .iter()
            .position(|r| r[i].as_deref() == Some(key))
            .unwrap_or_else(|| panic!("no row with {key_col} = {key}"))
    }
}
