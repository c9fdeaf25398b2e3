//! The typed AST of StarRocks's snapshot-statement family (BACKUP, RESTORE, CANCEL, SHOW
//! BACKUP/RESTORE/SNAPSHOT/REPOSITORIES/PARTITIONS, CREATE/DROP REPOSITORY, DROP SNAPSHOT,
//! ALTER TABLE/MATERIALIZED VIEW … SWAP/RENAME). Productions: `grammar/starrocks-3.4.ebnf`.
//!
//! Every node carries a byte span into the source it was parsed from, and records *how* it was
//! written (keyword spellings, legacy vs 3.4 syntax) so lint rules can talk about it. Neither
//! takes part in equality: `PartialEq` compares meaning only, so `parse(a) == parse(b)` when `a`
//! and `b` differ in whitespace, comments, keyword case, quoting or an equivalent spelling
//! (`TABLE t` / `TABLES t` / bare `t`; `PARTITION p` / `PARTITIONS (p)`).
//!
//! `Display` (in `syntax::print`) prints canonical SQL for every node.

use crate::span::Span;

/// Implements `PartialEq`/`Eq` from the listed fields; the `ignore` fields (spans, syntax
/// notes) are destructured too, so adding a field without deciding is a compile error.
macro_rules! eq_by {
    ($ty:ident { $($f:ident),* $(,)? } ignore { $($i:ident),* $(,)? }) => {
        impl PartialEq for $ty {
            fn eq(&self, other: &Self) -> bool {
                let $ty { $($f,)* $($i: _,)* } = self;
                true $(&& *$f == other.$f)*
            }
        }
        impl Eq for $ty {}
    };
}

/// How an identifier was written. Not part of its meaning.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum IdentStyle {
    /// `name` (a LETTER/DIGIT identifier or a non-reserved keyword).
    #[default]
    Bare,
    /// `` `name` `` (all backquotes deleted from the value, as StarRocks does).
    Backquoted,
    /// `'name'` — only where the grammar takes `identifier | string` (partition names, broker).
    SingleQuoted,
    /// `"name"` — same places as `SingleQuoted`.
    DoubleQuoted,
}

/// A name: database, table, label, repository, partition, alias, catalog, function, broker.
/// `value` is the name StarRocks sees (case preserved, quotes removed). Equality: `value` only.
#[derive(Clone, Debug, Default)]
pub struct Ident {
    pub value: String,
    pub span: Span,
    pub style: IdentStyle,
}
/// Equality compares values with backquotes deleted: StarRocks deletes every backquote of a
/// back-quoted identifier, so a name can never contain one, and a value with backquotes
/// (built in code) denotes the name StarRocks would read from its printed form.
impl PartialEq for Ident {
    fn eq(&self, other: &Self) -> bool {
        if self.value == other.value {
            return true;
        }
        if !self.value.contains('`') && !other.value.contains('`') {
            return false;
        }
        let strip = |s: &str| s.chars().filter(|&c| c != '`').collect::<String>();
        strip(&self.value) == strip(&other.value)
    }
}
impl Eq for Ident {}

impl Ident {
    /// A bare identifier with an empty span (for building ASTs in code).
    pub fn new(value: impl Into<String>) -> Self {
        Ident {
            value: value.into(),
            span: Span::default(),
            style: IdentStyle::Bare,
        }
    }

    pub fn with_span(value: impl Into<String>, span: Span, style: IdentStyle) -> Self {
        Ident {
            value: value.into(),
            span,
            style,
        }
    }
}

/// `qualified_name ::= identifier { '.' identifier }` — one or more parts, as written.
#[derive(Clone, Debug, Default)]
pub struct ObjectName {
    pub parts: Vec<Ident>,
    pub span: Span,
}
eq_by!(ObjectName { parts } ignore { span });

impl ObjectName {
    pub fn new(parts: impl IntoIterator<Item = Ident>) -> Self {
        let parts: Vec<Ident> = parts.into_iter().collect();
        let span = match (parts.first(), parts.last()) {
            (Some(a), Some(b)) => a.span.to(b.span),
            _ => Span::default(),
        };
        ObjectName { parts, span }
    }

