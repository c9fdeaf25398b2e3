//! The few pieces of Java semantics StarRocks's checks depend on, reproduced exactly:
//! `String.hashCode` and `HashMap` iteration order (properties are checked in that order and
//! the first bad one wins), `Long.parseLong` / `Integer.parseInt`, `String.trim`,
//! `equalsIgnoreCase` and `toUpperCase`.

/// `java.lang.String.hashCode()`: `h = 31 * h + c` over UTF-16 code units, wrapping.
pub fn string_hash(s: &str) -> i32 {
    s.encode_utf16()
        .fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(i32::from(c)))
}

/// `HashMap.hash(key)`: the hash with its high half folded into the low half.
fn spread(key: &str) -> u32 {
    let h = string_hash(key) as u32;
    h ^ (h >> 16)
}

/// `HashMap.tableSizeFor(cap)`: the smallest power of two `>= cap` (at least 1).
fn table_size_for(cap: usize) -> usize {
    cap.max(1).next_power_of_two().min(1 << 30)
}

const TREEIFY_THRESHOLD: usize = 8;
const MIN_TREEIFY_CAPACITY: usize = 64;

/// A model of `java.util.HashMap<String, V>` that reproduces its iteration order: buckets by
/// `hash & (capacity - 1)`, insertion order inside a bucket, the same resize points (load
/// factor 0.75, and the resize a long bucket triggers while the table is smaller than 64).
///
/// One approximation: once a bucket holds more than eight colliding keys in a table of 64 or
/// more buckets, Java turns it into a red-black tree whose iteration order differs; this model
/// keeps insertion order there. That needs dozens of keys crafted to collide.
#[derive(Clone, Debug)]
pub struct JavaHashMap<V> {
    table: Vec<Vec<(String, u32, V)>>,
    size: usize,
    /// Before the table exists: the initial capacity (0 = default 16). After: resize point.
    threshold: usize,
}

impl<V> Default for JavaHashMap<V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<V> JavaHashMap<V> {
    /// `new HashMap<>()`.
    pub fn new() -> Self {
        JavaHashMap {
            table: Vec::new(),
            size: 0,
            threshold: 0,
        }
    }

    /// `new HashMap<>(m)` / `Maps.newHashMap(m)` (JDK 11/17): capacity
    /// `tableSizeFor((int) (m.size() / 0.75f + 1.0f))`, then `m`'s entries in its order.
    pub fn copy_of(other: &JavaHashMap<V>) -> Self
    where
        V: Clone,
    {
        let mut map = JavaHashMap::new();
        let s = other.size;
        if s > 0 {
            let ft = s as f32 / 0.75f32 + 1.0f32;
            map.threshold = table_size_for(ft as usize);
        }
        for (k, v) in other.iter() {
            map.put(k.to_string(), v.clone());
        }
        map
    }

    pub fn len(&self) -> usize {
        self.size
    }

    pub fn is_empty(&self) -> bool {
        self.size == 0
    }

    /// `put(key, value)`: replaces the value of an existing key in place.
    pub fn put(&mut self, key: String, value: V) {
        if self.table.is_empty() {
            self.resize();
        }
        let hash = spread(&key);
        let idx = (hash as usize) & (self.table.len() - 1);
        let bucket = &mut self.table[idx];
        if let Some(slot) = bucket.iter_mut().find(|(k, h, _)| *h == hash && *k == key) {
            slot.2 = value;
            return;
        }
        bucket.push((key, hash, value));
        // Java appends as node number `binCount + 2` and treeifies when binCount >= 7.
        if bucket.len() > TREEIFY_THRESHOLD && self.table.len() < MIN_TREEIFY_CAPACITY {
            self.resize();
        }
        self.size += 1;
        if self.size > self.threshold {
            self.resize();
        }
    }

