//! Planner scenarios (`testdata/plan/<scenario>/`): one insta snapshot per scenario holding the
//! text rendering and the canonical plan JSON (or the rendered findings), plus assertions
//! that pin what each scenario is about, so a wrong snapshot cannot be accepted silently.

mod plan_common;

use starsnap_compiler::catalog::BackupKind;
use starsnap_compiler::plan::{self, render, Action, Plan, Reason};

fn build(name: &str) -> Plan {
    let inputs = plan_common::load(name);
    match plan::build(&inputs) {
        Ok(p) => {
            let text = render::text(&p.plan);
            let json = plan::to_canonical_json(&p.plan);
            let warnings = plan_common::render_scenario(name, &inputs, &p.warnings);
            insta::assert_snapshot!(name, format!("{warnings}{text}\n{json}"));
            p.plan
        }
        Err(files) => panic!(
            "{name}: {}",
            plan_common::render_scenario(name, &inputs, &files)
        ),
    }
}

fn backups(p: &Plan) -> Vec<&plan::Step> {
    p.steps
        .iter()
        .filter(|s| s.action() == Action::Backup)
        .collect()
}

fn partitions(step: &plan::Step) -> Vec<String> {
    step.objects()
        .iter()
        .flat_map(|o| {
            o.partitions
                .iter()
                .map(move |p| format!("{}.{}", o.name, p.name))
        })
        .collect()
}

#[test]
fn first_full() {
    let p = build("first_full");
    assert_eq!(p.steps[0].action(), Action::CreateRepository);
    assert_eq!(p.steps[0].reason, Reason::RepositoryMissing);
    assert!(p.steps[0].sql.contains("${AWS_SECRET_ACCESS_KEY}"));
    let b = backups(&p);
    assert_eq!(b.len(), 1);
    assert_eq!(b[0].kind(), Some(BackupKind::Full));
    assert_eq!(b[0].reason, Reason::FirstFull);
    assert_eq!(
        b[0].depends_on,
        vec!["create_repository/s3_main".to_string()]
    );
    assert!(b[0].sql.contains("VIEW v_daily"), "{}", b[0].sql);
    assert_eq!(
        render::summary_line(&p),
        "Plan: 1 backup (1 full), 1 repository to create."
    );
}

#[test]
fn incremental_3_of_365() {
    let p = build("incremental_3_of_365");
    let b = backups(&p);
    assert_eq!(b.len(), 1);
    assert_eq!(b[0].kind(), Some(BackupKind::Incremental));
    assert_eq!(b[0].reason, Reason::PartitionsChanged);
    assert_eq!(b[0].parent(), Some("nightly-sales-20261120-040000-full"));
    assert_eq!(
        partitions(b[0]),
        ["events.p20250101", "events.p20250630", "events.p20251231"]
    );
    assert_eq!(p.observed.partitions.len(), 3);
    assert_eq!(p.observed.tables.len(), 3);
}

#[test]
fn nothing_changed() {
    let p = build("nothing_changed");
    assert!(p.steps.is_empty());
    assert!(!p.has_changes());
    assert!(render::summary_line(&p).starts_with("No changes."));
}

#[test]
fn new_partition() {
    let p = build("new_partition");
    let b = backups(&p);
    assert_eq!(partitions(b[0]), ["events.p20260101"]);
    assert_eq!(b[0].objects()[0].partitions[0].previous, None);
}

#[test]
fn dropped_partition() {
    let b = build("dropped_partition");
    assert_eq!(backups(&b)[0].reason, Reason::PartitionDropped);
    assert_eq!(backups(&b)[0].kind(), Some(BackupKind::Full));
}

#[test]
fn replaced_partition() {
    let b = build("replaced_partition");
    assert_eq!(backups(&b)[0].reason, Reason::PartitionReplaced);
}

#[test]
fn schema_change() {
    let b = build("schema_change");
    assert_eq!(backups(&b)[0].reason, Reason::SchemaChanged);
    assert!(backups(&b)[0].detail.contains("customers"));
}

#[test]
fn new_table_pattern() {
    let p = build("new_table_pattern");
    let b = backups(&p);
    assert_eq!(b[0].kind(), Some(BackupKind::Incremental));
    assert_eq!(
        b[0].parent(),
        Some("nightly-sales-20261121-040000-incremental")
    );
    assert_eq!(partitions(b[0]), ["returns.p20250101", "returns.p20250102"]);
}