    /// The last part (the object's own name); `None` only for an empty name.
    pub fn name(&self) -> Option<&Ident> {
        self.parts.last()
    }

    /// The qualifier when the name has exactly two parts (`db.t` → `db`).
    pub fn qualifier(&self) -> Option<&Ident> {
        match self.parts.as_slice() {
            [q, _] => Some(q),
            _ => None,
        }
    }
}

/// Which quote delimited a string literal. Not part of its meaning.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum QuoteStyle {
    Single,
    #[default]
    Double,
}

/// A string literal; `value` is unescaped exactly as StarRocks does (spec §1.1).
#[derive(Clone, Debug, Default)]
pub struct StringLit {
    pub value: String,
    pub span: Span,
    pub quote: QuoteStyle,
}
eq_by!(StringLit { value } ignore { span, quote });

impl StringLit {
    pub fn new(value: impl Into<String>) -> Self {
        StringLit {
            value: value.into(),
            span: Span::default(),
            quote: QuoteStyle::Double,
        }
    }
}

/// An expression kept as source text (WHERE / ORDER BY bodies the analyzer inspects itself).
/// Equality compares the token sequences (`syntax::normalize_raw`): whitespace, comments and
/// keyword case do not matter; literals and names do.
#[derive(Clone, Debug, Default)]
pub struct RawExpr {
    pub text: String,
    pub span: Span,
}

impl PartialEq for RawExpr {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
            || super::print::normalize_raw(&self.text) == super::print::normalize_raw(&other.text)
    }
}
impl Eq for RawExpr {}

/// `property ::= string '=' string`.
#[derive(Clone, Debug, Default)]
pub struct Property {
    pub key: StringLit,
    pub value: StringLit,
    pub span: Span,
}
eq_by!(Property { key, value } ignore { span });

impl Property {
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> Self {
        Property {
            key: StringLit::new(key),
            value: StringLit::new(value),
            span: Span::default(),
        }
    }

    /// The key as StarRocks uses it (`.trim()`-ed; spec §1.1).
    pub fn effective_key(&self) -> &str {
        self.key.value.trim()
    }
}

/// `PROPERTIES '(' property { ',' property } ')'`, in source order (duplicates kept; StarRocks
/// lets the last one win).
///
/// Equality is StarRocks's meaning: the map from trimmed key to its last value, so order and
/// overridden duplicates do not matter.
#[derive(Clone, Debug, Default)]
pub struct Properties {
    pub items: Vec<Property>,
    pub span: Span,
}

impl PartialEq for Properties {
    fn eq(&self, other: &Self) -> bool {
        self.items == other.items || self.effective() == other.effective()
    }
}
impl Eq for Properties {}

impl Properties {
    /// What StarRocks reads: trimmed key → value, the last duplicate winning.
    pub fn effective(&self) -> std::collections::BTreeMap<&str, &str> {
        self.items
            .iter()
            .map(|p| (p.effective_key(), p.value.value.as_str()))
            .collect()
    }

    /// The value StarRocks would use for `key` (trimmed key match, last one wins).
    pub fn get(&self, key: &str) -> Option<&StringLit> {
        self.items
            .iter()
            .rev()
            .find(|p| p.effective_key() == key)
            .map(|p| &p.value)
    }
}

/// Singular or plural spelling of a keyword (`TABLE`/`TABLES`, `PARTITION`/`PARTITIONS`, …).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Number {
    #[default]
    Singular,
    Plural,
}

/// Which grammar a BACKUP/RESTORE was written in (derived; see `Backup::syntax`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SnapshotSyntax {
    /// 3.3-compatible: `SNAPSHOT [db.]label`, bare table names only.
    Legacy,
    /// Uses something introduced in 3.4 (`DATABASE`, external catalogs, typed object items).
    V3_4,
}

