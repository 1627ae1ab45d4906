//! What each command of the command line does: serve, migrate, seed, users and tokens,
//! rollups, benchmarks, mail-in. `cli.rs` declares them; `main.rs` only starts the log
//! and dispatches here.

use app::backend::{passwords, sessions, tokens, users, AppState};
use app::domain::email::EmailAddress;
use crate::cli::{BenchCommand, Cli, Command, RollupsCommand, TokenCommand};
use leptos::config::LeptosOptions;
use crate::config::Config;
use crate::seed::{self, SeedOptions, DEMO_PASSWORD, DEMO_SIGN_INS};
use crate::seed_kb;
use app::domain::audit::AuditAction;
use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// `meridian mail-in`: exit codes as mail servers read them (sysexits.h): 0 stored,
/// 65 not a message, 67 no such inbox, 75 try again later.
pub async fn mail_in(args: &crate::cli::ConfigArgs, inbox: &str) -> ExitCode {
    use app::error::AppError;
    use tokio::io::AsyncReadExt;
    const TEMPFAIL: u8 = 75;
    let mut raw = Vec::new();
    if let Err(err) = tokio::io::stdin().take(app::domain::channels::MAX_EMAIL_BYTES as u64 + 1).read_to_end(&mut raw).await {
        eprintln!("meridian mail-in: cannot read the message: {err}");
        return ExitCode::from(TEMPFAIL);
    }
    let config = match Config::from_args(args) {
        Ok(c) => c,
        Err(err) => {
            eprintln!("meridian mail-in: {err}");
            return ExitCode::from(TEMPFAIL);
        }
    };
    let pool = match crate::db::connect(&config.database_url, 2, None).await {
        Ok(pool) => pool,
        Err(err) => {
            eprintln!("meridian mail-in: cannot connect to PostgreSQL: {err}");
            return ExitCode::from(TEMPFAIL);
        }
    };
    match crate::mail::deliver(&pool, inbox, &raw).await {
        Ok(r) if r.duplicate => {
            println!("Already stored: message {} in dialogue {}.", r.message_id, r.conversation_id);
            ExitCode::SUCCESS
        }
        Ok(r) => {
            let how = if r.opened { "a new dialogue" } else { "dialogue" };
            println!("Stored message {} in {how} {}.", r.message_id, r.conversation_id);
            ExitCode::SUCCESS
        }
        Err(err @ (AppError::Invalid(_) | AppError::TooLarge(_))) => {
            eprintln!("meridian mail-in: {err}");
            ExitCode::from(65)
        }
        Err(err @ AppError::NotFound(_)) => {
            eprintln!("meridian mail-in: {err}");
            ExitCode::from(67)
        }
        Err(err) => {
            eprintln!("meridian mail-in: {err}");
            ExitCode::from(TEMPFAIL)
        }
    }
}

/// `meridian webhook-receiver`: prints every delivery whose signature holds, refuses the
/// others with 401.
pub async fn webhook_receiver(addr: &str, secret: &str) -> Result<(), String> {
    use axum::http::{HeaderMap, StatusCode};
    let secret = secret.to_string();
    let app = axum::Router::new().fallback(axum::routing::post(move |headers: HeaderMap, body: String| {
        let secret = secret.clone();
        async move {
            let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
            let now = chrono::Utc::now().timestamp();
            if !app::domain::webhooks::verify_signature(&secret, &header("x-meridian-signature"), &body, now) {
                println!("refused delivery {}: the signature does not match or is too old", header("x-meridian-delivery"));
                return StatusCode::UNAUTHORIZED;
            }
            let payload: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
            println!(
                "{}  {:<18} delivery {:<6} dialogue #{} {}",
                chrono::Utc::now().format("%H:%M:%S"),
                header("x-meridian-event"),
                header("x-meridian-delivery"),
                payload["dialogue"]["id"],
                payload["dialogue"]["subject"]
            );
            StatusCode::NO_CONTENT
        }
    }));
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    println!("Receiving Meridian webhooks on http://{addr}/ (signatures checked); Ctrl+C stops.");
    axum::serve(listener, app).await.map_err(|e| e.to_string())
}

