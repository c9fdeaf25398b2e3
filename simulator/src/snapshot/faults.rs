//! Fault injection: what can go wrong on a real cluster, on demand, from the library API
//! ([`Snapshots`](super::Snapshots) methods) or over the wire with simulator-only statements
//! (parsed here, never by the compiler — StarRocks has no such statements):
//!
//! ```text
//! ADMIN SET SIMULATOR FAULT 'backup_fail'  ON DATABASE <db> AT STATE '<STATE>'
//!       [WITH MESSAGE '<status msg>'] [WITH STATUS '<ErrCode>'] [WITH TASK MESSAGE '<task msg>']
//! ADMIN SET SIMULATOR FAULT 'restore_fail' ON DATABASE <db> AT STATE '<STATE>' [WITH …]
//! ADMIN SET SIMULATOR FAULT 'show_job_error'  TIMES <n>     -- next n SHOW BACKUP/RESTORE fail
//! ADMIN SET SIMULATOR FAULT 'submit_busy'     TIMES <n>     -- next n BACKUP/RESTORE refused
//! ADMIN SET SIMULATOR FAULT 'drop_connection' (AFTER | DURING) '<statement prefix>' [TIMES <n>]
//! ADMIN SET SIMULATOR FAULT 'backend_dead'    ON BACKEND <index>
//! ADMIN SET SIMULATOR FAULT 'backend_alive'   ON BACKEND <index>
//! ADMIN CLEAR SIMULATOR FAULTS
//! ADMIN SET SIMULATOR PACING [STATE '<STATE>'] = <ms>
//! ADMIN RESTART SIMULATOR                                    -- handled by the engine: see
//!                                                            -- `Engine::restart`
//! ```
//!
//! `ON DATABASE ''` targets the external-catalog job. A job fault fires once, when the job's
//! step for that state runs: the job goes CANCELLED with Status `[<ErrCode>, msg: <msg>]`
//! (ErrCode default `COMMON_ERROR`) and, with a task message, TaskErrMsg `[<taskId>: <msg>]`.
//! `drop_connection AFTER` answers the matching snapshot statement (its effect happens) and
//! then closes the connection (`Session::close_after`); `DURING` lets the statement take
//! effect but closes the connection instead of answering (`Session::close_before_answer`).
//! The prefix is compared with the statement's leading words, case-insensitively
//! (`'BACKUP'`, `'SHOW BACKUP'`, …); only statements routed to the snapshot engine match.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::pacing::Pacing;
use crate::response::SqlError;

/// BACKUP or RESTORE.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum JobType {
    Backup,
    Restore,
}

/// Fail the next job of `kind` on `database` when its `state` step runs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobFailure {
    pub kind: JobType,
    /// `""`: the external-catalog job.
    pub database: String,
    /// Upper-case state name (`UPLOADING`, …).
    pub state: String,
    /// `backup/Status` error code, e.g. `COMMON_ERROR`.
    pub status_code: String,
    pub message: String,
    pub task_message: Option<String>,
}

impl JobFailure {
    pub fn new(kind: JobType, database: &str, state: &str, message: &str) -> JobFailure {
        JobFailure {
            kind,
            database: database.to_string(),
            state: state.to_ascii_uppercase(),
            status_code: "COMMON_ERROR".to_string(),
            message: message.to_string(),
            task_message: None,
        }
    }
}

/// Close the connection after answering a statement starting with `prefix`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionDrop {
    pub prefix: String,
    pub remaining: u32,
    /// Close instead of answering (`DURING`), not after answering (`AFTER`).
    #[serde(default)]
    pub before_answer: bool,
}

/// Every armed fault.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Faults {
    pub job_failures: Vec<JobFailure>,
    pub show_errors: u32,
    pub submit_busy: u32,
    pub drops: Vec<ConnectionDrop>,
    /// Indexes into `SimConfig::backends` marked dead.
    pub dead_backends: BTreeSet<usize>,
}