/// The kind of object an `ON (...)` item names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ObjectKind {
    /// Tables (StarRocks also resolves a bare name or `TABLE x` to a view or MV: the keyword is
    /// not checked against the object's real type).
    Table,
    MaterializedView,
    View,
    Function,
}

/// How an `ON (...)` item was introduced. Not part of its meaning.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum ObjectKeyword {
    /// A bare `table_desc` (legacy syntax; kind `Table`).
    #[default]
    Bare,
    /// `TABLE` / `VIEW` / `FUNCTION` / `MATERIALIZED VIEW`.
    Singular,
    /// `TABLES` / `VIEWS` / `FUNCTIONS` / `MATERIALIZED VIEWS`.
    Plural,
}

/// `partition_names` (spec §1.2).
#[derive(Clone, Debug)]
pub struct PartitionSpec {
    /// `TEMPORARY PARTITION(S) …`.
    pub temporary: bool,
    pub names: PartitionNames,
    /// `PARTITION` vs `PARTITIONS` as written. Not part of the meaning.
    pub keyword: Number,
    /// Whether the list was parenthesised (`PARTITION p` vs `PARTITION (p)`). Not meaning.
    pub parenthesized: bool,
    pub span: Span,
}
eq_by!(PartitionSpec { temporary, names } ignore { keyword, parenthesized, span });

/// The contents of a partition clause.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PartitionNames {
    /// `(p1, 'p2', …)` or a single name; identifiers and strings both give names.
    Names(Vec<Ident>),
    /// `PARTITION (col = literal, …)` (keyPartitions): StarRocks yields an empty name list, so
    /// it selects nothing meaningful for BACKUP/RESTORE; kept so the analyzer can say so.
    Keys(Vec<KeyPartition>),
}

/// `key_partition ::= identifier '=' literal`.
#[derive(Clone, Debug)]
pub struct KeyPartition {
    pub column: Ident,
    pub value: RawExpr,
    pub span: Span,
}
eq_by!(KeyPartition { column, value } ignore { span });

/// One `object_desc` inside `ON (...)`.
#[derive(Clone, Debug)]
pub enum ObjectItem {
    /// `ALL TABLE(S)` / `ALL MATERIALIZED VIEW(S)` / `ALL VIEW(S)` / `ALL FUNCTION(S)`.
    All(AllObjects),
    /// A named object: bare `table_desc`, `TABLE(S) table_desc`, `VIEW(S) name [AS a]`, ….
    Named(NamedObject),
}

impl PartialEq for ObjectItem {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (ObjectItem::All(a), ObjectItem::All(b)) => a == b,
            (ObjectItem::Named(a), ObjectItem::Named(b)) => a == b,
            _ => false,
        }
    }
}
impl Eq for ObjectItem {}

impl ObjectItem {
    pub fn span(&self) -> Span {
        match self {
            ObjectItem::All(a) => a.span,
            ObjectItem::Named(n) => n.span,
        }
    }

    pub fn kind(&self) -> ObjectKind {
        match self {
            ObjectItem::All(a) => a.kind,
            ObjectItem::Named(n) => n.kind,
        }
    }
}

/// `ALL <kind>`.
#[derive(Clone, Debug)]
pub struct AllObjects {
    pub kind: ObjectKind,
    /// `ALL TABLE` vs `ALL TABLES`. Not part of the meaning.
    pub keyword: Number,
    pub span: Span,
}
eq_by!(AllObjects { kind } ignore { keyword, span });

/// A named object in `ON (...)`.
#[derive(Clone, Debug)]
pub struct NamedObject {
    pub kind: ObjectKind,
    /// Bare / singular / plural keyword as written. Not part of the meaning.
    pub keyword: ObjectKeyword,
    pub name: ObjectName,
    /// Only for kind `Table` (the grammar allows partitions only in `table_desc`).
    pub partitions: Option<PartitionSpec>,
    /// `AS alias` (RESTORE only; an AstBuilder error in BACKUP).
    pub alias: Option<Ident>,
    pub span: Span,
}
eq_by!(NamedObject { kind, name, partitions, alias } ignore { keyword, span });

