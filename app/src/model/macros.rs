//! What the macros page, the reply box, trending topics and the REST API exchange.

use crate::domain::dialogue::{Priority, Status};
use crate::domain::macros::TopicKind;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Macro {
    pub id: i64,
    pub name: String,
    /// The reply, with `{{placeholders}}`.
    pub body: String,
    /// `resolved` or `postponed` (until the customer replies), or nothing.
    pub set_status: Option<Status>,
    pub add_tags: Vec<String>,
    pub set_priority: Option<Priority>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MacroInput {
    #[serde(default)]
    pub id: Option<i64>,
    pub name: String,
    pub body: String,
    #[serde(default)]
    pub set_status: Option<String>,
    /// Comma-separated, as typed.
    #[serde(default)]
    pub add_tags: String,
    #[serde(default)]
    pub set_priority: Option<String>,
}

/// Something many waiting dialogues share: a tag or a word of their subjects.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Topic {
    pub kind: TopicKind,
    pub value: String,
    pub count: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TopicDialogue {
    pub id: i64,
    pub subject: String,
    pub customer: String,
    pub waiting_seconds: i64,
}

/// What a mass reply did (or, for a repeated request, what the first one did).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MassReplyResult {
    pub id: i64,
    pub macro_name: String,
    pub sent: i64,
    /// Dialogues not answered, with why (a colleague holds it, it is resolved).
    pub skipped: Vec<(i64, String)>,
    /// This request had been submitted before; nothing was sent again.
    pub repeated: bool,
}

/// The team's macros, as the REST API lists them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MacroList {
    pub items: Vec<Macro>,
}

#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MassReplyBody {
    /// Chosen by the caller; the same key again sends nothing and answers what the first did.
    pub request_key: String,
    pub macro_id: i64,
    pub conversation_ids: Vec<i64>,
}
