//! Configuration from the environment, Leptos conventions first.
//!
//! - `LEPTOS_SITE_ADDR` (default 127.0.0.1:3000)
//! - `DATABASE_URL`: unset → SQLite file `leads.db` in `LEADS_DATA_DIR` (default `./data`);
//!   `postgres://…` → PostgreSQL
//! - `LEADS_TRUSTED_PROXIES`: addresses or CIDR ranges of reverse proxies whose
//!   `X-Forwarded-For` is believed (default: none)
//! - `LEADS_SEED_DEMO=1`: create the demo workspace on an empty database (off by default, so a
//!   deployment never gets an account with a published password unless asked)
//! - `LEADS_SIGNUPS_PER_MINUTE`: sign-ups one client may make a minute (default 20)
//! - `LEADS_IMPORT_MAX_MB`: the largest CSV file an import takes, in MiB (default 256)
//! - `LEADS_COUNT_BUDGET_MS`: time a searched or filtered total may take on PostgreSQL before
//!   the planner's estimate is shown instead (default 15)
//! - `LEADS_SMTP_URL`: where to send mail (invitations), e.g. `smtps://user:pass@mail.example.com`
//!   or `smtp://localhost:25`; unset → no mail, and the app shows invitation links to copy
//! - `LEADS_MAIL_FROM`: the sender, `Name <address>` (default `Leads <no-reply@localhost>`)
//! - `LEADS_PUBLIC_URL`: the app's address as people reach it, for links in mail (default: the
//!   Host of the request that made the link)
//! - `RUST_LOG`: log filter

use app::server::client_ip::TrustedProxies;
use leptos::config::{Env, LeptosOptions};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug)]
pub struct Config {
    pub addr: SocketAddr,
    pub database_url: String,
    /// Where the SQLite file lives, when that is the database.
    pub sqlite_path: Option<PathBuf>,
    pub trusted_proxies: TrustedProxies,
    pub seed_demo: bool,
    pub signups_per_minute: usize,
    pub import_max_bytes: usize,
    pub count_budget_ms: u32,
    pub smtp_url: Option<String>,
    pub mail_from: String,
    pub public_url: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("LEPTOS_SITE_ADDR={0:?} is not an address like 127.0.0.1:3000")]
    BadAddr(String),
    #[error("DATABASE_URL must start with postgres://, postgresql:// or sqlite: (got {0:?})")]
    BadDatabaseUrl(String),
    #[error("LEADS_TRUSTED_PROXIES: {0}")]
    BadTrustedProxies(String),
    #[error("LEADS_SIGNUPS_PER_MINUTE must be a whole number from 1 (got {0:?})")]
    BadSignupLimit(String),
    #[error("LEADS_IMPORT_MAX_MB must be a whole number of MiB from 1 to 65536 (got {0:?})")]
    BadImportLimit(String),
    #[error("LEADS_COUNT_BUDGET_MS must be a whole number of milliseconds from 1 (got {0:?})")]
    BadCountBudget(String),
    #[error("LEADS_PUBLIC_URL must start with http:// or https:// (got {0:?})")]
    BadPublicUrl(String),
    #[error("LEADS_SEED_DEMO must be 0 or 1 (got {0:?})")]
    BadSeedDemo(String),
    #[error("data directory {path}: {reason}")]
    DataDir { path: String, reason: String },
}

fn var(key: &str) -> Option<String> {
    std::env::var(key).ok().filter(|v| !v.trim().is_empty())
}

