//! Result-set layouts per StarRocks version profile, as data: one function per result set.
//!
//! Column lists come from `shared/spec/starrocks-3.4.md` §3 and `starrocks-versions.md` §2/§7;
//! where the spec is silent they were read from the release branches' source (paths relative
//! to `fe/fe-core/src/main/java/com/starrocks/`, named per function). The profiles stand for
//! 3.3.8, 3.4.5, 3.5.7, 4.0.2 and 4.1.0, so patch-level changes resolve as follows:
//! `StorageSize` (3.4.4+) is in 3.4, `TabletBalanced` (3.5.4+) in 3.5, `PATH_ID` (4.0.0–4.0.2)
//! in 4.0. SHOW results are all VARCHAR; `information_schema` columns carry their types.

use crate::profile::VersionProfile;
use crate::response::{Column, ColumnType};

use ColumnType::{DateTime, Double, Long, LongLong, Tiny, VarString};

fn varchars(names: &[&str]) -> Vec<Column> {
    names.iter().map(|n| Column::varchar(*n)).collect()
}

fn typed(cols: &[(&str, ColumnType)]) -> Vec<Column> {
    cols.iter().map(|(n, t)| Column::typed(*n, *t)).collect()
}

/// SHOW [TEMPORARY] PARTITIONS of a shared-nothing table (`common/proc/PartitionsProcDir.java`
/// `createTitleNames`). The 8th title is `List` for LIST-partitioned tables, else `Range`.
pub fn show_partitions(profile: VersionProfile, list_partitioned: bool) -> Vec<Column> {
    let mut names = vec![
        "PartitionId",
        "PartitionName",
        "VisibleVersion",
        "VisibleVersionTime",
        "VisibleVersionHash",
        "State",
        "PartitionKey",
        if list_partitioned { "List" } else { "Range" },
        "DistributionKey",
        "Buckets",
        "ReplicationNum",
        "StorageMedium",
        "CooldownTime",
        "LastConsistencyCheckTime",
        "DataSize",
    ];
    if profile >= VersionProfile::V3_4 {
        names.push("StorageSize");
    }
    names.extend([
        "IsInMemory",
        "RowCount",
        "DataVersion",
        "VersionEpoch",
        "VersionTxnType",
    ]);
    if profile >= VersionProfile::V3_5 {
        names.push("TabletBalanced");
    }
    varchars(&names)
}

/// `information_schema.partitions_meta` (`catalog/system/information/PartitionsMetaSystemTable.java`).
/// `DATA_SIZE` is VARCHAR (`ByteSizeValue`) in 3.x and BIGINT bytes from 4.0.
pub fn partitions_meta(profile: VersionProfile) -> Vec<Column> {
    let data_size = if profile >= VersionProfile::V4_0 {
        LongLong
    } else {
        VarString
    };
    let mut cols = typed(&[
        ("DB_NAME", VarString),
        ("TABLE_NAME", VarString),
        ("PARTITION_NAME", VarString),
        ("PARTITION_ID", LongLong),
        ("COMPACT_VERSION", LongLong),
        ("VISIBLE_VERSION", LongLong),
        ("VISIBLE_VERSION_TIME", DateTime),
        ("NEXT_VERSION", LongLong),
        ("DATA_VERSION", LongLong),
        ("VERSION_EPOCH", LongLong),
        ("VERSION_TXN_TYPE", VarString),
        ("PARTITION_KEY", VarString),
        ("PARTITION_VALUE", VarString),
        ("DISTRIBUTION_KEY", VarString),
        ("BUCKETS", Long),
        ("REPLICATION_NUM", Long),
        ("STORAGE_MEDIUM", VarString),
        ("COOLDOWN_TIME", DateTime),
        ("LAST_CONSISTENCY_CHECK_TIME", DateTime),
        ("IS_IN_MEMORY", Tiny),
        ("IS_TEMP", Tiny),
        ("DATA_SIZE", data_size),
        ("ROW_COUNT", LongLong),
        ("ENABLE_DATACACHE", Tiny),
        ("AVG_CS", Double),
        ("P50_CS", Double),
        ("MAX_CS", Double),
        ("STORAGE_PATH", VarString),
    ]);
    if profile >= VersionProfile::V3_4 {
        cols.push(Column::typed("STORAGE_SIZE", LongLong));
    }
    if profile >= VersionProfile::V3_5 {
        cols.push(Column::typed("TABLET_BALANCED", Tiny));
    }
    if profile >= VersionProfile::V4_0 {
        cols.push(Column::typed("METADATA_SWITCH_VERSION", LongLong));
    }
    if profile == VersionProfile::V4_0 {
        cols.push(Column::typed("PATH_ID", LongLong));
    }
    cols
}

