//! Civil time for the simulated frontend: the FE time zone (`SimConfig.time_zone`), epoch ↔
//! calendar conversion (days-from-civil, no external crates), and the formats StarRocks
//! prints: `yyyy-MM-dd HH:mm:ss` (VisibleVersionTime, job times) and
//! `yyyy-MM-dd-HH-mm-ss-SSS` (snapshot timestamps).
//!
//! Only fixed-offset zones are supported; the named ones below have had no DST for decades.
//! A simulator in `Asia/Shanghai` shows every time at +08:00, so a client that compares
//! those strings with its own UTC clock is caught by the tests.

use std::fmt;

use crate::clock::EpochMillis;
use crate::engine::value::Value;

/// A fixed-offset time zone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimeZone {
    /// As configured (`UTC`, `+08:00`, `Asia/Shanghai`).
    pub name: String,
    /// Seconds east of UTC.
    pub offset_secs: i32,
}

/// Named zones without daylight saving time, and their offsets in minutes.
const NAMED_ZONES: &[(&str, i32)] = &[
    ("UTC", 0),
    ("GMT", 0),
    ("Etc/UTC", 0),
    ("Etc/GMT", 0),
    ("Z", 0),
    ("Asia/Shanghai", 480),
    ("Asia/Hong_Kong", 480),
    ("Asia/Singapore", 480),
    ("Asia/Taipei", 480),
    ("PRC", 480),
    ("Asia/Tokyo", 540),
    ("Asia/Seoul", 540),
    ("Asia/Kolkata", 330),
    ("Asia/Calcutta", 330),
    ("Asia/Dubai", 240),
    ("Asia/Jakarta", 420),
    ("Asia/Bangkok", 420),
    ("Asia/Ho_Chi_Minh", 420),
    ("Asia/Karachi", 300),
    ("Africa/Lagos", 60),
    ("Africa/Nairobi", 180),
    ("Europe/Moscow", 180),
    ("America/Sao_Paulo", -180),
    ("America/Argentina/Buenos_Aires", -180),
    ("America/Bogota", -300),
    ("America/Lima", -300),
    ("America/Phoenix", -420),
    ("Pacific/Honolulu", -600),
];

/// A time-zone name the simulator cannot honour.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownTimeZone(pub String);

impl fmt::Display for UnknownTimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown or unsupported time zone '{}' (use UTC, +hh:mm/-hh:mm, or a zone without DST such as Asia/Shanghai)",
            self.0
        )
    }
}

impl std::error::Error for UnknownTimeZone {}

impl TimeZone {
    pub fn utc() -> TimeZone {
        TimeZone {
            name: "UTC".into(),
            offset_secs: 0,
        }
    }

    /// Parses `UTC`, `+hh:mm` / `-hh:mm` (also `UTC+8`, `GMT+08:00`), or a known name.
    pub fn parse(name: &str) -> Result<TimeZone, UnknownTimeZone> {
        let trimmed = name.trim();
        let bad = || UnknownTimeZone(name.to_string());
        if let Some(&(_, minutes)) = NAMED_ZONES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(trimmed))
        {
            return Ok(TimeZone {
                name: trimmed.to_string(),
                offset_secs: minutes * 60,
            });
        }
        let rest = ["UTC", "GMT"]
            .iter()
            .find_map(|p| {
                trimmed
                    .get(..3)
                    .filter(|s| s.eq_ignore_ascii_case(p))
                    .map(|_| &trimmed[3..])
            })
            .unwrap_or(trimmed);
        let (sign, body) = match rest.as_bytes().first() {
            Some(b'+') => (1, &rest[1..]),
            Some(b'-') => (-1, &rest[1..]),
            _ => return Err(bad()),
        };
        let (h, m) = match body.split_once(':') {
            Some((h, m)) => (h, m),
            None => (body, "0"),
        };
        let h: i32 = h.parse().map_err(|_| bad())?;
        let m: i32 = m.parse().map_err(|_| bad())?;
        if !(0..=14).contains(&h) || !(0..60).contains(&m) {
            return Err(bad());
        }
        Ok(TimeZone {
            name: trimmed.to_string(),
            offset_secs: sign * (h * 3600 + m * 60),
        })
    }

    /// The offset as `+08:00`.
    pub fn offset_text(&self) -> String {
        let sign = if self.offset_secs < 0 { '-' } else { '+' };
        let a = self.offset_secs.abs();
        format!("{sign}{:02}:{:02}", a / 3600, (a % 3600) / 60)
    }

    /// Local wall-clock seconds since the epoch for an instant.
    pub fn local_secs(&self, ms: EpochMillis) -> i64 {
        ms.div_euclid(1000) + i64::from(self.offset_secs)
    }

    /// `yyyy-MM-dd HH:mm:ss` in this zone.
    pub fn format_datetime(&self, ms: EpochMillis) -> String {
        format_naive_datetime(self.local_secs(ms))
    }

    /// `yyyy-MM-dd-HH-mm-ss-SSS` in this zone (BACKUP snapshot timestamps).
    pub fn format_snapshot_timestamp(&self, ms: EpochMillis) -> String {
        let secs = self.local_secs(ms);
        let (y, mo, d) = civil_from_days(secs.div_euclid(86_400));
        let s = secs.rem_euclid(86_400);
        format!(
            "{y:04}-{mo:02}-{d:02}-{:02}-{:02}-{:02}-{:03}",
            s / 3600,
            (s % 3600) / 60,
            s % 60,
            ms.rem_euclid(1000)
        )
    }

    /// The local date (days since epoch) of an instant.
    pub fn local_date(&self, ms: EpochMillis) -> i32 {
        self.local_secs(ms).div_euclid(86_400) as i32
    }

    /// The instant of a local wall-clock time (seconds since epoch, naive).
    pub fn instant_of_local(&self, local_secs: i64) -> EpochMillis {
        (local_secs - i64::from(self.offset_secs)) * 1000
    }
}

