//! The StarRocks version of a cluster, from `@@version_comment` (`3.4.5-1207fa7`). The
//! handshake and `@@version` say `8.0.33` on every 3.4+ cluster, so they are useless here
//! (`shared/spec/starrocks-versions.md` §6).

use std::fmt;

use crate::error::RuntimeError;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct StarRocksVersion {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
    /// The build's commit, as the server gives it (may be empty).
    pub commit: String,
}

impl StarRocksVersion {
    /// Parses `<version>-<commit>`, splitting on the **last** `-` (versions such as
    /// `3.4.5-rc1-abc1234` keep `3.4.5-rc1` as the version part).
    pub fn parse(comment: &str) -> Result<Self, RuntimeError> {
        let s = comment.trim();
        let (ver, commit) = match s.rsplit_once('-') {
            Some((v, c)) if !v.is_empty() => (v, c),
            _ => (s, ""),
        };
        let core = ver.split('-').next().unwrap_or(ver);
        let mut nums = core.split('.').map(|p| p.parse::<u32>());
        let bad = || RuntimeError::Version(comment.to_string());
        let major = nums.next().and_then(Result::ok).ok_or_else(bad)?;
        let minor = nums.next().and_then(Result::ok).ok_or_else(bad)?;
        let patch = match nums.next() {
            Some(Ok(p)) => p,
            Some(Err(_)) => return Err(bad()),
            None => 0,
        };
        Ok(StarRocksVersion {
            major,
            minor,
            patch,
            commit: commit.to_string(),
        })
    }

    pub fn at_least(&self, major: u32, minor: u32) -> bool {
        (self.major, self.minor) >= (major, minor)
    }

    /// The compiler dialect for this version (the closest one starsnap knows).
    pub fn dialect(&self) -> starsnap_compiler::syntax::Dialect {
        use starsnap_compiler::syntax::Dialect;
        match (self.major, self.minor) {
            (0..=2, _) | (3, 0..=3) => Dialect::StarRocks3_3,
            (3, 4) => Dialect::StarRocks3_4,
            (3, _) => Dialect::StarRocks3_5,
            (4, 0) => Dialect::StarRocks4_0,
            (4, 1) => Dialect::StarRocks4_1,
            _ => Dialect::StarRocks4_2,
        }
    }
}

impl fmt::Display for StarRocksVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.commit.is_empty() {
            write!(f, "-{}", self.commit)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_version_comments() {
        let v = StarRocksVersion::parse("3.4.5-1207fa7").expect("parse");
        assert_eq!(
            (v.major, v.minor, v.patch, v.commit.as_str()),
            (3, 4, 5, "1207fa7")
        );
        let rc = StarRocksVersion::parse("4.1.0-rc01-ad83983").expect("parse");
        assert_eq!((rc.major, rc.minor, rc.commit.as_str()), (4, 1, "ad83983"));
        assert!(StarRocksVersion::parse("8.0.33").is_ok());
        assert!(StarRocksVersion::parse("").is_err());
        assert!(StarRocksVersion::parse("banana-1").is_err());
        assert!(v.at_least(3, 4) && !v.at_least(3, 5));
    }
}
