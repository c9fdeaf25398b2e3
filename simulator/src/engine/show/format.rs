//! StarRocks's value formats for SHOW results and `information_schema` cells.
//!
//! Each function reproduces one Java formatter of the 3.4 frontend (sources are named per
//! function, paths relative to `fe/fe-core/src/main/java/com/starrocks/`). They are pure:
//! callers pass the numbers, the strings come back exactly as StarRocks prints them.

use crate::clock::EpochMillis;
use crate::engine::time::TimeZone;

/// `ByteSizeValue.toString()` (`monitor/unit/ByteSizeValue.java`, `monitor/utils/Strings.java`
/// `format1Decimals`): binary units `B`, `KB`, `MB`, `GB`, `TB`, `PB`, the value **truncated**
/// (not rounded) to one decimal, and a `.0` dropped: `0B`, `1023B`, `1KB`, `1.5KB`, `1.9KB`.
pub fn byte_size(bytes: u64) -> String {
    const UNITS: [(u32, &str); 5] = [(50, "PB"), (40, "TB"), (30, "GB"), (20, "MB"), (10, "KB")];
    let Some(&(shift, suffix)) = UNITS.iter().find(|(shift, _)| bytes >> shift > 0) else {
        return format!("{bytes}B");
    };
    // Java prints `Double.toString(bytes / 2^shift)` and keeps one fraction digit. The
    // quotient is a short binary fraction, so its decimal digits are exact and the kept digit
    // is the truncated tenth, computed here in integers.
    // Beyond 2^53 the Java double has already rounded the byte count.
    let exact = if bytes >> 53 > 0 {
        (bytes as f64) as u128
    } else {
        u128::from(bytes)
    };
    let tenths = (exact * 10) >> shift;
    let (int, digit) = (tenths / 10, tenths % 10);
    if digit == 0 {
        format!("{int}{suffix}")
    } else {
        format!("{int}.{digit}{suffix}")
    }
}

/// `DebugUtil.getByteUint` with `DECIMAL_FORMAT_SCALE_3` and a space, as SHOW BACKENDS prints
/// capacities (`common/proc/BackendsProcDir.java`): `"1.000 GB"`, `"0.000 B"`.
pub fn capacity(bytes: u64) -> String {
    let (value, unit) = byte_unit(bytes);
    format!("{value:.3} {unit}")
}

/// `DebugUtil.getPrettyStringBytes`: `"%.3f%s"` without a space (SHOW BACKENDS `MemLimit`).
pub fn pretty_bytes(bytes: u64) -> String {
    let (value, unit) = byte_unit(bytes);
    format!("{value:.3}{unit}")
}

fn byte_unit(bytes: u64) -> (f64, &'static str) {
    const UNITS: [(u64, &str); 4] = [
        (1 << 40, "TB"),
        (1 << 30, "GB"),
        (1 << 20, "MB"),
        (1 << 10, "KB"),
    ];
    UNITS
        .iter()
        .find(|(unit, _)| bytes >= *unit)
        .map(|(unit, name)| (bytes as f64 / *unit as f64, *name))
        .unwrap_or((bytes as f64, "B"))
}

/// `String.format("%.2f", v) + " %"`: SHOW BACKENDS percentages, `"12.34 %"`.
pub fn percent(value: f64) -> String {
    format!("{value:.2} %")
}

/// `String.valueOf(boolean)`.
pub fn java_bool(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}

/// `TimeUtils.longToTimeString` (`common/util/TimeUtils.java`): `yyyy-MM-dd HH:mm:ss` in the
/// FE time zone, or `None` (the `\N` marker, sent as SQL NULL) when `ms <= 0`.
pub fn time_string(tz: &TimeZone, ms: EpochMillis) -> Option<String> {
    (ms > 0).then(|| tz.format_datetime(ms))
}

/// One end of a partition range: the key values as `LiteralExpr.getStringValue()` prints them,
/// or `MAXVALUE` (`MaxLiteral`), with the partition columns' primitive type names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartitionKeyText {
    pub types: Vec<&'static str>,
    /// `None` is `MaxLiteral.MAX_VALUE`.
    pub keys: Vec<Option<String>>,
}

impl PartitionKeyText {
    /// `PartitionKey.toString()` (`catalog/PartitionKey.java`):
    /// `types: [DATE]; keys: [2024-01-01]; ` (note the trailing space).
    pub fn to_java_string(&self) -> String {
        let keys: Vec<&str> = self
            .keys
            .iter()
            .map(|k| k.as_deref().unwrap_or("MAXVALUE"))
            .collect();
        format!(
            "types: [{}]; keys: [{}]; ",
            self.types.join(", "),
            keys.join(", ")
        )
    }

