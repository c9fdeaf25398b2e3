//! Opening the state store the policy's `[state]` names — the cluster itself (default) or a
//! separate MySQL-compatible server — and reading starsnap's history from it.

use std::sync::Arc;
use std::time::Duration;

use starsnap_compiler::catalog::History;
use starsnap_compiler::policy::Policy;
use starsnap_runtime::state::{HistoryFilter, SystemClock};
use starsnap_runtime::{
    Cluster, ConnectOptions, RuntimeError, StateBackend, StateConfig, StateStore,
};

/// `mysql://user@host:port` (also `mariadb://`; the user and port are optional, 3306 by
/// default) as connection options. The password comes from `password_env`, never the URL.
pub fn parse_state_url(url: &str, password_env: Option<&str>) -> Result<ConnectOptions, String> {
    // Never echo a password someone put in the URL.
    let shown = match (url.split_once("://"), url.rsplit_once('@')) {
        (Some((scheme, after)), Some((_, host))) if after.contains(':') && after.contains('@') => {
            let user = after.split(':').next().unwrap_or("");
            format!("{scheme}://{user}:***@{host}")
        }
        _ => url.to_string(),
    };
    let rest = url
        .strip_prefix("mysql://")
        .or_else(|| url.strip_prefix("mariadb://"))
        .ok_or_else(|| format!("[state] url '{shown}': expected mysql://user@host:port"))?;
    let rest = rest.split(['/', '?']).next().unwrap_or(rest);
    let (user, hostport) = match rest.rsplit_once('@') {
        Some((u, h)) => (u, h),
        None => ("root", rest),
    };
    if user.contains(':') {
        return Err(format!(
            "[state] url '{shown}': put the password in an environment variable named by password_env, not in the URL"
        ));
    }
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) => (
            h,
            p.parse::<u16>()
                .map_err(|_| format!("[state] url '{shown}': bad port '{p}'"))?,
        ),
        None => (hostport, 3306),
    };
    if host.is_empty() {
        return Err(format!("[state] url '{shown}': no host"));
    }
    Ok(ConnectOptions {
        host: host.to_string(),
        port,
        user: user.to_string(),
        password_env: password_env.map(str::to_string),
        connect_timeout: Duration::from_secs(10),
        ..ConnectOptions::default()
    })
}

/// Opens the state store: a new connection to wherever `[state]` says history lives.
pub fn open_store(policy: &Policy) -> Result<StateStore, String> {
    let env = |name: &str| std::env::var(name).ok();
    let clock = Arc::new(SystemClock);
    match &policy.state.url {
        Some(url) => {
            let mut opts = parse_state_url(url, policy.state.password_env.as_deref())?;
            opts.tls = super::project::tls_options(&policy.state.tls);
            let conn = Cluster::connect(&opts, &env).map_err(|e| format!("state server: {e}"))?;
            let config = StateConfig {
                database: policy.state.database.clone(),
                backend: StateBackend::MySql,
                ..StateConfig::default()
            };
            StateStore::new(conn, config, clock).map_err(|e| format!("state server: {e}"))
        }
        None => {
            let mut conn = super::project::connect(policy)?;
            let config = StateConfig::for_cluster(&mut conn, &policy.state.database)
                .map_err(|e| e.to_string())?;
            StateStore::new(conn, config, clock).map_err(|e| e.to_string())
        }
    }
}

/// starsnap's history. A state store that was never initialised means no history (the first
/// run); anything else that fails is an error, never an empty history.
pub fn read_history(policy: &Policy) -> Result<History, RuntimeError> {
    let mut store =
        open_store(policy).map_err(|message| RuntimeError::StateUnavailable { message })?;
    if store.schema_version()?.is_none() {
        return Ok(History::default());
    }
    store.catalog_history(&HistoryFilter::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_urls() {
        let o = parse_state_url("mysql://starsnap@state-db:3307", Some("PW")).expect("url");
        assert_eq!(
            (o.host.as_str(), o.port, o.user.as_str()),
            ("state-db", 3307, "starsnap")
        );
        assert_eq!(o.password_env.as_deref(), Some("PW"));
        let d = parse_state_url("mariadb://db.internal/starsnap", None).expect("url");
        assert_eq!(
            (d.host.as_str(), d.port, d.user.as_str()),
            ("db.internal", 3306, "root")
        );
        assert!(parse_state_url("postgres://x", None).is_err());
        assert!(parse_state_url("mysql://u:secret@h", None)
            .err()
            .is_some_and(|e| !e.contains("secret")));
        assert!(parse_state_url("mysql://u@h:notaport", None).is_err());
    }
}