    pub fn get(&self, key: &str) -> Option<&V> {
        if self.table.is_empty() {
            return None;
        }
        let hash = spread(key);
        let idx = (hash as usize) & (self.table.len() - 1);
        self.table[idx]
            .iter()
            .find(|(k, h, _)| *h == hash && k == key)
            .map(|(_, _, v)| v)
    }

    /// Removes `key`, keeping the order of the others.
    pub fn remove(&mut self, key: &str) -> Option<V> {
        if self.table.is_empty() {
            return None;
        }
        let hash = spread(key);
        let idx = (hash as usize) & (self.table.len() - 1);
        let bucket = &mut self.table[idx];
        let pos = bucket.iter().position(|(k, h, _)| *h == hash && k == key)?;
        self.size -= 1;
        Some(bucket.remove(pos).2)
    }

    /// Entries in Java's iteration order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &V)> {
        self.table
            .iter()
            .flat_map(|b| b.iter().map(|(k, _, v)| (k.as_str(), v)))
    }

    /// Keys in iteration order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.iter().map(|(k, _)| k)
    }

    fn resize(&mut self) {
        let old_cap = self.table.len();
        let new_cap = if old_cap == 0 {
            if self.threshold > 0 {
                self.threshold
            } else {
                16
            }
        } else {
            old_cap * 2
        };
        self.threshold = new_cap / 4 * 3;
        let old = std::mem::take(&mut self.table);
        self.table = (0..new_cap).map(|_| Vec::new()).collect();
        for bucket in old {
            for entry in bucket {
                let idx = (entry.1 as usize) & (new_cap - 1);
                self.table[idx].push(entry);
            }
        }
    }
}

/// `AbstractCollection.toString()` of a key set: `[a, b]`.
pub fn set_to_string<'a>(keys: impl Iterator<Item = &'a str>) -> String {
    let mut out = String::from("[");
    for (i, k) in keys.enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(k);
    }
    out.push(']');
    out
}

/// `String.trim()`: strips every char `<= U+0020` at both ends (not Unicode whitespace).
pub fn trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

/// The decimal value of `c` as `Character.digit(c, 10)` sees it (ASCII and the common
/// Unicode decimal-digit blocks), or `None`.
fn java_digit(c: char) -> Option<u32> {
    if let Some(d) = c.to_digit(10) {
        return Some(d);
    }
    // Zero code points of Unicode Nd blocks in the BMP that Java accepts as digits.
    const ZEROS: &[u32] = &[
        0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6,
        0x0D66, 0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0,
        0x1A80, 0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0,
        0xAA50, 0xABF0, 0xFF10,
    ];
    let cp = u32::from(c);
    ZEROS
        .iter()
        .find(|&&z| cp >= z && cp < z + 10)
        .map(|&z| cp - z)
}

/// `Long.parseLong(s)` (radix 10): optional `+`/`-`, at least one digit, no spaces, no overflow.
pub fn parse_long(s: &str) -> Option<i64> {
    parse_signed(s, i64::MIN, i64::MAX)
}

/// `Integer.parseInt(s)` (radix 10).
pub fn parse_int(s: &str) -> Option<i32> {
    parse_signed(s, i64::from(i32::MIN), i64::from(i32::MAX)).and_then(|v| i32::try_from(v).ok())
}

fn parse_signed(s: &str, min: i64, max: i64) -> Option<i64> {
    let mut chars = s.chars().peekable();
    let negative = match chars.peek() {
        Some('-') => {
            chars.next();
            true
        }
        Some('+') => {
            chars.next();
            false
        }
        _ => false,
    };
    let mut acc: i128 = 0;
    let mut any = false;
    for c in chars {
        let d = java_digit(c)?;
        acc = acc * 10 + i128::from(d);
        if acc > i128::from(max) + 1 {
            return None;
        }
        any = true;
    }
    if !any {
        return None;
    }
    let v = if negative { -acc } else { acc };
    if v < i128::from(min) || v > i128::from(max) {
        return None;
    }
    i64::try_from(v).ok()
}

