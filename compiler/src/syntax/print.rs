//! The canonical printer: `Display` for every AST node prints canonical SQL in the 3.4 syntax
//! (rules in `grammar/starrocks-3.4.ebnf`, section "Canonical printing"). `{:#}` prints one
//! clause per line with list items indented. `quote_ident` / `quote_string` are the only way
//! identifiers and strings should enter SQL text (DESIGN invariant 6).

use std::borrow::Cow;
use std::fmt::{self, Display, Formatter, Write};

use super::ast::*;
use super::keywords::{is_reserved, Kw};
use super::lexer::{lex, TokenKind};

/// An identifier as SQL: bare when StarRocks would read it back as the same name (a LETTER or
/// DIGIT identifier that is not a reserved word and does not lex as a number), otherwise
/// back-quoted.
///
/// StarRocks deletes **every** backquote inside a back-quoted identifier (`` `a``b` `` is
/// `ab`), so a name containing one cannot be expressed at all. Such a name is printed as the
/// name StarRocks would see — with its backquotes removed — which is also what `Ident`
/// equality compares, so print → parse gives an equal AST and printing stays idempotent.
/// Callers that must not silently change a name check `is_expressible_ident` first.
pub fn quote_ident(name: &str) -> Cow<'_, str> {
    if name.contains('`') {
        let stripped: String = name.chars().filter(|&c| c != '`').collect();
        return Cow::Owned(quote_ident(&stripped).into_owned());
    }
    if is_bare_ident(name) {
        Cow::Borrowed(name)
    } else {
        Cow::Owned(format!("`{name}`"))
    }
}

/// Whether StarRocks can name `name` at all (it contains no backquote).
pub fn is_expressible_ident(name: &str) -> bool {
    !name.contains('`')
}

fn is_bare_ident(name: &str) -> bool {
    if name.is_empty() || name.len() > 256 || name.contains('\u{3000}') {
        return false;
    }
    // The common case without lexing: a letter or `_`, then letters, digits and `_` — one
    // word token, bare unless reserved.
    let bytes = name.as_bytes();
    if (bytes[0].is_ascii_alphabetic() || bytes[0] == b'_')
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'_')
    {
        return !is_reserved(name);
    }
    // A word token holds only letters, digits, `_`, `$` and non-ASCII characters: a name with
    // any other ASCII character (`sales-1`, `order items`) is not one word, without lexing.
    if bytes
        .iter()
        .any(|b| b.is_ascii() && !(b.is_ascii_alphanumeric() || *b == b'_' || *b == b'$'))
    {
        return false;
    }
    let lexed = lex(name);
    match lexed.tokens.as_slice() {
        [t] => {
            t.kind == TokenKind::Word
                && !t.reserved
                && t.span.start == 0
                && t.span.end == name.len()
                && !is_reserved(name)
        }
        _ => false,
    }
}

/// A string literal as SQL, double-quoted, escaped so StarRocks's unescaping gives `value`
/// back exactly: `\` → `\\`, `"` → `\"`, and control characters as `\n \t \r \b \0 \Z`.
pub fn quote_string(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{8}' => out.push_str("\\b"),
            '\0' => out.push_str("\\0"),
            '\u{1a}' => out.push_str("\\Z"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A raw expression normalised: tokens separated by one space, keywords upper-case, comments
/// dropped, literals and names as written.
pub fn normalize_raw(text: &str) -> String {
    let lexed = lex(text);
    let mut out = String::with_capacity(text.len());
    for t in lexed.tokens.iter().filter(|t| !t.kind.is_comment()) {
        if !out.is_empty() {
            out.push(' ');
        }
        let s = t.text(text);
        if t.kind == TokenKind::Word && (t.kw.is_some() || t.reserved) {
            out.push_str(&s.to_ascii_uppercase());
        } else {
            out.push_str(s);
        }
    }
    out
}

impl Display for Ident {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(&quote_ident(&self.value))
    }
}

impl Display for ObjectName {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for (i, part) in self.parts.iter().enumerate() {
            if i > 0 {
                f.write_char('.')?;
            }
            write!(f, "{part}")?;
        }
        Ok(())
    }
}

