//! The stable codes of the validator: `V0xx` for StarRocks's static analyzer checks (no
//! catalog needed), `V1xx` for the checks that need the catalog (unknown database, table,
//! repository; they only fire when a [`super::Catalog`] knows the answer). Version-dependent
//! findings are the parser's `D…` codes (e.g. `D003`, `ttl` before 4.2); the BACKUP `ttl` value
//! itself is checked here on 4.2. Codes are never reused.

use crate::diagnostic::Severity;

/// One validation condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Check {
    InvalidDatabaseName,
    EmptyLabel,
    EmptyRepository,
    DuplicateBackupTable,
    EmptyFunctionName,
    InvalidFunctionName,
    FunctionStartsWithDigit,
    InvalidBackupType,
    InvalidTimeout,
    TimeoutTooShort,
    UnknownBackupProperty,
    DefaultCatalogBackup,
    DuplicateRestoreTable,
    DuplicateRestoreAlias,
    InvalidAllowLoad,
    InvalidIntProperty,
    MissingBackupTimestamp,
    UnknownRestoreProperty,
    EmptyRepositoryName,
    InvalidRepositoryName,
    EmptyLocation,
    EmptyBroker,
    SnapshotWhereShape,
    SnapshotInLeftSide,
    SnapshotInElement,
    InvalidTtl,
    NonPositiveTtl,
    UnknownDatabase,
    UnknownRepository,
    UnknownTable,
    UnknownPartition,
    UnknownCatalog,
}

impl Check {
    pub const ALL: [Check; 32] = [
        Check::InvalidDatabaseName,
        Check::EmptyLabel,
        Check::EmptyRepository,
        Check::DuplicateBackupTable,
        Check::EmptyFunctionName,
        Check::InvalidFunctionName,
        Check::FunctionStartsWithDigit,
        Check::InvalidBackupType,
        Check::InvalidTimeout,
        Check::TimeoutTooShort,
        Check::UnknownBackupProperty,
        Check::DefaultCatalogBackup,
        Check::DuplicateRestoreTable,
        Check::DuplicateRestoreAlias,
        Check::InvalidAllowLoad,
        Check::InvalidIntProperty,
        Check::MissingBackupTimestamp,
        Check::UnknownRestoreProperty,
        Check::EmptyRepositoryName,
        Check::InvalidRepositoryName,
        Check::EmptyLocation,
        Check::EmptyBroker,
        Check::SnapshotWhereShape,
        Check::SnapshotInLeftSide,
        Check::SnapshotInElement,
        Check::InvalidTtl,
        Check::NonPositiveTtl,
        Check::UnknownDatabase,
        Check::UnknownRepository,
        Check::UnknownTable,
        Check::UnknownPartition,
        Check::UnknownCatalog,
    ];