// Civil-date arithmetic is the compiler's (one implementation in the workspace).
pub use starsnap_compiler::time::{civil_from_days, days_from_civil, days_in_month};

pub fn format_date(days: i32) -> String {
    let (y, m, d) = civil_from_days(i64::from(days));
    format!("{y:04}-{m:02}-{d:02}")
}

/// `yyyy-MM-dd HH:mm:ss` of naive seconds since the epoch.
pub fn format_naive_datetime(secs: i64) -> String {
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        s / 3600,
        (s % 3600) / 60,
        s % 60
    )
}

fn parse_ymd(s: &str) -> Option<(i64, u32, u32)> {
    let s = s.trim();
    let (y, m, d) = if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        (&s[..4], &s[4..6], &s[6..8])
    } else {
        let mut it = s.splitn(3, ['-', '/']);
        (it.next()?, it.next()?, it.next()?)
    };
    let (y, m, d): (i64, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) || !(0..=9999).contains(&y) {
        return None;
    }
    Some((y, m, d))
}

/// Parses `yyyy-MM-dd` (or `yyyyMMdd`) into days since the epoch.
pub fn parse_date(s: &str) -> Option<i32> {
    let s = s.trim();
    let date_part = s.split([' ', 'T']).next()?;
    let (y, m, d) = parse_ymd(date_part)?;
    Some(days_from_civil(y, m, d) as i32)
}

/// Parses `yyyy-MM-dd[ HH:mm[:ss[.ffffff]]]` into naive seconds since the epoch.
pub fn parse_datetime(s: &str) -> Option<i64> {
    let s = s.trim();
    let (date, time) = match s.split_once([' ', 'T']) {
        Some((d, t)) => (d, Some(t.trim())),
        None => (s, None),
    };
    let (y, m, d) = parse_ymd(date)?;
    let mut secs = days_from_civil(y, m, d) * 86_400;
    if let Some(t) = time {
        let t = t.split('.').next()?;
        let mut parts = t.split(':');
        let h: i64 = parts.next()?.parse().ok()?;
        let mi: i64 = parts.next().unwrap_or("0").parse().ok()?;
        let se: i64 = parts.next().unwrap_or("0").parse().ok()?;
        if !(0..24).contains(&h) || !(0..60).contains(&mi) || !(0..60).contains(&se) {
            return None;
        }
        secs += h * 3600 + mi * 60 + se;
    }
    Some(secs)
}

/// A string as a DATE or DATETIME value (whichever it spells), for comparisons.
pub fn parse_datetime_value(s: &str) -> Option<Value> {
    if s.trim().len() <= 10 {
        parse_date(s).map(Value::Date)
    } else {
        parse_datetime(s).map(Value::DateTime)
    }
}

/// Truncation units of `date_trunc` partition expressions and `INTERVAL` steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum TimeUnit {
    Hour,
    Day,
    Week,
    Month,
    Year,
}

