//! Chain-aware retention: which backup sets of a group's database stay, and why (issue 11).
//!
//! Pure: sets in, a [`Selection`] out. Keep rules are restic's, applied to *sets* (a set split
//! into chunks is one set) ordered by time — StarRocks's `backup_time_ms` when recorded, else
//! starsnap's `created_at` — with days, ISO weeks and months in UTC:
//!
//! * `last = N` — the newest N sets;
//! * `daily`/`weekly`/`monthly = N` — the newest set of each of the newest N days/weeks/months
//!   that have a set;
//! * `within = "30d"` — every set made in the 30 days before the plan's `as_of`.
//!
//! Then the closure that makes expiry safe for chains:
//!
//! * the newest complete chain (the newest full and everything built on it) is kept;
//! * the newest `min_chains` complete chains are kept whole;
//! * a kept incremental keeps all its ancestors, so a full goes only when nothing kept
//!   depends on it.
//!
//! Every kept set records the rule(s) that kept it, so the plan can say why.

use std::collections::{BTreeMap, BTreeSet};

use crate::catalog::BackupKind;
use crate::policy::Retention;
use crate::time::Timestamp;

/// One set as retention sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetainedSet {
    pub name: String,
    pub kind: BackupKind,
    /// The set an incremental builds on.
    pub parent: Option<String>,
    /// When the set was made (seconds since the epoch, UTC).
    pub time: Timestamp,
}

/// Why a set is kept.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum KeptBy {
    Last,
    Daily,
    Weekly,
    Monthly,
    Within,
    /// Part of the newest complete chain.
    NewestChain,
    /// Part of one of the newest `min_chains` complete chains.
    MinChains,
    /// An ancestor of a kept set (named).
    AncestorOf(String),
}

impl KeptBy {
    /// The rule as the policy writes it (`daily`, `ancestor of x`, …).
    pub fn describe(&self) -> String {
        match self {
            KeptBy::Last => "last".into(),
            KeptBy::Daily => "daily".into(),
            KeptBy::Weekly => "weekly".into(),
            KeptBy::Monthly => "monthly".into(),
            KeptBy::Within => "within".into(),
            KeptBy::NewestChain => "newest chain".into(),
            KeptBy::MinChains => "min_chains".into(),
            KeptBy::AncestorOf(s) => format!("ancestor of {s}"),
        }
    }
}

/// What retention decided for one group's database.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    /// Kept sets, newest first, each with the rules that keep it (sorted, at least one).
    pub kept: Vec<(String, Vec<KeptBy>)>,
    /// Sets to expire, oldest first.
    pub expire: Vec<String>,
}

/// A calendar bucket (UTC day, ISO week or month) of an instant.
type Bucket = fn(Timestamp) -> i64;