impl NamedObject {
    /// A table item `TABLE name` with no partitions and no alias.
    pub fn table(name: ObjectName) -> Self {
        NamedObject {
            kind: ObjectKind::Table,
            keyword: ObjectKeyword::Singular,
            name,
            partitions: None,
            alias: None,
            span: Span::default(),
        }
    }
}

/// `ON '(' object_desc { ',' object_desc } ')'`.
#[derive(Clone, Debug, Default)]
pub struct ObjectList {
    pub items: Vec<ObjectItem>,
    pub span: Span,
}
eq_by!(ObjectList { items } ignore { span });

/// A catalog in an external-catalog clause; `alias` only in RESTORE.
#[derive(Clone, Debug)]
pub struct CatalogRef {
    pub name: Ident,
    pub alias: Option<Ident>,
    pub span: Span,
}
eq_by!(CatalogRef { name, alias } ignore { span });

/// `ALL EXTERNAL CATALOGS` | `EXTERNAL ( CATALOG | CATALOGS ) '(' catalog { ',' catalog } ')'`.
#[derive(Clone, Debug)]
pub enum ExternalCatalogs {
    All {
        span: Span,
    },
    Named {
        catalogs: Vec<CatalogRef>,
        keyword: Number,
        span: Span,
    },
}

impl PartialEq for ExternalCatalogs {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (ExternalCatalogs::All { .. }, ExternalCatalogs::All { .. }) => true,
            (
                ExternalCatalogs::Named { catalogs: a, .. },
                ExternalCatalogs::Named { catalogs: b, .. },
            ) => a == b,
            _ => false,
        }
    }
}
impl Eq for ExternalCatalogs {}

impl ExternalCatalogs {
    pub fn span(&self) -> Span {
        match self {
            ExternalCatalogs::All { span } | ExternalCatalogs::Named { span, .. } => *span,
        }
    }
}

/// ```text
/// backup_stmt ::= BACKUP [ external_catalogs ] [ DATABASE identifier ]
///                 SNAPSHOT qualified_name TO identifier [ ON (...) ] [ PROPERTIES (...) ]
/// ```
/// `BACKUP SNAPSHOT db.l` and `BACKUP DATABASE db SNAPSHOT l` mean the same thing, so equality
/// compares the effective database (`database()`), not where it was written.
#[derive(Clone, Debug)]
pub struct Backup {
    pub catalogs: Option<ExternalCatalogs>,
    /// `DATABASE x` (3.4 syntax).
    pub database: Option<Ident>,
    /// The label as written after `SNAPSHOT`: `label` or `db.label` (more parts is an error).
    pub label: ObjectName,
    pub repository: Ident,
    pub on: Option<ObjectList>,
    pub properties: Option<Properties>,
    pub span: Span,
}

impl PartialEq for Backup {
    fn eq(&self, other: &Self) -> bool {
        let Backup {
            catalogs,
            database,
            label,
            repository,
            on,
            properties,
            span: _,
        } = self;
        // Erroneous shapes (both `DATABASE` and `db.label`, or a 3+-part label) compare as
        // written; well-formed ones by effective database and label.
        let odd = |b: &Backup| {
            b.label.parts.len() > 2 || (b.database.is_some() && b.label.parts.len() > 1)
        };
        let names_equal = if odd(self) || odd(other) {
            *database == other.database && *label == other.label
        } else {
            self.database() == other.database() && label.name() == other.label.name()
        };
        names_equal
            && *catalogs == other.catalogs
            && *repository == other.repository
            && *on == other.on
            && *properties == other.properties
    }
}
impl Eq for Backup {}

impl Backup {
    /// The database the backup reads: `DATABASE x`, else the label's `db.` prefix.
    pub fn database(&self) -> Option<&Ident> {
        self.database.as_ref().or_else(|| self.label.qualifier())
    }

    /// The snapshot label (last part of the name after `SNAPSHOT`).
    pub fn label_name(&self) -> Option<&Ident> {
        self.label.name()
    }

