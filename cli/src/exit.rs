//! Exit codes, as DESIGN.md fixes them and `--help` documents them.

/// Success, or nothing to do.
pub const OK: i32 = 0;
/// Failure: lint findings at or above `--fail-on`, a failed step, an I/O error.
pub const FAILURE: i32 = 1;
/// `plan --detailed-exitcode`: the plan has changes.
pub const CHANGES: i32 = 2;
// 3 (stale plan) and 4 (lock held) belong to `apply`.
/// Usage error: bad flags or arguments, a path that does not exist.
pub const USAGE: i32 = 64;

/// The exit-code table shown at the end of `starsnap --help`.
pub const HELP_TABLE: &str = "\
Exit codes:
  0   success, or nothing to do
  1   failure (lint findings at or above --fail-on, a failed step, an unreadable file)
  2   plan has changes (only with --detailed-exitcode)
  3   stale plan: the cluster moved since the plan was made
  4   a lock is held by another run
  64  usage error (bad flags or arguments, a missing path, plan or policy file)
  130 interrupted (SIGINT/SIGTERM during apply)
With --format json or --json, an error is also one JSON object on stdout:
  {\"error\": {\"code\": \"usage\", \"message\": \"...\", \"exit_code\": 64}}";
