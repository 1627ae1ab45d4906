//! The configuration every command runs with, from the command line's options and their
//! environment variables (`cli::ConfigArgs`). Every variable is listed in the README.

use crate::cli::ConfigArgs;
use app::backend::Settings;
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct Config {
    pub database_url: String,
    pub addr: String,
    pub max_connections: u32,
    /// `serve`'s limit for one database statement (see `db::connect`).
    pub statement_timeout: Duration,
    pub site_root: String,
    pub settings: Settings,
    /// Unanswered claims of an agent idle this long go back to the queue.
    pub claim_lease: Duration,
    /// The SMTP server e-mail replies leave through (see `mail::transport`); without one,
    /// they wait in the outbox.
    pub smtp_url: Option<String>,
    /// The sender of e-mail to staff (see `outbox::Outbox::with_mail_from`).
    pub mail_from: Option<String>,
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
}

impl Config {
    /// The configuration from the command line's options and their environment variables
    /// (parsed and checked by clap; see `cli::ConfigArgs`).
    pub fn from_args(args: &ConfigArgs) -> Result<Config, ConfigError> {
        let set = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(String::from);
        Ok(Config {
            database_url: set(&args.database_url).ok_or(ConfigError::MissingDatabaseUrl)?,
            addr: args.addr.clone(),
            max_connections: args.db_max_connections,
            statement_timeout: Duration::from_secs(args.statement_timeout_seconds),
            site_root: args.site_root.clone(),
            smtp_url: set(&args.smtp_url),
            mail_from: set(&args.mail_from),
            claim_lease: Duration::from_secs(60 * args.claim_lease_minutes),
            settings: Settings {
                public_url: set(&args.public_url).map(|u| u.trim_end_matches('/').to_string()),
                session_idle: Duration::from_secs(args.session_idle_minutes * 60),
                session_max: Duration::from_secs(args.session_max_hours * 3600),
                trust_proxy: args.trust_proxy,
                request_timeout: Duration::from_secs(args.request_timeout_seconds.max(1)),
            },
        })
    }
}
