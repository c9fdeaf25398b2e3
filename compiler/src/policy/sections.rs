//! Reading each section of `starsnap.toml` into the model (`grammar/policy.md` documents every
//! key). Wrong values are reported and replaced by defaults so the rest is still checked.

use toml::de::{DeTable, DeValue};

use super::reader::{span_of, Sink, Table};
use super::*;
use crate::lint::rules::inline_secret::is_secret_key;

const TOP: &[&str] = &[
    "cluster",
    "state",
    "repository",
    "group",
    "statement",
    "lint",
];
const CLUSTER: &[&str] = &[
    "host",
    "port",
    "user",
    "password_env",
    "tls",
    "connect_timeout",
];
const TLS: &[&str] = &["mode", "ca_file"];
const STATE: &[&str] = &["database", "url", "password_env", "tls"];
const REPOSITORY: &[&str] = &["location", "broker", "read_only", "properties"];
const GROUP: &[&str] = &[
    "include",
    "exclude",
    "materialized_views",
    "views",
    "functions",
    "external_catalogs",
    "repository",
    "full_every",
    "incremental",
    "max_chain_length",
    "label",
    "job_timeout",
    "max_partitions_per_job",
    "keep",
    "min_chains",
    "ttl",
];
const KEEP: &[&str] = &["last", "daily", "weekly", "monthly", "within"];
const STATEMENT: &[&str] = &["file"];
const LINT: &[&str] = &["dialect", "severity"];

pub(super) fn read(doc: &DeTable<'_>, span: Span) -> (Policy, Vec<Diagnostic>) {
    let sink = Sink::default();
    let top = Table::new(doc, span, String::new(), &sink);
    let cluster = top.table("cluster").map(|t| cluster(&t, &sink));
    let state = top
        .table("state")
        .map(|t| state(&t, &sink))
        .unwrap_or_default();
    let mut repositories = Vec::new();
    if let Some(t) = top.table("repository") {
        for (name, key_span, v) in t.entries() {
            if let Some(rt) = t.as_table(&name, v) {
                repositories.push(repository(&rt, name, key_span, &sink));
            }
        }
    }
    let mut groups = Vec::new();
    if let Some(t) = top.table("group") {
        for (name, key_span, v) in t.entries() {
            if let Some(gt) = t.as_table(&name, v) {
                if let Some(g) = group(&gt, name, key_span, &repositories, &sink) {
                    groups.push(g);
                }
            }
        }
    }
    let statements = statements(&top, &sink);
    let lint = top
        .table("lint")
        .map(|t| lint(&t, &sink))
        .unwrap_or_default();
    top.finish(TOP);
    repositories.sort_by(|a, b| a.name.cmp(&b.name));
    groups.sort_by(|a, b| a.name.cmp(&b.name));
    let policy = Policy {
        cluster,
        state,
        repositories,
        groups,
        statements,
        lint,
    };
    (policy, sink.diagnostics.into_inner())
}

/// StarRocks's repository-name format: `^[a-zA-Z]\w{0,63}$|^_[a-zA-Z0-9]\w{0,62}$`.
fn is_repository_name(name: &str) -> bool {
    let b = name.as_bytes();
    let word = |c: &u8| c.is_ascii_alphanumeric() || *c == b'_';
    match b {
        [first, rest @ ..] if first.is_ascii_alphabetic() => {
            rest.len() <= 63 && rest.iter().all(word)
        }
        [b'_', second, rest @ ..] if second.is_ascii_alphanumeric() => {
            rest.len() <= 62 && rest.iter().all(word)
        }
        _ => false,
    }
}

fn invalid(sink: &Sink, span: Span, message: String, help: &str) {
    sink.push(Diagnostic::error(codes::INVALID_VALUE, span, message).with_help(help.to_string()));
}

