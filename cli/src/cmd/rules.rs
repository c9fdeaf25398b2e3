//! `starsnap rules [CODE|NAME] [--format text|json]`: the rule registry, as a table or one
//! code's documentation.

use starsnap_compiler::lint::{explain, lookup, registry, rules_markdown, RuleMeta};

use super::{usage_error, DataFormat};
use crate::{exit, out};

/// `rules` arguments.
#[derive(Debug, clap::Args)]
pub struct RulesArgs {
    /// A code (`L005`, `V017`) or rule name (`restore-in-place`): print its documentation.
    pub rule: Option<String>,
    /// text (markdown), or json (one object per code, one per line).
    #[arg(long, value_enum, default_value_t = DataFormat::Text)]
    pub format: DataFormat,
}

fn rule_json(m: &RuleMeta, docs: Option<String>) -> String {
    let mut v = serde_json::json!({
        "code": m.code,
        "name": m.name,
        "default_severity": m.default_severity.to_string(),
        "summary": m.summary,
        "suppressible": m.suppressible,
    });
    if let (Some(d), Some(obj)) = (docs, v.as_object_mut()) {
        obj.insert("docs".into(), serde_json::Value::String(d));
    }
    format!("{v}\n")
}

pub fn run(args: RulesArgs) -> i32 {
    let json = args.format == DataFormat::Json;
    match args.rule {
        None if json => {
            let text: String = registry().iter().map(|m| rule_json(m, None)).collect();
            out::print(&text);
            exit::OK
        }
        None => {
            out::print(&rules_markdown());
            exit::OK
        }
        Some(r) => match explain(&r) {
            Some(doc) if json => {
                match lookup(&r) {
                    Some(m) => out::print(&rule_json(m, Some(doc))),
                    None => return usage_error(format!("unknown rule '{r}'")),
                }
                exit::OK
            }
            Some(doc) => {
                out::print(&format!("{}\n", doc.trim_end()));
                exit::OK
            }
            None => usage_error(format!("unknown rule '{r}' (see `starsnap rules`)")),
        },
    }
}
