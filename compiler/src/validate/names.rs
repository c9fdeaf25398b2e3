//! StarRocks's name formats (`FeNameFormat`, `FunctionName.analyze`), as plain matchers.

/// Characters besides `\w` that `FeNameFormat.DB_NAME_REGEX` allows after the first one
/// (spec §2.1 step 1).
const DB_SPECIAL: &[u8] = b"-~!@#$%^&<>=+";

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// `^[a-zA-Z][\w<special>]{0,255}$|^_[a-zA-Z0-9][\w<special>]{0,254}$`.
pub fn is_valid_database_name(name: &str) -> bool {
    let b = name.as_bytes();
    let rest_ok = |rest: &[u8]| rest.iter().all(|&c| is_word(c) || DB_SPECIAL.contains(&c));
    match b {
        [first, rest @ ..] if first.is_ascii_alphabetic() => rest.len() <= 255 && rest_ok(rest),
        [b'_', second, rest @ ..] if second.is_ascii_alphanumeric() => {
            rest.len() <= 254 && rest_ok(rest)
        }
        _ => false,
    }
}

/// `COMMON_NAME_REGEX`: `^[a-zA-Z]\w{0,63}$|^_[a-zA-Z0-9]\w{0,62}$` (repository names).
pub fn is_valid_common_name(name: &str) -> bool {
    let b = name.as_bytes();
    match b {
        [first, rest @ ..] if first.is_ascii_alphabetic() => {
            rest.len() <= 63 && rest.iter().all(|&c| is_word(c))
        }
        [b'_', second, rest @ ..] if second.is_ascii_alphanumeric() => {
            rest.len() <= 62 && rest.iter().all(|&c| is_word(c))
        }
        _ => false,
    }
}

/// What is wrong with a function name, checked in `FunctionName.analyze`'s order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FunctionNameProblem {
    Empty,
    InvalidCharacter,
    StartsWithDigit,
}

/// `Character.isLetterOrDigit(c) || c == '_'`.
fn is_function_char(c: char) -> bool {
    c.is_alphabetic() || c.is_numeric() || c == '_'
}

pub fn function_name_problem(name: &str) -> Option<FunctionNameProblem> {
    let first = name.chars().next()?;
    if !name.chars().all(is_function_char) {
        return Some(FunctionNameProblem::InvalidCharacter);
    }
    if first.is_numeric() {
        return Some(FunctionNameProblem::StartsWithDigit);
    }
    None
}

/// Like [`function_name_problem`] but reports an empty name too.
pub fn function_problem(name: &str) -> Option<FunctionNameProblem> {
    if name.is_empty() {
        return Some(FunctionNameProblem::Empty);
    }
    function_name_problem(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_names() {
        assert!(is_valid_database_name("test"));
        assert!(is_valid_database_name("a-b~c"));
        assert!(is_valid_database_name("_1"));
        assert!(!is_valid_database_name("2@3"));
        assert!(!is_valid_database_name("test:2"));
        assert!(!is_valid_database_name("_"));
        assert!(!is_valid_database_name(""));
        assert!(is_valid_database_name(&"a".repeat(256)));
        assert!(!is_valid_database_name(&"a".repeat(257)));
    }

    #[test]
    fn repository_names() {
        assert!(is_valid_common_name("repo"));
        assert!(is_valid_common_name("_9x"));
        assert!(!is_valid_common_name("a:repo"));
        assert!(!is_valid_common_name("1repo"));
        assert!(!is_valid_common_name("a-b"));
        assert!(!is_valid_common_name(&"a".repeat(65)));
    }

    #[test]
    fn function_names() {
        assert_eq!(function_problem(""), Some(FunctionNameProblem::Empty));
        assert_eq!(
            function_problem("a.b.c"),
            Some(FunctionNameProblem::InvalidCharacter)
        );
        assert_eq!(
            function_problem("1f"),
            Some(FunctionNameProblem::StartsWithDigit)
        );
        assert_eq!(function_problem("f_1"), None);
    }
}