/// An environment-variable name key (`password_env`).
fn env_name(t: &Table<'_, '_>, key: &str, sink: &Sink) -> Option<String> {
    let (name, span) = t.string(key)?;
    let name = name
        .strip_prefix("${")
        .and_then(|n| n.strip_suffix('}'))
        .map(str::to_string)
        .unwrap_or(name);
    if is_env_name(&name) {
        Some(name)
    } else {
        sink.push(
            Diagnostic::error(
                codes::INLINE_SECRET,
                span,
                format!("`{}.{key}` must name an environment variable, not hold the secret", t.path),
            )
            .with_help("write the variable's name, e.g. `password_env = \"STARROCKS_PASSWORD\"`; rotate the secret if this file was ever committed"),
        );
        None
    }
}

fn cluster(t: &Table<'_, '_>, sink: &Sink) -> ClusterConfig {
    let host = t.string("host").map(|(h, _)| h);
    if host.is_none() && t.get("host").is_none() {
        t.missing(
            "host",
            "the frontend's host name, e.g. `host = \"starrocks-fe.internal\"`",
        );
    }
    let port = t
        .integer("port", 1, 65_535)
        .map(|(p, _)| p as u16)
        .unwrap_or(9030);
    let user = t.string("user").map(|(u, _)| u);
    if user.is_none() && t.get("user").is_none() {
        t.missing(
            "user",
            "the user starsnap connects as, e.g. `user = \"starsnap\"`",
        );
    }
    let password_env = env_name(t, "password_env", sink);
    let tls = t.table("tls").map(|tt| tls(&tt, sink));
    let connect_timeout_secs = t.duration("connect_timeout").map(|(s, _)| s).unwrap_or(10);
    t.finish(CLUSTER);
    ClusterConfig {
        host: host.unwrap_or_default(),
        port,
        user: user.unwrap_or_default(),
        password_env,
        tls: tls.unwrap_or_default(),
        connect_timeout_secs,
    }
}

/// `[cluster.tls]` / `[state.tls]`: `mode` and `ca_file`.
fn tls(tt: &Table<'_, '_>, sink: &Sink) -> TlsConfig {
    let mode = match tt.string("mode") {
        Some((m, span)) => TlsMode::parse(&m).unwrap_or_else(|| {
            invalid(
                sink,
                span,
                format!("unknown TLS mode `{m}`"),
                "use one of disabled, required, verify_ca, verify_identity",
            );
            TlsMode::Disabled
        }),
        None => TlsMode::Disabled,
    };
    let ca_file = tt.string("ca_file").map(|(f, _)| f);
    tt.finish(TLS);
    TlsConfig { mode, ca_file }
}

fn state(t: &Table<'_, '_>, sink: &Sink) -> StateConfig {
    let mut s = StateConfig::default();
    if let Some(tt) = t.table("tls") {
        s.tls = tls(&tt, sink);
    }
    if let Some((db, span)) = t.string("database") {
        if db.is_empty() {
            invalid(
                sink,
                span,
                "`state.database` is empty".into(),
                "name the database, e.g. `starsnap`",
            );
        } else if !crate::validate::names::is_valid_database_name(&db) {
            invalid(
                sink,
                span,
                format!(
                    "`state.database` `{}` is not a name StarRocks accepts",
                    db.escape_debug()
                ),
                "a letter (or `_` and a letter or digit), then letters, digits, `_` and `-~!@#$%^&<>=+`, at most 256 in all (StarRocks's FeNameFormat.DB_NAME_REGEX)",
            );
        } else {
            s.database = db;
        }
    }
    if let Some((url, span)) = t.string("url") {
        let authority = url.split_once("://").map(|(_, rest)| rest).unwrap_or("");
        let userinfo = authority
            .split('/')
            .next()
            .unwrap_or("")
            .rsplit_once('@')
            .map(|(u, _)| u);
        if !url.starts_with("mysql://") {
            invalid(
                sink,
                span,
                format!("`state.url` must be a mysql:// URL, not `{url}`"),
                "e.g. `url = \"mysql://starsnap@state-db:3306\"`",
            );
        } else if userinfo.is_some_and(|u| u.contains(':')) {
            sink.push(
                Diagnostic::error(
                    codes::INLINE_SECRET,
                    span,
                    "`state.url` holds a password inline",
                )
                .with_help(
                    "remove the password from the URL and name its variable with `password_env`",
                ),
            );
        } else {
            s.url = Some(url);
        }
    }
    s.password_env = env_name(t, "password_env", sink);
    t.finish(STATE);
    s
}