    /// `PartitionKey.toSql()`: `("2024-01-01")`, `(MAXVALUE)`. A MAXVALUE key is appended
    /// without its separator (the Java loop `continue`s before the comma), reproduced here.
    pub fn to_sql(&self) -> String {
        let mut out = String::from("(");
        let mut i = 0usize;
        for key in &self.keys {
            match key {
                None => {
                    out.push_str("MAXVALUE");
                    continue;
                }
                Some(k) => {
                    out.push('"');
                    out.push_str(k);
                    out.push('"');
                }
            }
            if self.keys.len() - 1 != i {
                out.push_str(", ");
            }
            i += 1;
        }
        out.push(')');
        out
    }
}

/// Guava `Range.toString()` of a closed-open partition range, as SHOW PARTITIONS prints
/// `Range`: `[types: [DATE]; keys: [2024-01-01]; ..types: [DATE]; keys: [2024-02-01]; )`.
pub fn guava_range(lower: &PartitionKeyText, upper: &PartitionKeyText) -> String {
    format!("[{}..{})", lower.to_java_string(), upper.to_java_string())
}

/// Gson's `toJson` of a `List<List<String>>` (`ListPartitionInfo.getValuesFormat`), with
/// Gson's default HTML-safe escaping: `[["a"],["b"]]`, `'` → `\u0027`.
pub fn gson_lists(items: &[Vec<String>]) -> String {
    let mut out = String::from("[");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('[');
        for (j, v) in item.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            gson_string(&mut out, v);
        }
        out.push(']');
    }
    out.push(']');
    out
}

/// A JSON string as Gson writes it (`JsonWriter.string` with `htmlSafe`).
pub fn gson_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '=' | '\'' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", u32::from(c)));
            }
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `CatalogUtils.addEscapeCharacter`-free display of a comment inside double quotes, as
/// `Column.toSql` writes `COMMENT "…"`: only `"` and `\` need care in the simulator's data.
pub fn quoted_comment(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_sizes_truncate_to_one_decimal() {
        assert_eq!(byte_size(0), "0B");
        assert_eq!(byte_size(1023), "1023B");
        assert_eq!(byte_size(1024), "1KB");
        assert_eq!(byte_size(1536), "1.5KB");
        // 1.99 KB is truncated, not rounded.
        assert_eq!(byte_size(2038), "1.9KB");
        assert_eq!(byte_size(237_900_000), "226.8MB");
        assert_eq!(byte_size(5 << 30), "5GB");
        assert_eq!(byte_size(3 << 50), "3PB");
        // Long.MAX_VALUE becomes 2^63 as a double: 8192.0 PB.
        assert_eq!(byte_size(i64::MAX as u64), "8192PB");
        // Same digits as Java's Double.toString route for every KB value.
        for b in 1024..300_000u64 {
            let text = format!("{:?}", b as f64 / 1024.0);
            let (int, frac) = text.split_once('.').unwrap_or((&text, "0"));
            let expected = match frac.chars().next() {
                Some(d) if d != '0' => format!("{int}.{d}KB"),
                _ => format!("{int}KB"),
            };
            assert_eq!(byte_size(b), expected, "{b}");
        }
    }

    #[test]
    fn capacities_and_percentages() {
        assert_eq!(capacity(1 << 30), "1.000 GB");
        assert_eq!(capacity(0), "0.000 B");
        assert_eq!(capacity(1536), "1.500 KB");
        assert_eq!(pretty_bytes(8 << 30), "8.000GB");
        assert_eq!(percent(12.3449), "12.34 %");
        assert_eq!(percent(0.0), "0.00 %");
    }

    #[test]
    fn range_text_matches_guava() {
        let lo = PartitionKeyText {
            types: vec!["DATE"],
            keys: vec![Some("2024-01-01".into())],
        };
        let hi = PartitionKeyText {
            types: vec!["DATE"],
            keys: vec![Some("2024-02-01".into())],
        };
        assert_eq!(
            guava_range(&lo, &hi),
            "[types: [DATE]; keys: [2024-01-01]; ..types: [DATE]; keys: [2024-02-01]; )"
        );
        let max = PartitionKeyText {
            types: vec!["INT", "INT"],
            keys: vec![None, None],
        };
        assert_eq!(
            max.to_java_string(),
            "types: [INT, INT]; keys: [MAXVALUE, MAXVALUE]; "
        );
        assert_eq!(max.to_sql(), "(MAXVALUEMAXVALUE)");
        assert_eq!(lo.to_sql(), "(\"2024-01-01\")");
    }

    #[test]
    fn list_values_are_gson_with_html_escaping() {
        let v = vec![vec!["a".to_string()], vec!["b".to_string()]];
        assert_eq!(gson_lists(&v), r#"[["a"],["b"]]"#);
        let w = vec![vec!["it's".to_string(), "x=1".to_string()]];
        assert_eq!(gson_lists(&w), r#"[["it\u0027s","x\u003d1"]]"#);
    }

    #[test]
    fn times_at_or_before_the_epoch_are_null() {
        let tz = TimeZone::parse("+08:00").expect("zone");
        assert_eq!(time_string(&tz, 0), None);
        assert_eq!(
            time_string(&tz, 1_704_067_200_000).as_deref(),
            Some("2024-01-01 08:00:00")
        );
    }
}
