//! Meridian's rules as plain Rust: no leptos, no sqlx, no I/O. The server and the
//! browser (WebAssembly) share this code, and it is unit- and property-tested here.

/// An enum of names with the text PostgreSQL stores and the API sends (`as_str`), the
/// text people read (`label`), and a strict reading back (`from_stored`). The server
/// teaches sqlx to store these as text (`backend::stored`).
macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal, $label:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The name stored in the database and used in the API.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
            /// The name people read.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }
            /// The value as PostgreSQL stores it; a name the schema's checks let through
            /// but this code does not know is an error, not a guess.
            pub fn from_stored(s: &str) -> Result<Self, $crate::domain::UnknownName> {
                Self::parse(s).ok_or_else(|| $crate::domain::UnknownName { what: stringify!($name), found: s.to_string() })
            }
        }
    };
}

/// A stored name that is not one of an enum's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownName {
    pub what: &'static str,
    pub found: String,
}

impl std::fmt::Display for UnknownName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unknown {} '{}'", self.what, self.found)
    }
}

impl std::error::Error for UnknownName {}


pub mod access;
pub mod assignment;
pub mod audit;
pub mod channels;
#[cfg(feature = "ssr")]
pub mod chat_identity;
pub mod dialogue;
pub mod doors;
pub mod email;
pub mod incident;
pub mod kb;
pub mod macros;
pub mod password_policy;
pub mod ical;
pub mod metrics;
pub mod performance;
pub mod qa;
pub mod qa_access;
pub mod roster;
// These two use the server-only hmac and ammonia crates; nothing in the browser needs them.
#[cfg(feature = "ssr")]
pub mod sanitize;
pub mod second_factor;
#[cfg(feature = "ssr")]
pub mod signing;
pub mod rollup;
pub mod queue;
pub mod report;
pub mod rules;
pub mod sign_in_throttle;
pub mod sla;
pub mod sla_staffing;
pub mod team;
pub mod token_scope;
pub mod webhooks;
pub mod wfm;