fn repository(t: &Table<'_, '_>, name: String, span: Span, sink: &Sink) -> RepositoryConfig {
    if !is_repository_name(&name) {
        invalid(
            sink,
            span,
            format!("`{name}` is not a valid StarRocks repository name"),
            "repository names start with a letter and hold letters, digits and `_` (at most 64)",
        );
    }
    let location = t.string("location").and_then(|(l, lspan)| {
        if l.trim().is_empty() {
            invalid(
                sink,
                lspan,
                format!("`repository.{name}.location` is empty"),
                "where snapshots are stored, e.g. `location = \"s3://bucket/starsnap\"`",
            );
            None
        } else if l.contains("${") {
            // A location is shown by SHOW REPOSITORIES and written into plans and catalogs:
            // a secret substituted there would leak everywhere.
            invalid(
                sink,
                lspan,
                format!("`repository.{name}.location` references an environment variable"),
                "a location is not secret (SHOW REPOSITORIES shows it): write it out; secrets belong in `properties`, as \"${NAME}\"",
            );
            None
        } else {
            Some(l)
        }
    });
    if location.is_none() && t.get("location").is_none() {
        t.missing(
            "location",
            "where snapshots are stored, e.g. `location = \"s3://bucket/starsnap\"`",
        );
    }
    let broker = t.string("broker").map(|(b, _)| b);
    let read_only = t.boolean("read_only").unwrap_or(false);
    let mut properties = Vec::new();
    if let Some(pt) = t.table("properties") {
        for (key, key_span, v) in pt.entries() {
            let DeValue::String(value) = v.get_ref() else {
                sink.push(Diagnostic::error(
                    codes::WRONG_TYPE,
                    span_of(v),
                    format!(
                        "`{}.{key}` must be a string, not {}",
                        pt.path,
                        v.get_ref().type_str()
                    ),
                ));
                continue;
            };
            let value_span = span_of(v);
            let trimmed = value.trim();
            if let Some(inner) = trimmed.strip_prefix("${").and_then(|r| r.strip_suffix('}')) {
                if is_env_name(inner) {
                    properties.push((key, PropertyValue::Env(inner.to_string())));
                } else {
                    invalid(
                        sink,
                        value_span,
                        format!("`{inner}` is not an environment-variable name"),
                        "write `${NAME}` with NAME made of letters, digits and `_`",
                    );
                }
            } else if is_secret_key(&key) && !trimmed.is_empty() {
                let env: String = key
                    .chars()
                    .map(|c| {
                        if c.is_ascii_alphanumeric() {
                            c.to_ascii_uppercase()
                        } else {
                            '_'
                        }
                    })
                    .collect();
                sink.push(
                    Diagnostic::error(codes::INLINE_SECRET, value_span, format!("property `{key}` holds a secret inline"))
                        .with_label(key_span, "this key names a secret")
                        .with_help(format!("reference an environment variable instead: \"{key}\" = \"${{{env}}}\"; rotate the secret if this file was ever committed")),
                );
            } else {
                properties.push((key, PropertyValue::Literal(value.to_string())));
            }
        }
    }
    t.finish(REPOSITORY);
    properties.sort_by(|a, b| a.0.cmp(&b.0));
    RepositoryConfig {
        name,
        location: location.unwrap_or_default(),
        broker,
        read_only,
        properties,
        span,
    }
}

fn patterns(t: &Table<'_, '_>, key: &str, sink: &Sink) -> Vec<Pattern> {
    let mut out = Vec::new();
    for (text, span) in t.strings(key).unwrap_or_default() {
        match Pattern::parse(&text, span) {
            Ok(p) => out.push(p),
            Err(msg) => sink.push(
                Diagnostic::error(codes::BAD_PATTERN, span, msg)
                    .with_help("patterns are `database.table`; `*` matches any run of characters and `?` one character"),
            ),
        }
    }
    out
}