/// `String.equalsIgnoreCase`: char by char, equal, or equal after upper-casing, or after
/// lower-casing the upper-cased chars (so `ſ` matches `s`, `K` (Kelvin) matches `k`).
pub fn equals_ignore_case(a: &str, b: &str) -> bool {
    let (a, b): (Vec<u16>, Vec<u16>) = (a.encode_utf16().collect(), b.encode_utf16().collect());
    a.len() == b.len()
        && a.iter().zip(&b).all(|(&x, &y)| {
            if x == y {
                return true;
            }
            let (Some(cx), Some(cy)) = (char::from_u32(x.into()), char::from_u32(y.into())) else {
                return false;
            };
            let ux = single_upper(cx);
            let uy = single_upper(cy);
            ux == uy || single_lower(ux) == single_lower(uy)
        })
}

fn single_upper(c: char) -> char {
    let mut it = c.to_uppercase();
    match (it.next(), it.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

fn single_lower(c: char) -> char {
    let mut it = c.to_lowercase();
    match (it.next(), it.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

/// `String.toUpperCase()` (root locale).
pub fn to_upper_case(s: &str) -> String {
    s.to_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_matches_java() {
        // Values from `"…".hashCode()` in Java.
        assert_eq!(string_hash(""), 0);
        assert_eq!(string_hash("a"), 97);
        assert_eq!(string_hash("type"), 3_575_610);
        assert_eq!(string_hash("timeout"), -1_313_911_455);
        assert_eq!(string_hash("backup_timestamp"), -1_035_219_239);
    }

    #[test]
    fn hashmap_orders_like_java() {
        // new HashMap<>() with "type" then "timeout": bucket of "type" is
        // (3575610 ^ (3575610 >>> 16)) & 15 = 12, of "timeout" 14 → type first.
        let mut m = JavaHashMap::new();
        m.put("timeout".to_string(), 1);
        m.put("type".to_string(), 2);
        assert_eq!(m.keys().collect::<Vec<_>>(), ["type", "timeout"]);
        m.put("timeout".to_string(), 3);
        assert_eq!(m.get("timeout"), Some(&3));
        assert_eq!(m.len(), 2);
        assert_eq!(m.remove("type"), Some(2));
        assert_eq!(m.keys().collect::<Vec<_>>(), ["timeout"]);
    }

    #[test]
    fn hashmap_resizes_and_keeps_every_key() {
        let mut m = JavaHashMap::new();
        for i in 0..100 {
            m.put(format!("k{i}"), i);
        }
        assert_eq!(m.len(), 100);
        assert_eq!(m.iter().count(), 100);
        let copy = JavaHashMap::copy_of(&m);
        assert_eq!(copy.len(), 100);
        assert_eq!(copy.get("k42"), Some(&42));
    }

    #[test]
    fn number_parsing_matches_java() {
        assert_eq!(parse_long("3600"), Some(3600));
        assert_eq!(parse_long("+5"), Some(5));
        assert_eq!(parse_long("-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_long("9223372036854775808"), None);
        assert_eq!(parse_long(" 1"), None);
        assert_eq!(parse_long(""), None);
        assert_eq!(parse_long("-"), None);
        assert_eq!(parse_long("1e3"), None);
        assert_eq!(parse_long("\u{0663}"), Some(3));
        assert_eq!(parse_int("2147483648"), None);
        assert_eq!(parse_int("-2147483648"), Some(i32::MIN));
    }

    #[test]
    fn trim_and_case_match_java() {
        assert_eq!(trim("\u{1} a \t"), "a");
        assert_eq!(trim("\u{3000}a"), "\u{3000}a");
        assert!(equals_ignore_case("TRUE", "true"));
        assert!(equals_ignore_case("fal\u{17F}e", "false"));
        assert!(!equals_ignore_case("true ", "true"));
        assert_eq!(set_to_string(["a", "b"].into_iter()), "[a, b]");
    }
}
