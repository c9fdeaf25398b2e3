//! StarRocks version profiles: which release the simulator pretends to be
//! (`shared/spec/starrocks-versions.md` §7).

use std::fmt;
use std::str::FromStr;

/// A StarRocks release line the simulator can answer as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum VersionProfile {
    V3_3,
    #[default]
    V3_4,
    V3_5,
    V4_0,
    V4_1,
    /// 4.2: 4.1 plus DROP SNAPSHOT, the BACKUP `ttl` property, snapshot expiry and the 7/9-column
    /// SHOW SNAPSHOT (`starrocks-versions.md` §5, PR #78092).
    V4_2,
}

impl VersionProfile {
    pub const ALL: [VersionProfile; 6] = [
        VersionProfile::V3_3,
        VersionProfile::V3_4,
        VersionProfile::V3_5,
        VersionProfile::V4_0,
        VersionProfile::V4_1,
        VersionProfile::V4_2,
    ];

    /// `@@version_comment` / `current_version()`: `<version>-<7-hex commit>`.
    pub fn version_comment(self) -> &'static str {
        match self {
            VersionProfile::V3_3 => "3.3.8-4af89ab",
            VersionProfile::V3_4 => "3.4.5-1207fa7",
            VersionProfile::V3_5 => "3.5.7-d2da301",
            VersionProfile::V4_0 => "4.0.2-8b84692",
            VersionProfile::V4_1 => "4.1.0-ad83983",
            // Unreleased: main @ 782d2184 (starrocks-versions.md §0) plus #78092.
            VersionProfile::V4_2 => "4.2.0-782d218",
        }
    }

    /// The MySQL server version in the handshake and `@@version`: `5.1.0` in 3.3, `8.0.33` after.
    pub fn mysql_version(self) -> &'static str {
        match self {
            VersionProfile::V3_3 => "5.1.0",
            _ => "8.0.33",
        }
    }

    /// The short name used on command lines: `3.4`, `4.0`, …
    pub fn as_str(self) -> &'static str {
        match self {
            VersionProfile::V3_3 => "3.3",
            VersionProfile::V3_4 => "3.4",
            VersionProfile::V3_5 => "3.5",
            VersionProfile::V4_0 => "4.0",
            VersionProfile::V4_1 => "4.1",
            VersionProfile::V4_2 => "4.2",
        }
    }
}

impl fmt::Display for VersionProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for VersionProfile {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim().trim_start_matches("starrocks-");
        VersionProfile::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| {
                format!("unknown StarRocks version '{s}' (known: 3.3, 3.4, 3.5, 4.0, 4.1, 4.2)")
            })
    }
}