pub async fn run(cli: Cli) -> Result<(), String> {
    if let Command::Bench { what: BenchCommand::Abuse { url, email, password, seconds, staff, flood } } = cli.command {
        // Measured from outside, against a running server: no database needed.
        let report = crate::abuse::abuse(crate::abuse::Abuse { url, email, password, seconds, staff, flood }).await?;
        println!("{report}");
        return Ok(());
    }
    let config = Config::from_args(&cli.config).map_err(|e| e.to_string())?;
    // Only the server limits its statements; migrations, seeding and rollups may run long.
    let statement_timeout = matches!(cli.command, Command::Serve).then_some(config.statement_timeout);
    let pool = crate::db::connect(&config.database_url, config.max_connections, statement_timeout)
        .await
        .map_err(|e| format!("cannot connect to PostgreSQL at DATABASE_URL: {e}"))?;
    match cli.command {
        Command::Serve => serve(config, pool).await,
        Command::Migrate => migrate(&pool).await,
        Command::MailIn { .. } | Command::WebhookReceiver { .. } => unreachable!("handled before the database pool is opened"),
        Command::Bench { what } => {
            // Every benchmark opens with the machine's reference figures and the state of
            // the database, so that figures from different machines compare as ratios.
            println!("{}", crate::bench::preamble(&pool).await.map_err(|e| e.to_string())?);
            let report = match what {
                BenchCommand::Queue { iterations } => crate::bench::queue(&pool, iterations).await,
                BenchCommand::Qa { iterations } => crate::bench::qa(&pool, iterations).await,
                BenchCommand::Kb { iterations } => crate::bench::kb(&pool, iterations).await,
                BenchCommand::Wfm { iterations } => crate::bench::wfm(&pool, iterations).await,
                BenchCommand::Reports { iterations } => crate::bench::reports(&pool, iterations).await,
                BenchCommand::Sla { iterations } => crate::bench::sla(&pool, iterations).await,
                BenchCommand::Abuse { .. } => unreachable!("measured before the database pool is opened"),
            }
            .map_err(|e| e.to_string())?;
            println!("{report}");
            Ok(())
        }
        Command::SeedDemo { dialogues, days, seed, agents, articles, if_empty } => {
            migrate(&pool).await?;
            // The knowledge base is seeded whenever it is empty (also into an older demo database).
            let seeded = |n: u64| if n > 0 { println!("Seeded {n} knowledge-base articles.") };
            let has_dialogues = app::backend::dialogue::any(&pool).await.map_err(|e| e.to_string())?;
            if if_empty && has_dialogues {
                seeded(seed_kb::seed_kb(&pool, articles, seed).await.map_err(|e| e.to_string())?);
                println!("The database already holds dialogues; demo data not added.");
                return Ok(());
            }
            let started = std::time::Instant::now();
            let report = seed::seed_demo(&pool, &SeedOptions { dialogues, days, rng_seed: seed, agents })
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "Seeded {} new users, {} customers, {} dialogues, {} messages and {} QA reviews in {:.1} s.",
                report.users,
                report.customers,
                report.dialogues,
                report.messages,
                report.reviews,
                started.elapsed().as_secs_f64()
            );
            seeded(seed_kb::seed_kb(&pool, articles, seed).await.map_err(|e| e.to_string())?);
            rebuild_rollups(&pool, None).await?;
            // A bulk load leaves tables with stale statistics, their hint bits unset and their
            // visibility map empty until autovacuum comes by; issue #23 saw the queue 6–9×
            // slower on a fresh seed. Leave the database ready to query.
            let started = std::time::Instant::now();
            let tables: Vec<String> = sqlx::query_scalar("select quote_ident(tablename::text) from pg_tables where schemaname = 'public' order by 1")
                .fetch_all(&pool)
                .await
                .map_err(|e| e.to_string())?;
            sqlx::raw_sql(&format!("vacuum (analyze) {}", tables.join(", "))).execute(&pool).await.map_err(|e| e.to_string())?;
            println!("Vacuumed and analysed the database in {:.1} s.", started.elapsed().as_secs_f64());
            println!("Demo sign-ins (password \"{DEMO_PASSWORD}\"):");
            for (email, role) in DEMO_SIGN_INS {
                println!("  {email:<24} {role}");
            }
            Ok(())
        }
        Command::CreateUser { email, name, role, time_zone } => {
            let email = EmailAddress::parse(&email).map_err(|e| e.to_string())?;
            let password = read_password()?;
            passwords::check_strength(&password, app::domain::password_policy::Owner { email: email.as_str(), name: &name }).map_err(|e| e.to_string())?;
            let hash = passwords::hash(password).await.map_err(|e| e.to_string())?;
            let new = users::NewUser { email: &email, name: &name, role, team_id: None, time_zone: &time_zone, password_hash: &hash };
            let id = users::create(&pool, new).await.map_err(|e| e.to_string())?;
            cli_audit(&pool, AuditAction::UserCreated, &format!("{name} <{email}>"), &format!("role {role}, id {id}")).await?;
            println!("Created {role} {email} (id {id}).");
            Ok(())
        }
        Command::Token { command } => token(&pool, command).await,
        Command::Rollups { command: RollupsCommand::Rebuild { time_zone } } => {
            migrate(&pool).await?;
            rebuild_rollups(&pool, time_zone.as_deref()).await
        }
    }
}

