//! `meridian`: the helpdesk's server and its administration commands.

use meridian::cli::{Cli, Command};
use meridian::commands::{mail_in, run, webhook_receiver};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("MERIDIAN_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::read();
    if let Command::MailIn { inbox } = &cli.command {
        return mail_in(&cli.config, inbox).await;
    }
    if let Command::WebhookReceiver { addr, secret } = &cli.command {
        return match webhook_receiver(addr, secret).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("meridian: {message}");
                ExitCode::FAILURE
            }
        };
    }
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("meridian: {message}");
            ExitCode::FAILURE
        }
    }
}
