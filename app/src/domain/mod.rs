//! Meridian's rules as plain Rust: no leptos, no sqlx, no I/O. The server and the
//! browser (WebAssembly) share this code, and it is unit- and property-tested here.

pub mod access;
pub mod audit;
pub mod channels;
pub mod dialogue;
pub mod email;
pub mod incident;
pub mod kb;
pub mod macros;
pub mod ical;
pub mod metrics;
pub mod performance;
pub mod qa;
pub mod roster;
// These two use the server-only hmac and ammonia crates; nothing in the browser needs them.
#[cfg(feature = "ssr")]
pub mod sanitize;
#[cfg(feature = "ssr")]
pub mod signing;
pub mod rollup;
pub mod queue;
pub mod report;
pub mod sign_in_throttle;
pub mod team;
pub mod wfm;
