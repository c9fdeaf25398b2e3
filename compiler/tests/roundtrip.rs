//! Property tests: random ASTs survive print → parse unchanged (and printing is idempotent);
//! random text, random bytes and random token soups never panic the parser.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use starsnap_compiler::syntax::ast::*;
use starsnap_compiler::syntax::{
    display_for, parse, parse_bytes, quote_ident, quote_string, Dialect,
};
use starsnap_compiler::Span;

fn ident() -> impl Strategy<Value = Ident> {
    prop_oneof![
        4 => "[a-z_][a-zA-Z0-9_$]{0,8}",
        2 => prop::sample::select(vec![
            "table", "TABLES", "snapshot", "views", "view", "all", "on", "partition", "temporary",
            "materialized", "function", "functions", "as", "from", "catalog", "external", "select",
            "123", "1e5", "1abc", "", " ", "a b", "é", "\u{3000}x", "a`b", "`", "''", "\"",
        ]).prop_map(str::to_string),
        1 => "[0-9][a-z0-9]{0,4}",
        1 => "\\PC{0,6}",
    ]
    .prop_map(Ident::new)
}

fn string() -> impl Strategy<Value = StringLit> {
    prop_oneof![
        "[a-z0-9_. -]{0,10}",
        "\\PC{0,10}",
        prop::sample::select(vec![
            "\\",
            "'",
            "\"",
            "a\\_b",
            "\n\t\r\u{8}\u{0}\u{1a}",
            "''\"\""
        ])
        .prop_map(str::to_string),
    ]
    .prop_map(StringLit::new)
}

fn name(max: usize) -> impl Strategy<Value = ObjectName> {
    prop::collection::vec(ident(), 1..=max).prop_map(ObjectName::new)
}

fn properties() -> impl Strategy<Value = Option<Properties>> {
    prop::option::of(
        prop::collection::vec((string(), string()), 1..4).prop_map(|kv| Properties {
            items: kv
                .into_iter()
                .map(|(key, value)| Property {
                    key,
                    value,
                    span: Span::default(),
                })
                .collect(),
            span: Span::default(),
        }),
    )
}

fn partitions() -> impl Strategy<Value = Option<PartitionSpec>> {
    let names = (any::<bool>(), prop::collection::vec(ident(), 1..4))
        .prop_map(|(temporary, n)| (temporary, PartitionNames::Names(n)));
    let keys = prop::collection::vec(
        (
            ident(),
            prop::sample::select(vec!["'2024-01-01'", "1", "\"x\""]),
        ),
        1..3,
    )
    .prop_map(|k| {
        let keys = k
            .into_iter()
            .map(|(column, v)| KeyPartition {
                column,
                value: RawExpr {
                    text: v.to_string(),
                    span: Span::default(),
                },
                span: Span::default(),
            })
            .collect();
        (false, PartitionNames::Keys(keys))
    });
    prop::option::of(
        prop_oneof![3 => names, 1 => keys].prop_map(|(temporary, names)| PartitionSpec {
            temporary,
            names,
            keyword: Number::Singular,
            parenthesized: true,
            span: Span::default(),
        }),
    )
}

fn kind() -> impl Strategy<Value = ObjectKind> {
    prop::sample::select(vec![
        ObjectKind::Table,
        ObjectKind::View,
        ObjectKind::MaterializedView,
        ObjectKind::Function,
    ])
}

fn item(aliases: bool) -> impl Strategy<Value = ObjectItem> {
    let all = kind().prop_map(|kind| {
        ObjectItem::All(AllObjects {
            kind,
            keyword: Number::Plural,
            span: Span::default(),
        })
    });
    let named = (kind(), name(4), partitions(), prop::option::of(ident())).prop_map(
        move |(kind, name, partitions, alias)| {
            ObjectItem::Named(NamedObject {
                kind,
                keyword: ObjectKeyword::Singular,
                name,
                partitions: if kind == ObjectKind::Table {
                    partitions
                } else {
                    None
                },
                alias: if aliases { alias } else { None },
                span: Span::default(),
            })
        },
    );
    prop_oneof![1 => all, 3 => named]
}

fn on(aliases: bool) -> impl Strategy<Value = Option<ObjectList>> {
    prop::option::of(
        prop::collection::vec(item(aliases), 1..4).prop_map(|items| ObjectList {
            items,
            span: Span::default(),
        }),
    )
}