    pub fn syntax(&self) -> SnapshotSyntax {
        snapshot_syntax(
            self.catalogs.is_some() || self.database.is_some(),
            self.on.as_ref(),
        )
    }
}

/// `DATABASE x [AS y]` in RESTORE: `x` names the database inside the snapshot, `y` the target.
#[derive(Clone, Debug)]
pub struct RestoreDatabase {
    pub name: Ident,
    pub alias: Option<Ident>,
    pub span: Span,
}
eq_by!(RestoreDatabase { name, alias } ignore { span });

/// ```text
/// restore_stmt ::= RESTORE SNAPSHOT qualified_name FROM identifier [ external_catalogs ]
///                  [ DATABASE identifier [ AS identifier ] ] [ ON (...) ] [ PROPERTIES (...) ]
/// ```
/// Unlike BACKUP, `RESTORE SNAPSHOT db.l` (restore into `db` whatever db the snapshot came
/// from) and `DATABASE db` (the snapshot's db must be `db`) differ in meaning, so both are kept
/// as written and compared as written.
#[derive(Clone, Debug)]
pub struct Restore {
    pub label: ObjectName,
    pub repository: Ident,
    pub catalogs: Option<ExternalCatalogs>,
    pub database: Option<RestoreDatabase>,
    pub on: Option<ObjectList>,
    pub properties: Option<Properties>,
    pub span: Span,
}
eq_by!(Restore { label, repository, catalogs, database, on, properties } ignore { span });

impl Restore {
    /// The database restored into: `DATABASE x AS y` → `y`, `DATABASE x` → `x`, else the
    /// label's `db.` prefix; `None` means "the snapshot's own database".
    pub fn target_database(&self) -> Option<&Ident> {
        match &self.database {
            Some(d) => Some(d.alias.as_ref().unwrap_or(&d.name)),
            None => self.label.qualifier(),
        }
    }

    pub fn label_name(&self) -> Option<&Ident> {
        self.label.name()
    }

    pub fn syntax(&self) -> SnapshotSyntax {
        snapshot_syntax(
            self.catalogs.is_some() || self.database.is_some(),
            self.on.as_ref(),
        )
    }
}

fn snapshot_syntax(new_clauses: bool, on: Option<&ObjectList>) -> SnapshotSyntax {
    let typed_items = on.is_some_and(|l| {
        l.items.iter().any(|i| match i {
            ObjectItem::All(_) => true,
            ObjectItem::Named(n) => n.keyword != ObjectKeyword::Bare,
        })
    });
    if new_clauses || typed_items {
        SnapshotSyntax::V3_4
    } else {
        SnapshotSyntax::Legacy
    }
}

/// BACKUP or RESTORE, for the statements that exist for both.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum JobKind {
    Backup,
    Restore,
}

/// `FROM` or `IN` before a database name. Not part of the meaning.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum FromOrIn {
    #[default]
    From,
    In,
}

/// What a CANCEL names.
#[derive(Clone, Debug)]
pub enum CancelTarget {
    Database { name: Ident, keyword: FromOrIn },
    ExternalCatalog { span: Span },
}

impl PartialEq for CancelTarget {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (CancelTarget::Database { name: a, .. }, CancelTarget::Database { name: b, .. }) => {
                a == b
            }
            (CancelTarget::ExternalCatalog { .. }, CancelTarget::ExternalCatalog { .. }) => true,
            _ => false,
        }
    }
}
impl Eq for CancelTarget {}

/// `CANCEL ( BACKUP | RESTORE ) [ ( FROM | IN ) identifier | FOR EXTERNAL CATALOG ]`.
/// `target: None` parses but is an AstBuilder error (`No selected database …`).
#[derive(Clone, Debug)]
pub struct Cancel {
    pub kind: JobKind,
    pub target: Option<CancelTarget>,
    pub span: Span,
}
eq_by!(Cancel { kind, target } ignore { span });

/// `LIMIT n [OFFSET m]` or `LIMIT m, n`.
#[derive(Clone, Debug)]
pub struct Limit {
    pub count: u64,
    pub offset: Option<u64>,
    pub span: Span,
}
eq_by!(Limit { count, offset } ignore { span });

