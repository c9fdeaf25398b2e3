//! CREATE / DROP REPOSITORY checks (spec §2.7, `RepositoryAnalyzer`): name present, name
//! format, then (CREATE) location and broker name.

use super::names;
use super::{Check, Cx};
use crate::syntax::ast::{CreateRepository, DropRepository, Ident};

fn check_name(cx: &mut Cx<'_>, name: &Ident) -> bool {
    if name.value.is_empty() {
        cx.emit(
            Check::EmptyRepositoryName,
            name.span,
            "the repository name is empty",
            "name the repository, e.g. `CREATE REPOSITORY s3_backups …`",
            String::new(),
            // (sic) StarRocks's text.
            "Repository does not empty",
        );
        return false;
    }
    if !names::is_valid_common_name(&name.value) {
        cx.emit(
            Check::InvalidRepositoryName,
            name.span,
            format!("`{}` is not a valid repository name", name.value),
            "repository names start with a letter (or `_` and a letter/digit) and hold only letters, digits and `_`, at most 64 characters",
            String::new(),
            &format!("Incorrect repository name '{}'", name.value),
        );
        return false;
    }
    true
}

pub fn check_create(cx: &mut Cx<'_>, c: &CreateRepository) {
    check_name(cx, &c.name);
    if c.location.value.is_empty() {
        cx.emit(
            Check::EmptyLocation,
            c.location.span,
            "the repository location is empty",
            "give the storage location, e.g. ON LOCATION \"s3://bucket/backups\"",
            String::new(),
            "You must specify a location on the repository",
        );
    }
    if let Some(broker) = &c.broker {
        if broker.value.is_empty() {
            cx.emit(
                Check::EmptyBroker,
                broker.span,
                "the broker name is present but empty",
                "name the broker, or write `WITH BROKER` alone for direct access to the storage",
                String::new(),
                "You must specify the broker of the repository",
            );
        }
    }
}

pub fn check_drop(cx: &mut Cx<'_>, d: &DropRepository) {
    if check_name(cx, &d.name) && cx.catalog.repository_exists(&d.name.value) == Some(false) {
        cx.emit(
            Check::UnknownRepository,
            d.name.span,
            format!("repository `{}` does not exist", d.name.value),
            "check the name in SHOW REPOSITORIES (names are case-sensitive)",
            String::new(),
            "Repository does not exist",
        );
    }
}
