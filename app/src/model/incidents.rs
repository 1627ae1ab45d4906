//! What the incident pages, their server functions and the REST API exchange.

use crate::domain::dialogue::Status;
use crate::domain::incident::IncidentStatus;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct IncidentSummary {
    pub id: i64,
    pub title: String,
    pub status: IncidentStatus,
    /// In the viewer's time zone.
    pub declared_at: String,
    pub declared_by: String,
    pub dialogues: i64,
    pub customers: i64,
    pub updates: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct IncidentDialogue {
    pub id: i64,
    pub subject: String,
    pub customer: String,
    pub channel: String,
    pub status: Status,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct IncidentUpdate {
    pub id: i64,
    pub at: String,
    pub by: String,
    pub body: String,
    pub closing: bool,
    pub customers: i64,
    pub resolved: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Incident {
    pub summary: IncidentSummary,
    /// What happened, for colleagues.
    pub text: String,
    pub resolved_at: Option<String>,
    pub dialogues: Vec<IncidentDialogue>,
    pub updates: Vec<IncidentUpdate>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct LinkResult {
    pub linked: i64,
    pub already: i64,
    /// Numbers of no dialogue.
    pub missing: Vec<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MailingRecipient {
    pub customer: String,
    pub dialogue_id: i64,
    pub channel: String,
    /// How it reaches them: "e-mail to …", "their chat page", "the channel's webhook".
    pub how: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MailingPreview {
    pub recipients: Vec<MailingRecipient>,
    /// The text as the first recipient will read it (placeholders filled).
    pub first_text: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MailingResult {
    pub update_id: i64,
    pub customers: i64,
    pub resolved: i64,
    /// Submitted before: nothing was sent again.
    pub repeated: bool,
}

/// The incidents a dialogue belongs to and, for those who run incidents, the open ones it
/// could join.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct IncidentsOfDialogue {
    /// (id, title, status).
    pub linked: Vec<(i64, String, String)>,
    pub open: Vec<(i64, String)>,
    pub may_link: bool,
}

#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DeclareBody {
    pub title: String,
    #[serde(default)]
    pub summary: String,
}

#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct LinkBody {
    pub conversation_ids: Vec<i64>,
}

#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UpdateBody {
    /// Chosen by the caller; the same key again sends nothing and answers what the first did.
    pub request_key: String,
    /// The update's text; the macros' placeholders are filled per customer.
    pub body: String,
    /// The closing message: resolves the incident and every linked dialogue.
    #[serde(default)]
    pub close: bool,
}