async fn migrate(pool: &sqlx::PgPool) -> Result<(), String> {
    crate::MIGRATOR.run(pool).await.map_err(|e| format!("migrations failed: {e}"))
}

async fn token(pool: &sqlx::PgPool, command: TokenCommand) -> Result<(), String> {
    let user_id = |email: String| async move {
        let email = EmailAddress::parse(&email).map_err(|e| e.to_string())?;
        users::id_by_email(pool, &email)
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("no user with the e-mail address {email}"))
    };
    match command {
        TokenCommand::Create { email, name, scopes, days } => {
            use app::domain::token_scope::{check_lifetime, Scopes};
            let scopes = match scopes {
                Some(list) => Scopes::parse(list.split(',')).map_err(|e| e.to_string())?,
                None => Scopes::everything(),
            };
            let grant = tokens::Grant { scopes, days: check_lifetime(days)?, created_by: None };
            let (id, secret) = tokens::create(pool, user_id(email.clone()).await?, &name, &grant).await.map_err(|e| e.to_string())?;
            let detail = format!("token {id} “{name}”: {}, {days} days", grant.scopes.texts().join(" "));
            cli_audit(pool, AuditAction::TokenCreated, &email, &detail).await?;
            eprintln!("Token {id} created ({}; expires in {days} days). Store it now: it is not shown again.", grant.scopes.texts().join(" "));
            println!("{secret}");
        }
        TokenCommand::List { email } => {
            for t in tokens::list_for_user(pool, user_id(email).await?).await.map_err(|e| e.to_string())? {
                let state = match (t.revoked_at, t.last_used_at) {
                    (Some(at), _) => format!("revoked {}", at.format("%Y-%m-%d %H:%M")),
                    (None, Some(at)) => format!("last used {}", at.format("%Y-%m-%d %H:%M")),
                    (None, None) => "never used".into(),
                };
                let expiry = if t.expires_at <= chrono::Utc::now() { "expired" } else { "expires" };
                println!(
                    "{:>6}  {:<20} {}…  created {}  {expiry} {}  {state}  {}",
                    t.id,
                    t.name,
                    t.hint,
                    t.created_at.format("%Y-%m-%d"),
                    t.expires_at.format("%Y-%m-%d"),
                    t.scopes.join(" ")
                );
            }
        }
        TokenCommand::Revoke { id } => {
            if tokens::revoke(pool, id).await.map_err(|e| e.to_string())? {
                cli_audit(pool, AuditAction::TokenRevoked, &format!("token {id}"), "").await?;
                println!("Token {id} revoked.");
            } else {
                return Err(format!("no live token with id {id}"));
            }
        }
    }
    Ok(())
}