/// `[WHERE expr] [ORDER BY items] [LIMIT …]` after a SHOW (WHERE only on SHOW RESTORE and SHOW
/// PARTITIONS before 4.1; see `Dialect`).
#[derive(Clone, Debug, Default)]
pub struct ShowFilters {
    pub where_: Option<RawExpr>,
    /// The text after `ORDER BY`.
    pub order_by: Option<RawExpr>,
    pub limit: Option<Limit>,
}
eq_by!(ShowFilters { where_, order_by, limit } ignore {});

impl ShowFilters {
    pub fn is_empty(&self) -> bool {
        self.where_.is_none() && self.order_by.is_none() && self.limit.is_none()
    }
}

/// `SHOW ( BACKUP | RESTORE ) [ ( FROM | IN ) identifier ] [filters]`.
#[derive(Clone, Debug)]
pub struct ShowJobs {
    pub kind: JobKind,
    pub database: Option<Ident>,
    pub filters: ShowFilters,
    pub span: Span,
}
eq_by!(ShowJobs { kind, database, filters } ignore { span });

/// A column of SHOW SNAPSHOT's WHERE.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SnapshotColumn {
    Snapshot,
    Timestamp,
}

/// `column = 'string'`.
#[derive(Clone, Debug)]
pub struct SnapshotEq {
    pub column: SnapshotColumn,
    pub value: StringLit,
    pub span: Span,
}
eq_by!(SnapshotEq { column, value } ignore { span });

/// The WHERE of SHOW SNAPSHOT, in the shapes StarRocks understands; anything else is `Raw`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SnapshotFilter {
    /// One equality, or two joined by `AND` (in source order).
    Equals(Vec<SnapshotEq>),
    /// `SNAPSHOT IN ('a', 'b', …)`.
    In(Vec<StringLit>),
    /// Any other expression (the analyzer reports it).
    Raw(RawExpr),
}

/// `SHOW SNAPSHOT ON identifier [WHERE …] [ORDER BY …] [LIMIT …]`.
#[derive(Clone, Debug)]
pub struct ShowSnapshot {
    pub repository: Ident,
    pub filter: Option<SnapshotFilter>,
    /// The WHERE clause's span (when present).
    pub where_span: Option<Span>,
    pub order_by: Option<RawExpr>,
    pub limit: Option<Limit>,
    pub span: Span,
}
eq_by!(ShowSnapshot { repository, filter, order_by, limit } ignore { where_span, span });

/// `SHOW REPOSITORIES [filters]` (filters 4.1+).
#[derive(Clone, Debug)]
pub struct ShowRepositories {
    pub filters: ShowFilters,
    pub span: Span,
}
eq_by!(ShowRepositories { filters } ignore { span });

/// `SHOW [TEMPORARY] PARTITIONS FROM qualified_name [WHERE …] [ORDER BY …] [LIMIT …]`.
#[derive(Clone, Debug)]
pub struct ShowPartitions {
    pub temporary: bool,
    pub table: ObjectName,
    pub filters: ShowFilters,
    pub span: Span,
}
eq_by!(ShowPartitions { temporary, table, filters } ignore { span });

/// `CREATE [READ ONLY] REPOSITORY identifier WITH BROKER [identifier | string]
///  ON LOCATION string [PROPERTIES (...)]`.
#[derive(Clone, Debug)]
pub struct CreateRepository {
    pub read_only: bool,
    pub name: Ident,
    /// The broker name (`None` = broker-less, direct storage access). A string is kept as an
    /// `Ident` with a quoted style.
    pub broker: Option<Ident>,
    pub location: StringLit,
    pub properties: Option<Properties>,
    pub span: Span,
}
eq_by!(CreateRepository { read_only, name, broker, location, properties } ignore { span });

/// `DROP REPOSITORY identifier`.
#[derive(Clone, Debug)]
pub struct DropRepository {
    pub name: Ident,
    pub span: Span,
}
eq_by!(DropRepository { name } ignore { span });