fn group(
    t: &Table<'_, '_>,
    name: String,
    span: Span,
    repositories: &[RepositoryConfig],
    sink: &Sink,
) -> Option<GroupConfig> {
    let name_ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if !name_ok {
        invalid(
            sink,
            span,
            format!("group name `{name}` cannot be part of a snapshot label"),
            "group names hold letters, digits, `_`, `-` and `.`",
        );
    }
    let include = patterns(t, "include", sink);
    match t.get("include") {
        None => t.missing(
            "include",
            "list the tables to back up, e.g. `include = [\"sales.*\"]`",
        ),
        Some(v) if matches!(v.get_ref(), DeValue::Array(a) if a.is_empty()) => invalid(
            sink,
            span_of(v),
            format!("`group.{name}.include` is empty: the group backs up nothing"),
            "list the tables to back up, e.g. `include = [\"sales.*\"]`, or remove the group",
        ),
        Some(_) => {}
    }
    let exclude = patterns(t, "exclude", sink);
    let repository = t.string("repository");
    match &repository {
        None if t.get("repository").is_none() => t.missing(
            "repository",
            "name a `[repository.NAME]` declared in this file",
        ),
        Some((r, rspan)) if !repositories.iter().any(|d| &d.name == r) => sink.push(
            Diagnostic::error(
                codes::UNDECLARED_REPOSITORY,
                *rspan,
                format!("repository `{r}` is not declared"),
            )
            .with_help(format!(
                "declare it with a `[repository.{r}]` section (location, properties)"
            )),
        ),
        _ => {}
    }
    let max_chain_length = t
        .integer("max_chain_length", 1, 10_000)
        .map(|(n, _)| n as u32)
        .unwrap_or(30);
    let label = match t.string("label") {
        Some((text, lspan)) => match LabelTemplate::parse(&text) {
            Ok(l) => l,
            Err(msg) => {
                sink.push(Diagnostic::error(codes::BAD_LABEL_TEMPLATE, lspan, msg));
                LabelTemplate::parse(DEFAULT_LABEL).ok()?
            }
        },
        None => LabelTemplate::parse(DEFAULT_LABEL).ok()?,
    };
    let job_timeout_secs = match t.duration("job_timeout") {
        Some((secs, jspan)) if secs < 600 => {
            invalid(
                sink,
                jspan,
                "`job_timeout` is below StarRocks's minimum of 10 minutes".into(),
                "use at least `10m`",
            );
            86_400
        }
        Some((secs, _)) => secs,
        None => 86_400,
    };
    let ttl = ttl(t, sink);
    let g = GroupConfig {
        include,
        exclude,
        materialized_views: t.boolean("materialized_views").unwrap_or(true),
        views: t.boolean("views").unwrap_or(true),
        functions: t.boolean("functions").unwrap_or(true),
        external_catalogs: t.strings("external_catalogs").unwrap_or_default(),
        repository_span: repository.as_ref().map(|r| r.1).unwrap_or(span),
        repository: repository.map(|r| r.0).unwrap_or_default(),
        full_every_secs: t
            .duration("full_every")
            .map(|(s, _)| s)
            .unwrap_or(7 * 86_400),
        incremental: t.boolean("incremental").unwrap_or(true),
        max_chain_length,
        label,
        job_timeout_secs,
        max_partitions_per_job: t
            .integer("max_partitions_per_job", 1, 1_000_000)
            .map(|(n, _)| n as u32),
        retention: retention(t, &name, sink),
        ttl_secs: ttl.map(|(s, _)| s),
        ttl_span: ttl.map_or(span, |(_, s)| s),
        name,
        span,
    };
    t.finish(GROUP);
    Some(g)
}