/// Applies `rules` to `sets` as of `as_of`.
pub fn select(sets: &[RetainedSet], rules: &Retention, as_of: Timestamp) -> Selection {
    // Newest first; ties by name so the result does not depend on input order.
    let mut order: Vec<&RetainedSet> = sets.iter().collect();
    order.sort_by(|a, b| (b.time, &b.name).cmp(&(a.time, &a.name)));
    order.dedup_by(|a, b| a.name == b.name);
    let mut why: BTreeMap<&str, BTreeSet<KeptBy>> = BTreeMap::new();
    fn mark<'a>(
        order: &[&'a RetainedSet],
        name: &str,
        by: KeptBy,
        why: &mut BTreeMap<&'a str, BTreeSet<KeptBy>>,
    ) {
        if let Some(s) = order.iter().find(|s| s.name == name) {
            why.entry(s.name.as_str()).or_default().insert(by);
        }
    }
    let k = &rules.keep;
    if let Some(n) = k.last {
        for s in order.iter().take(n as usize) {
            mark(&order, &s.name, KeptBy::Last, &mut why);
        }
    }
    let buckets: [(Option<u32>, KeptBy, Bucket); 3] = [
        (k.daily, KeptBy::Daily, day_of),
        (k.weekly, KeptBy::Weekly, week_of),
        (k.monthly, KeptBy::Monthly, month_of),
    ];
    for (count, by, bucket) in buckets {
        let Some(n) = count else { continue };
        let mut last_bucket = None;
        let mut taken = 0u32;
        for s in &order {
            if taken >= n {
                break;
            }
            let b = bucket(s.time);
            if last_bucket != Some(b) {
                last_bucket = Some(b);
                taken += 1;
                mark(&order, &s.name, by.clone(), &mut why);
            }
        }
    }
    if let Some(within) = k.within_secs {
        let since = as_of.0.saturating_sub(within as i64);
        for s in order.iter().filter(|s| s.time.0 >= since) {
            mark(&order, &s.name, KeptBy::Within, &mut why);
        }
    }
    // Complete chains, newest first: each full with everything built on it.
    let fulls: Vec<&str> = order
        .iter()
        .filter(|s| s.kind == BackupKind::Full)
        .map(|s| s.name.as_str())
        .collect();
    for (i, full) in fulls.iter().enumerate() {
        let by = if i == 0 {
            KeptBy::NewestChain
        } else if (i as u32) < rules.min_chains {
            KeptBy::MinChains
        } else {
            break;
        };
        for member in chain_of(&order, full) {
            mark(&order, member, by.clone(), &mut why);
            if i == 0 && rules.min_chains > 0 {
                mark(&order, member, KeptBy::MinChains, &mut why);
            }
        }
    }
    // Closure: a kept set keeps its ancestors (parents of parents; a missing one ends it).
    let kept_now: Vec<&str> = why.keys().copied().collect();
    for name in kept_now {
        let mut seen = BTreeSet::new();
        let mut cur = parent_of(&order, name);
        while let Some(p) = cur {
            if !seen.insert(p) {
                break;
            }
            mark(&order, p, KeptBy::AncestorOf(name.to_string()), &mut why);
            cur = parent_of(&order, p);
        }
    }
    let kept = order
        .iter()
        .filter_map(|s| {
            let rules = why.get(s.name.as_str())?;
            // An ancestor-of entry says nothing more when a rule keeps the set anyway.
            let own: Vec<KeptBy> = rules
                .iter()
                .filter(|r| !matches!(r, KeptBy::AncestorOf(_)))
                .cloned()
                .collect();
            let list = if own.is_empty() {
                rules.iter().take(1).cloned().collect()
            } else {
                own
            };
            Some((s.name.clone(), list))
        })
        .collect();
    let expire = order
        .iter()
        .rev()
        .filter(|s| !why.contains_key(s.name.as_str()))
        .map(|s| s.name.clone())
        .collect();
    Selection { kept, expire }
}

fn parent_of<'a>(order: &[&'a RetainedSet], name: &str) -> Option<&'a str> {
    order
        .iter()
        .find(|s| s.name == name)
        .and_then(|s| s.parent.as_deref())
        .and_then(|p| order.iter().find(|s| s.name == p).map(|s| s.name.as_str()))
}

/// The full and every set that builds on it, transitively.
fn chain_of<'a>(order: &[&'a RetainedSet], full: &str) -> Vec<&'a str> {
    let mut members: BTreeSet<&str> = BTreeSet::new();
    let Some(root) = order.iter().find(|s| s.name == full) else {
        return Vec::new();
    };
    members.insert(root.name.as_str());
    loop {
        let before = members.len();
        for s in order {
            if s.kind == BackupKind::Incremental
                && s.parent.as_deref().is_some_and(|p| members.contains(p))
            {
                members.insert(s.name.as_str());
            }
        }
        if members.len() == before {
            break;
        }
    }
    members.into_iter().collect()
}

/// The UTC day number.
fn day_of(t: Timestamp) -> i64 {
    t.0.div_euclid(86_400)
}

