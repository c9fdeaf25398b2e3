//! Stable diagnostic codes of the front end. A code is never reused for another meaning.
//!
//! `S…` = syntax (StarRocks refuses the statement at parse time: 1064/HY000, `Getting syntax
//! error …`); `D…` = the statement is fine in StarRocks 3.4 but not in the target version.

/// `Unexpected input 'X', the most similar input is {…}`: a token the grammar does not allow here.
pub const UNEXPECTED_TOKEN: &str = "S001";
/// `No viable statement for input '…'`: the words so far start no statement alternative.
pub const NO_VIABLE_STATEMENT: &str = "S002";
/// A string literal without its closing quote.
pub const UNTERMINATED_STRING: &str = "S003";
/// A back-quoted identifier without its closing backquote.
pub const UNTERMINATED_QUOTED_IDENT: &str = "S004";
/// A `/*` comment without `*/`.
pub const UNTERMINATED_COMMENT: &str = "S005";
/// A character no lexical rule accepts.
pub const UNKNOWN_CHARACTER: &str = "S006";
/// The input is not valid UTF-8 (`parse_bytes`).
pub const INVALID_UTF8: &str = "S007";
/// A LIMIT/OFFSET number that does not fit in 64 bits.
pub const NUMBER_OUT_OF_RANGE: &str = "S008";
/// AstBuilder rule 1/4: a database (clause or label prefix) together with external catalogs.
pub const DATABASE_WITH_CATALOGS: &str = "S011";
/// AstBuilder rule 2: a snapshot label with more than two parts.
pub const INVALID_LABEL_FORMAT: &str = "S012";
/// AstBuilder rule 3: `DATABASE x` together with a `db.label`.
pub const DATABASE_TWICE: &str = "S013";
/// AstBuilder rule 5: `AS alias` on a BACKUP object.
pub const ALIAS_IN_BACKUP: &str = "S015";
/// AstBuilder rule 6: an object name with more than three parts.
pub const INVALID_OBJECT_NAME: &str = "S016";
/// AstBuilder rule 7: RESTORE with `ON (...)` but no database named anywhere.
pub const RESTORE_ON_WITHOUT_DATABASE: &str = "S017";
/// AstBuilder rule 8: `ON (...)` together with external catalogs.
pub const ON_WITH_CATALOGS: &str = "S018";
/// CANCEL BACKUP/RESTORE with neither `FROM db` nor `FOR EXTERNAL CATALOG`.
pub const CANCEL_WITHOUT_DATABASE: &str = "S019";

/// 3.4 BACKUP/RESTORE/CANCEL syntax used with StarRocks 3.3 (legacy syntax only).
pub const NOT_IN_3_3: &str = "D001";
/// `DROP SNAPSHOT` before StarRocks 4.2.
pub const DROP_SNAPSHOT_BEFORE_4_2: &str = "D002";
/// The BACKUP `ttl` property before StarRocks 4.2.
pub const TTL_BEFORE_4_2: &str = "D003";
/// WHERE/ORDER BY/LIMIT on a SHOW statement whose grammar lacks it before StarRocks 4.1.
pub const SHOW_FILTER_BEFORE_4_1: &str = "D004";

/// Every code with a one-line meaning (for documentation and `starsnap explain`).
pub const ALL: &[(&str, &str)] = &[
    (UNEXPECTED_TOKEN, "unexpected token"),
    (NO_VIABLE_STATEMENT, "no viable statement"),
    (UNTERMINATED_STRING, "unterminated string literal"),
    (
        UNTERMINATED_QUOTED_IDENT,
        "unterminated back-quoted identifier",
    ),
    (UNTERMINATED_COMMENT, "unterminated block comment"),
    (UNKNOWN_CHARACTER, "unknown character"),
    (INVALID_UTF8, "invalid UTF-8"),
    (NUMBER_OUT_OF_RANGE, "number out of range"),
    (
        DATABASE_WITH_CATALOGS,
        "database named for an external-catalog backup/restore",
    ),
    (
        INVALID_LABEL_FORMAT,
        "snapshot label with more than two parts",
    ),
    (
        DATABASE_TWICE,
        "database given both as DATABASE and as label prefix",
    ),
    (ALIAS_IN_BACKUP, "alias on a BACKUP object"),
    (
        INVALID_OBJECT_NAME,
        "object name with more than three parts",
    ),
    (
        RESTORE_ON_WITHOUT_DATABASE,
        "RESTORE ON (...) without a database",
    ),
    (ON_WITH_CATALOGS, "ON (...) with external catalogs"),
    (CANCEL_WITHOUT_DATABASE, "CANCEL without a database"),
    (
        NOT_IN_3_3,
        "3.4 snapshot syntax not accepted by StarRocks 3.3",
    ),
    (
        DROP_SNAPSHOT_BEFORE_4_2,
        "DROP SNAPSHOT needs StarRocks 4.2",
    ),
    (TTL_BEFORE_4_2, "BACKUP ttl property needs StarRocks 4.2"),
    (
        SHOW_FILTER_BEFORE_4_1,
        "SHOW filter clause needs StarRocks 4.1",
    ),
];
