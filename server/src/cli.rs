//! The `meridian` command line: its subcommands, and the settings every command reads, each
//! an option and an environment variable (`meridian --help` lists both). The README's
//! Configuration section lists the same.

use app::backend::Settings;
use app::domain::access::Role;
use clap::{ArgAction, Args, Parser, Subcommand};

#[derive(Parser)]
#[command(name = "meridian", version, about = "Meridian: the helpdesk, QA and shift-planning app for round-the-clock support teams.")]
pub struct Cli {
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Serve the app on MERIDIAN_ADDR (default 127.0.0.1:3000); applies pending migrations first.
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Add demo data: teams, one user per role (password "meridian-demo"), channels, customers, dialogues.
    SeedDemo {
        /// How many dialogues to create.
        #[arg(long, default_value_t = 20_000)]
        dialogues: u64,
        /// Spread them over this many days up to now.
        #[arg(long, default_value_t = 90)]
        days: u32,
        /// Seed of the random generator: the same seed gives the same data.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Support agents (operators) in all, across three regions; beyond nine they are generated. One sales rep comes on top.
        #[arg(long, default_value_t = 9)]
        agents: u32,
        /// Knowledge-base articles, if the knowledge base is empty (150 distinct; more repeat them as editions).
        #[arg(long, default_value_t = 160)]
        articles: u64,
        /// Do nothing if the database already holds dialogues (used by `make run`).
        #[arg(long)]
        if_empty: bool,
    },
    /// Measure the speed of a capability on the database at DATABASE_URL (seed it first).
    Bench {
        #[command(subcommand)]
        what: BenchCommand,
    },
    /// Deliver one e-mail (RFC 5322, on standard input) to an inbox, as Postfix or Exim
    /// pipe it: `support: "|meridian mail-in --inbox support@example.com"`. Exit status 0
    /// once it is stored (or was already), 65 if it is not a valid message, 75 (try again
    /// later) if the database cannot be reached.
    MailIn {
        /// The inbox's address or name.
        #[arg(long)]
        inbox: String,
    },
    /// Create a user. The password is asked for on a terminal, or read from the first line of stdin.
    CreateUser {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// super_admin, admin, reviewer or operator
        #[arg(long)]
        role: Role,
        /// IANA time zone, e.g. Europe/Berlin
        #[arg(long, default_value = "UTC")]
        time_zone: String,
    },
    /// Report rollups: `rollups rebuild` computes them from scratch (they are kept up to
    /// date as dialogues change; rebuild after changing the reporting time zone).
    Rollups {
        #[command(subcommand)]
        command: RollupsCommand,
    },
    /// A local test receiver for outgoing event webhooks: listens on --addr, checks each
    /// delivery's signature with --secret and prints it (401 for a bad signature or an old
    /// timestamp). The demo data subscribes http://127.0.0.1:3900/hook with the secret
    /// "whsec_demo-receiver".
    WebhookReceiver {
        #[arg(long, default_value = "127.0.0.1:3900")]
        addr: String,
        #[arg(long, env = "MERIDIAN_WEBHOOK_SECRET", default_value = "whsec_demo-receiver")]
        secret: String,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
}

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Against a running server: staff on the queue page alone, then during a flood of
    /// anonymous help-centre searches (the public doors' limits); client-side percentiles.
    Abuse {
        /// The server, e.g. http://127.0.0.1:3000.
        #[arg(long, default_value = "http://127.0.0.1:3000")]
        url: String,
        /// The agent who signs in (without two-factor sign-in).
        #[arg(long, default_value = "agent@meridian.test")]
        email: String,
        /// Their password (the demo's by default).
        #[arg(long, env = "MERIDIAN_BENCH_PASSWORD", default_value = "meridian-demo", hide_env_values = true)]
        password: String,
        /// Seconds per phase.
        #[arg(long, default_value_t = 15)]
        seconds: u64,
        /// Signed-in clients loading the queue page back to back.
        #[arg(long, default_value_t = 4)]
        staff: usize,
        /// Anonymous clients searching the help centre back to back.
        #[arg(long, default_value_t = 64)]
        flood: usize,
    },
    /// Queue lists (first and next page of each) and claims: median and 99th percentile.
    Queue {
        /// Timed runs of each operation.
        #[arg(long, default_value_t = 200)]
        iterations: usize,
    },
    /// Planning: history and forecast per channel, and a week's staffing at 15 minutes.
    Wfm {
        /// Timed runs of each operation.
        #[arg(long, default_value_t = 20)]
        iterations: usize,
    },
    /// Knowledge base: search as you type (agents and the help centre), misspelt queries, opening an article.
    Kb {
        /// Timed runs of each typed prefix.
        #[arg(long, default_value_t = 5)]
        iterations: usize,
    },
    /// Service levels and assignment: the SLA job's run, one dialogue's clocks, one team's assignment run.
    Sla {
        /// Timed runs of each operation.
        #[arg(long, default_value_t = 100)]
        iterations: usize,
    },
    /// Reports from the rollups over 7 to 365 days, filtered and not, and a rollup refresh.
    Reports {
        /// Timed runs of each operation.
        #[arg(long, default_value_t = 50)]
        iterations: usize,
    },
    /// QA: drawing a sample, the review screen, storing a review, the results' roll-ups.
    Qa {
        /// Timed runs of each operation.
        #[arg(long, default_value_t = 50)]
        iterations: usize,
    },
}

