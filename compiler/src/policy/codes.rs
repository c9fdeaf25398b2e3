//! The stable `P…` codes of policy findings. `P0xx` are found in the policy file alone;
//! `P1xx` need the observed catalog and are reported by the planner. The table with
//! explanations is in `grammar/policy.md`. Codes are never reused for another meaning.

/// The file is not valid TOML.
pub const TOML_SYNTAX: &str = "P001";
/// A key starsnap does not know (a typo, or a key in the wrong section).
pub const UNKNOWN_KEY: &str = "P002";
/// A value of the wrong TOML type.
pub const WRONG_TYPE: &str = "P003";
/// A required key is missing.
pub const MISSING_KEY: &str = "P004";
/// A duration that is not `<number><unit>…`.
pub const BAD_DURATION: &str = "P005";
/// A value of the right type that is not allowed (range, enum, name format).
pub const INVALID_VALUE: &str = "P006";
/// A secret written inline instead of as an `${ENV_NAME}` reference.
pub const INLINE_SECRET: &str = "P007";
/// An include/exclude pattern that is not `database.table` with `*`/`?` globs.
pub const BAD_PATTERN: &str = "P008";
/// A group names a repository that no `[repository.NAME]` declares.
pub const UNDECLARED_REPOSITORY: &str = "P009";
/// A label template with an unknown placeholder or unbalanced braces.
pub const BAD_LABEL_TEMPLATE: &str = "P010";
/// `[lint]` names a rule code or severity starsnap does not know.
pub const BAD_LINT_SETTING: &str = "P011";
/// A `[[statement]]` file that was not given to the planner (missing or unreadable).
pub const STATEMENT_FILE_MISSING: &str = "P012";
/// A `[[statement]]` file outside the policy's folder (absolute, `..`, a symlink leading out),
/// not a regular file, or larger than [`super::MAX_STATEMENT_FILE_BYTES`].
pub const STATEMENT_FILE_REFUSED: &str = "P013";
/// A planned label longer than a snapshot directory name can be.
pub const LABEL_TOO_LONG: &str = "P113";
/// A group sets `ttl`, which the cluster (before StarRocks 4.2) does not have.
pub const TTL_UNSUPPORTED: &str = "P114";
/// The catalog holds a table of a group unread (its partitions summed, not listed) although
/// the plan must compare or back up its partitions: the runtime read too little.
pub const PARTITIONS_UNREAD: &str = "P115";

/// An include pattern matches no table in the observed catalog.
pub const PATTERN_MATCHES_NOTHING: &str = "P101";
/// An exclude pattern matches no table (a warning: it may be a typo).
pub const EXCLUDE_MATCHES_NOTHING: &str = "P102";
/// A table is covered by two groups.
pub const TABLE_IN_TWO_GROUPS: &str = "P103";
/// A declared repository exists in the cluster with other settings.
pub const REPOSITORY_DIFFERS: &str = "P104";
/// A group backs up into a read-only repository.
pub const REPOSITORY_READ_ONLY: &str = "P105";
/// A label the plan would create already exists in the repository, or twice in the plan.
pub const LABEL_EXISTS: &str = "P106";
/// A hand-written statement names a partition the table does not have.
pub const UNKNOWN_PARTITION: &str = "P107";
/// A hand-written BACKUP of a database with nothing to back up.
pub const EMPTY_DATABASE_BACKUP: &str = "P108";
/// A hand-written statement holds a secret inline.
pub const STATEMENT_INLINE_SECRET: &str = "P109";
/// A group names an external catalog the cluster does not have.
pub const UNKNOWN_EXTERNAL_CATALOG: &str = "P110";
/// A hand-written RESTORE names a snapshot its repository does not hold.
pub const UNKNOWN_SNAPSHOT: &str = "P111";
/// A hand-written RESTORE's `backup_timestamp` is not one of the snapshot's timestamps.
pub const UNKNOWN_SNAPSHOT_TIMESTAMP: &str = "P112";

/// Every code with a one-line summary (documentation and tests).
pub const ALL: &[(&str, &str)] = &[
    (TOML_SYNTAX, "The policy file is not valid TOML."),
    (UNKNOWN_KEY, "A key starsnap does not know."),
    (WRONG_TYPE, "A value of the wrong TOML type."),
    (MISSING_KEY, "A required key is missing."),
    (
        BAD_DURATION,
        "A duration that is not `<number><unit>`, e.g. `7d`.",
    ),
    (INVALID_VALUE, "A value outside its allowed range or set."),
    (
        INLINE_SECRET,
        "A secret written inline instead of `${ENV_NAME}`.",
    ),
    (
        BAD_PATTERN,
        "An include/exclude pattern that is not `database.table`.",
    ),
    (
        UNDECLARED_REPOSITORY,
        "A group names an undeclared repository.",
    ),
    (
        BAD_LABEL_TEMPLATE,
        "A label template with an unknown placeholder.",
    ),
    (
        BAD_LINT_SETTING,
        "`[lint]` names an unknown rule or severity.",
    ),
    (
        STATEMENT_FILE_MISSING,
        "A `[[statement]]` file was not found.",
    ),
    (
        STATEMENT_FILE_REFUSED,
        "A `[[statement]]` file outside the policy's folder, not a file, or too large.",
    ),
    (
        PATTERN_MATCHES_NOTHING,
        "An include pattern matches no table.",
    ),
    (
        EXCLUDE_MATCHES_NOTHING,
        "An exclude pattern matches no table.",
    ),
    (TABLE_IN_TWO_GROUPS, "A table is covered by two groups."),
    (
        REPOSITORY_DIFFERS,
        "A declared repository exists with other settings.",
    ),
    (
        REPOSITORY_READ_ONLY,
        "A group backs up into a read-only repository.",
    ),
    (LABEL_EXISTS, "A planned label exists already, or twice."),
    (
        UNKNOWN_PARTITION,
        "A hand-written statement names an unknown partition.",
    ),
    (
        EMPTY_DATABASE_BACKUP,
        "A hand-written BACKUP of an empty database.",
    ),
    (
        STATEMENT_INLINE_SECRET,
        "A hand-written statement holds a secret inline.",
    ),
    (
        UNKNOWN_EXTERNAL_CATALOG,
        "A group names an unknown external catalog.",
    ),
    (
        UNKNOWN_SNAPSHOT,
        "A hand-written RESTORE names a snapshot the repository lacks.",
    ),
    (
        UNKNOWN_SNAPSHOT_TIMESTAMP,
        "A RESTORE's backup_timestamp is not the snapshot's.",
    ),
    (
        LABEL_TOO_LONG,
        "A planned label is longer than StarRocks allows.",
    ),
    (
        TTL_UNSUPPORTED,
        "A group sets `ttl` on a cluster before StarRocks 4.2.",
    ),
    (
        PARTITIONS_UNREAD,
        "A table the plan compares was observed without its partitions.",
    ),
];