impl TimeUnit {
    pub fn parse(s: &str) -> Option<TimeUnit> {
        match s.to_ascii_lowercase().as_str() {
            "hour" => Some(TimeUnit::Hour),
            "day" => Some(TimeUnit::Day),
            "week" => Some(TimeUnit::Week),
            "month" => Some(TimeUnit::Month),
            "year" => Some(TimeUnit::Year),
            _ => None,
        }
    }

    /// Truncates naive seconds to the start of the unit.
    pub fn truncate(self, secs: i64) -> i64 {
        let days = secs.div_euclid(86_400);
        let (y, m, _) = civil_from_days(days);
        match self {
            TimeUnit::Hour => secs - secs.rem_euclid(3600),
            TimeUnit::Day => days * 86_400,
            // 1970-01-01 was a Thursday; weeks start on Monday.
            TimeUnit::Week => (days - (days + 3).rem_euclid(7)) * 86_400,
            TimeUnit::Month => days_from_civil(y, m, 1) * 86_400,
            TimeUnit::Year => days_from_civil(y, 1, 1) * 86_400,
        }
    }

    /// Adds `n` units to naive seconds.
    pub fn add(self, secs: i64, n: i64) -> i64 {
        match self {
            TimeUnit::Hour => secs + n * 3600,
            TimeUnit::Day => secs + n * 86_400,
            TimeUnit::Week => secs + n * 7 * 86_400,
            TimeUnit::Month | TimeUnit::Year => {
                let months = if self == TimeUnit::Month { n } else { n * 12 };
                let days = secs.div_euclid(86_400);
                let rem = secs.rem_euclid(86_400);
                let (y, m, d) = civil_from_days(days);
                let total = y * 12 + i64::from(m) - 1 + months;
                let (ny, nm) = (total.div_euclid(12), (total.rem_euclid(12) + 1) as u32);
                let nd = d.min(days_in_month(ny, nm));
                days_from_civil(ny, nm, nd) * 86_400 + rem
            }
        }
    }

    /// The partition-name suffix StarRocks gives automatic partitions (`p20240101`).
    pub fn partition_suffix(self, secs: i64) -> String {
        let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
        let h = secs.rem_euclid(86_400) / 3600;
        match self {
            TimeUnit::Hour => format!("{y:04}{m:02}{d:02}{h:02}"),
            TimeUnit::Day | TimeUnit::Week => format!("{y:04}{m:02}{d:02}"),
            TimeUnit::Month => format!("{y:04}{m:02}"),
            TimeUnit::Year => format!("{y:04}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        for z in [-719_468_i64, -1, 0, 59, 10_957, 19_723, 2_932_896] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
    }

    #[test]
    fn zones_parse_and_reject() {
        assert_eq!(
            TimeZone::parse("Asia/Shanghai").map(|z| z.offset_secs),
            Ok(28_800)
        );
        assert_eq!(
            TimeZone::parse("-05:30").map(|z| z.offset_secs),
            Ok(-19_800)
        );
        assert_eq!(TimeZone::parse("UTC+8").map(|z| z.offset_secs), Ok(28_800));
        assert!(TimeZone::parse("Mars/Olympus").is_err());
        assert!(TimeZone::parse("+25:00").is_err());
    }

    #[test]
    fn formats_in_the_fe_zone() {
        // 2024-01-01 00:00:00 UTC.
        let ms = 1_704_067_200_123;
        let sh = TimeZone::parse("Asia/Shanghai").expect("known zone");
        assert_eq!(sh.format_datetime(ms), "2024-01-01 08:00:00");
        assert_eq!(TimeZone::utc().format_datetime(ms), "2024-01-01 00:00:00");
        assert_eq!(sh.format_snapshot_timestamp(ms), "2024-01-01-08-00-00-123");
        assert_eq!(sh.offset_text(), "+08:00");
    }

    #[test]
    fn units_truncate_and_step() {
        let secs = parse_datetime("2024-01-31 13:45:00").expect("valid");
        assert_eq!(
            format_naive_datetime(TimeUnit::Month.truncate(secs)),
            "2024-01-01 00:00:00"
        );
        assert_eq!(
            format_naive_datetime(TimeUnit::Month.add(secs, 1)),
            "2024-02-29 13:45:00"
        );
        assert_eq!(
            format_naive_datetime(TimeUnit::Week.truncate(secs)),
            "2024-01-29 00:00:00"
        );
        assert_eq!(parse_date("2023-02-29"), None);
    }
}
