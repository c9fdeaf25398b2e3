//! Reading a plan file: the version is checked before anything else, so a plan from a newer
//! starsnap is refused with a clear message rather than misread (STYLE 9).

use std::fmt;

use super::{Plan, FORMAT_VERSION};

/// Why a plan file could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlanReadError {
    /// Not JSON, or not a plan's shape (serde_json's message with line and column).
    Malformed {
        line: usize,
        column: usize,
        message: String,
    },
    /// No integer `format_version`.
    MissingVersion,
    /// A `format_version` this build does not know.
    UnsupportedVersion(u64),
}

impl fmt::Display for PlanReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlanReadError::Malformed {
                line,
                column,
                message,
            } => write!(f, "malformed plan at line {line}, column {column}: {message}"),
            PlanReadError::MissingVersion => {
                f.write_str("not a starsnap plan: no integer `format_version`")
            }
            PlanReadError::UnsupportedVersion(v) => write!(
                f,
                "plan format_version {v} is not supported by this starsnap (it reads format_version {FORMAT_VERSION}); apply it with the starsnap version that made it, or re-plan"
            ),
        }
    }
}

impl std::error::Error for PlanReadError {}

fn malformed(e: &serde_json::Error) -> PlanReadError {
    let text = e.to_string();
    let message = match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    };
    PlanReadError::Malformed {
        line: e.line(),
        column: e.column(),
        message,
    }
}

/// Reads a plan, refusing unknown versions and unknown fields.
pub fn from_json(text: &str) -> Result<Plan, PlanReadError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| malformed(&e))?;
    match value
        .get("format_version")
        .and_then(serde_json::Value::as_u64)
    {
        None => Err(PlanReadError::MissingVersion),
        Some(v) if v != u64::from(FORMAT_VERSION) => Err(PlanReadError::UnsupportedVersion(v)),
        Some(_) => serde_json::from_str(text).map_err(|e| malformed(&e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_version_is_refused_with_a_clear_message() {
        let err = from_json("{\"format_version\": 2, \"steps\": []}").expect_err("v2");
        assert_eq!(err, PlanReadError::UnsupportedVersion(2));
        assert!(err
            .to_string()
            .contains("format_version 2 is not supported"));
        assert_eq!(from_json("[]"), Err(PlanReadError::MissingVersion));
        assert!(matches!(
            from_json("{\"format_version\": 1}"),
            Err(PlanReadError::Malformed { .. })
        ));
        assert!(matches!(
            from_json("{\"format_version\": 1,"),
            Err(PlanReadError::Malformed { line: 1, .. })
        ));
    }
}