/// `keep = { … }` and `min_chains` of a group.
fn retention(t: &Table<'_, '_>, name: &str, sink: &Sink) -> Option<Retention> {
    let min_chains = t
        .integer("min_chains", 1, 1_000)
        .map(|(n, s)| (n as u32, s));
    let Some(k) = t.table("keep") else {
        if let Some((_, mspan)) = min_chains {
            invalid(
                sink,
                mspan,
                format!("`group.{name}.min_chains` without `keep`: nothing expires, so there is no minimum to keep"),
                "add keep rules, e.g. `keep = { daily = 7, weekly = 4 }`",
            );
        }
        return None;
    };
    let count = |key: &str| k.integer(key, 1, 100_000).map(|(n, _)| n as u32);
    let keep = KeepRules {
        last: count("last"),
        daily: count("daily"),
        weekly: count("weekly"),
        monthly: count("monthly"),
        within_secs: match k.duration("within") {
            Some((0, wspan)) => {
                invalid(
                    sink,
                    wspan,
                    format!("`group.{name}.keep.within` must be longer than zero"),
                    "e.g. `within = \"30d\"`",
                );
                None
            }
            Some((secs, _)) => Some(secs),
            None => None,
        },
    };
    k.finish(KEEP);
    let span = t.get("keep").map(span_of).unwrap_or_default();
    if keep.is_empty() {
        invalid(
            sink,
            span,
            format!("`group.{name}.keep` has no rule: every set would expire"),
            "set at least one of last, daily, weekly, monthly, within",
        );
        return None;
    }
    Some(Retention {
        keep,
        min_chains: min_chains.map(|(n, _)| n).unwrap_or(1),
        span,
    })
}

/// `ttl`: a duration StarRocks 4.2 keeps each snapshot of the group for.
fn ttl(t: &Table<'_, '_>, sink: &Sink) -> Option<(u64, Span)> {
    match t.duration("ttl")? {
        (0, span) => {
            invalid(
                sink,
                span,
                "`ttl` must be a positive duration (StarRocks rejects `0 DAY`)".into(),
                "e.g. `ttl = \"30d\"`, or leave `ttl` out to keep snapshots until starsnap expires them",
            );
            None
        }
        (secs, span) => Some((secs, span)),
    }
}