impl Faults {
    /// Takes the failure armed for this job and state, if any.
    pub fn take_job_failure(&mut self, kind: JobType, db: &str, state: &str) -> Option<JobFailure> {
        let i = self
            .job_failures
            .iter()
            .position(|f| f.kind == kind && f.database == db && f.state == state)?;
        Some(self.job_failures.remove(i))
    }

    /// Consumes one armed connection drop matching `sql`'s leading words: `Some(true)` to
    /// close before answering, `Some(false)` after.
    pub fn take_drop(&mut self, sql: &str) -> Option<bool> {
        let words = normalize_words(sql);
        let i = self.drops.iter().position(|d| {
            let p = normalize_words(&d.prefix);
            words == p || words.starts_with(&format!("{p} "))
        })?;
        let d = self.drops.get_mut(i)?;
        let before = d.before_answer;
        d.remaining = d.remaining.saturating_sub(1);
        if d.remaining == 0 {
            self.drops.remove(i);
        }
        Some(before)
    }

    /// Consumes one pending "meta data may has been updated" failure.
    pub fn take_show_error(&mut self) -> bool {
        let hit = self.show_errors > 0;
        self.show_errors = self.show_errors.saturating_sub(1);
        hit
    }

    pub fn take_submit_busy(&mut self) -> bool {
        let hit = self.submit_busy > 0;
        self.submit_busy = self.submit_busy.saturating_sub(1);
        hit
    }
}

fn normalize_words(s: &str) -> String {
    s.split_whitespace()
        .map(|w| w.trim_end_matches(';').to_ascii_uppercase())
        .collect::<Vec<_>>()
        .join(" ")
}

/// One simulator administration command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AdminCommand {
    FailJob(JobFailure),
    ShowErrors(u32),
    SubmitBusy(u32),
    Drop(ConnectionDrop),
    Backend { index: usize, alive: bool },
    Clear,
    Pacing { state: Option<String>, ms: i64 },
}

/// Whether `sql` is a simulator administration statement.
pub fn is_admin(sql: &str) -> bool {
    let w = normalize_words(sql);
    // `ADMIN SET SIMULATOR LATENCY` belongs to the engine (it delays every answer, not jobs).
    (w.starts_with("ADMIN SET SIMULATOR ") && !w.starts_with("ADMIN SET SIMULATOR LATENCY"))
        || w.starts_with("ADMIN CLEAR SIMULATOR ")
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Word(String),
    Str(String),
    Num(i64),
    Eq,
}

fn lex(sql: &str) -> Result<Vec<Tok>, SqlError> {
    let mut out = Vec::new();
    let mut it = sql.chars().peekable();
    while let Some(&c) = it.peek() {
        if c.is_whitespace() || c == ';' {
            it.next();
        } else if c == '=' {
            it.next();
            out.push(Tok::Eq);
        } else if c == '\'' || c == '"' {
            it.next();
            let mut s = String::new();
            loop {
                match it.next() {
                    Some(ch) if ch == c => {
                        if it.peek() == Some(&c) {
                            it.next();
                            s.push(c);
                        } else {
                            break;
                        }
                    }
                    Some(ch) => s.push(ch),
                    None => return Err(admin_error("unterminated string")),
                }
            }
            out.push(Tok::Str(s));
        } else if c.is_ascii_digit() || c == '-' {
            let mut s = String::new();
            while let Some(&d) = it.peek() {
                if d.is_ascii_digit() || (s.is_empty() && d == '-') {
                    s.push(d);
                    it.next();
                } else {
                    break;
                }
            }
            out.push(Tok::Num(s.parse().map_err(|_| admin_error("bad number"))?));
        } else if c.is_alphanumeric() || c == '_' || c == '`' {
            let mut s = String::new();
            while let Some(&d) = it.peek() {
                if d.is_alphanumeric() || d == '_' || d == '`' {
                    if d != '`' {
                        s.push(d);
                    }
                    it.next();
                } else {
                    break;
                }
            }
            out.push(Tok::Word(s));
        } else {
            return Err(admin_error(&format!("unexpected character '{c}'")));
        }
    }
    Ok(out)
}

