//! StarRocks's error shapes and codes (spec §0.1, `fe/.../common/ErrorCode.java`), built in
//! one place so every statement answers alike.
//!
//! * parse errors: `Getting syntax error at line L, column C. Detail message: <d>.` 1064/HY000;
//! * analyzer errors: `Getting analyzing error[ at …]. Detail message: <d>.` — 1064/HY000
//!   unless raised through an `ErrorCode`, whose code and SQLSTATE they then carry;
//! * DDL execution errors: the bare message with the `ErrorCode`'s code, or 1064/HY000.

use crate::response::SqlError;

/// An `ErrorCode` entry: code, SQLSTATE.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Code(pub u16, pub &'static str);

pub const ERR_DB_CREATE_EXISTS: Code = Code(1007, "HY000");
pub const ERR_DB_DROP_EXISTS: Code = Code(1008, "HY000");
pub const ERR_NO_DB_ERROR: Code = Code(1046, "3D000");
pub const ERR_TABLE_EXISTS_ERROR: Code = Code(1050, "42S01");
pub const ERR_WRONG_DB_NAME: Code = Code(1102, "42000");
pub const ERR_WRONG_VALUE_COUNT: Code = Code(1058, "21S01");
pub const ERR_DUP_FIELDNAME: Code = Code(1060, "42S21");
pub const ERR_NONUNIQ_TABLE: Code = Code(1066, "42000");
pub const ERR_UNKNOWN_SYSTEM_VARIABLE: Code = Code(1193, "HY000");
pub const ERR_DROP_PARTITION_NON_EXISTENT: Code = Code(1507, "HY000");
pub const ERR_DROP_LAST_PARTITION: Code = Code(1508, "HY000");
pub const ERR_SAME_NAME_PARTITION: Code = Code(1517, "HY000");
pub const ERR_BAD_TABLE_STATE: Code = Code(5014, "HY000");
pub const ERR_COMMON_ERROR: Code = Code(5064, "42000");
pub const ERR_BAD_CATALOG_ERROR: Code = Code(5078, "42000");
pub const ERROR_CREATE_TABLE_LIKE_UNSUPPORTED_VIEW: Code = Code(5075, "42000");
pub const ERR_BAD_DB_ERROR: Code = Code(5501, "3F000");
pub const ERR_BAD_TABLE_ERROR: Code = Code(5502, "42602");
pub const ERR_BAD_FIELD_ERROR: Code = Code(5509, "42S22");
pub const ERR_CATALOG_EXISTED_ERROR: Code = Code(5514, "42000");
pub const ERR_INSERT_COLUMN_COUNT_MISMATCH: Code = Code(5604, "42601");

/// 1-based line and 0-based column of a byte offset (StarRocks's `NodePosition`).
pub fn line_col(sql: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(sql.len());
    let before = sql.get(..offset).unwrap_or(sql);
    let line = before.matches('\n').count() + 1;
    let col = before
        .rsplit('\n')
        .next()
        .map(|s| s.chars().count())
        .unwrap_or(0);
    (line, col)
}

/// `Getting syntax error at line L, column C. Detail message: <detail>.` (1064/HY000).
pub fn syntax_at(sql: &str, offset: usize, detail: &str) -> SqlError {
    let (l, c) = line_col(sql, offset);
    SqlError::generic(format!(
        "Getting syntax error at line {l}, column {c}. Detail message: {detail}."
    ))
}

/// A position-less syntax error.
pub fn syntax(detail: &str) -> SqlError {
    SqlError::generic(format!("Getting syntax error. Detail message: {detail}."))
}

/// `Getting analyzing error. Detail message: <detail>.` with the default code.
pub fn analyzing(detail: &str) -> SqlError {
    SqlError::generic(format!(
        "Getting analyzing error. Detail message: {detail}."
    ))
}

/// An analyzer error raised through an `ErrorCode` (carries its code and SQLSTATE).
pub fn analyzing_code(code: Code, detail: &str) -> SqlError {
    SqlError::new(
        code.0,
        code.1,
        format!("Getting analyzing error. Detail message: {detail}."),
    )
}

/// An analyzer error with a position and an `ErrorCode`.
pub fn analyzing_at(sql: &str, offset: usize, code: Option<Code>, detail: &str) -> SqlError {
    let (l, c) = line_col(sql, offset);
    let msg = format!("Getting analyzing error at line {l}, column {c}. Detail message: {detail}.");
    match code {
        Some(Code(n, s)) => SqlError::new(n, s, msg),
        None => SqlError::generic(msg),
    }
}

/// A bare DDL execution error with an `ErrorCode`.
pub fn ddl(code: Code, msg: impl Into<String>) -> SqlError {
    SqlError::new(code.0, code.1, msg)
}

/// A bare DDL execution error without an `ErrorCode` (1064/HY000).
pub fn ddl_plain(msg: impl Into<String>) -> SqlError {
    SqlError::generic(msg)
}

pub fn unknown_database(name: &str) -> SqlError {
    ddl(ERR_BAD_DB_ERROR, format!("Unknown database '{name}'"))
}

pub fn no_database_selected() -> SqlError {
    analyzing_code(ERR_NO_DB_ERROR, "No database selected")
}

/// A feature StarRocks has and the simulator does not: said plainly, never silently accepted.
pub fn unsupported(what: &str) -> SqlError {
    SqlError::generic(format!("The starsnap simulator does not support {what}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_lines_zero_based_columns() {
        assert_eq!(line_col("select 1;\nfoo", 10), (2, 0));
        assert_eq!(line_col("DROP SNAPSHOT s", 5), (1, 5));
        let e = syntax_at(
            "DROP SNAPSHOT s",
            5,
            "No viable statement for input 'DROP SNAPSHOT'",
        );
        assert_eq!(
            e.message,
            "Getting syntax error at line 1, column 5. Detail message: No viable statement for input 'DROP SNAPSHOT'."
        );
        assert_eq!((e.code, e.sqlstate.as_str()), (1064, "HY000"));
    }
}
