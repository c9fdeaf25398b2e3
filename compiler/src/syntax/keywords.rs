//! Keywords: the ones the snapshot grammar uses (`Kw`), and StarRocks's reserved words (those
//! not in the grammar's `nonReserved` rule), which must be back-quoted to be used as names.
//!
//! Keywords are case-insensitive (spec §1.1). The reserved list is StarRocks 3.4's, a superset
//! of the reserved words spec §1.1 names; quoting one word too many is harmless, one too few
//! is a syntax error, so when in doubt a word is listed.

/// Defines `Kw` and its text table.
macro_rules! keywords {
    ($($v:ident = $s:literal),* $(,)?) => {
        /// A keyword the snapshot grammar uses (declared alphabetically: `Ord` is the order
        /// StarRocks lists keywords in "expected" sets).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Kw { $($v),* }

        impl Kw {
            /// The keyword in upper case, as printed.
            pub fn as_str(self) -> &'static str {
                match self { $(Kw::$v => $s),* }
            }

            /// Looks up an upper-case word (binary search; the table is sorted).
            pub fn from_upper(word: &[u8]) -> Option<Kw> {
                KW_TABLE
                    .binary_search_by(|(probe, _)| probe.as_bytes().cmp(word))
                    .ok()
                    .map(|i| KW_TABLE[i].1)
            }
        }

        /// Every keyword with its text, sorted by text (declaration order is alphabetical).
        const KW_TABLE: &[(&str, Kw)] = &[$(($s, Kw::$v)),*];

        /// The text of every keyword the snapshot grammar uses (for generated inputs).
        pub fn grammar_keywords() -> impl Iterator<Item = &'static str> {
            KW_TABLE.iter().map(|(s, _)| *s)
        }
    };
}

keywords! {
    Active = "ACTIVE", All = "ALL", Alter = "ALTER", And = "AND", As = "AS", Backup = "BACKUP",
    Broker = "BROKER", By = "BY", Cancel = "CANCEL", Catalog = "CATALOG",
    Catalogs = "CATALOGS", Column = "COLUMN", Create = "CREATE", Database = "DATABASE",
    Drop = "DROP", External = "EXTERNAL", For = "FOR", Force = "FORCE", From = "FROM",
    Function = "FUNCTION", Functions = "FUNCTIONS", In = "IN", Inactive = "INACTIVE",
    Limit = "LIMIT", Location = "LOCATION", Materialized = "MATERIALIZED", Offset = "OFFSET",
    On = "ON", Only = "ONLY", Order = "ORDER", Partition = "PARTITION",
    Partitions = "PARTITIONS", Properties = "PROPERTIES", Read = "READ", Rename = "RENAME",
    Repositories = "REPOSITORIES", Repository = "REPOSITORY", Restore = "RESTORE",
    Rollup = "ROLLUP", Show = "SHOW", Snapshot = "SNAPSHOT", Swap = "SWAP", Table = "TABLE",
    Tables = "TABLES", Temporary = "TEMPORARY", Timestamp = "TIMESTAMP", To = "TO", View = "VIEW",
    Views = "VIEWS", Where = "WHERE", With = "WITH",
}

/// StarRocks 3.4 reserved words, upper case, sorted (binary-searched).
pub const RESERVED: &[&str] = &[
    "ADD",
    "ALL",
    "ALTER",
    "ANALYZE",
    "AND",
    "ARRAY",
    "AS",
    "ASC",
    "BETWEEN",
    "BIGINT",
    "BITMAP",
    "BOTH",
    "BY",
    "CASE",
    "CHAR",
    "CHARACTER",
    "CHECK",
    "COLLATE",
    "COLUMN",
    "COMPACTION",
    "CONVERT",
    "CREATE",
    "CROSS",
    "CUBE",
    "CURRENT_DATE",
    "CURRENT_ROLE",
    "CURRENT_TIME",
    "CURRENT_TIMESTAMP",
    "CURRENT_USER",
    "DATABASE",
    "DATABASES",
    "DECIMAL",
    "DECIMAL128",
    "DECIMAL32",
    "DECIMAL64",
    "DECIMALV2",
    "DEFAULT",
    "DELETE",
    "DENSE_RANK",
    "DESC",
    "DESCRIBE",
    "DISTINCT",
    "DOUBLE",
    "DROP",
    "DUAL",
    "ELSE",
    "EXCEPT",
    "EXISTS",
    "EXPLAIN",
    "FALSE",
    "FIRST_VALUE",
    "FLOAT",
    "FOR",
    "FORCE",
    "FROM",
    "FULL",
    "FUNCTION",
    "GRANT",
    "GROUP",
    "GROUPING",
    "GROUPING_ID",
    "GROUPS",
    "HAVING",
    "HLL",
    "HOST",
    "IF",
    "IGNORE",
    "IMMEDIATE",
    "IN",
    "INDEX",
    "INFILE",
    "INNER",
    "INSERT",
    "INT",
    "INTEGER",
    "INTERSECT",
    "INTERVAL",
    "INTO",
    "IS",
    "JOIN",
    "JSON",
    "KEY",
    "KEYS",
    "KILL",
    "LAG",
    "LARGEINT",
    "LAST_VALUE",
    "LATERAL",
    "LEAD",
    "LEFT",
    "LIKE",
    "LIMIT",
    "LOAD",
    "LOCALTIME",
    "LOCALTIMESTAMP",
    "MAXVALUE",
    "MINUS",
    "MOD",
    "NOT",
    "NTILE",
    "NULL",
    "ON",
    "OR",
    "ORDER",
    "OUTER",
    "OUTFILE",
    "OVER",
    "PARTITION",
    "PERCENTILE",
    "PRIMARY",
    "PROCEDURE",
    "QUALIFY",
    "RANGE",
    "RANK",
    "READ",
    "REGEXP",
    "RELEASE",
    "RENAME",
    "REPLACE",
    "REVOKE",
    "RIGHT",
    "RLIKE",
    "ROW",
    "ROWS",
    "ROW_NUMBER",
    "SCHEMA",
    "SCHEMAS",
    "SELECT",
    "SET",
    "SET_VAR",
    "SHOW",
    "SMALLINT",
    "SYSTEM",
    "TABLE",
    "TERMINATED",
    "TEXT",
    "THEN",
    "TINYINT",
    "TO",
    "TRUE",
    "UNION",
    "UNIQUE",
    "UNSIGNED",
    "UPDATE",
    "USE",
    "USING",
    "VALUES",
    "VARCHAR",
    "WHEN",
    "WHERE",
    "WITH",
];

