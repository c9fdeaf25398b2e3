//! L100–L102: findings about suppression comments themselves (reported by the driver's
//! suppression pass, `lint/suppress.rs`; documented here like every rule).

use crate::lint::registry::rule_doc;

rule_doc! {
    /// ## What it does
    /// Flags a `starsnap:ignore` / `starsnap:ignore-file` comment without a reason after `--`.
    ///
    /// ## Why is this bad?
    /// A suppression is a decision someone reviewed; without the reason the next reader
    /// cannot tell whether it still holds. The suppression still applies.
    ///
    /// ## Example
    /// ```sql
    /// -- starsnap:ignore L011
    /// DROP REPOSITORY old_repo;
    /// ```
    /// Use instead:
    /// ```sql
    /// -- starsnap:ignore L011 -- retired after the migration to s3_repo
    /// DROP REPOSITORY old_repo;
    /// ```
    SuppressionWithoutReason
}

rule_doc! {
    /// ## What it does
    /// Flags a `starsnap:ignore` comment (or one of its codes) that silenced nothing.
    ///
    /// ## Why is this bad?
    /// The problem it was written for is gone, or the comment is not where it applies (it
    /// must be on the lines right before the statement). A stale suppression would silently
    /// hide the next real problem of that kind.
    ///
    /// ## Example
    /// ```sql
    /// -- starsnap:ignore L011 -- retired repository
    /// SHOW REPOSITORIES;
    /// ```
    /// Use instead:
    /// ```sql
    /// SHOW REPOSITORIES;
    /// ```
    UnusedSuppression
}

rule_doc! {
    /// ## What it does
    /// Flags a code in a `starsnap:ignore` comment that starsnap does not have, or that
    /// cannot be suppressed (StarRocks syntax errors `S0xx`).
    ///
    /// ## Why is this bad?
    /// It is usually a typo, and it silences nothing.
    ///
    /// ## Example
    /// ```sql
    /// -- starsnap:ignore L0O5 -- typo
    /// ```
    /// Use instead:
    /// ```sql
    /// -- starsnap:ignore L005 -- restored into a fresh cluster
    /// ```
    UnknownSuppressionCode
}