#[test]
fn full_due() {
    let p = build("full_due");
    assert_eq!(backups(&p)[0].reason, Reason::FullDue);
}

#[test]
fn chain_full() {
    let p = build("chain_full");
    assert_eq!(backups(&p)[0].reason, Reason::ChainFull);
}

#[test]
fn several_databases() {
    let p = build("several_databases");
    let b = backups(&p);
    let summary: Vec<(String, Option<BackupKind>)> = b
        .iter()
        .map(|s| {
            (
                s.database().map(str::to_string).unwrap_or_default(),
                s.kind(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("crm".to_string(), Some(BackupKind::Full)),
            ("sales".to_string(), Some(BackupKind::Incremental)),
        ]
    );
    assert!(b[0].sql.contains("ALL FUNCTIONS"), "{}", b[0].sql);
    assert!(b[0].sql.contains("MATERIALIZED VIEW mv_contacts_by_day"));
    assert!(!p.observed.tables.iter().any(|t| t.table == "scratch"));
}

#[test]
fn chunking() {
    let p = build("chunking");
    let b = backups(&p);
    assert_eq!(b.len(), 4);
    for (i, s) in b.iter().enumerate() {
        let chunk = s.chunk().expect("chunked");
        assert_eq!((chunk.index, chunk.count), (i as u32 + 1, 4));
        let n: u64 = s.objects().iter().map(|o| o.partition_count).sum();
        assert!(n <= 100, "chunk {i} has {n} partitions");
        if i > 0 {
            assert_eq!(s.depends_on, vec![b[i - 1].id.clone()]);
        }
    }
    let total: u64 = b
        .iter()
        .flat_map(|s| s.objects())
        .map(|o| o.partition_count)
        .sum();
    assert_eq!(total, 366);
}

#[test]
fn chunking_incremental() {
    let p = build("chunking_incremental");
    let b = backups(&p);
    assert_eq!(b.len(), 3);
    assert!(b
        .iter()
        .all(|s| s.parent() == Some("nightly-sales-20261120-040000-full")));
    let total: usize = b.iter().map(|s| partitions(s).len()).sum();
    assert_eq!(total, 250);
}

#[test]
fn handwritten() {
    let p = build("handwritten");
    let actions: Vec<Action> = p.steps.iter().map(|s| s.action()).collect();
    assert_eq!(actions, [Action::Backup, Action::Sql, Action::Sql]);
    let statements: Vec<Option<Action>> = p
        .steps
        .iter()
        .map(|s| match &s.op {
            starsnap_compiler::plan::Op::Sql(q) => Some(q.statement),
            _ => None,
        })
        .collect();
    assert_eq!(
        statements,
        [None, Some(Action::Restore), Some(Action::Swap)]
    );
    assert!(p.steps[1].destructive() && p.steps[2].destructive());
    assert_eq!(p.steps[2].depends_on, vec![p.steps[1].id.clone()]);
    assert_eq!(p.steps[1].source().as_ref().map(|s| s.line), Some(2));
    let text = render::text(&p);
    let restore = text.find("-/+ sql restore").expect("restore shown");
    let backup = text.find("  + backup").expect("backup shown");
    assert!(restore < backup, "destructive steps come first");
}

#[test]
fn err_catalog_checks() {
    let inputs = plan_common::load("err_catalog_checks");
    let files = match plan::build(&inputs) {
        Ok(_) => panic!("catalog checks must fail the plan"),
        Err(files) => files,
    };
    let out = plan_common::render_scenario("err_catalog_checks", &inputs, &files);
    for code in [
        "P101", "P103", "P107", "P108", "P111", "P112", "V101", "V103",
    ] {
        assert!(out.contains(&format!("[{code}]")), "{code} missing:\n{out}");
    }
    insta::assert_snapshot!("err_catalog_checks", out);
}

#[test]
fn legacy_3_3() {
    let p = build("legacy_3_3");
    let b = backups(&p);
    assert_eq!(b.len(), 1);
    assert!(
        b[0].sql
            .starts_with("BACKUP SNAPSHOT sales.`nightly-sales-20261122-040000-full`"),
        "{}",
        b[0].sql
    );
    assert!(
        !b[0].sql.contains("VIEW") && !b[0].sql.contains("FUNCTIONS"),
        "{}",
        b[0].sql
    );
    let parsed = starsnap_compiler::syntax::parse(
        &b[0].sql,
        starsnap_compiler::syntax::Dialect::StarRocks3_3,
    );
    assert!(!parsed.has_errors(), "{:?}", parsed.diagnostics);
}

#[test]
fn external_catalogs() {
    let p = build("external_catalogs");
    let step = p
        .steps
        .iter()
        .find(|s| s.id == "backup/nightly/external_catalogs")
        .expect("catalog step");
    assert_eq!(step.reason, Reason::FirstFull);
    assert!(step.database().is_none());
    assert!(
        step.sql
            .starts_with("BACKUP EXTERNAL CATALOG (hive_prod) SNAPSHOT"),
        "{}",
        step.sql
    );
    // The tables themselves did not change: no table backup.
    assert_eq!(backups(&p).len(), 1);
}

#[test]
fn err_labels() {
    let inputs = plan_common::load("err_labels");
    let files = match plan::build(&inputs) {
        Ok(_) => panic!("an existing label and a read-only repository must fail the plan"),
        Err(files) => files,
    };
    let out = plan_common::render_scenario("err_labels", &inputs, &files);
    assert!(out.contains("[P105]") && out.contains("[P106]"), "{out}");
    insta::assert_snapshot!("err_labels", out);
}

#[test]
fn missing_statement_file() {
    let mut inputs = plan_common::load("handwritten");
    inputs.statement_files.retain(|f| f.path != "sql/swap.sql");
    let files = match plan::build(&inputs) {
        Ok(_) => panic!("a missing statement file must fail the plan"),
        Err(files) => files,
    };
    let out = plan_common::render_scenario("handwritten", &inputs, &files);
    assert!(
        out.starts_with(
            "starsnap.toml:21:8: error[P012]: statement file `sql/swap.sql` was not found"
        ),
        "{out}"
    );
}

#[test]
fn sql_is_printed_for_the_cluster_even_when_lint_checks_another_dialect() {
    let mut inputs = plan_common::load("legacy_3_3");
    inputs
        .policy_text
        .push_str("\n[lint]\ndialect = \"starrocks-3.4\"\n");
    let p = match plan::build(&inputs) {
        Ok(p) => p.plan,
        Err(e) => panic!("{e:?}"),
    };
    assert!(
        p.steps[0].sql.starts_with("BACKUP SNAPSHOT sales."),
        "{}",
        p.steps[0].sql
    );
}

#[test]
fn list_partitions_added() {
    let p = build("list_partitions_added");
    let b = backups(&p);
    assert_eq!(b.len(), 1);
    assert_eq!(b[0].kind(), Some(BackupKind::Full));
    assert_eq!(b[0].reason, Reason::ListPartitionsAdded);
    assert!(b[0].detail.contains("`regions`"), "{}", b[0].detail);
    assert!(b[0].detail.contains("`p_north`"), "{}", b[0].detail);
}

/// A load into a partition a LIST table already had stays incremental: RESTORE replaces a
/// same-name partition of a LIST table; only adding one fails.
#[test]
/// A load into an existing LIST partition stays incremental, and the LIST table goes in
/// whole, so every point of the chain finds all its partitions in one snapshot (a restore
/// cannot add partitions to a LIST table, spec §9.2).
fn list_partition_loaded_stays_incremental_and_takes_the_whole_table() {
    let mut inputs = plan_common::load("list_partitions_added");
    let regions = inputs
        .catalog
        .databases
        .iter_mut()
        .flat_map(|d| d.tables.iter_mut())
        .find(|t| t.name == "regions")
        .expect("regions");
    regions.partitions.retain(|p| p.name != "p_north");
    regions.partitions[0].visible_version += 1;
    let p = match plan::build(&inputs) {
        Ok(p) => p.plan,
        Err(e) => panic!("{e:?}"),
    };
    let b = backups(&p);
    assert_eq!(b.len(), 1);
    assert_eq!(b[0].kind(), Some(BackupKind::Incremental));
    assert_eq!(
        partitions(b[0]),
        ["events.p20250105", "regions.p_east", "regions.p_west"]
    );
}

#[test]
fn list_chunking() {
    let p = build("list_chunking");
    let b = backups(&p);
    let holding = |table: &str| -> Vec<usize> {
        b.iter()
            .enumerate()
            .filter(|(_, s)| s.objects().iter().any(|o| o.name == table))
            .map(|(i, _)| i)
            .collect()
    };
    let regions = holding("regions");
    assert_eq!(
        regions.len(),
        1,
        "the LIST table is in one label: {regions:?}"
    );
    let chunk = &b[regions[0]];
    let o = chunk
        .objects()
        .iter()
        .find(|o| o.name == "regions")
        .expect("regions");
    assert_eq!(o.partition_count, 6);
    assert!(o.partitions.is_empty(), "whole table: {o:?}");
    assert!(holding("events").len() > 1, "the range table is split");
    for (i, s) in b.iter().enumerate() {
        let n: u64 = s.objects().iter().map(|o| o.partition_count).sum();
        assert!(n <= 4 || i == regions[0], "chunk {i} has {n} partitions");
    }
    let total: u64 = b
        .iter()
        .flat_map(|s| s.objects())
        .map(|o| o.partition_count)
        .sum();
    assert_eq!(total, 5 + 1 + 6);
}

#[test]
fn parent_missing() {
    let p = build("parent_missing");
    let b = backups(&p);
    assert_eq!(b.len(), 1);
    assert_eq!(b[0].kind(), Some(BackupKind::Full));
    assert_eq!(b[0].reason, Reason::ParentMissing);
    assert_eq!(b[0].parent(), None);
    assert!(
        b[0].detail
            .contains("`nightly-sales-20261121-040000-incremental`"),
        "{}",
        b[0].detail
    );
}

fn expires(p: &Plan) -> Vec<&plan::ExpireOp> {
    p.steps
        .iter()
        .filter_map(|s| match &s.op {
            plan::Op::Expire(e) => Some(e),
            _ => None,
        })
        .collect()
}

/// What retention must guarantee in a scenario: every expired set is not kept, no kept set
/// has an expired ancestor, expire steps come after the backup and are destructive.
fn check_retention(p: &Plan) {
    let expired: Vec<&str> = expires(p).iter().map(|e| e.set.as_str()).collect();
    let kept: Vec<&str> = p
        .retention
        .iter()
        .flat_map(|r| r.kept.iter().map(|k| k.set.as_str()))
        .collect();
    assert!(!expired.is_empty());
    assert!(
        expired.iter().all(|e| !kept.contains(e)),
        "{expired:?} {kept:?}"
    );
    let backup = p.steps.iter().position(|s| s.action() == Action::Backup);
    for (i, s) in p.steps.iter().enumerate() {
        if s.action() == Action::Expire {
            assert!(s.destructive());
            assert_eq!(s.reason, Reason::Retention);
            assert!(backup.is_some_and(|b| b < i));
            assert!(!s.depends_on.is_empty());
        }
    }
    assert_eq!(p.summary.expired_sets, expired.len() as u64);
    assert!(render::summary_line(p).contains(&format!("{} sets to expire", expired.len())));
    let text = render::text(p);
    assert!(text.contains("Retention keeps in sales"), "{text}");
    let md = render::markdown(p);
    assert!(md.contains("retention keeps"), "{md}");
}

#[test]
fn retention_4_2() {
    let p = build("retention_4_2");
    check_retention(&p);
    let e = expires(&p);
    assert!(e.iter().all(|e| e.how == plan::ExpireHow::DropSnapshot));
    let first = p
        .steps
        .iter()
        .find(|s| s.action() == Action::Expire)
        .expect("expire step");
    assert!(
        first
            .sql
            .starts_with("DROP SNAPSHOT nightly-sales-20261102")
            || first
                .sql
                .starts_with("DROP SNAPSHOT `nightly-sales-20261102"),
        "{}",
        first.sql
    );
    let b = backups(&p);
    assert!(b[0].sql.contains("\"ttl\" = \"90 DAY\""), "{}", b[0].sql);
}

#[test]
fn retention_3_4() {
    let p = build("retention_3_4");
    check_retention(&p);
    for s in p.steps.iter().filter(|s| s.action() == Action::Expire) {
        assert_eq!(s.sql, "");
    }
    assert!(expires(&p)
        .iter()
        .all(|e| e.how == plan::ExpireHow::DeleteObjects));
    assert!(!backups(&p)[0].sql.contains("ttl"));
}