#[derive(Subcommand)]
pub enum RollupsCommand {
    /// Recompute every rollup from the dialogues, in one transaction.
    Rebuild {
        /// Count report days in this IANA time zone from now on (e.g. Europe/Berlin).
        #[arg(long)]
        time_zone: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum TokenCommand {
    /// Print a new API token for a user (shown once; only its hash is stored).
    Create {
        #[arg(long)]
        email: String,
        /// A label to tell tokens apart, e.g. the integration's name.
        #[arg(long, default_value = "cli")]
        name: String,
        /// What it may do, comma-separated: an area (queue, kb, qa, wfm, reports,
        /// incidents, admin), a colon, read or write. Every area when left out.
        #[arg(long)]
        scopes: Option<String>,
        /// Days until it expires (1 to 365).
        #[arg(long, default_value_t = app::domain::token_scope::DEFAULT_LIFETIME_DAYS)]
        days: u32,
    },
    /// List a user's tokens.
    List {
        #[arg(long)]
        email: String,
    },
    /// Revoke a token by its id (see `token list`).
    Revoke {
        #[arg(long)]
        id: i64,
    },
}

/// The settings, from options or the environment. An empty variable counts as unset.
#[derive(Args, Clone, Debug)]
pub struct ConfigArgs {
    /// PostgreSQL, e.g. postgres://user:password@host:5432/meridian (`make run` sets it).
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,
    /// Where `serve` listens.
    #[arg(long, env = "MERIDIAN_ADDR", global = true, default_value = "127.0.0.1:3000")]
    pub addr: String,
    /// The largest number of PostgreSQL connections per process.
    #[arg(long, env = "MERIDIAN_DB_MAX_CONNECTIONS", global = true, default_value_t = 20)]
    pub db_max_connections: u32,
    /// `serve` cancels a database statement that runs longer than this (0: never); the
    /// reports allow themselves 20 seconds.
    #[arg(long, env = "MERIDIAN_STATEMENT_TIMEOUT_SECONDS", global = true, default_value_t = 5)]
    pub statement_timeout_seconds: u64,
    /// `serve` answers 503 to a request not answered within this long (reading its body
    /// included; an event stream only until it starts).
    #[arg(long, env = "MERIDIAN_REQUEST_TIMEOUT_SECONDS", global = true, default_value_t = Settings::default().request_timeout.as_secs())]
    pub request_timeout_seconds: u64,
    /// The site cargo-leptos built (WebAssembly, CSS, static files).
    #[arg(long, env = "LEPTOS_SITE_ROOT", global = true, default_value = "target/site")]
    pub site_root: String,
    /// The SMTP server e-mail replies leave through, e.g. smtp://127.0.0.1:2525; without
    /// one they wait in the outbox.
    #[arg(long, env = "MERIDIAN_SMTP_URL", global = true)]
    pub smtp_url: Option<String>,
    /// The sender of e-mail to staff (password-reset links), e.g. "Meridian
    /// <helpdesk@example.com>"; Meridian <no-reply@host of the public address> by default.
    #[arg(long, env = "MERIDIAN_MAIL_FROM", global = true)]
    pub mail_from: Option<String>,
    /// Unanswered claims of an agent idle this long go back to the queue.
    #[arg(long, env = "MERIDIAN_CLAIM_LEASE_MINUTES", global = true, default_value_t = 30)]
    pub claim_lease_minutes: u64,
    /// The address customers reach this installation at (rating links, the chat snippet);
    /// http://<addr> by default.
    #[arg(long, env = "MERIDIAN_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
    /// A session unused this long ends.
    #[arg(long, env = "MERIDIAN_SESSION_IDLE_MINUTES", global = true, default_value_t = Settings::default().session_idle.as_secs() / 60)]
    pub session_idle_minutes: u64,
    /// A session ends this long after sign-in, used or not.
    #[arg(long, env = "MERIDIAN_SESSION_MAX_HOURS", global = true, default_value_t = Settings::default().session_max.as_secs() / 3600)]
    pub session_max_hours: u64,
    /// Read the client's address from X-Forwarded-For (only behind a proxy that sets it).
    #[arg(long, env = "MERIDIAN_TRUST_PROXY", global = true, default_value_t = false, action = ArgAction::Set)]
    pub trust_proxy: bool,
}

impl Cli {
    /// The command line as given, an empty variable counting as unset (clap alone would
    /// refuse `MERIDIAN_DB_MAX_CONNECTIONS=` as not a number).
    pub fn read() -> Cli {
        forget_empty_variables();
        Cli::parse()
    }
}

fn forget_empty_variables() {
    use clap::CommandFactory;
    for arg in Cli::command().get_arguments() {
        if let Some(name) = arg.get_env() {
            if std::env::var_os(name).is_some_and(|v| v.is_empty()) {
                std::env::remove_var(name);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    // Options win over variables, variables over defaults, and an empty variable is unset
    // (scripts export empty ones).
    #[test]
    fn settings_come_from_options_then_variables_then_defaults() {
        std::env::set_var("MERIDIAN_CLAIM_LEASE_MINUTES", "45");
        std::env::set_var("MERIDIAN_DB_MAX_CONNECTIONS", "");
        forget_empty_variables();
        let cli = Cli::try_parse_from(["meridian", "migrate", "--addr", "0.0.0.0:8080"]).unwrap();
        std::env::remove_var("MERIDIAN_CLAIM_LEASE_MINUTES");
        std::env::remove_var("MERIDIAN_DB_MAX_CONNECTIONS");
        assert_eq!(cli.config.addr, "0.0.0.0:8080");
        assert_eq!(cli.config.claim_lease_minutes, 45);
        assert_eq!(cli.config.db_max_connections, 20);
        assert!(matches!(cli.command, Command::Migrate));
        assert!(Cli::try_parse_from(["meridian", "migrate", "--db-max-connections", "many"]).is_err());
    }
}