/// SHOW BACKENDS, shared-nothing (`common/proc/BackendsProcDir.java` `TITLE_NAMES`):
/// 29 columns in 3.3, `StatusCode` appended from 3.4.
pub fn show_backends(profile: VersionProfile) -> Vec<Column> {
    let mut names = vec![
        "BackendId",
        "IP",
        "HeartbeatPort",
        "BePort",
        "HttpPort",
        "BrpcPort",
        "LastStartTime",
        "LastHeartbeat",
        "Alive",
        "SystemDecommissioned",
        "ClusterDecommissioned",
        "TabletNum",
        "DataUsedCapacity",
        "AvailCapacity",
        "TotalCapacity",
        "UsedPct",
        "MaxDiskUsedPct",
        "ErrMsg",
        "Version",
        "Status",
        "DataTotalCapacity",
        "DataUsedPct",
        "CpuCores",
        "MemLimit",
        "NumRunningQueries",
        "MemUsedPct",
        "CpuUsedPct",
        "DataCacheMetrics",
        "Location",
    ];
    if profile >= VersionProfile::V3_4 {
        names.push("StatusCode");
    }
    varchars(&names)
}

/// SHOW FRONTENDS (`common/proc/FrontendsProcNode.java` `TITLE_NAMES`): 16 columns, with a
/// leading `Id` from 3.5.
pub fn show_frontends(profile: VersionProfile) -> Vec<Column> {
    let mut names = Vec::with_capacity(17);
    if profile >= VersionProfile::V3_5 {
        names.push("Id");
    }
    names.extend([
        "Name",
        "IP",
        "EditLogPort",
        "HttpPort",
        "QueryPort",
        "RpcPort",
        "Role",
        "ClusterId",
        "Join",
        "Alive",
        "ReplayedJournalId",
        "LastHeartbeat",
        "IsHelper",
        "ErrMsg",
        "StartTime",
        "Version",
    ]);
    varchars(&names)
}

/// SHOW REPOSITORIES (`sql/ast/ShowRepositoriesStmt.java`): 7 columns in every version.
pub fn show_repositories(_profile: VersionProfile) -> Vec<Column> {
    varchars(&[
        "RepoId",
        "RepoName",
        "CreateTime",
        "IsReadOnly",
        "Location",
        "Broker",
        "ErrMsg",
    ])
}

/// SHOW BACKUP (`sql/ast/ShowBackupStmt.java`): 14 columns in every version.
pub fn show_backup(_profile: VersionProfile) -> Vec<Column> {
    varchars(&[
        "JobId",
        "SnapshotName",
        "DbName",
        "State",
        "BackupObjs",
        "CreateTime",
        "SnapshotFinishedTime",
        "UploadFinishedTime",
        "FinishedTime",
        "UnfinishedTasks",
        "Progress",
        "TaskErrMsg",
        "Status",
        "Timeout",
    ])
}

/// SHOW RESTORE (`sql/ast/ShowRestoreStmt.java`): 18 columns in every version.
pub fn show_restore(_profile: VersionProfile) -> Vec<Column> {
    varchars(&[
        "JobId",
        "Label",
        "Timestamp",
        "DbName",
        "State",
        "AllowLoad",
        "ReplicationNum",
        "RestoreObjs",
        "CreateTime",
        "MetaPreparedTime",
        "SnapshotFinishedTime",
        "DownloadFinishedTime",
        "FinishedTime",
        "UnfinishedTasks",
        "Progress",
        "TaskErrMsg",
        "Status",
        "Timeout",
    ])
}