    /// `(code, kebab-case name, one-line summary)`.
    pub fn info(self) -> (&'static str, &'static str, &'static str) {
        use Check::*;
        match self {
            InvalidDatabaseName => ("V001", "invalid-database-name", "The database name does not match StarRocks's database-name format."),
            EmptyLabel => ("V002", "empty-label", "The snapshot label is empty."),
            EmptyRepository => ("V003", "empty-repository", "The repository name of a BACKUP is empty."),
            DuplicateBackupTable => ("V004", "duplicate-backup-table", "A BACKUP names the same table twice."),
            EmptyFunctionName => ("V005", "empty-function-name", "A FUNCTION item in a BACKUP has an empty name."),
            InvalidFunctionName => ("V006", "invalid-function-name", "A function name holds characters other than letters, digits and underscores."),
            FunctionStartsWithDigit => ("V007", "function-starts-with-digit", "A function name starts with a digit."),
            InvalidBackupType => ("V008", "invalid-backup-type", "The BACKUP `type` property is neither `full` nor `incremental`."),
            InvalidTimeout => ("V009", "invalid-timeout", "The `timeout` property is not an integer number of seconds."),
            TimeoutTooShort => ("V010", "timeout-too-short", "The `timeout` property is below StarRocks's minimum of 600 seconds."),
            UnknownBackupProperty => ("V011", "unknown-backup-property", "A BACKUP property StarRocks does not know."),
            DefaultCatalogBackup => ("V012", "default-catalog-backup", "An external-catalog BACKUP names `default_catalog`."),
            DuplicateRestoreTable => ("V013", "duplicate-restore-table", "A RESTORE names the same table twice."),
            DuplicateRestoreAlias => ("V014", "duplicate-restore-alias", "A RESTORE alias repeats a table name or another alias."),
            InvalidAllowLoad => ("V015", "invalid-allow-load", "The RESTORE `allow_load` property is neither `true` nor `false`."),
            InvalidIntProperty => ("V016", "invalid-integer-property", "`replication_num`, `meta_version` or `starrocks_meta_version` is not a 32-bit integer."),
            MissingBackupTimestamp => ("V017", "missing-backup-timestamp", "A RESTORE without the required `backup_timestamp` property."),
            UnknownRestoreProperty => ("V018", "unknown-restore-property", "A RESTORE property StarRocks does not know."),
            EmptyRepositoryName => ("V019", "empty-repository-name", "CREATE/DROP REPOSITORY with an empty repository name."),
            InvalidRepositoryName => ("V020", "invalid-repository-name", "The repository name does not match StarRocks's name format."),
            EmptyLocation => ("V021", "empty-location", "CREATE REPOSITORY with an empty location."),
            EmptyBroker => ("V022", "empty-broker", "CREATE REPOSITORY with a broker name that is present but empty."),
            SnapshotWhereShape => ("V023", "snapshot-where-shape", "SHOW SNAPSHOT's WHERE is not one of the shapes StarRocks understands."),
            SnapshotInLeftSide => ("V024", "snapshot-in-left-side", "SHOW SNAPSHOT's `IN` filter is not on the SNAPSHOT column."),
            SnapshotInElement => ("V025", "snapshot-in-element", "SHOW SNAPSHOT's `IN` list holds something other than strings."),
            InvalidTtl => ("V026", "invalid-ttl", "The BACKUP `ttl` property is not a duration such as `7 DAY` (StarRocks 4.2)."),
            NonPositiveTtl => ("V027", "non-positive-ttl", "The BACKUP `ttl` property is zero or negative (StarRocks 4.2)."),
            UnknownDatabase => ("V101", "unknown-database", "The database does not exist (needs the catalog)."),
            UnknownRepository => ("V102", "unknown-repository", "The repository does not exist (needs the catalog)."),
            UnknownTable => ("V103", "unknown-table", "A table named in a BACKUP does not exist (needs the catalog)."),
            UnknownPartition => ("V104", "unknown-partition", "A partition named in a BACKUP does not exist (needs the catalog)."),
            UnknownCatalog => ("V105", "unknown-catalog", "An external catalog named in a BACKUP does not exist (needs the catalog)."),
        }
    }

    pub fn code(self) -> &'static str {
        self.info().0
    }

    pub fn name(self) -> &'static str {
        self.info().1
    }

    pub fn summary(self) -> &'static str {
        self.info().2
    }

    /// Every validation finding is an error: StarRocks refuses the statement.
    pub fn severity(self) -> Severity {
        Severity::Error
    }

    /// The MySQL error code and SQLSTATE StarRocks sends for this condition (spec §0.1).
    pub fn starrocks_code(self) -> (u16, &'static str) {
        use Check::*;
        match self {
            InvalidDatabaseName => (1102, "42000"),
            EmptyLabel => (5082, "42000"),
            InvalidRepositoryName => (5063, "42000"),
            UnknownDatabase => (5501, "3F000"),
            DuplicateBackupTable
            | DuplicateRestoreTable
            | DuplicateRestoreAlias
            | EmptyLocation
            | EmptyBroker
            | SnapshotWhereShape
            | SnapshotInLeftSide
            | SnapshotInElement
            | InvalidTtl
            | NonPositiveTtl
            | UnknownTable
            | UnknownPartition => (1064, "HY000"),
            EmptyRepository
            | EmptyFunctionName
            | InvalidFunctionName
            | FunctionStartsWithDigit
            | InvalidBackupType
            | InvalidTimeout
            | TimeoutTooShort
            | UnknownBackupProperty
            | DefaultCatalogBackup
            | InvalidAllowLoad
            | InvalidIntProperty
            | MissingBackupTimestamp
            | UnknownRestoreProperty
            | EmptyRepositoryName
            | UnknownRepository
            | UnknownCatalog => (5064, "42000"),
        }
    }

    /// Whether the condition needs catalog state to be decided.
    pub fn needs_catalog(self) -> bool {
        matches!(
            self,
            Check::UnknownDatabase
                | Check::UnknownRepository
                | Check::UnknownTable
                | Check::UnknownPartition
                | Check::UnknownCatalog
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_and_names_are_unique() {
        let codes: HashSet<_> = Check::ALL.iter().map(|c| c.code()).collect();
        let names: HashSet<_> = Check::ALL.iter().map(|c| c.name()).collect();
        assert_eq!(codes.len(), Check::ALL.len());
        assert_eq!(names.len(), Check::ALL.len());
        for c in Check::ALL {
            assert!(!c.summary().is_empty());
        }
    }
}
