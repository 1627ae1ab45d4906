#![recursion_limit = "256"]
//! The `meridian` server: configuration, the axum router (pages, server functions,
//! REST API, health), the command line's commands, and demo data.

pub mod abuse;
pub mod api;
pub mod bench;
pub mod chat;
pub mod cli;
pub mod commands;
pub mod config;
pub mod db;
pub mod doors;
pub mod help;
pub mod http;
pub mod inbound;
pub mod invite;
pub mod listen;
pub mod live;
pub mod mail;
pub mod outbox;
pub mod password_reset;
pub mod progress;
pub mod seed;
pub mod seed_data;
pub mod seed_settings;
pub mod seed_kb;

/// The migrations in `server/migrations`, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");