fn admin_error(detail: &str) -> SqlError {
    SqlError::generic(format!(
        "Getting syntax error. Detail message: simulator statement: {detail}."
    ))
}

struct P {
    toks: Vec<Tok>,
    i: usize,
}

impl P {
    fn kw(&mut self, k: &str) -> bool {
        match self.toks.get(self.i) {
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case(k) => {
                self.i += 1;
                true
            }
            _ => false,
        }
    }
    fn expect(&mut self, k: &str) -> Result<(), SqlError> {
        if self.kw(k) {
            Ok(())
        } else {
            Err(admin_error(&format!("expected {k}")))
        }
    }
    fn string(&mut self) -> Result<String, SqlError> {
        match self.toks.get(self.i) {
            Some(Tok::Str(s)) => {
                self.i += 1;
                Ok(s.clone())
            }
            _ => Err(admin_error("expected a quoted string")),
        }
    }
    fn name(&mut self) -> Result<String, SqlError> {
        match self.toks.get(self.i) {
            Some(Tok::Str(s)) | Some(Tok::Word(s)) => {
                let s = s.clone();
                self.i += 1;
                Ok(s)
            }
            _ => Err(admin_error("expected a name")),
        }
    }
    fn number(&mut self) -> Result<i64, SqlError> {
        match self.toks.get(self.i) {
            Some(Tok::Num(n)) => {
                self.i += 1;
                Ok(*n)
            }
            _ => Err(admin_error("expected a number")),
        }
    }
    fn end(&self) -> Result<(), SqlError> {
        if self.i == self.toks.len() {
            Ok(())
        } else {
            Err(admin_error("unexpected input at the end"))
        }
    }
}

/// Parses one administration statement (grammar in the module docs).
pub fn parse_admin(sql: &str) -> Result<AdminCommand, SqlError> {
    let mut p = P {
        toks: lex(sql)?,
        i: 0,
    };
    p.expect("ADMIN")?;
    if p.kw("CLEAR") {
        p.expect("SIMULATOR")?;
        p.expect("FAULTS")?;
        p.end()?;
        return Ok(AdminCommand::Clear);
    }
    p.expect("SET")?;
    p.expect("SIMULATOR")?;
    if p.kw("PACING") {
        let state = if p.kw("STATE") {
            Some(p.string()?.to_ascii_uppercase())
        } else {
            None
        };
        if p.toks.get(p.i) == Some(&Tok::Eq) {
            p.i += 1;
        }
        let ms = p.number()?;
        p.end()?;
        return Ok(AdminCommand::Pacing { state, ms });
    }
    p.expect("FAULT")?;
    let kind = p.string()?.to_ascii_lowercase();
    let cmd = match kind.as_str() {
        "backup_fail" | "restore_fail" => {
            p.expect("ON")?;
            p.expect("DATABASE")?;
            let db = p.name()?;
            p.expect("AT")?;
            p.expect("STATE")?;
            let state = p.string()?;
            let job = if kind == "backup_fail" {
                JobType::Backup
            } else {
                JobType::Restore
            };
            let mut f = JobFailure::new(job, &db, &state, "");
            while p.kw("WITH") {
                if p.kw("MESSAGE") {
                    f.message = p.string()?;
                } else if p.kw("STATUS") {
                    f.status_code = p.string()?;
                } else if p.kw("TASK") {
                    p.expect("MESSAGE")?;
                    f.task_message = Some(p.string()?);
                } else {
                    return Err(admin_error("expected MESSAGE, STATUS or TASK MESSAGE"));
                }
            }
            AdminCommand::FailJob(f)
        }
        "show_job_error" | "submit_busy" => {
            p.expect("TIMES")?;
            let n = u32::try_from(p.number()?).map_err(|_| admin_error("bad count"))?;
            if kind == "submit_busy" {
                AdminCommand::SubmitBusy(n)
            } else {
                AdminCommand::ShowErrors(n)
            }
        }
        "drop_connection" => {
            let before_answer = p.kw("DURING");
            if !before_answer {
                p.expect("AFTER")?;
            }
            let prefix = p.string()?;
            let remaining = if p.kw("TIMES") {
                u32::try_from(p.number()?).map_err(|_| admin_error("bad count"))?
            } else {
                1
            };
            AdminCommand::Drop(ConnectionDrop {
                prefix,
                remaining,
                before_answer,
            })
        }
        "backend_dead" | "backend_alive" => {
            p.expect("ON")?;
            p.expect("BACKEND")?;
            let index =
                usize::try_from(p.number()?).map_err(|_| admin_error("bad backend index"))?;
            AdminCommand::Backend {
                index,
                alive: kind == "backend_alive",
            }
        }
        other => return Err(admin_error(&format!("unknown fault '{other}'"))),
    };
    p.end()?;
    Ok(cmd)
}