impl Display for StringLit {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(&quote_string(&self.value))
    }
}

impl Display for RawExpr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(&normalize_raw(&self.text))
    }
}

impl Display for Property {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{} = {}", self.key, self.value)
    }
}

/// Writes `(a, b)`; with `{:#}`, one item per indented line.
fn list<T: Display>(f: &mut Formatter<'_>, items: &[T]) -> fmt::Result {
    let pretty = f.alternate();
    f.write_char('(')?;
    for (i, item) in items.iter().enumerate() {
        if pretty {
            f.write_str(if i > 0 { ",\n    " } else { "\n    " })?;
        } else if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{item}")?;
    }
    f.write_str(if pretty { "\n)" } else { ")" })
}

/// The separator before a clause: a space, or a newline with `{:#}`.
fn sep(f: &mut Formatter<'_>) -> fmt::Result {
    f.write_char(if f.alternate() { '\n' } else { ' ' })
}

impl Display for Properties {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("PROPERTIES ")?;
        list(f, &self.items)
    }
}

impl Display for PartitionSpec {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if self.temporary {
            f.write_str("TEMPORARY ")?;
        }
        f.write_str("PARTITION (")?;
        match &self.names {
            PartitionNames::Names(names) => join(f, names)?,
            PartitionNames::Keys(keys) => {
                for (i, k) in keys.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{} = {}", k.column, k.value)?;
                }
            }
        }
        f.write_char(')')
    }
}

fn join<T: Display>(f: &mut Formatter<'_>, items: &[T]) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}

fn kind_words(kind: ObjectKind, plural: bool) -> &'static str {
    match (kind, plural) {
        (ObjectKind::Table, false) => "TABLE",
        (ObjectKind::Table, true) => "TABLES",
        (ObjectKind::View, false) => "VIEW",
        (ObjectKind::View, true) => "VIEWS",
        (ObjectKind::MaterializedView, false) => "MATERIALIZED VIEW",
        (ObjectKind::MaterializedView, true) => "MATERIALIZED VIEWS",
        (ObjectKind::Function, false) => "FUNCTION",
        (ObjectKind::Function, true) => "FUNCTIONS",
    }
}

/// An `ON (...)` item; `legacy` prints table items bare (legacy RESTORE form).
struct Item<'a> {
    item: &'a ObjectItem,
    legacy: bool,
}

impl Display for Item<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self.item {
            ObjectItem::All(a) => write!(f, "ALL {}", kind_words(a.kind, true)),
            ObjectItem::Named(n) => {
                if !(self.legacy && n.kind == ObjectKind::Table) {
                    write!(f, "{} ", kind_words(n.kind, false))?;
                }
                write!(f, "{}", n.name)?;
                if let Some(p) = &n.partitions {
                    write!(f, " {p}")?;
                }
                if let Some(a) = &n.alias {
                    write!(f, " AS {a}")?;
                }
                Ok(())
            }
        }
    }
}

impl Display for ObjectItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        Item {
            item: self,
            legacy: false,
        }
        .fmt(f)
    }
}

fn on_clause(f: &mut Formatter<'_>, on: &ObjectList, legacy: bool) -> fmt::Result {
    sep(f)?;
    f.write_str("ON ")?;
    let items: Vec<Item<'_>> = on.items.iter().map(|item| Item { item, legacy }).collect();
    list(f, &items)
}

impl Display for CatalogRef {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.name)?;
        if let Some(a) = &self.alias {
            write!(f, " AS {a}")?;
        }
        Ok(())
    }
}

impl Display for ExternalCatalogs {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            ExternalCatalogs::All { .. } => f.write_str("ALL EXTERNAL CATALOGS"),
            ExternalCatalogs::Named { catalogs, .. } => {
                f.write_str(if catalogs.len() == 1 {
                    "EXTERNAL CATALOG ("
                } else {
                    "EXTERNAL CATALOGS ("
                })?;
                join(f, catalogs)?;
                f.write_char(')')
            }
        }
    }
}