/// SHOW SNAPSHOT (`sql/ast/ShowSnapshotStmt.java`): list form 3 columns, detail form 5; 4.2
/// appends `ClusterId, FinishTime, TTL, ExpireTime` (7 / 9, `fe/fe-parser/…/ShowSnapshotStmt.java`
/// after #78092, starrocks-versions.md §2.9).
pub fn show_snapshot(profile: VersionProfile, detail: bool) -> Vec<Column> {
    let mut names = if detail {
        vec!["Snapshot", "Timestamp", "Database", "Details", "Status"]
    } else {
        vec!["Snapshot", "Timestamp", "Status"]
    };
    if profile >= VersionProfile::V4_2 {
        names.extend(SNAPSHOT_RETENTION_COLUMNS);
    }
    varchars(&names)
}

/// The retention columns 4.2 adds to SHOW SNAPSHOT.
pub const SNAPSHOT_RETENTION_COLUMNS: [&str; 4] = ["ClusterId", "FinishTime", "TTL", "ExpireTime"];

/// SHOW DATABASES (`sql/ast/ShowDbStmt.java`): `Database`.
pub fn show_databases() -> Vec<Column> {
    varchars(&["Database"])
}

/// SHOW [FULL] TABLES (`sql/ast/ShowTableStmt.java`): `Tables_in_<db>` [, `Table_type`].
pub fn show_tables(db: &str, full: bool) -> Vec<Column> {
    let mut cols = vec![Column::varchar(format!("Tables_in_{db}"))];
    if full {
        cols.push(Column::varchar("Table_type"));
    }
    cols
}

/// SHOW VARIABLES (`sql/ast/ShowVariablesStmt.java`): `Variable_name`, `Value`.
pub fn show_variables() -> Vec<Column> {
    varchars(&["Variable_name", "Value"])
}

/// What SHOW CREATE printed for (`sql/ast/ShowCreateTableStmt.java` metadata).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CreateLayout {
    Table,
    View,
    MaterializedView,
}

/// SHOW CREATE TABLE / VIEW / MATERIALIZED VIEW.
pub fn show_create(layout: CreateLayout) -> Vec<Column> {
    match layout {
        CreateLayout::Table => varchars(&["Table", "Create Table"]),
        CreateLayout::View => varchars(&[
            "View",
            "Create View",
            "character_set_client",
            "collation_connection",
        ]),
        CreateLayout::MaterializedView => {
            varchars(&["Materialized View", "Create Materialized View"])
        }
    }
}

/// `information_schema.tables` (`catalog/system/information/TablesSystemTable.java`): the 21
/// MySQL columns, identical in every profile.
pub fn tables(_profile: VersionProfile) -> Vec<Column> {
    typed(&[
        ("TABLE_CATALOG", VarString),
        ("TABLE_SCHEMA", VarString),
        ("TABLE_NAME", VarString),
        ("TABLE_TYPE", VarString),
        ("ENGINE", VarString),
        ("VERSION", LongLong),
        ("ROW_FORMAT", VarString),
        ("TABLE_ROWS", LongLong),
        ("AVG_ROW_LENGTH", LongLong),
        ("DATA_LENGTH", LongLong),
        ("MAX_DATA_LENGTH", LongLong),
        ("INDEX_LENGTH", LongLong),
        ("DATA_FREE", LongLong),
        ("AUTO_INCREMENT", LongLong),
        ("CREATE_TIME", DateTime),
        ("UPDATE_TIME", DateTime),
        ("CHECK_TIME", DateTime),
        ("TABLE_COLLATION", VarString),
        ("CHECKSUM", LongLong),
        ("CREATE_OPTIONS", VarString),
        ("TABLE_COMMENT", VarString),
    ])
}

/// `information_schema.views` (`catalog/system/information/ViewsSystemTable.java`): 10
/// VARCHAR columns, identical in 3.3–4.1.
pub fn views(_profile: VersionProfile) -> Vec<Column> {
    varchars(&[
        "TABLE_CATALOG",
        "TABLE_SCHEMA",
        "TABLE_NAME",
        "VIEW_DEFINITION",
        "CHECK_OPTION",
        "IS_UPDATABLE",
        "DEFINER",
        "SECURITY_TYPE",
        "CHARACTER_SET_CLIENT",
        "COLLATION_CONNECTION",
    ])
}

