//! `${NAME}` references in a step's SQL: the plan names environment variables, apply
//! substitutes their values at the last moment (invariant 7). The substituted text is only
//! ever sent to the server; errors and logs quote the plan's text, never the values.

use super::ApplyError;

/// The environment lookup apply uses (the CLI passes `std::env::var`; tests pass a map).
pub type EnvLookup = dyn Fn(&str) -> Option<String> + Send + Sync;

/// The statement with every `${NAME}` replaced, and the values used (to redact).
pub struct Substituted {
    pub sql: String,
    pub secrets: Vec<String>,
}

/// Replaces `${NAME}` by the variable's value. Only names listed in `allowed` (the step's
/// `env`) are substituted; a listed variable that is unset is an error naming it.
pub fn substitute(
    sql: &str,
    allowed: &[String],
    env: &EnvLookup,
) -> Result<Substituted, ApplyError> {
    let mut out = String::with_capacity(sql.len());
    let mut secrets = Vec::new();
    let mut rest = sql;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { break };
        let name = &after[..end];
        if !allowed.iter().any(|a| a == name) {
            out.push_str(&rest[..start + 2]);
            rest = after;
            continue;
        }
        let value = env(name).ok_or_else(|| ApplyError::MissingEnv {
            name: name.to_string(),
        })?;
        out.push_str(&rest[..start]);
        out.push_str(&escape_in_string(&value));
        if !value.is_empty() {
            secrets.push(value);
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(Substituted { sql: out, secrets })
}

/// The planner puts `${NAME}` inside a double-quoted string literal; the value is escaped
/// for that position so it cannot end the literal.
fn escape_in_string(value: &str) -> String {
    let mut s = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => s.push_str("\\\\"),
            '"' => s.push_str("\\\""),
            '\'' => s.push_str("\\'"),
            _ => s.push(c),
        }
    }
    s
}

/// `text` with every secret value masked.
pub fn redact(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_string();
    for s in secrets.iter().filter(|s| !s.is_empty()) {
        out = out.replace(s.as_str(), "***");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "KEY" => Some("ab\"c".into()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    #[test]
    fn substitutes_listed_names_only_and_escapes() {
        let allowed = vec!["KEY".to_string()];
        let s = substitute(r#""k" = "${KEY}", "o" = "${OTHER}""#, &allowed, &env)
            .map_err(|e| e.to_string());
        let s = s.as_ref().map(|s| (s.sql.as_str(), s.secrets.clone()));
        assert_eq!(
            s,
            Ok((
                r#""k" = "ab\"c", "o" = "${OTHER}""#,
                vec!["ab\"c".to_string()]
            ))
        );
    }

    #[test]
    fn unset_variable_is_named() {
        let allowed = vec!["NOPE".to_string()];
        let e = substitute("${NOPE}", &allowed, &env)
            .err()
            .map(|e| e.to_string());
        assert!(e.is_some_and(|e| e.contains("NOPE")));
    }

    #[test]
    fn redaction_masks_values() {
        assert_eq!(redact("x secret y", &["secret".into()]), "x *** y");
    }
}
