//! Load labels: `INSERT INTO t WITH LABEL l …` is unique per database, StarRocks's atomic
//! primitive for "exactly one writer wins" (the state store's locks are built on it).
//!
//! StarRocks 3.4 (`fe/fe-core/src/main/java/com/starrocks/…`):
//! * `sql/StatementPlanner.java` `beginTransaction` takes the statement's label (or
//!   generates `insert_<id>`) and begins the load transaction *before* analysis; a failure
//!   is rethrown as `SemanticException("fail to begin transaction. " + e.getMessage())`,
//!   which the client receives as error 1064 (HY000)
//!   `Getting analyzing error. Detail message: fail to begin transaction. Label [l] has already been used..`
//! * `transaction/DatabaseTransactionMgr.java` `beginTransaction`: `FeNameFormat.checkLabel`
//!   (`^[-\w]{1,128}$`, else `Label format error. regex: …, label: …`), then any
//!   transaction with the label that is not ABORTED → `LabelAlreadyUsedException`
//!   (`common/LabelAlreadyUsedException.java`: `"Label [" + label + "] has already been used."`).
//!   An aborted load frees its label.
//! * `common/Config.java`: finished labels are forgotten after `label_keep_max_second`
//!   (3 days) or when more than `label_keep_max_num` (1000) finished transactions exist in
//!   the database (`DatabaseTransactionMgr.removeExpiredTxns`).
//!
//! The simulator keeps the labels of *labelled* successful loads per database id (a failed
//! load is aborted, so its label stays free), evicts on the same two limits when it records
//! one, and persists them with the catalog. Unlabelled loads are not recorded, so they do
//! not count toward `label_keep_max_num` as StarRocks's generated labels do.

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};

use crate::clock::EpochMillis;
use crate::engine::ast::Insert;
use crate::engine::catalog::Catalog;
use crate::engine::{ddl, errors};
use crate::response::{Session, SqlError};

/// `Config.label_keep_max_second`.
pub const LABEL_KEEP_MAX_MS: EpochMillis = 3 * 24 * 3600 * 1000;
/// `Config.label_keep_max_num`.
pub const LABEL_KEEP_MAX_NUM: usize = 1000;

/// One finished labelled load.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsedLabel {
    pub label: String,
    pub txn_id: u64,
    pub finished_ms: EpochMillis,
}

/// Labels in use, per database id, oldest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadLabels {
    pub by_db: BTreeMap<u64, VecDeque<UsedLabel>>,
}

impl LoadLabels {
    pub fn is_empty(&self) -> bool {
        self.by_db.values().all(VecDeque::is_empty)
    }

    fn evict(&mut self, db_id: u64, now: EpochMillis) {
        if let Some(q) = self.by_db.get_mut(&db_id) {
            while q
                .front()
                .is_some_and(|l| now.saturating_sub(l.finished_ms) > LABEL_KEEP_MAX_MS)
                || q.len() > LABEL_KEEP_MAX_NUM
            {
                q.pop_front();
            }
        }
    }
}

/// A pending labelled load: the database id and label to record once the load succeeds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pending {
    db_id: u64,
    label: String,
}

impl Pending {
    pub fn label(&self) -> &str {
        &self.label
    }
}

/// `FeNameFormat.checkLabel`: `^[-\w]{1,128}$` (Java's `\w` is ASCII `[a-zA-Z_0-9]`).
fn valid_label(label: &str) -> bool {
    !label.is_empty()
        && label.len() <= 128
        && label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Begins a labelled load: checks the label's format and that no finished load of the
/// database holds it. `Ok(None)` for an unlabelled load or an unknown database (the load
/// itself reports that).
pub fn begin(
    cat: &mut Catalog,
    session: &Session,
    ins: &Insert,
    now: EpochMillis,
) -> Result<Option<Pending>, SqlError> {
    let Some(label) = &ins.label else {
        return Ok(None);
    };
    let Ok(db_name) = ddl::target_db(session, &ins.table) else {
        return Ok(None);
    };
    let Some(db_id) = cat.db(&db_name).map(|d| d.id) else {
        return Ok(None);
    };
    if !valid_label(label) {
        return Err(errors::analyzing(&format!(
            "Label format error. regex: ^[-\\w]{{1,128}}$, label: {label}"
        )));
    }
    cat.load_labels.evict(db_id, now);
    let used = cat
        .load_labels
        .by_db
        .get(&db_id)
        .is_some_and(|q| q.iter().any(|l| &l.label == label));
    if used {
        return Err(errors::analyzing(&format!(
            "fail to begin transaction. Label [{label}] has already been used."
        )));
    }
    Ok(Some(Pending {
        db_id,
        label: label.clone(),
    }))
}

/// Records the label of a load that succeeded.
pub fn finish(labels: &mut LoadLabels, pending: Pending, txn_id: u64, now: EpochMillis) {
    labels
        .by_db
        .entry(pending.db_id)
        .or_default()
        .push_back(UsedLabel {
            label: pending.label,
            txn_id,
            finished_ms: now,
        });
    labels.evict(pending.db_id, now);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_format_follows_fe_name_format() {
        assert!(valid_label("starsnap_lock_ab12_7"));
        assert!(valid_label("a-b_C9"));
        assert!(!valid_label(""));
        assert!(!valid_label("a.b"));
        assert!(!valid_label("é"));
        assert!(!valid_label(&"x".repeat(129)));
    }

    #[test]
    fn eviction_by_count_and_age() {
        let mut l = LoadLabels::default();
        let q = l.by_db.entry(1).or_default();
        for i in 0..(LABEL_KEEP_MAX_NUM + 5) {
            q.push_back(UsedLabel {
                label: format!("l{i}"),
                txn_id: i as u64,
                finished_ms: 0,
            });
        }
        l.evict(1, 10);
        assert_eq!(l.by_db[&1].len(), LABEL_KEEP_MAX_NUM);
        assert_eq!(l.by_db[&1].front().map(|u| u.label.as_str()), Some("l5"));
        l.evict(1, LABEL_KEEP_MAX_MS + 1);
        assert!(l.is_empty());
    }
}