fn statements(top: &Table<'_, '_>, sink: &Sink) -> Vec<StatementEntry> {
    let Some(v) = top.get("statement") else {
        return Vec::new();
    };
    let DeValue::Array(items) = v.get_ref() else {
        sink.push(
            Diagnostic::error(
                codes::WRONG_TYPE,
                span_of(v),
                "`statement` must be an array of tables: write `[[statement]]`",
            )
            .with_help("each entry is `[[statement]]` followed by `file = \"sql/…\"`"),
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items.iter() {
        let Some(st) = top.as_table("statement", item) else {
            continue;
        };
        match st.string("file") {
            Some((file, span)) if !file.is_empty() => match statement_path_problem(&file) {
                None => out.push(StatementEntry { file, span }),
                Some(problem) => sink.push(
                    Diagnostic::error(
                        codes::STATEMENT_FILE_REFUSED,
                        span,
                        format!("statement file `{}` is refused: {problem}", file.escape_debug()),
                    )
                    .with_help("statement files are relative paths inside the policy file's folder, e.g. `sql/restore_orders.sql`"),
                ),
            },
            Some((_, span)) => invalid(
                sink,
                span,
                "`statement.file` is empty".into(),
                "name a SQL file relative to starsnap.toml",
            ),
            None if st.get("file").is_none() => st.missing(
                "file",
                "name a SQL file, e.g. `file = \"sql/restore_orders.sql\"`",
            ),
            None => {}
        }
        st.finish(STATEMENT);
    }
    out
}

fn lint(t: &Table<'_, '_>, sink: &Sink) -> LintConfig {
    let mut cfg = LintConfig::default();
    if let Some((d, span)) = t.string("dialect") {
        match d.parse::<Dialect>() {
            Ok(dialect) => cfg.dialect = Some(dialect),
            Err(_) => sink.push(
                Diagnostic::error(codes::BAD_LINT_SETTING, span, format!("unknown dialect `{d}`"))
                    .with_help("use starrocks-3.3, starrocks-3.4, starrocks-3.5, starrocks-4.0, starrocks-4.1 or starrocks-4.2"),
            ),
        }
    }
    if let Some(st) = t.table("severity") {
        for (code, key_span, v) in st.entries() {
            let DeValue::String(level) = v.get_ref() else {
                sink.push(Diagnostic::error(
                    codes::WRONG_TYPE,
                    span_of(v),
                    format!("`lint.severity.{code}` must be a string"),
                ));
                continue;
            };
            let mut probe = crate::lint::LintOptions::new(Dialect::default());
            match Level::parse(level) {
                None => sink.push(
                    Diagnostic::error(
                        codes::BAD_LINT_SETTING,
                        span_of(v),
                        format!("unknown severity `{level}`"),
                    )
                    .with_help("use off, info, warning or error"),
                ),
                Some(l) => match probe.set_level(&code, l) {
                    Ok(()) => cfg.severity.push((code, l)),
                    Err(e) => sink.push(Diagnostic::error(
                        codes::BAD_LINT_SETTING,
                        key_span,
                        e.to_string(),
                    )),
                },
            }
        }
    }
    t.finish(LINT);
    cfg.severity.sort_by(|a, b| a.0.cmp(&b.0));
    cfg
}

#[cfg(test)]
mod tests {
    use super::super::parse;

    #[test]
    fn duplicate_tables_are_a_toml_error() {
        let (p, d) = parse("[group.a]\n[group.a]\n");
        assert!(p.is_none());
        assert_eq!(d[0].code, "P001");
    }

    #[test]
    fn statement_must_be_array_of_tables() {
        let (_, d) = parse("statement = \"x.sql\"\n");
        assert_eq!(d[0].code, "P003");
    }

    #[test]
    fn statement_files_stay_inside_the_policy_folder() {
        for bad in [
            "/proc/self/environ",
            "../secrets.sql",
            "sql/../../x.sql",
            "sql\\..\\..\\x.sql",
            "C:/x.sql",
            "\\\\server\\x.sql",
            "a\u{1b}[2J.sql",
        ] {
            let text = format!("[[statement]]\nfile = {}\n", toml_string(bad));
            let (p, d) = parse(&text);
            assert_eq!(d.len(), 1, "{bad}: {d:?}");
            assert_eq!(d[0].code, "P013", "{bad}");
            assert_eq!(&text[d[0].span.start..d[0].span.end], toml_string(bad));
            assert!(p.is_some_and(|p| p.statements.is_empty()));
        }
        for good in ["sql/a.sql", "a.sql", "./sql/x..y.sql", "~/x.sql"] {
            let (p, d) = parse(&format!("[[statement]]\nfile = \"{good}\"\n"));
            assert!(d.is_empty(), "{good}: {d:?}");
            assert_eq!(p.map(|p| p.statements.len()), Some(1));
        }
    }

    fn toml_string(s: &str) -> String {
        let mut out = String::from("\"");
        for c in s.chars() {
            match c {
                '"' | '\\' => {
                    out.push('\\');
                    out.push(c);
                }
                c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
                c => out.push(c),
            }
        }
        out.push('"');
        out
    }

    #[test]
    fn state_server_tls() {
        let (p, d) = parse(
            "[state]\nurl = \"mysql://starsnap@db:3306\"\n[state.tls]\nmode = \"verify_ca\"\nca_file = \"ca.pem\"\n",
        );
        assert!(d.is_empty(), "{d:?}");
        let tls = p.map(|p| p.state.tls).unwrap_or_default();
        assert_eq!(tls.mode, super::TlsMode::VerifyCa);
        assert_eq!(tls.ca_file.as_deref(), Some("ca.pem"));
        let (_, d) = parse("[state.tls]\nmode = \"sometimes\"\n");
        assert_eq!(d.len(), 1, "{d:?}");
    }
}