fn tail(f: &mut Formatter<'_>, props: Option<&Properties>) -> fmt::Result {
    if let Some(p) = props {
        sep(f)?;
        p.fmt(f)?;
    }
    Ok(())
}

impl Display for Backup {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write_backup(self, f, false)
    }
}

/// BACKUP in the 3.4 form, or (`legacy`, only for statements `rewrite::legacy_expressible`
/// accepts) in the 3.3 form `BACKUP SNAPSHOT db.l TO r ON (t, …)`.
pub(super) fn write_backup(b: &Backup, f: &mut Formatter<'_>, legacy: bool) -> fmt::Result {
    f.write_str("BACKUP")?;
    if let Some(c) = &b.catalogs {
        write!(f, " {c}")?;
    }
    if legacy {
        match b.database() {
            Some(db) if b.database.is_some() => write!(f, " SNAPSHOT {db}.{}", b.label)?,
            _ => write!(f, " SNAPSHOT {}", b.label)?,
        }
    } else {
        // `SNAPSHOT db.l` means `DATABASE db SNAPSHOT l`: print the 3.4 form. Malformed shapes
        // (both, or a 3+-part label) print as written.
        let (database, label) = match (&b.database, b.label.parts.as_slice()) {
            (None, [db, l]) => (Some(db), ObjectName::new([l.clone()])),
            _ => (b.database.as_ref(), b.label.clone()),
        };
        if let Some(db) = database {
            write!(f, " DATABASE {db}")?;
        }
        write!(f, " SNAPSHOT {label}")?;
    }
    sep(f)?;
    write!(f, "TO {}", b.repository)?;
    if let Some(on) = &b.on {
        on_clause(f, on, legacy)?;
    }
    tail(f, b.properties.as_ref())
}

impl Display for Restore {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        // `RESTORE SNAPSHOT db.l` (restore into db whatever db the snapshot holds) has no 3.4
        // spelling: keep the legacy form, with bare table names.
        let legacy = self.database.is_none() && self.label.parts.len() == 2;
        write_restore(self, f, legacy)
    }
}

/// RESTORE; `legacy` prints table items bare.
pub(super) fn write_restore(r: &Restore, f: &mut Formatter<'_>, legacy: bool) -> fmt::Result {
    write!(f, "RESTORE SNAPSHOT {}", r.label)?;
    sep(f)?;
    write!(f, "FROM {}", r.repository)?;
    if let Some(c) = &r.catalogs {
        sep(f)?;
        write!(f, "{c}")?;
    }
    if let Some(d) = &r.database {
        sep(f)?;
        write!(f, "DATABASE {}", d.name)?;
        if let Some(a) = &d.alias {
            write!(f, " AS {a}")?;
        }
    }
    if let Some(on) = &r.on {
        on_clause(f, on, legacy)?;
    }
    tail(f, r.properties.as_ref())
}

fn job(kind: JobKind) -> &'static str {
    match kind {
        JobKind::Backup => Kw::Backup.as_str(),
        JobKind::Restore => Kw::Restore.as_str(),
    }
}

impl Display for Cancel {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "CANCEL {}", job(self.kind))?;
        match &self.target {
            Some(CancelTarget::Database { name, .. }) => write!(f, " FROM {name}"),
            Some(CancelTarget::ExternalCatalog { .. }) => f.write_str(" FOR EXTERNAL CATALOG"),
            None => Ok(()),
        }
    }
}

impl Display for Limit {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "LIMIT {}", self.count)?;
        if let Some(o) = self.offset {
            write!(f, " OFFSET {o}")?;
        }
        Ok(())
    }
}

fn order_limit(
    f: &mut Formatter<'_>,
    order: Option<&RawExpr>,
    limit: Option<&Limit>,
) -> fmt::Result {
    if let Some(o) = order {
        write!(f, " ORDER BY {o}")?;
    }
    if let Some(l) = limit {
        write!(f, " {l}")?;
    }
    Ok(())
}

