//! The statements and expressions the simulated frontend understands, as parsed by
//! `parser` (generic SQL) and `parse_ddl` (StarRocks DDL). Byte offsets (`pos`) point into
//! the whole COM_QUERY text so analyzer errors can carry StarRocks's positions.

use std::collections::BTreeMap;

use crate::engine::catalog::{AggType, Distribution, KeysType, PartitionBound, Partitioning};
use crate::engine::time::TimeUnit;
use crate::engine::value::{SqlType, Value};

/// `[db.]name` with the position of its first token.
#[derive(Clone, Debug, PartialEq)]
pub struct ObjName {
    pub db: Option<String>,
    pub name: String,
    pub pos: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub enum BinOp {
    Eq,
    NullSafeEq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
    /// AND / OR whose right side cannot fail (`eval::infallible`): once the left side
    /// decides (FALSE for AND, TRUE for OR) the right side is not read. Only `eval::bind`
    /// makes them, so a row scan decides the common "selective condition first" WHERE
    /// without reading the rest.
    AndThen,
    OrElse,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Lit(Value),
    Col {
        table: Option<String>,
        name: String,
        pos: usize,
    },
    /// `@@[session.|global.]name`, lower-cased, scope removed.
    SysVar {
        name: String,
        pos: usize,
    },
    UserVar(String),
    /// A column already resolved to its index in the source row (see `eval::bind`).
    Slot(usize),
    Neg(Box<Expr>),
    Not(Box<Expr>),
    Bin {
        op: BinOp,
        l: Box<Expr>,
        r: Box<Expr>,
    },
    IsNull {
        e: Box<Expr>,
        neg: bool,
    },
    In {
        e: Box<Expr>,
        list: Vec<Expr>,
        neg: bool,
    },
    /// `e [NOT] IN (…)` over string literals only, with the strings in a set: `eval::bind`
    /// makes it of a long list (the tables of a state-store query, over every row of the
    /// table). A value that is not a string is compared with each item as `In` does.
    InStrings {
        e: Box<Expr>,
        list: Vec<Expr>,
        set: std::collections::HashSet<String>,
        neg: bool,
    },
    /// `e [NOT] IN (SELECT …)`, uncorrelated: `select::materialize_subqueries` runs the
    /// query once and turns it into `In` over its values before rows are read.
    InSubquery {
        e: Box<Expr>,
        query: Box<Select>,
        neg: bool,
        pos: usize,
    },
    Between {
        e: Box<Expr>,
        lo: Box<Expr>,
        hi: Box<Expr>,
        neg: bool,
    },
    Like {
        e: Box<Expr>,
        pat: Box<Expr>,
        neg: bool,
    },
    /// A function call; `name` lower-cased. `star` for `COUNT(*)`.
    Func {
        name: String,
        args: Vec<Expr>,
        star: bool,
        distinct: bool,
        pos: usize,
    },
    Cast {
        e: Box<Expr>,
        ty: SqlType,
    },
    Case {
        operand: Option<Box<Expr>>,
        whens: Vec<(Expr, Expr)>,
        otherwise: Option<Box<Expr>>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum SelectItem {
    /// `*` (`None`) or `t.*` (the table or alias).
    Star(Option<String>),
    Expr {
        expr: Expr,
        alias: Option<String>,
        /// The expression's text as written (the column name when there is no alias).
        text: String,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct OrderKey {
    pub expr: Expr,
    pub desc: bool,
}

/// `[INNER] JOIN` or `LEFT [OUTER] JOIN`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum JoinKind {
    Inner,
    Left,
}

/// `… JOIN [db.]t [[AS] alias] ON <expr>`.
#[derive(Clone, Debug, PartialEq)]
pub struct Join {
    pub kind: JoinKind,
    pub table: ObjName,
    pub alias: Option<String>,
    pub on: Expr,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Select {
    pub items: Vec<SelectItem>,
    pub from: Option<ObjName>,
    /// `FROM t PARTITION (p1, …)`: only these partitions are read.
    pub from_partitions: Vec<String>,
    pub alias: Option<String>,
    /// The relations joined to `from`, in order.
    pub joins: Vec<Join>,
    pub selection: Option<Expr>,
    pub group_by: Vec<Expr>,
    pub having: Option<Expr>,
    pub order_by: Vec<OrderKey>,
    pub limit: Option<u64>,
    pub offset: u64,
    pub distinct: bool,
}

/// Set operation `UNION` over SELECTs, evaluated left to right: each `(distinct, select)` of
/// `rest` is appended to what came before, duplicates removed when `distinct`.
#[derive(Clone, Debug, PartialEq)]
pub struct Union {
    pub first: Select,
    pub rest: Vec<(bool, Select)>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum InsertSource {
    Values(Vec<Vec<Expr>>),
    Select(Box<Select>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Insert {
    pub table: ObjName,
    pub overwrite: bool,
    pub partitions: Vec<String>,
    pub columns: Option<Vec<String>>,
    pub source: InsertSource,
    /// `WITH LABEL l` (`labels`).
    pub label: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Delete {
    pub table: ObjName,
    pub partitions: Vec<String>,
    pub selection: Option<Expr>,
}

/// `UPDATE [db.]t SET c = e, … [WHERE …]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Update {
    pub table: ObjName,
    /// `(column, value, position of the column name)`.
    pub assignments: Vec<(String, Expr, usize)>,
    pub selection: Option<Expr>,
}

/// A column definition in CREATE TABLE / ADD COLUMN.
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnSpec {
    pub name: String,
    pub ty: SqlType,
    pub nullable: Option<bool>,
    pub agg: Option<AggType>,
    pub default: Option<String>,
    pub auto_increment: bool,
    pub comment: String,
    pub pos: usize,
}

/// A partition as written in DDL.
#[derive(Clone, Debug, PartialEq)]
pub enum PartitionSpec {
    /// `PARTITION p VALUES LESS THAN (…)`: upper only (`None` = MAXVALUE).
    LessThan {
        name: String,
        upper: Option<Vec<Value>>,
        if_not_exists: bool,
    },
    /// `PARTITION p VALUES [(…), (…))`.
    Fixed {
        name: String,
        lower: Vec<Value>,
        upper: Vec<Value>,
        if_not_exists: bool,
    },
    /// `PARTITION p VALUES IN (…)`.
    In {
        name: String,
        values: Vec<Vec<Value>>,
        if_not_exists: bool,
    },
    /// `START (…) END (…) EVERY (INTERVAL n unit | n)`.
    Batch {
        start: Value,
        end: Value,
        every: i64,
        unit: Option<TimeUnit>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct CreateTable {
    pub name: ObjName,
    pub if_not_exists: bool,
    pub columns: Vec<ColumnSpec>,
    pub keys: Option<(KeysType, Vec<String>)>,
    pub comment: String,
    pub partitioning: Partitioning,
    pub partitions: Vec<PartitionSpec>,
    pub distribution: Option<Distribution>,
    pub order_by: Vec<String>,
    pub properties: BTreeMap<String, String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ObjKind {
    Table,
    View,
    MaterializedView,
}

#[derive(Clone, Debug, PartialEq)]
pub enum AlterClause {
    AddPartitions {
        temp: bool,
        specs: Vec<PartitionSpec>,
        buckets: Option<u32>,
    },
    DropPartition {
        temp: bool,
        name: String,
        if_exists: bool,
    },
    AddColumns {
        columns: Vec<ColumnSpec>,
        after: Option<String>,
        first: bool,
    },
    DropColumn {
        name: String,
        pos: usize,
    },
    Swap {
        with: String,
        pos: usize,
    },
    Rename {
        to: String,
        pos: usize,
    },
    SetProperties(BTreeMap<String, String>),
    Comment(String),
}

impl AlterClause {
    /// `AlterOpType` name used in conflict messages.
    pub fn op_name(&self) -> &'static str {
        match self {
            AlterClause::AddPartitions { .. } => "ADD_PARTITION",
            AlterClause::DropPartition { .. } => "DROP_PARTITION",
            AlterClause::AddColumns { .. } | AlterClause::DropColumn { .. } => "SCHEMA_CHANGE",
            AlterClause::Swap { .. } => "SWAP",
            AlterClause::Rename { .. } => "RENAME",
            AlterClause::SetProperties(_) | AlterClause::Comment(_) => "MODIFY_TABLE_PROPERTY",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum MvAction {
    Active,
    Inactive,
    Swap { with: String, pos: usize },
    Rename { to: String, pos: usize },
    Refresh,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Stmt {
    Select(Select),
    /// `SELECT … UNION [ALL | DISTINCT] SELECT …` (StarRocks's `queryPrimary UNION
    /// setQuantifier? queryPrimary`, left-associative).
    Union(Union),
    Insert(Insert),
    Delete(Delete),
    Update(Update),
    Use(ObjName),
    /// `SET …`: `(scope, name, value)`; `NAMES` is recorded as `names`.
    Set(Vec<(String, Value)>),
    /// Routed to `show::execute` with the statement text.
    Show,
    /// `ADMIN SHOW SIMULATOR STATS`.
    AdminShowStats,
    /// `ADMIN SET SIMULATOR LATENCY = <ms>` (simulator-only): every answer from then on, on
    /// every connection, is sent `ms` milliseconds late; 0 turns it off.
    AdminSetLatency(u64),
    /// Accepted and ignored (`BEGIN`, `COMMIT`, `ROLLBACK`).
    Noop,
    CreateDatabase {
        name: String,
        if_not_exists: bool,
    },
    DropDatabase {
        name: String,
        if_exists: bool,
    },
    CreateTable(Box<CreateTable>),
    /// `CREATE TABLE [IF NOT EXISTS] [db.]t LIKE [db2.]t2`.
    CreateTableLike {
        name: ObjName,
        if_not_exists: bool,
        source: ObjName,
    },
    /// `ALTER DATABASE a RENAME b`.
    RenameDatabase {
        from: String,
        to: String,
    },
    CreateView {
        name: ObjName,
        if_not_exists: bool,
        or_replace: bool,
        query: String,
        base_tables: Vec<ObjName>,
        comment: String,
    },
    CreateMv {
        name: ObjName,
        if_not_exists: bool,
        query: String,
        refresh: String,
        base_tables: Vec<ObjName>,
        properties: BTreeMap<String, String>,
        comment: String,
    },
    CreateFunction {
        global: bool,
        name: ObjName,
        args: Vec<String>,
        return_type: String,
        /// An aggregate's `INTERMEDIATE` type as written.
        intermediate_type: Option<String>,
        kind: String,
        if_not_exists: bool,
        properties: BTreeMap<String, String>,
    },
    CreateCatalog {
        name: String,
        comment: String,
        properties: BTreeMap<String, String>,
    },
    Drop {
        kind: ObjKind,
        name: ObjName,
        if_exists: bool,
    },
    DropFunction {
        global: bool,
        name: ObjName,
        args: Vec<String>,
        if_exists: bool,
    },
    DropCatalog {
        name: String,
        if_exists: bool,
    },
    Truncate {
        table: ObjName,
        partitions: Vec<String>,
    },
    AlterTable {
        table: ObjName,
        clauses: Vec<AlterClause>,
    },
    AlterMv {
        name: ObjName,
        action: MvAction,
    },
    /// `CREATE TABLE` with a feature the simulator lacks (`AS SELECT`, `LIKE` with its own
    /// partitioning, distribution or properties): refused plainly.
    Unsupported(String),
}

/// A parsed statement with its byte range in the whole text.
#[derive(Clone, Debug)]
pub struct Parsed {
    pub stmt: Stmt,
    pub start: usize,
    pub end: usize,
}

/// Whether a partition spec list describes a range bound (for validation messages).
pub fn is_range_spec(s: &PartitionSpec) -> bool {
    !matches!(s, PartitionSpec::In { .. })
}

/// A convenience for the engine: the bound a `LessThan` spec gets after the previous upper.
pub fn less_than_bound(
    prev_upper: Option<Vec<Value>>,
    upper: Option<Vec<Value>>,
) -> PartitionBound {
    PartitionBound::Range {
        lower: prev_upper,
        upper,
    }
}
