//! Server-only code of the app crate: shared state (`state`), the permission gate every
//! server function passes through (`gate`), and the PostgreSQL repositories, one module
//! per area. Compiled with `ssr` only.

pub mod account;
pub mod assignment;
pub mod audit;
pub mod channels;
pub mod chat;
pub mod constraints;
pub mod csp;
pub mod dates;
pub mod dialogue;
pub mod dialogue_view;
pub mod gate;
pub mod inbound;
pub mod incidents;
pub mod kb;
pub mod kb_history;
pub mod macros;
pub mod mentions;
pub mod ordering;
pub mod outbox;
pub mod performance;
pub mod planning;
pub mod passwords;
pub mod presence;
pub mod queue;
pub mod qa;
pub mod qa_results;
pub mod ratings;
pub mod reports;
pub mod rollup;
pub mod routing;
pub mod rules;
pub mod schedule;
pub mod secrets;
pub mod sessions;
pub mod settings;
pub mod second_factor;
pub mod sign_in;
pub mod sla;
pub mod sla_staffing;
pub mod state;
pub mod stored;
pub mod teams;
pub mod throttle;
pub mod tokens;
pub mod users;
pub mod webhooks;

// The names nearly every repository and server function uses, at `crate::backend::…`.
pub use csp::content_security_policy;
pub use dates::{check_zone, day_span, parse_day};
pub use gate::{app_state, authorize, authorized, client_addr, principal, public, reauthorized, request_cookie, set_status_for, user_agent, ClientAddr, Principal};
pub use secrets::{random_token, sha256, sha256_bytes};
pub use state::{AppState, Settings};