/// The ISO week (Monday to Sunday, UTC) as a number: 1970-01-01 was a Thursday.
fn week_of(t: Timestamp) -> i64 {
    (day_of(t) + 3).div_euclid(7)
}

/// The UTC month as `year * 12 + month`.
fn month_of(t: Timestamp) -> i64 {
    let c = t.civil();
    c.year * 12 + i64::from(c.month)
}

/// How many complete chains `sets` hold: each full is one (with the incrementals kept on it,
/// which the closure guarantees have all their ancestors).
pub fn complete_chains(sets: &[&RetainedSet]) -> usize {
    sets.iter().filter(|s| s.kind == BackupKind::Full).count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::KeepRules;
    use proptest::prelude::*;

    fn day(d: i64, h: i64) -> Timestamp {
        // 2026-01-05 is a Monday.
        Timestamp(crate::time::days_from_civil(2026, 1, 5) * 86_400 + d * 86_400 + h * 3_600)
    }

    /// Daily sets for `days` days, a full every `every` days.
    fn history(days: i64, every: i64) -> Vec<RetainedSet> {
        let mut out: Vec<RetainedSet> = Vec::new();
        for d in 0..days {
            let full = d % every == 0;
            out.push(RetainedSet {
                name: format!("s{d:02}"),
                kind: if full {
                    BackupKind::Full
                } else {
                    BackupKind::Incremental
                },
                parent: (!full).then(|| format!("s{:02}", d - 1)),
                time: day(d, 1),
            });
        }
        out
    }

    fn rules(keep: KeepRules, min_chains: u32) -> Retention {
        Retention {
            keep,
            min_chains,
            span: crate::span::Span::default(),
        }
    }

    #[test]
    fn daily_keeps_ancestors_and_expires_whole_old_chains() {
        let sets = history(21, 7);
        let r = rules(
            KeepRules {
                daily: Some(3),
                ..KeepRules::default()
            },
            1,
        );
        let sel = select(&sets, &r, day(21, 0));
        // The newest chain is s14..s20; daily = 3 keeps s18..s20, inside it.
        let kept: Vec<&str> = sel.kept.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(kept, ["s20", "s19", "s18", "s17", "s16", "s15", "s14"]);
        assert_eq!(sel.expire.len(), 14);
        assert_eq!(sel.expire.first().map(String::as_str), Some("s00"));
        let why: BTreeMap<_, _> = sel.kept.iter().cloned().collect();
        assert_eq!(
            why["s20"],
            vec![KeptBy::Daily, KeptBy::NewestChain, KeptBy::MinChains]
        );
    }

    #[test]
    fn a_kept_incremental_keeps_its_full() {
        let sets = history(21, 7);
        let r = rules(
            KeepRules {
                weekly: Some(2),
                ..KeepRules::default()
            },
            1,
        );
        // Weekly keeps s20 (week 3) and s13 (week 2): s13 needs s07..s12.
        let sel = select(&sets, &r, day(21, 0));
        let why: BTreeMap<_, _> = sel.kept.iter().cloned().collect();
        assert_eq!(why["s13"], vec![KeptBy::Weekly]);
        assert_eq!(why["s07"], vec![KeptBy::AncestorOf("s13".into())]);
        assert!(sel.expire.iter().all(|s| s.as_str() < "s07"));
    }

    #[test]
    fn min_chains_keeps_older_chains_whole() {
        let sets = history(21, 7);
        let r = rules(
            KeepRules {
                last: Some(1),
                ..KeepRules::default()
            },
            2,
        );
        let sel = select(&sets, &r, day(21, 0));
        assert_eq!(
            sel.expire,
            (0..7).map(|d| format!("s{d:02}")).collect::<Vec<_>>()
        );
    }

    #[test]
    fn within_counts_back_from_as_of() {
        let sets = history(14, 7);
        let r = rules(
            KeepRules {
                within_secs: Some(3 * 86_400),
                ..KeepRules::default()
            },
            1,
        );
        let sel = select(&sets, &r, day(14, 0));
        assert_eq!(sel.expire.len(), 7);
    }

    #[test]
    fn weeks_start_on_monday() {
        assert_eq!(week_of(day(0, 0)), week_of(day(6, 23)));
        assert_ne!(week_of(day(6, 23)), week_of(day(7, 0)));
    }

    fn arb_history() -> impl Strategy<Value = Vec<RetainedSet>> {
        // (gap in hours, is full, parent back-offset)
        prop::collection::vec((1i64..60, prop::bool::weighted(0.25), 0usize..3), 1..60).prop_map(
            |steps| {
                let mut out: Vec<RetainedSet> = Vec::new();
                let mut t = day(0, 0).0;
                for (i, (gap, full, back)) in steps.into_iter().enumerate() {
                    t += gap * 3_600;
                    let parent = if full || out.is_empty() {
                        None
                    } else {
                        // An earlier set, usually the previous one.
                        let j = out.len().saturating_sub(1 + back);
                        out.get(j).map(|s| s.name.clone())
                    };
                    out.push(RetainedSet {
                        name: format!("s{i:03}"),
                        kind: if parent.is_none() {
                            BackupKind::Full
                        } else {
                            BackupKind::Incremental
                        },
                        parent,
                        time: Timestamp(t),
                    });
                }
                out
            },
        )
    }

    fn arb_rules() -> impl Strategy<Value = Retention> {
        let n = || prop::option::of(1u32..6);
        (n(), n(), n(), n(), prop::option::of(1u64..400_000), 1u32..4).prop_map(
            |(last, daily, weekly, monthly, within_secs, min_chains)| {
                rules(
                    KeepRules {
                        last,
                        daily,
                        weekly,
                        monthly,
                        within_secs,
                    },
                    min_chains,
                )
            },
        )
    }

    proptest! {
        #[test]
        fn expiry_is_chain_safe(sets in arb_history(), r in arb_rules(), ahead in 0i64..1_000_000) {
            let as_of = Timestamp(sets.iter().map(|s| s.time.0).max().unwrap_or(0) + ahead);
            let sel = select(&sets, &r, as_of);
            let kept: BTreeSet<&str> = sel.kept.iter().map(|(n, _)| n.as_str()).collect();
            let expired: BTreeSet<&str> = sel.expire.iter().map(String::as_str).collect();
            // A partition of the sets.
            prop_assert!(kept.is_disjoint(&expired));
            prop_assert_eq!(kept.len() + expired.len(), sets.len());
            // Every kept set has a reason.
            prop_assert!(sel.kept.iter().all(|(_, why)| !why.is_empty()));
            // No ancestor of a kept set expires.
            for name in &kept {
                let mut cur = sets.iter().find(|s| s.name == *name).and_then(|s| s.parent.clone());
                while let Some(p) = cur {
                    prop_assert!(kept.contains(p.as_str()), "ancestor {} of kept {} expired", p, name);
                    cur = sets.iter().find(|s| s.name == p).and_then(|s| s.parent.clone());
                }
            }
            // Never fewer complete chains than the minimum (or than there are).
            let fulls: Vec<&RetainedSet> = sets.iter().filter(|s| s.kind == BackupKind::Full).collect();
            let left: Vec<&RetainedSet> = sets.iter().filter(|s| kept.contains(s.name.as_str())).collect();
            prop_assert!(complete_chains(&left) >= fulls.len().min(r.min_chains as usize));
            // The newest chain stays whole.
            if let Some(newest) = fulls.iter().max_by(|a, b| (a.time, &a.name).cmp(&(b.time, &b.name))) {
                let order: Vec<&RetainedSet> = sets.iter().collect();
                for m in chain_of(&order, &newest.name) {
                    prop_assert!(kept.contains(m), "newest chain member {} expired", m);
                }
            }
        }
    }
}