impl Display for ShowFilters {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if let Some(w) = &self.where_ {
            write!(f, " WHERE {w}")?;
        }
        order_limit(f, self.order_by.as_ref(), self.limit.as_ref())
    }
}

impl Display for ShowJobs {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "SHOW {}", job(self.kind))?;
        if let Some(db) = &self.database {
            write!(f, " FROM {db}")?;
        }
        write!(f, "{}", self.filters)
    }
}

impl Display for SnapshotFilter {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            SnapshotFilter::Equals(eqs) => {
                for (i, e) in eqs.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" AND ")?;
                    }
                    let col = match e.column {
                        SnapshotColumn::Snapshot => "SNAPSHOT",
                        SnapshotColumn::Timestamp => "TIMESTAMP",
                    };
                    write!(f, "{col} = {}", e.value)?;
                }
                Ok(())
            }
            SnapshotFilter::In(values) => {
                f.write_str("SNAPSHOT IN (")?;
                join(f, values)?;
                f.write_char(')')
            }
            SnapshotFilter::Raw(raw) => write!(f, "{raw}"),
        }
    }
}

impl Display for ShowSnapshot {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "SHOW SNAPSHOT ON {}", self.repository)?;
        if let Some(w) = &self.filter {
            write!(f, " WHERE {w}")?;
        }
        order_limit(f, self.order_by.as_ref(), self.limit.as_ref())
    }
}

impl Display for ShowRepositories {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "SHOW REPOSITORIES{}", self.filters)
    }
}

impl Display for ShowPartitions {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("SHOW ")?;
        if self.temporary {
            f.write_str("TEMPORARY ")?;
        }
        write!(f, "PARTITIONS FROM {}{}", self.table, self.filters)
    }
}

impl Display for CreateRepository {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("CREATE ")?;
        if self.read_only {
            f.write_str("READ ONLY ")?;
        }
        write!(f, "REPOSITORY {}", self.name)?;
        sep(f)?;
        f.write_str("WITH BROKER")?;
        if let Some(b) = &self.broker {
            write!(f, " {b}")?;
        }
        sep(f)?;
        write!(f, "ON LOCATION {}", self.location)?;
        tail(f, self.properties.as_ref())
    }
}

impl Display for DropRepository {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "DROP REPOSITORY {}", self.name)
    }
}

impl Display for DropSnapshot {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "DROP SNAPSHOT {} ON {}", self.snapshot, self.repository)?;
        if self.force {
            f.write_str(" FORCE")?;
        }
        Ok(())
    }
}

impl Display for Alter {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let what = match self.target {
            AlterTarget::Table => "TABLE",
            AlterTarget::MaterializedView => "MATERIALIZED VIEW",
        };
        write!(f, "ALTER {what} {} ", self.name)?;
        match &self.action {
            AlterAction::SwapWith(t) => write!(f, "SWAP WITH {t}"),
            AlterAction::Rename(t) => write!(f, "RENAME {t}"),
            AlterAction::Active => f.write_str("ACTIVE"),
            AlterAction::Inactive => f.write_str("INACTIVE"),
        }
    }
}

impl Display for Statement {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Statement::Backup(s) => s.fmt(f),
            Statement::Restore(s) => s.fmt(f),
            Statement::Cancel(s) => s.fmt(f),
            Statement::ShowJobs(s) => s.fmt(f),
            Statement::ShowSnapshot(s) => s.fmt(f),
            Statement::ShowRepositories(s) => s.fmt(f),
            Statement::ShowPartitions(s) => s.fmt(f),
            Statement::CreateRepository(s) => s.fmt(f),
            Statement::DropRepository(s) => s.fmt(f),
            Statement::DropSnapshot(s) => s.fmt(f),
            Statement::Alter(s) => s.fmt(f),
            Statement::Other { text, .. } => f.write_str(text),
        }
    }
}
