//! Redaction of free text before the state store writes it (invariant 7).
//!
//! StarRocks echoes properties in some messages (a broker or object-store error may quote
//! `"aws.s3.secret_key" = "…"`), and the executor knows the values it substituted from
//! environment variables. Every free-text field the store writes (Status, TaskErrMsg,
//! event messages) goes through [`Redactor::redact`]: known secret values are replaced, and
//! so is the value of any `key = value` pair whose key looks like a credential.

const MASK: &str = "***";

/// Key fragments that mark a credential (matched case-insensitively).
const SECRET_KEYS: &[&str] = &[
    "secret",
    "password",
    "passwd",
    "access_key",
    "accesskey",
    "access-key",
    "token",
    "credential",
    "sas",
];

/// Replaces secrets in text.
#[derive(Clone, Debug, Default)]
pub struct Redactor {
    values: Vec<String>,
}

impl Redactor {
    /// Adds secret values (empty and very short values are ignored: masking "a" would
    /// destroy every message).
    pub fn add_values(&mut self, values: impl IntoIterator<Item = String>) {
        for v in values {
            if v.len() >= 4 && !self.values.contains(&v) {
                self.values.push(v);
            }
        }
        // Longest first, so a secret containing another is masked whole.
        self.values.sort_by_key(|v| std::cmp::Reverse(v.len()));
    }

    /// Adds the values `other` knows.
    pub fn merge(&mut self, other: &Redactor) {
        self.add_values(other.values.iter().cloned());
    }

    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for v in &self.values {
            if out.contains(v.as_str()) {
                out = out.replace(v.as_str(), MASK);
            }
        }
        mask_pairs(&out)
    }
}

/// Masks the value of every `key = value`, `key: value`, `"key" = "value"` whose key
/// contains a credential fragment.
fn mask_pairs(text: &str) -> String {
    let bytes = text.as_bytes();
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        let at_key = SECRET_KEYS.iter().find_map(|k| {
            lower
                .get(i..)
                .filter(|rest| rest.starts_with(k))
                .map(|_| k.len())
        });
        let Some(klen) = at_key else {
            let ch = text[i..].chars().next().map_or(1, char::len_utf8);
            out.push_str(&text[i..i + ch]);
            i += ch;
            continue;
        };
        // Rest of the key word.
        let mut j = i + klen;
        while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || b"_.-".contains(&bytes[j])) {
            j += 1;
        }
        // Closing quote of a quoted key, spaces, separator, spaces.
        let mut k = j;
        if k < bytes.len() && (bytes[k] == b'"' || bytes[k] == b'\'') {
            k += 1;
        }
        while k < bytes.len() && bytes[k] == b' ' {
            k += 1;
        }
        // `<AWSAccessKeyId>value</AWSAccessKeyId>`: an XML element named like a credential.
        if k < bytes.len() && bytes[k] == b'>' && i > 0 && is_element_name_start(text, i) {
            let start = k + 1;
            let end = text[start..].find('<').map_or(bytes.len(), |e| start + e);
            out.push_str(&text[i..start]);
            if end > start {
                out.push_str(MASK);
            }
            i = end;
            continue;
        }
        if k >= bytes.len() || !(bytes[k] == b'=' || bytes[k] == b':') {
            out.push_str(&text[i..j]);
            i = j;
            continue;
        }
        k += 1;
        while k < bytes.len() && bytes[k] == b' ' {
            k += 1;
        }
        out.push_str(&text[i..k]);
        // The value: quoted, or up to a delimiter.
        if k < bytes.len() && (bytes[k] == b'"' || bytes[k] == b'\'') {
            let q = bytes[k];
            let mut e = k + 1;
            while e < bytes.len() && bytes[e] != q {
                e += 1;
            }
            out.push(q as char);
            out.push_str(MASK);
            if e < bytes.len() {
                out.push(q as char);
                e += 1;
            }
            i = e;
        } else {
            let mut e = k;
            while e < bytes.len() && !b" \t\n,;)&".contains(&bytes[e]) {
                e += 1;
            }
            if e > k {
                out.push_str(MASK);
            }
            i = e;
        }
    }
    out
}

/// Whether the word at byte `i` is (part of) an XML element name: `<` before it, after
/// letters only.
fn is_element_name_start(text: &str, i: usize) -> bool {
    let before = &text[..i];
    let word_start = before
        .rfind(|c: char| !c.is_ascii_alphanumeric())
        .map_or(0, |p| p);
    before.as_bytes().get(word_start) == Some(&b'<')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_known_values_and_credential_pairs() {
        let mut r = Redactor::default();
        r.add_values(["hunter22".to_string(), "x".to_string()]);
        assert_eq!(
            r.redact("login with hunter22 failed"),
            "login with *** failed"
        );
        assert_eq!(
            r.redact(r#"bad props: "aws.s3.secret_key" = "AbC/123", "aws.s3.region" = "us""#),
            r#"bad props: "aws.s3.secret_key" = "***", "aws.s3.region" = "us""#
        );
        assert_eq!(r.redact("url?token=abc&x=1"), "url?token=***&x=1");
        assert_eq!(r.redact("password: p4ss, next"), "password: ***, next");
        assert_eq!(r.redact("no secret here"), "no secret here");
        assert_eq!(r.redact("é secret"), "é secret");
        assert_eq!(
            r.redact("<Error><AWSAccessKeyId>AKIAEXAMPLE</AWSAccessKeyId><Code>x</Code></Error>"),
            "<Error><AWSAccessKeyId>***</AWSAccessKeyId><Code>x</Code></Error>"
        );
    }
}