/// Applies a command to the armed faults and the pacing override.
pub fn apply(cmd: AdminCommand, faults: &mut Faults, pacing: &mut Pacing) {
    match cmd {
        AdminCommand::FailJob(f) => faults.job_failures.push(f),
        AdminCommand::ShowErrors(n) => faults.show_errors = n,
        AdminCommand::SubmitBusy(n) => faults.submit_busy = n,
        AdminCommand::Drop(d) => faults.drops.push(d),
        AdminCommand::Backend { index, alive } => {
            if alive {
                faults.dead_backends.remove(&index);
            } else {
                faults.dead_backends.insert(index);
            }
        }
        AdminCommand::Clear => *faults = Faults::default(),
        AdminCommand::Pacing { state: None, ms } => pacing.default_ms = ms.max(0),
        AdminCommand::Pacing { state: Some(s), ms } => {
            pacing.per_state.insert(s, ms.max(0));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form() {
        let f = parse_admin(
            "ADMIN SET SIMULATOR FAULT 'backup_fail' ON DATABASE d AT STATE 'uploading' WITH MESSAGE 'disk full' WITH TASK MESSAGE 'io'",
        );
        let Ok(AdminCommand::FailJob(f)) = f else {
            panic!("{f:?}")
        };
        assert_eq!(
            (f.state.as_str(), f.message.as_str()),
            ("UPLOADING", "disk full")
        );
        assert_eq!(f.task_message.as_deref(), Some("io"));
        assert_eq!(
            parse_admin("admin set simulator fault 'submit_busy' times 2;"),
            Ok(AdminCommand::SubmitBusy(2))
        );
        assert_eq!(
            parse_admin("ADMIN SET SIMULATOR PACING STATE 'uploading' = 500"),
            Ok(AdminCommand::Pacing {
                state: Some("UPLOADING".into()),
                ms: 500
            })
        );
        assert!(parse_admin("ADMIN SET SIMULATOR FAULT 'nope'").is_err());
        assert!(parse_admin("ADMIN SET SIMULATOR FAULT 'submit_busy' TIMES").is_err());
    }

    #[test]
    fn drop_matches_leading_words() {
        let mut f = Faults::default();
        f.drops.push(ConnectionDrop {
            prefix: "show backup".into(),
            remaining: 1,
            before_answer: false,
        });
        assert_eq!(f.take_drop("SHOW RESTORE"), None);
        assert_eq!(f.take_drop("SHOW BACKUPS"), None);
        assert_eq!(f.take_drop("  SHOW   BACKUP FROM d"), Some(false));
        assert_eq!(f.take_drop("SHOW BACKUP"), None);
        let Ok(AdminCommand::Drop(d)) =
            parse_admin("ADMIN SET SIMULATOR FAULT 'drop_connection' DURING 'backup' TIMES 2")
        else {
            panic!("DURING form")
        };
        assert!(d.before_answer);
        assert_eq!(d.remaining, 2);
    }
}
