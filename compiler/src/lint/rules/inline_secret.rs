//! L007 inline-secret.

use super::{DiagnosticExt, RuleCx, Statement};
use crate::lint::registry::{rule_doc, Rule};

rule_doc! {
    /// ## What it does
    /// Flags CREATE REPOSITORY properties that hold a secret written inline: keys that name
    /// a secret (`*secret*`, `*password*`, `*passwd*`, `*access_key*`, `*token*`,
    /// `*credential*`, `*private_key*`, `*account.key*`, `*sas*`) or values that look like a
    /// credential file (PEM blocks, service-account JSON). A value that is an environment
    /// reference `${NAME}` is fine. The message never repeats the value.
    ///
    /// ## Why is this bad?
    /// SQL files live in git and are printed in CI logs and pull requests; a secret written
    /// there is leaked to everyone who can read them, forever (git history). starsnap keeps
    /// secrets as environment-variable references and resolves them only when it talks to the
    /// cluster.
    ///
    /// ## Example
    /// ```sql
    /// CREATE REPOSITORY s3_repo WITH BROKER ON LOCATION "s3://bucket/backups"
    /// PROPERTIES ("aws.s3.access_key" = "AKIA…", "aws.s3.secret_key" = "…");
    /// ```
    /// Use instead:
    /// ```sql
    /// CREATE REPOSITORY s3_repo WITH BROKER ON LOCATION "s3://bucket/backups"
    /// PROPERTIES ("aws.s3.access_key" = "${AWS_ACCESS_KEY_ID}",
    ///             "aws.s3.secret_key" = "${AWS_SECRET_ACCESS_KEY}");
    /// ```
    InlineSecret
}

const SECRET_KEY_PARTS: &[&str] = &[
    "secret",
    "password",
    "passwd",
    "access_key",
    "accesskey",
    "token",
    "credential",
    "private_key",
    "privatekey",
    "account.key",
    "sas",
];

/// Whether a property key names a secret.
pub(crate) fn is_secret_key(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    SECRET_KEY_PARTS.iter().any(|p| lower.contains(p))
}

/// Whether a value looks like the contents of a credential file.
fn looks_like_credential_file(value: &str) -> bool {
    value.contains("-----BEGIN")
        || value.contains("\"private_key\"")
        || value.contains("\"client_secret\"")
}

/// `${NAME}`: a reference, not a secret.
fn is_env_reference(value: &str) -> bool {
    let v = value.trim();
    v.starts_with("${") && v.ends_with('}') && v.len() > 3
}

pub(crate) fn check(stmt: &Statement, cx: &mut RuleCx<'_>) {
    let Statement::CreateRepository(c) = stmt else {
        return;
    };
    let Some(props) = &c.properties else { return };
    for p in &props.items {
        let key = p.key.value.trim();
        let value = &p.value.value;
        if value.trim().is_empty() || is_env_reference(value) {
            continue;
        }
        if !(is_secret_key(key) || looks_like_credential_file(value)) {
            continue;
        }
        let env = key
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_uppercase()
                } else {
                    '_'
                }
            })
            .collect::<String>();
        cx.report(
            Rule::InlineSecret,
            p.value.span,
            format!("property `{key}` holds a secret written inline"),
        )
        .help(format!(
            "reference an environment variable instead, e.g. \"{key}\" = \"${{{env}}}\", or use an instance profile / IAM role; rotate the secret if this file was ever committed"
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{findings, fires};

    #[test]
    fn fires_on_inline_secret_without_echoing_it() {
        let sql = "CREATE REPOSITORY r WITH BROKER ON LOCATION \"s3://b/p\" PROPERTIES (\"aws.s3.secret_key\" = \"hunter2\");";
        assert!(fires("L007", sql));
        let f = findings(sql);
        assert!(f.iter().all(|d| !d.message.contains("hunter2")
            && !d.help.clone().unwrap_or_default().contains("hunter2")));
        assert!(fires("L007", "CREATE REPOSITORY r WITH BROKER ON LOCATION \"gs://b\" PROPERTIES (\"gcp.gcs.json\" = \"-----BEGIN PRIVATE KEY-----\");"));
    }

    #[test]
    fn silent_on_references_and_plain_keys() {
        assert!(!fires("L007", "CREATE REPOSITORY r WITH BROKER ON LOCATION \"s3://b/p\" PROPERTIES (\"aws.s3.secret_key\" = \"${AWS_SECRET}\", \"aws.s3.region\" = \"us-east-1\");"));
        assert!(!fires("L007", "CREATE REPOSITORY r WITH BROKER ON LOCATION \"s3://b/p\" PROPERTIES (\"aws.s3.use_instance_profile\" = \"true\");"));
    }
}