/// Whether an upper-case word is reserved.
pub fn is_reserved_upper(word: &[u8]) -> bool {
    match pack(word) {
        Some(key) => lookup(key).is_some_and(|e| e.reserved),
        None => RESERVED
            .binary_search_by(|probe| probe.as_bytes().cmp(word))
            .is_ok(),
    }
}

/// What the lexer needs to know about an upper-case word: the keyword it spells and whether it
/// is reserved. One lookup for both (the lexer's hot path).
pub fn classify_upper(word: &[u8]) -> (Option<Kw>, bool) {
    match pack(word) {
        Some(key) => lookup(key).map_or((None, false), |e| (e.kw, e.reserved)),
        None => (Kw::from_upper(word), is_reserved_upper(word)),
    }
}

/// A word of at most 16 bytes as a big-endian integer (zero-padded), so integer order is the
/// words' byte order and lookups compare integers instead of calling `memcmp`.
fn pack(word: &[u8]) -> Option<u128> {
    if word.len() > 16 {
        return None;
    }
    let mut buf = [0u8; 16];
    buf[..word.len()].copy_from_slice(word);
    Some(u128::from_be_bytes(buf))
}

struct Entry {
    key: u128,
    kw: Option<Kw>,
    reserved: bool,
}

/// Keywords and reserved words of at most 16 bytes, sorted by packed key.
fn table() -> &'static [Entry] {
    static TABLE: std::sync::OnceLock<Vec<Entry>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut entries: Vec<Entry> = Vec::new();
        let words = KW_TABLE
            .iter()
            .map(|(w, _)| *w)
            .chain(RESERVED.iter().copied());
        for w in words {
            let Some(key) = pack(w.as_bytes()) else {
                continue;
            };
            if entries.iter().any(|e| e.key == key) {
                continue;
            }
            entries.push(Entry {
                key,
                kw: Kw::from_upper(w.as_bytes()),
                reserved: RESERVED.binary_search(&w).is_ok(),
            });
        }
        entries.sort_by_key(|e| e.key);
        entries
    })
}

fn lookup(key: u128) -> Option<&'static Entry> {
    let t = table();
    t.binary_search_by_key(&key, |e| e.key).ok().map(|i| &t[i])
}

/// Whether `word` (any case) is a reserved word.
pub fn is_reserved(word: &str) -> bool {
    let mut upper = [0u8; 32];
    match upper.get_mut(..word.len()) {
        Some(buf) => {
            buf.copy_from_slice(word.as_bytes());
            buf.make_ascii_uppercase();
            is_reserved_upper(buf)
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_list_is_sorted_and_matches_spec() {
        assert!(RESERVED.windows(2).all(|w| w[0] < w[1]));
        // Spec §1.1: reserved.
        for w in [
            "ALL",
            "AS",
            "DATABASE",
            "FOR",
            "FROM",
            "FUNCTION",
            "IN",
            "ON",
            "PARTITION",
            "READ",
            "TABLE",
            "TO",
            "WITH",
        ] {
            assert!(is_reserved(w), "{w}");
        }
        // Spec §1.1: non-reserved (usable as bare identifiers).
        for w in [
            "BACKUP",
            "RESTORE",
            "CANCEL",
            "SNAPSHOT",
            "SNAPSHOTS",
            "REPOSITORY",
            "REPOSITORIES",
            "CATALOG",
            "CATALOGS",
            "EXTERNAL",
            "FUNCTIONS",
            "VIEW",
            "VIEWS",
            "MATERIALIZED",
            "TABLES",
            "LOCATION",
            "BROKER",
            "ONLY",
            "PROPERTIES",
            "TEMPORARY",
            "PARTITIONS",
            "TIMESTAMP",
            "SWAP",
        ] {
            assert!(!is_reserved(w), "{w}");
        }
        assert!(is_reserved("table"));
        assert!(is_reserved("current_timestamp"));
        for w in RESERVED {
            assert!(classify_upper(w.as_bytes()).1, "{w}");
        }
        assert_eq!(classify_upper(b"SNAPSHOT"), (Some(Kw::Snapshot), false));
        assert_eq!(classify_upper(b"TABLE"), (Some(Kw::Table), true));
        assert_eq!(classify_upper(b"SELECT"), (None, true));
        assert_eq!(classify_upper(b"T0"), (None, false));
    }

    #[test]
    fn keyword_lookup() {
        assert!(KW_TABLE.windows(2).all(|w| w[0].0 < w[1].0));
        for (text, kw) in KW_TABLE {
            assert_eq!(Kw::from_upper(text.as_bytes()), Some(*kw));
        }
        assert_eq!(Kw::from_upper(b"BACKUP"), Some(Kw::Backup));
        assert_eq!(Kw::from_upper(b"BACKUPS"), None);
        assert_eq!(Kw::Snapshot.as_str(), "SNAPSHOT");
    }
}