/// An audit-log entry for something done on the server's command line (by whoever may
/// run it there: the log names the operating-system user).
async fn cli_audit(pool: &sqlx::PgPool, action: AuditAction, target: &str, detail: &str) -> Result<(), String> {
    let who = std::env::var("SUDO_USER").or_else(|_| std::env::var("USER")).unwrap_or_else(|_| "unknown".into());
    app::backend::audit::record(pool, None, &format!("command line ({who})"), action, target, detail, "local")
        .await
        .map_err(|e| e.to_string())
}

/// Asks twice on a terminal; otherwise reads the first line of stdin (for scripts).
fn read_password() -> Result<String, String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ").map_err(|e| e.to_string())?;
        let again = rpassword::prompt_password("Password again: ").map_err(|e| e.to_string())?;
        if first != again {
            return Err("the passwords do not match".into());
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map_err(|e| e.to_string())?;
        Ok(line.trim_end_matches(['\r', '\n']).to_string())
    }
}

async fn rebuild_rollups(pool: &sqlx::PgPool, time_zone: Option<&str>) -> Result<(), String> {
    let started = std::time::Instant::now();
    let mut bar: Option<crate::progress::Progress> = None;
    let n = app::backend::rollup::rebuild(pool, time_zone, |done, total| {
        let bar = bar.get_or_insert_with(|| crate::progress::Progress::new("report rollups", total));
        bar.set(done);
    })
    .await
    .map_err(|e| e.to_string())?;
    if let Some(bar) = bar.as_mut() {
        bar.finish();
    }
    println!("Report rollups rebuilt from {n} dialogues in {:.1} s.", started.elapsed().as_secs_f64());
    Ok(())
}

async fn serve(config: Config, pool: sqlx::PgPool) -> Result<(), String> {
    // Migrations (an index on a large table) may take longer than a request's statement.
    let unlimited = crate::db::connect(&config.database_url, 1, None).await.map_err(|e| format!("cannot connect to PostgreSQL at DATABASE_URL: {e}"))?;
    migrate(&unlimited).await?;
    unlimited.close().await;
    let addr: std::net::SocketAddr =
        config.addr.parse().map_err(|_| format!("MERIDIAN_ADDR must be host:port, not '{}'", config.addr))?;
    let leptos_options = LeptosOptions::builder()
        .output_name("meridian")
        .site_root(config.site_root.as_str())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .build();
    let settings = Arc::new(config.settings.clone());
    let (live, _) = tokio::sync::broadcast::channel(1024);
    crate::live::spawn_listener(pool.clone(), live.clone());
    crate::live::spawn_queue_jobs(pool.clone(), config.claim_lease);
    crate::live::spawn_rollup_job(pool.clone());
    crate::live::spawn_sla_job(pool.clone());
    crate::live::spawn_assignment_job(pool.clone());
    crate::live::spawn_rules_job(pool.clone());
    if config.smtp_url.is_none() {
        tracing::warn!("MERIDIAN_SMTP_URL is not set: e-mail replies wait in the outbox until it is");
    }
    crate::outbox::spawn(
        crate::outbox::Outbox::new(pool.clone(), config.smtp_url.as_deref(), &config.public_url())?.with_mail_from(config.mail_from.as_deref())?,
    );
    let state = AppState { pool: pool.clone(), settings: settings.clone(), leptos_options, live };

    // Sign-outs happen on the server; expired sessions are swept here, hourly.
    tokio::spawn(async move {
        let mut every_hour = tokio::time::interval(Duration::from_secs(3600));
        loop {
            every_hour.tick().await;
            match sessions::purge_expired(&pool, &settings).await {
                Ok(n) if n > 0 => tracing::info!(sessions = n, "purged expired sessions"),
                Ok(_) => {}
                Err(err) => tracing::warn!(error = %err, "could not purge expired sessions"),
            }
        }
    });

    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    println!("Meridian is serving on http://{addr}");
    crate::listen::serve(listener, crate::http::router(state), crate::listen::Limits::default(), shutdown_signal()).await;
    Ok(())
}

/// Ctrl-C or SIGTERM (systemd, a rolling deploy): stop accepting, finish what is in flight.
async fn shutdown_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
