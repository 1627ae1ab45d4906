//! Configuration from the environment. Every variable is listed in the README.

use app::backend::Settings;
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct Config {
    pub database_url: String,
    pub addr: String,
    pub max_connections: u32,
    pub site_root: String,
    pub settings: Settings,
    /// Unanswered claims of an agent idle this long go back to the queue.
    pub claim_lease: Duration,
    /// The SMTP server e-mail replies leave through (see `mail::transport`); without one,
    /// they wait in the outbox.
    pub smtp_url: Option<String>,
}

impl Config {
    /// The address customers reach this installation at (rating links, the chat snippet).
    pub fn public_url(&self) -> String {
        self.settings.public_url.clone().unwrap_or_else(|| format!("http://{}", self.addr))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("DATABASE_URL is not set. Set it to postgres://user:password@host:5432/meridian (make run does this for you).")]
    MissingDatabaseUrl,
    #[error("{name} must be {expected}, not '{value}'")]
    Invalid { name: &'static str, expected: &'static str, value: String },
}

fn parse_var<T: std::str::FromStr>(name: &'static str, expected: &'static str, default: T) -> Result<T, ConfigError> {
    match std::env::var(name) {
        Ok(value) if !value.trim().is_empty() => {
            value.trim().parse().map_err(|_| ConfigError::Invalid { name, expected, value })
        }
        _ => Ok(default),
    }
}

impl Config {
    pub fn from_env() -> Result<Config, ConfigError> {
        let database_url = std::env::var("DATABASE_URL").map_err(|_| ConfigError::MissingDatabaseUrl)?;
        let defaults = Settings::default();
        let idle_minutes = parse_var("MERIDIAN_SESSION_IDLE_MINUTES", "a number of minutes", defaults.session_idle.as_secs() / 60)?;
        let max_hours = parse_var("MERIDIAN_SESSION_MAX_HOURS", "a number of hours", defaults.session_max.as_secs() / 3600)?;
        Ok(Config {
            database_url,
            addr: std::env::var("MERIDIAN_ADDR").unwrap_or_else(|_| "127.0.0.1:3000".into()),
            max_connections: parse_var("MERIDIAN_DB_MAX_CONNECTIONS", "a number", 20)?,
            site_root: std::env::var("LEPTOS_SITE_ROOT").unwrap_or_else(|_| "target/site".into()),
            smtp_url: std::env::var("MERIDIAN_SMTP_URL").ok().filter(|u| !u.trim().is_empty()),
            claim_lease: Duration::from_secs(60 * parse_var("MERIDIAN_CLAIM_LEASE_MINUTES", "a number of minutes", 30u64)?),
            settings: Settings {
                public_url: std::env::var("MERIDIAN_PUBLIC_URL").ok().filter(|u| !u.is_empty()).map(|u| u.trim_end_matches('/').to_string()),
                session_idle: Duration::from_secs(idle_minutes * 60),
                session_max: Duration::from_secs(max_hours * 3600),
                trust_proxy: parse_var("MERIDIAN_TRUST_PROXY", "true or false", false)?,
            },
        })
    }
}
