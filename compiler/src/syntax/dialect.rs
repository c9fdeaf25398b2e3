//! The StarRocks versions starsnap targets, and what each one's grammar accepts
//! (`shared/spec/starrocks-versions.md` §4, §5, §7).

use std::fmt;
use std::str::FromStr;

/// A StarRocks version whose grammar starsnap checks against. The parser accepts every form
/// regardless and reports constructs the target does not accept as `D…` diagnostics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dialect {
    /// Legacy BACKUP/RESTORE only (no DATABASE clause, catalogs, typed objects).
    StarRocks3_3,
    #[default]
    StarRocks3_4,
    StarRocks3_5,
    StarRocks4_0,
    /// Adds WHERE/ORDER BY/LIMIT on SHOW BACKUP/RESTORE/SNAPSHOT/REPOSITORIES.
    StarRocks4_1,
    /// Adds `DROP SNAPSHOT` and the BACKUP `ttl` property.
    StarRocks4_2,
}

impl Dialect {
    pub const ALL: [Dialect; 6] = [
        Dialect::StarRocks3_3,
        Dialect::StarRocks3_4,
        Dialect::StarRocks3_5,
        Dialect::StarRocks4_0,
        Dialect::StarRocks4_1,
        Dialect::StarRocks4_2,
    ];

    /// The name used on the command line and in policy files (`starrocks-3.4`).
    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::StarRocks3_3 => "starrocks-3.3",
            Dialect::StarRocks3_4 => "starrocks-3.4",
            Dialect::StarRocks3_5 => "starrocks-3.5",
            Dialect::StarRocks4_0 => "starrocks-4.0",
            Dialect::StarRocks4_1 => "starrocks-4.1",
            Dialect::StarRocks4_2 => "starrocks-4.2",
        }
    }

    /// The version number alone (`3.4`).
    pub fn version(self) -> &'static str {
        &self.as_str()["starrocks-".len()..]
    }

    /// 3.4 grammar: `DATABASE`, external catalogs, typed `ON` items, `FOR EXTERNAL CATALOG`.
    pub fn has_3_4_snapshot_syntax(self) -> bool {
        self >= Dialect::StarRocks3_4
    }

    /// WHERE/ORDER BY/LIMIT on SHOW BACKUP/RESTORE/SNAPSHOT/REPOSITORIES (#68834).
    pub fn has_show_predicates(self) -> bool {
        self >= Dialect::StarRocks4_1
    }

    /// `DROP SNAPSHOT … ON … [FORCE]` and the BACKUP `ttl` property (#78092).
    pub fn has_drop_snapshot(self) -> bool {
        self >= Dialect::StarRocks4_2
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error for an unknown dialect name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownDialect(pub String);

impl fmt::Display for UnknownDialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown dialect '{}' (expected one of: starrocks-3.3, starrocks-3.4, starrocks-3.5, starrocks-4.0, starrocks-4.1, starrocks-4.2)",
            self.0
        )
    }
}

impl std::error::Error for UnknownDialect {}

impl FromStr for Dialect {
    type Err = UnknownDialect;

    /// Accepts `starrocks-3.4`, `StarRocks-3.4`, `starrocks3.4` and `3.4`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        let v = lower
            .strip_prefix("starrocks")
            .map(|r| r.trim_start_matches(['-', '_', ' ']))
            .unwrap_or(&lower);
        Dialect::ALL
            .into_iter()
            .find(|d| d.version() == v)
            .ok_or_else(|| UnknownDialect(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names() {
        assert_eq!("starrocks-3.4".parse(), Ok(Dialect::StarRocks3_4));
        assert_eq!("StarRocks-4.2".parse(), Ok(Dialect::StarRocks4_2));
        assert_eq!("3.3".parse(), Ok(Dialect::StarRocks3_3));
        assert!("starrocks-2.5".parse::<Dialect>().is_err());
        for d in Dialect::ALL {
            assert_eq!(d.as_str().parse(), Ok(d));
        }
    }
}