/// `DROP SNAPSHOT identifier ON identifier [FORCE]` (StarRocks 4.2).
#[derive(Clone, Debug)]
pub struct DropSnapshot {
    pub snapshot: Ident,
    pub repository: Ident,
    pub force: bool,
    pub span: Span,
}
eq_by!(DropSnapshot { snapshot, repository, force } ignore { span });

/// The one clause of an `ALTER TABLE` / `ALTER MATERIALIZED VIEW` in the family.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AlterAction {
    /// `SWAP WITH identifier` (same database).
    SwapWith(Ident),
    /// `RENAME identifier` (no `TO`).
    Rename(Ident),
    /// `ACTIVE` (materialized views only).
    Active,
    /// `INACTIVE` (materialized views only).
    Inactive,
}

/// Whether an ALTER names a table or a materialized view.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AlterTarget {
    Table,
    MaterializedView,
}

/// `ALTER TABLE qualified_name (SWAP WITH identifier | RENAME identifier)` and
/// `ALTER MATERIALIZED VIEW qualified_name (ACTIVE | INACTIVE | SWAP WITH … | RENAME …)`.
#[derive(Clone, Debug)]
pub struct Alter {
    pub target: AlterTarget,
    pub name: ObjectName,
    pub action: AlterAction,
    pub span: Span,
}
eq_by!(Alter { target, name, action } ignore { span });

/// One statement.
#[derive(Clone, Debug)]
pub enum Statement {
    Backup(Backup),
    Restore(Restore),
    Cancel(Cancel),
    /// SHOW BACKUP / SHOW RESTORE.
    ShowJobs(ShowJobs),
    ShowSnapshot(ShowSnapshot),
    ShowRepositories(ShowRepositories),
    ShowPartitions(ShowPartitions),
    CreateRepository(CreateRepository),
    DropRepository(DropRepository),
    DropSnapshot(DropSnapshot),
    Alter(Alter),
    /// A statement outside the snapshot family, kept as text (the lint driver hands it to a
    /// general SQL parser). Equality compares token sequences, like `RawExpr`.
    Other {
        text: String,
        span: Span,
    },
}

impl PartialEq for Statement {
    fn eq(&self, other: &Self) -> bool {
        use Statement as S;
        match (self, other) {
            (S::Backup(a), S::Backup(b)) => a == b,
            (S::Restore(a), S::Restore(b)) => a == b,
            (S::Cancel(a), S::Cancel(b)) => a == b,
            (S::ShowJobs(a), S::ShowJobs(b)) => a == b,
            (S::ShowSnapshot(a), S::ShowSnapshot(b)) => a == b,
            (S::ShowRepositories(a), S::ShowRepositories(b)) => a == b,
            (S::ShowPartitions(a), S::ShowPartitions(b)) => a == b,
            (S::CreateRepository(a), S::CreateRepository(b)) => a == b,
            (S::DropRepository(a), S::DropRepository(b)) => a == b,
            (S::DropSnapshot(a), S::DropSnapshot(b)) => a == b,
            (S::Alter(a), S::Alter(b)) => a == b,
            (S::Other { text: a, .. }, S::Other { text: b, .. }) => {
                a == b || super::print::normalize_raw(a) == super::print::normalize_raw(b)
            }
            _ => false,
        }
    }
}
impl Eq for Statement {}

impl Statement {
    /// The statement's byte span (without the terminating `;`).
    pub fn span(&self) -> Span {
        use Statement as S;
        match self {
            S::Backup(s) => s.span,
            S::Restore(s) => s.span,
            S::Cancel(s) => s.span,
            S::ShowJobs(s) => s.span,
            S::ShowSnapshot(s) => s.span,
            S::ShowRepositories(s) => s.span,
            S::ShowPartitions(s) => s.span,
            S::CreateRepository(s) => s.span,
            S::DropRepository(s) => s.span,
            S::DropSnapshot(s) => s.span,
            S::Alter(s) => s.span,
            S::Other { span, .. } => *span,
        }
    }
}
