//! Where the wire protocol meets the frontend engine.
//!
//! The protocol layer owns sockets and packets; it hands every COM_QUERY text to a
//! [`Handler`] together with the connection's [`Session`], and writes whatever comes back.
//! The engine never sees bytes of the protocol; the protocol never interprets SQL.

use std::collections::BTreeMap;

/// The MySQL column type a result column is sent with. StarRocks sends SHOW results as
/// VAR_STRING; `information_schema` and SELECT results carry real types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnType {
    /// 253, VAR_STRING (varchar).
    VarString,
    /// 8, LONGLONG (bigint).
    LongLong,
    /// 3, LONG (int).
    Long,
    /// 1, TINY (boolean, tinyint).
    Tiny,
    /// 5, DOUBLE.
    Double,
    /// 12, DATETIME.
    DateTime,
    /// 10, DATE.
    Date,
    /// 246, NEWDECIMAL.
    Decimal,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub kind: ColumnType,
}

impl Column {
    pub fn varchar(name: impl Into<String>) -> Self {
        Column {
            name: name.into(),
            kind: ColumnType::VarString,
        }
    }

    pub fn typed(name: impl Into<String>, kind: ColumnType) -> Self {
        Column {
            name: name.into(),
            kind,
        }
    }
}

/// A successful answer to one statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Response {
    Ok {
        affected_rows: u64,
        last_insert_id: u64,
        warnings: u16,
        info: String,
    },
    /// Rows are text cells; `None` is SQL NULL.
    ResultSet {
        columns: Vec<Column>,
        rows: Vec<Vec<Option<String>>>,
    },
}

impl Response {
    pub fn ok() -> Self {
        Response::Ok {
            affected_rows: 0,
            last_insert_id: 0,
            warnings: 0,
            info: String::new(),
        }
    }

    pub fn affected(n: u64) -> Self {
        Response::Ok {
            affected_rows: n,
            last_insert_id: 0,
            warnings: 0,
            info: String::new(),
        }
    }
}

/// An ERR packet: code, SQLSTATE and the exact text StarRocks sends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SqlError {
    pub code: u16,
    pub sqlstate: String,
    pub message: String,
}

impl SqlError {
    pub fn new(code: u16, sqlstate: &str, message: impl Into<String>) -> Self {
        SqlError {
            code,
            sqlstate: sqlstate.to_string(),
            message: message.into(),
        }
    }

    /// StarRocks's default when no ErrorCode was reported: 1064 / HY000 (spec §0.1).
    pub fn generic(message: impl Into<String>) -> Self {
        Self::new(1064, "HY000", message)
    }
}

/// What one statement gave.
pub type Outcome = Result<Response, SqlError>;

/// Per-connection state the engine may read and change.
#[derive(Clone, Debug, Default)]
pub struct Session {
    pub connection_id: u32,
    pub user: String,
    pub current_db: Option<String>,
    /// Session variables set with `SET` (lower-case names).
    pub variables: BTreeMap<String, String>,
    /// Statements this connection has sent (COM_QUERY, one per statement in a multi-statement
    /// packet). Queryable, so benchmarks can count round trips.
    pub statements: u64,
    /// Fault injection: when the engine sets this while answering a command, the protocol
    /// sends that answer and then closes the connection (as if the network dropped it).
    pub close_after: bool,
    /// Fault injection: the command takes effect but its answer is never sent; the protocol
    /// closes the connection instead (a client losing the connection mid-statement).
    pub close_before_answer: bool,
}

/// The frontend: executes SQL for a session.
pub trait Handler: Send + Sync + 'static {
    /// Runs one COM_QUERY text. Returns one outcome per statement; execution stops at the
    /// first error, which is the last element.
    fn query(&self, session: &mut Session, sql: &str) -> Vec<Outcome>;

    /// COM_INIT_DB (`USE db` from the client library).
    fn init_db(&self, session: &mut Session, db: &str) -> Outcome;

    /// Bumped when the frontend restarts (`ADMIN RESTART SIMULATOR`): connections opened
    /// before a restart are closed at their next command, as a real FE restart drops them.
    fn generation(&self) -> u64 {
        0
    }

    /// How long the protocol holds each answer before sending it (simulated network
    /// latency, `ADMIN SET SIMULATOR LATENCY`); zero by default.
    fn answer_delay(&self) -> std::time::Duration {
        std::time::Duration::ZERO
    }

    /// Called once when a connection ends, however it ends.
    fn disconnect(&self, _session: &Session) {}

    /// COM_FIELD_LIST (`mysql` clients' `mysql_list_fields`): the columns of `table` in the
    /// current database. The default answers as StarRocks does when the table is not there:
    /// `Unknown database(<db>)` with no current database, else `Unknown table(<table>)`,
    /// both 1064 / HY000 (`ConnectProcessor.handleFieldList`).
    fn field_list(&self, session: &Session, table: &str) -> Result<Vec<Column>, SqlError> {
        Err(match &session.current_db {
            None => SqlError::generic("Unknown database(null)"),
            Some(_) => SqlError::generic(format!("Unknown table({table})")),
        })
    }
}
