//! The types pages, server functions and the REST API exchange, one file per area. Plain
//! data with serde (and `sqlx::FromRow` on the server); the rules are in `domain/`, the
//! queries in `backend/`. Every layer may use these; they use only `domain/`.

pub mod admin;
pub mod assignment;
pub mod channels;
pub mod dialogue;
pub mod incidents;
pub mod kb;
pub mod macros;
pub mod performance;
pub mod qa;
pub mod queue;
pub mod reports;
pub mod rules;
pub mod sla;
pub mod user;
pub mod webhooks;
pub mod wfm;