fn catalogs(aliases: bool) -> impl Strategy<Value = Option<ExternalCatalogs>> {
    let named =
        prop::collection::vec((ident(), prop::option::of(ident())), 1..3).prop_map(move |c| {
            ExternalCatalogs::Named {
                catalogs: c
                    .into_iter()
                    .map(|(name, alias)| CatalogRef {
                        name,
                        alias: if aliases { alias } else { None },
                        span: Span::default(),
                    })
                    .collect(),
                keyword: Number::Plural,
                span: Span::default(),
            }
        });
    prop::option::of(prop_oneof![
        Just(ExternalCatalogs::All {
            span: Span::default()
        }),
        named
    ])
}

fn raw() -> impl Strategy<Value = Option<RawExpr>> {
    prop::option::of(
        prop::sample::select(vec![
            "a = 1",
            "x LIKE 'p%' AND y <> \"q\"",
            "(1 + 2) * 3 > 0",
            "TRUE",
        ])
        .prop_map(|t| RawExpr {
            text: t.to_string(),
            span: Span::default(),
        }),
    )
}

fn limit() -> impl Strategy<Value = Option<Limit>> {
    prop::option::of(
        (any::<u64>(), prop::option::of(any::<u64>())).prop_map(|(count, offset)| Limit {
            count,
            offset,
            span: Span::default(),
        }),
    )
}

fn filters() -> impl Strategy<Value = ShowFilters> {
    (raw(), raw(), limit()).prop_map(|(where_, order_by, limit)| ShowFilters {
        where_,
        order_by,
        limit,
    })
}

fn snapshot_filter() -> impl Strategy<Value = Option<SnapshotFilter>> {
    let col = prop::sample::select(vec![SnapshotColumn::Snapshot, SnapshotColumn::Timestamp]);
    let eqs = prop::collection::vec((col, string()), 1..=2).prop_map(|v| {
        SnapshotFilter::Equals(
            v.into_iter()
                .map(|(column, value)| SnapshotEq {
                    column,
                    value,
                    span: Span::default(),
                })
                .collect(),
        )
    });
    let ins = prop::collection::vec(string(), 1..4).prop_map(SnapshotFilter::In);
    let raws = prop::sample::select(vec![
        "1 = 1",
        "SNAPSHOT = 1",
        "SNAPSHOT LIKE 'a%'",
        "a = 'b' OR c = 'd'",
    ])
    .prop_map(|t| {
        SnapshotFilter::Raw(RawExpr {
            text: t.to_string(),
            span: Span::default(),
        })
    });
    prop::option::of(prop_oneof![eqs, ins, raws])
}