/// `LEADS_COUNT_BUDGET_MS`, or the default (also read by the bench).
pub fn count_budget_ms() -> Result<u32, ConfigError> {
    match var("LEADS_COUNT_BUDGET_MS") {
        None => Ok(app::server::service::COUNT_BUDGET_MS),
        Some(raw) => raw
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or(ConfigError::BadCountBudget(raw)),
    }
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        let raw_addr = var("LEPTOS_SITE_ADDR").unwrap_or_else(|| "127.0.0.1:3000".into());
        let addr = raw_addr
            .parse()
            .map_err(|_| ConfigError::BadAddr(raw_addr))?;
        let trusted_proxies =
            TrustedProxies::parse(&var("LEADS_TRUSTED_PROXIES").unwrap_or_default())
                .map_err(ConfigError::BadTrustedProxies)?;
        let seed_demo = match var("LEADS_SEED_DEMO").as_deref() {
            None | Some("0") => false,
            Some("1") => true,
            Some(other) => return Err(ConfigError::BadSeedDemo(other.to_owned())),
        };
        let signups_per_minute = match var("LEADS_SIGNUPS_PER_MINUTE") {
            None => app::server::service::signup_throttle::MAX_SIGNUPS,
            Some(raw) => raw
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or(ConfigError::BadSignupLimit(raw))?,
        };
        let import_max_bytes = match var("LEADS_IMPORT_MAX_MB") {
            None => app::server::state::DEFAULT_IMPORT_MAX_BYTES,
            Some(raw) => raw
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=65536).contains(n))
                .map(|mib| mib * 1024 * 1024)
                .ok_or(ConfigError::BadImportLimit(raw))?,
        };
        let count_budget_ms = count_budget_ms()?;
        let (database_url, sqlite_path) = match var("DATABASE_URL") {
            Some(url)
                if url.starts_with("postgres://")
                    || url.starts_with("postgresql://")
                    || url.starts_with("sqlite:") =>
            {
                (url, None)
            }
            Some(url) => return Err(ConfigError::BadDatabaseUrl(redact(&url))),
            None => {
                let dir = PathBuf::from(var("LEADS_DATA_DIR").unwrap_or_else(|| "./data".into()));
                ensure_writable(&dir)?;
                let path = dir.join("leads.db");
                (format!("sqlite://{}?mode=rwc", path.display()), Some(path))
            }
        };
        let public_url = match var("LEADS_PUBLIC_URL") {
            Some(url) if url.starts_with("http://") || url.starts_with("https://") => Some(url),
            Some(url) => return Err(ConfigError::BadPublicUrl(url)),
            None => None,
        };
        Ok(Self {
            addr,
            database_url,
            sqlite_path,
            trusted_proxies,
            seed_demo,
            signups_per_minute,
            import_max_bytes,
            count_budget_ms,
            smtp_url: var("LEADS_SMTP_URL"),
            mail_from: var("LEADS_MAIL_FROM")
                .unwrap_or_else(|| "Leads <no-reply@localhost>".into()),
            public_url,
        })
    }
}

/// Hides a password in a URL before it is printed.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

fn ensure_writable(dir: &Path) -> Result<(), ConfigError> {
    let fail = |reason: String| ConfigError::DataDir {
        path: dir.display().to_string(),
        reason,
    };
    std::fs::create_dir_all(dir).map_err(|e| fail(format!("cannot create it ({e})")))?;
    let probe = dir.join(".write-test");
    std::fs::write(&probe, b"ok").map_err(|e| fail(format!("is not writable ({e})")))?;
    let _ = std::fs::remove_file(probe);
    Ok(())
}

/// Leptos's own options. Built here rather than by `get_configuration`, so the binary runs with
/// no environment at all; cargo-leptos's variables still take precedence when present.
pub fn leptos_options(addr: SocketAddr) -> LeptosOptions {
    let env = match var("LEPTOS_ENV").as_deref() {
        Some("DEV" | "dev" | "development") => Env::DEV,
        Some(_) => Env::PROD,
        None if cfg!(debug_assertions) => Env::DEV,
        None => Env::PROD,
    };
    LeptosOptions::builder()
        .output_name(var("LEPTOS_OUTPUT_NAME").unwrap_or_else(|| "leads".into()))
        .site_root(var("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".into()))
        .site_pkg_dir(var("LEPTOS_SITE_PKG_DIR").unwrap_or_else(|| "pkg".into()))
        .env(env)
        .site_addr(addr)
        .reload_port(
            var("LEPTOS_RELOAD_PORT")
                .and_then(|p| p.parse().ok())
                .unwrap_or(3001),
        )
        .build()
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn redacts_passwords() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("sqlite://x.db"), "sqlite://x.db");
        assert_eq!(
            redact("postgres://postgres@h/db"),
            "postgres://postgres@h/db"
        );
    }
}
