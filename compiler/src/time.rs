//! Civil time without a clock: UTC instants as seconds since the Unix epoch, RFC 3339
//! formatting and parsing, label date patterns (`yyyyMMdd-HHmmss`) and policy durations
//! (`7d`, `24h`, `1w`, `1d12h`).
//!
//! The compiler never reads the clock: `as_of` is always an input. Calendar arithmetic uses
//! Howard Hinnant's days-from-civil algorithms (proleptic Gregorian calendar).

use std::fmt;

/// A UTC instant, whole seconds since 1970-01-01T00:00:00Z.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

/// A calendar date and time of day in UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Civil {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date of a day number (days since 1970-01-01).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// The number of days of month `m` (1–12) of year `y`.
pub fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

impl Timestamp {
    /// The calendar fields of this instant in UTC.
    pub fn civil(self) -> Civil {
        let days = self.0.div_euclid(86_400);
        let secs = self.0.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        Civil {
            year,
            month,
            day,
            hour: (secs / 3600) as u32,
            minute: (secs % 3600 / 60) as u32,
            second: (secs % 60) as u32,
        }
    }

    pub fn from_civil(c: Civil) -> Timestamp {
        Timestamp(
            days_from_civil(c.year, c.month, c.day) * 86_400
                + i64::from(c.hour) * 3600
                + i64::from(c.minute) * 60
                + i64::from(c.second),
        )
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`.
    pub fn to_rfc3339(self) -> String {
        let c = self.civil();
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            c.year, c.month, c.day, c.hour, c.minute, c.second
        )
    }

    /// Parses RFC 3339 (`2026-11-22T04:00:00Z`, `…+02:00`, fractional seconds dropped,
    /// `t`/space accepted between date and time).
    pub fn parse_rfc3339(s: &str) -> Result<Timestamp, TimeError> {
        let err = || {
            TimeError(format!(
                "`{s}` is not an RFC 3339 time such as 2026-11-22T04:00:00Z"
            ))
        };
        let b = s.as_bytes();
        if b.len() < 20 || !s.is_ascii() {
            return Err(err());
        }
        let num = |r: std::ops::Range<usize>| -> Result<u32, TimeError> {
            let part = s.get(r).ok_or_else(err)?;
            if !part.bytes().all(|c| c.is_ascii_digit()) {
                return Err(err());
            }
            part.parse::<u32>().map_err(|_| err())
        };
        let sep_ok = b[4] == b'-'
            && b[7] == b'-'
            && matches!(b[10], b'T' | b't' | b' ')
            && b[13] == b':'
            && b[16] == b':';
        if !sep_ok {
            return Err(err());
        }
        let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
        let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
        let mut rest = &s[19..];
        if let Some(frac) = rest.strip_prefix('.') {
            let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return Err(err());
            }
            rest = &frac[digits..];
        }
        let offset: i64 = match rest {
            "Z" | "z" => 0,
            _ if rest.len() == 6 && rest.as_bytes()[3] == b':' => {
                let sign = match rest.as_bytes()[0] {
                    b'+' => 1,
                    b'-' => -1,
                    _ => return Err(err()),
                };
                let h = rest[1..3].parse::<i64>().map_err(|_| err())?;
                let m = rest[4..6].parse::<i64>().map_err(|_| err())?;
                if h > 23 || m > 59 {
                    return Err(err());
                }
                sign * (h * 3600 + m * 60)
            }
            _ => return Err(err()),
        };
        let year = i64::from(year);
        if !(1..=12).contains(&month)
            || day == 0
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 60
        {
            return Err(err());
        }
        let t = Timestamp::from_civil(Civil {
            year,
            month,
            day,
            hour,
            minute,
            second: second.min(59),
        });
        Ok(Timestamp(t.0 - offset))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

/// A time or duration that could not be read; the text says why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimeError(pub String);

impl fmt::Display for TimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TimeError {}

/// The longest duration in seconds whose milliseconds fit StarRocks's Java `long`
/// (a BACKUP `timeout` is read with `Long.parseLong` and multiplied by 1000).
pub const MAX_DURATION_SECS: u64 = i64::MAX as u64 / 1000;

/// Parses a policy duration: one or more `<integer><unit>` with units `s`, `m`, `h`, `d`,
/// `w` (`7d`, `24h`, `1w`, `1d12h`, `90m`). Returns seconds; zero is refused, and so is
/// anything above [`MAX_DURATION_SECS`].
pub fn parse_duration(s: &str) -> Result<u64, TimeError> {
    let err = || {
        TimeError(format!(
            "`{s}` is not a duration: write a number and a unit (s, m, h, d, w), e.g. `7d`, `24h`, `1d12h`"
        ))
    };
    let mut total: u64 = 0;
    let mut digits = String::new();
    if s.is_empty() {
        return Err(err());
    }
    for c in s.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit: u64 = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'w' => 604_800,
            _ => return Err(err()),
        };
        if digits.is_empty() {
            return Err(err());
        }
        let n: u64 = digits.parse().map_err(|_| err())?;
        digits.clear();
        total = n
            .checked_mul(unit)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(err)?;
    }
    if !digits.is_empty() || total == 0 {
        return Err(err());
    }
    if total > MAX_DURATION_SECS {
        return Err(TimeError(format!(
            "`{s}` is longer than StarRocks can hold: it counts durations in milliseconds in a Java long (at most {MAX_DURATION_SECS}s)"
        )));
    }
    Ok(total)
}

/// Formats seconds back as the shortest duration text (`604800` → `1w`, `90000` → `1d1h`).
pub fn format_duration(secs: u64) -> String {
    if secs == 0 {
        return "0s".to_string();
    }
    let mut out = String::new();
    let mut rest = secs;
    for (unit, name) in [
        (604_800, 'w'),
        (86_400, 'd'),
        (3600, 'h'),
        (60, 'm'),
        (1, 's'),
    ] {
        if rest >= unit {
            out.push_str(&format!("{}{name}", rest / unit));
            rest %= unit;
        }
    }
    out
}

/// Checks a date pattern made of `yyyy`, `MM`, `dd`, `HH`, `mm`, `ss` and literal characters
/// other than ASCII letters.
pub fn check_date_pattern(pattern: &str) -> Result<(), TimeError> {
    format_date_pattern(pattern, Timestamp(0)).map(|_| ())
}

/// Expands a date pattern (`yyyyMMdd-HHmmss`) for `t` in UTC.
pub fn format_date_pattern(pattern: &str, t: Timestamp) -> Result<String, TimeError> {
    let c = t.civil();
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(ch) = rest.chars().next() {
        let token = ["yyyy", "MM", "dd", "HH", "mm", "ss"]
            .into_iter()
            .find(|tok| rest.starts_with(tok));
        match token {
            Some(tok) => {
                let value = match tok {
                    "yyyy" => format!("{:04}", c.year),
                    "MM" => format!("{:02}", c.month),
                    "dd" => format!("{:02}", c.day),
                    "HH" => format!("{:02}", c.hour),
                    "mm" => format!("{:02}", c.minute),
                    _ => format!("{:02}", c.second),
                };
                out.push_str(&value);
                rest = &rest[tok.len()..];
            }
            None if ch.is_ascii_alphabetic() => {
                return Err(TimeError(format!(
                    "`{pattern}` is not a date pattern: use yyyy, MM, dd, HH, mm, ss and separators such as `-` or `_`"
                )))
            }
            None => {
                out.push(ch);
                rest = &rest[ch.len_utf8()..];
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_round_trips_and_normalises_offsets() {
        let t = Timestamp::parse_rfc3339("2026-11-22T04:05:06Z").expect("valid");
        assert_eq!(t.to_rfc3339(), "2026-11-22T04:05:06Z");
        let o = Timestamp::parse_rfc3339("2026-11-22T12:05:06.123+08:00").expect("valid");
        assert_eq!(o, t);
        assert_eq!(Timestamp(0).to_rfc3339(), "1970-01-01T00:00:00Z");
        assert_eq!(
            Timestamp::parse_rfc3339("2024-02-29T00:00:00Z")
                .expect("leap day")
                .to_rfc3339(),
            "2024-02-29T00:00:00Z"
        );
        for bad in [
            "",
            "2026-11-22",
            "2026-13-01T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2026-11-22T04:05:06",
            "2026-11-22T04:05:06+8",
            "２026-11-22T04:05:06Z",
        ] {
            assert!(Timestamp::parse_rfc3339(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn civil_matches_known_days() {
        let t = Timestamp::parse_rfc3339("2000-03-01T00:00:00Z").expect("valid");
        assert_eq!(t.0, 951_868_800);
        let neg = Timestamp(-1).civil();
        assert_eq!(
            (neg.year, neg.month, neg.day, neg.second),
            (1969, 12, 31, 59)
        );
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("7d"), Ok(604_800));
        assert_eq!(parse_duration("1w"), Ok(604_800));
        assert_eq!(parse_duration("1d12h"), Ok(129_600));
        assert_eq!(parse_duration("90m"), Ok(5400));
        assert_eq!(parse_duration("9223372036854775s"), Ok(MAX_DURATION_SECS));
        for overflow in [
            "9223372036854776s",
            "15250284452472w",
            "99999999999999999999d",
        ] {
            assert!(parse_duration(overflow).is_err(), "{overflow}");
        }
        for bad in [
            "",
            "7",
            "d",
            "7x",
            "0d",
            "-1d",
            "1.5d",
            "99999999999999999999d",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        assert_eq!(format_duration(604_800), "1w");
        assert_eq!(format_duration(90_000), "1d1h");
    }

    #[test]
    fn date_patterns() {
        let t = Timestamp::parse_rfc3339("2026-01-02T03:04:05Z").expect("valid");
        assert_eq!(
            format_date_pattern("yyyyMMdd-HHmmss", t).as_deref(),
            Ok("20260102-030405")
        );
        assert!(check_date_pattern("yyyy-MM-dd_HH").is_ok());
        assert!(check_date_pattern("YYYY").is_err());
    }
}
