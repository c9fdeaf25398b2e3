//! Renderings: markdown stays under its limit and says when it truncates; `compare` gives a
//! unified diff of the text views; the summary line counts what the plan does.

mod plan_common;

use starsnap_compiler::plan::{self, render, Plan};

fn plan_of(name: &str) -> Plan {
    match plan::build(&plan_common::load(name)) {
        Ok(p) => p.plan,
        Err(e) => panic!("{e:?}"),
    }
}

#[test]
fn markdown_collapses_details_and_keeps_the_summary() {
    let md = render::markdown(&plan_of("handwritten"));
    assert!(md.starts_with("### starsnap plan\n\n**Plan: 1 backup (1 incremental), 2 hand-written statements (1 restore, 1 swap). 2 destructive.**"), "{md}");
    assert_eq!(md.matches("<details>").count(), 3);
    assert_eq!(md.matches("</details>").count(), 3);
    assert!(
        md.contains("```sql\nALTER TABLE sales.events SWAP WITH events_restored\n```"),
        "{md}"
    );
    assert!(!md.contains("Truncated"));
    insta::assert_snapshot!("handwritten_markdown", md);
}

#[test]
fn markdown_truncates_under_the_limit_with_a_note() {
    let mut inputs = plan_common::load("chunking");
    inputs.policy_text = inputs
        .policy_text
        .replace("max_partitions_per_job = 100", "max_partitions_per_job = 1");
    let p = match plan::build(&inputs) {
        Ok(p) => p.plan,
        Err(e) => panic!("{e:?}"),
    };
    assert_eq!(p.steps.len(), 366);
    let full = render::markdown_with_limit(&p, usize::MAX);
    assert!(
        full.len() > render::MARKDOWN_LIMIT,
        "the test needs a long plan"
    );
    let md = render::markdown(&p);
    assert!(md.chars().count() <= render::MARKDOWN_LIMIT, "{}", md.len());
    assert!(
        md.contains("_Truncated to stay under 60000 characters"),
        "{}",
        &md[md.len() - 300..]
    );
    for limit in [0, 100, 2_000, 10_000] {
        let small = render::markdown_with_limit(&p, limit);
        assert!(small.contains("Truncated"));
        assert!(
            small.len() <= limit.max(600),
            "limit {limit}: {}",
            small.len()
        );
    }
}

#[test]
fn compare_is_a_unified_diff_of_the_text_views() {
    let quiet = plan_of("nothing_changed");
    let busy = plan_of("incremental_3_of_365");
    assert_eq!(render::compare(&busy, &busy), "");
    let diff = render::compare(&quiet, &busy);
    assert!(diff.starts_with("--- old plan\n+++ new plan\n@@"), "{diff}");
    assert!(diff.contains("+  + backup nightly sales incremental"));
    assert!(diff.contains("-No changes."));
}

#[test]
fn summary_lines() {
    assert_eq!(
        render::summary_line(&plan_of("several_databases")),
        "Plan: 2 backups (1 full, 1 incremental)."
    );
    assert_eq!(
        render::summary_line(&plan_of("chunking")),
        "Plan: 4 backups (4 full)."
    );
    let text = render::text(&plan_of("nothing_changed"));
    assert!(
        text.ends_with("No changes. Nothing to back up: the cluster matches the last backups.\n")
    );
}

/// Names from the cluster cannot spoof a reviewer's terminal or a PR comment: controls,
/// bidirectional and zero-width characters are shown escaped in every rendering.
#[test]
fn hostile_names_are_escaped_in_text_and_markdown() {
    let mut inputs = plan_common::load("first_full");
    let hostile = "events\u{1b}[2J\u{202e}lave\u{200b}|<b>";
    for db in &mut inputs.catalog.databases {
        for t in &mut db.tables {
            if t.name == "events" {
                t.name = hostile.to_string();
            }
        }
    }
    let p = match plan::build(&inputs) {
        Ok(p) => p.plan,
        Err(e) => panic!("{e:?}"),
    };
    for shown in [render::text(&p), render::markdown(&p)] {
        assert!(
            !shown.contains('\u{1b}') && !shown.contains('\u{202e}') && !shown.contains('\u{200b}'),
            "{shown:?}"
        );
    }
    assert!(render::text(&p).contains("\\u{1b}"), "{}", render::text(&p));
}