fn statement() -> impl Strategy<Value = Statement> {
    let s = Span::default();
    let backup = (
        catalogs(false),
        prop::option::of(ident()),
        name(3),
        ident(),
        on(false),
        properties(),
    )
        .prop_map(
            move |(catalogs, database, label, repository, on, properties)| {
                Statement::Backup(Backup {
                    catalogs,
                    database,
                    label,
                    repository,
                    on,
                    properties,
                    span: s,
                })
            },
        );
    let restore = (
        name(3),
        ident(),
        catalogs(true),
        prop::option::of((ident(), prop::option::of(ident()))),
        on(true),
        properties(),
    )
        .prop_map(move |(label, repository, catalogs, db, on, properties)| {
            let database = db.map(|(name, alias)| RestoreDatabase {
                name,
                alias,
                span: s,
            });
            Statement::Restore(Restore {
                label,
                repository,
                catalogs,
                database,
                on,
                properties,
                span: s,
            })
        });
    let job = prop::sample::select(vec![JobKind::Backup, JobKind::Restore]);
    let cancel =
        (job.clone(), prop::option::of(prop::option::of(ident()))).prop_map(move |(kind, t)| {
            let target = t.map(|db| match db {
                Some(name) => CancelTarget::Database {
                    name,
                    keyword: FromOrIn::From,
                },
                None => CancelTarget::ExternalCatalog { span: s },
            });
            Statement::Cancel(Cancel {
                kind,
                target,
                span: s,
            })
        });
    let show_jobs =
        (job, prop::option::of(ident()), filters()).prop_map(move |(kind, database, filters)| {
            Statement::ShowJobs(ShowJobs {
                kind,
                database,
                filters,
                span: s,
            })
        });
    let show_snapshot = (ident(), snapshot_filter(), raw(), limit()).prop_map(
        move |(repository, filter, order_by, limit)| {
            Statement::ShowSnapshot(ShowSnapshot {
                repository,
                filter,
                where_span: None,
                order_by,
                limit,
                span: s,
            })
        },
    );
    let show_repos = filters().prop_map(move |filters| {
        Statement::ShowRepositories(ShowRepositories { filters, span: s })
    });
    let show_parts =
        (any::<bool>(), name(2), filters()).prop_map(move |(temporary, table, filters)| {
            Statement::ShowPartitions(ShowPartitions {
                temporary,
                table,
                filters,
                span: s,
            })
        });
    let create = (
        any::<bool>(),
        ident(),
        prop::option::of(ident()),
        string(),
        properties(),
    )
        .prop_map(move |(read_only, name, broker, location, properties)| {
            Statement::CreateRepository(CreateRepository {
                read_only,
                name,
                broker,
                location,
                properties,
                span: s,
            })
        });
    let drop_repo =
        ident().prop_map(move |name| Statement::DropRepository(DropRepository { name, span: s }));
    let drop_snap =
        (ident(), ident(), any::<bool>()).prop_map(move |(snapshot, repository, force)| {
            Statement::DropSnapshot(DropSnapshot {
                snapshot,
                repository,
                force,
                span: s,
            })
        });
    let alter = (any::<bool>(), name(2), ident(), 0..4u8).prop_map(move |(mv, name, other, a)| {
        let target = if mv {
            AlterTarget::MaterializedView
        } else {
            AlterTarget::Table
        };
        let action = match (a, mv) {
            (0, true) => AlterAction::Active,
            (1, true) => AlterAction::Inactive,
            (0 | 2, _) => AlterAction::SwapWith(other),
            _ => AlterAction::Rename(other),
        };
        Statement::Alter(Alter {
            target,
            name,
            action,
            span: s,
        })
    });
    prop_oneof![
        4 => backup, 4 => restore, 1 => cancel, 1 => show_jobs, 1 => show_snapshot,
        1 => show_repos, 1 => show_parts, 1 => create, 1 => drop_repo, 1 => drop_snap, 1 => alter,
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn printed_ast_parses_back_equal(stmt in statement()) {
        for printed in [stmt.to_string(), format!("{stmt:#}")] {
            let p = parse(&printed, Dialect::StarRocks4_2);
            prop_assert_eq!(p.statements.len(), 1, "{}", printed);
            let back = p.statements[0].statement.clone();
            prop_assert_eq!(back.as_ref(), Some(&stmt), "{}\n{:#?}", printed, p.diagnostics);
            let back = back.unwrap();
            prop_assert_eq!(back.to_string(), stmt.to_string());
        }
    }

    #[test]
    fn sql_for_every_dialect_parses_back_equal(stmt in statement()) {
        for d in Dialect::ALL {
            let printed = display_for(&stmt, d).to_string();
            let p = parse(&printed, d);
            prop_assert_eq!(p.statements[0].statement.as_ref(), Some(&stmt), "{}", printed);
        }
    }

    #[test]
    fn quoted_identifiers_and_strings_read_back(s in "\\PC{0,12}") {
        let src = format!("SHOW BACKUP FROM {}", quote_ident(&s));
        let Some(Statement::ShowJobs(j)) = parse(&src, Dialect::StarRocks3_4).statements[0].statement.clone() else {
            panic!("{src}")
        };
        prop_assert_eq!(j.database.unwrap(), Ident::new(s.clone()));
        let src = format!("SHOW SNAPSHOT ON r WHERE SNAPSHOT = {}", quote_string(&s));
        let Some(Statement::ShowSnapshot(sn)) = parse(&src, Dialect::StarRocks3_4).statements[0].statement.clone() else {
            panic!("{src}")
        };
        prop_assert_eq!(sn.filter, Some(SnapshotFilter::Equals(vec![SnapshotEq {
            column: SnapshotColumn::Snapshot, value: StringLit::new(s), span: Span::default() }])));
    }

    #[test]
    fn random_text_never_panics(s in "\\PC{0,200}") {
        let _ = parse(&s, Dialect::StarRocks3_4);
    }

    #[test]
    fn random_bytes_never_panic(b in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = parse_bytes(&b, Dialect::StarRocks3_3);
    }

    #[test]
    fn token_soup_never_panics(words in prop::collection::vec(prop::sample::select(vec![
        "BACKUP", "RESTORE", "SNAPSHOT", "DATABASE", "TO", "FROM", "ON", "(", ")", ",", ".", ";",
        "ALL", "EXTERNAL", "CATALOG", "CATALOGS", "TABLE", "VIEW", "MATERIALIZED", "FUNCTION",
        "PARTITION", "TEMPORARY", "AS", "PROPERTIES", "'k'", "=", "\"v\"", "t", "`x`", "SHOW",
        "WHERE", "ORDER", "BY", "LIMIT", "1", "CANCEL", "FOR", "CREATE", "REPOSITORY", "WITH",
        "BROKER", "LOCATION", "DROP", "ALTER", "SWAP", "RENAME", "FORCE", "AND", "IN", "--", "/*",
    ]), 0..30)) {
        let src = words.join(" ");
        for d in Dialect::ALL {
            let _ = parse(&src, d);
        }
    }
}