/// `information_schema.schemata` (`catalog/system/information/SchemataSystemTable.java`).
pub fn schemata(_profile: VersionProfile) -> Vec<Column> {
    varchars(&[
        "CATALOG_NAME",
        "SCHEMA_NAME",
        "DEFAULT_CHARACTER_SET_NAME",
        "DEFAULT_COLLATION_NAME",
        "SQL_PATH",
    ])
}

/// `information_schema.materialized_views`
/// (`catalog/system/information/MaterializedViewsSystemTable.java`): 25 VARCHAR columns in
/// 3.3–3.5 (BE-scanned strings); 4.0 and 4.1 type the ids, times, duration and row count and
/// append `LAST_REFRESH_PROCESS_TIME`, `LAST_REFRESH_JOB_ID` (27).
pub fn materialized_views(profile: VersionProfile) -> Vec<Column> {
    let v4 = profile >= VersionProfile::V4_0;
    let t = |four: ColumnType| if v4 { four } else { VarString };
    let mut cols = typed(&[
        ("MATERIALIZED_VIEW_ID", t(LongLong)),
        ("TABLE_SCHEMA", VarString),
        ("TABLE_NAME", VarString),
        ("REFRESH_TYPE", VarString),
        ("IS_ACTIVE", VarString),
        ("INACTIVE_REASON", VarString),
        ("PARTITION_TYPE", VarString),
        ("TASK_ID", t(LongLong)),
        ("TASK_NAME", VarString),
        ("LAST_REFRESH_START_TIME", t(DateTime)),
        ("LAST_REFRESH_FINISHED_TIME", t(DateTime)),
        ("LAST_REFRESH_DURATION", t(Double)),
        ("LAST_REFRESH_STATE", VarString),
        ("LAST_REFRESH_FORCE_REFRESH", VarString),
        ("LAST_REFRESH_START_PARTITION", VarString),
        ("LAST_REFRESH_END_PARTITION", VarString),
        ("LAST_REFRESH_BASE_REFRESH_PARTITIONS", VarString),
        ("LAST_REFRESH_MV_REFRESH_PARTITIONS", VarString),
        ("LAST_REFRESH_ERROR_CODE", VarString),
        ("LAST_REFRESH_ERROR_MESSAGE", VarString),
        ("TABLE_ROWS", t(LongLong)),
        ("MATERIALIZED_VIEW_DEFINITION", VarString),
        ("EXTRA_MESSAGE", VarString),
        ("QUERY_REWRITE_STATUS", VarString),
        ("CREATOR", VarString),
    ]);
    if v4 {
        cols.push(Column::typed("LAST_REFRESH_PROCESS_TIME", DateTime));
        cols.push(Column::typed("LAST_REFRESH_JOB_ID", VarString));
    }
    cols
}

/// Column names only, for tests and lookups.
pub fn names(cols: &[Column]) -> Vec<&str> {
    cols.iter().map(|c| c.name.as_str()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use VersionProfile::*;

    #[test]
    fn show_partitions_grows_per_profile() {
        assert_eq!(show_partitions(V3_3, false).len(), 20);
        assert_eq!(show_partitions(V3_4, false).len(), 21);
        assert_eq!(show_partitions(V3_5, false).len(), 22);
        assert_eq!(show_partitions(V4_1, true)[7].name, "List");
        let v34 = show_partitions(V3_4, false);
        assert_eq!(names(&v34)[14..16], ["DataSize", "StorageSize"]);
        assert_eq!(show_partitions(V4_0, false)[21].name, "TabletBalanced");
    }

    #[test]
    fn partitions_meta_counts_and_data_size_type() {
        let counts: Vec<usize> = VersionProfile::ALL
            .iter()
            .map(|p| partitions_meta(*p).len())
            .collect();
        assert_eq!(counts, [28, 29, 30, 32, 31, 31]);
        assert_eq!(partitions_meta(V3_5)[21].kind, VarString);
        assert_eq!(partitions_meta(V4_0)[21].kind, LongLong);
    }

    #[test]
    fn node_lists() {
        assert_eq!(show_backends(V3_3).len(), 29);
        assert_eq!(show_backends(V3_4).len(), 30);
        assert_eq!(show_frontends(V3_4)[0].name, "Name");
        assert_eq!(show_frontends(V3_5)[0].name, "Id");
        assert_eq!(show_frontends(V4_1).len(), 17);
    }
}
