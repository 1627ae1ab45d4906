//! What the dialogue page, its server functions and the REST API exchange: the dialogue,
//! its timeline, the customer card and who else is in it.

use crate::domain::dialogue::{ChannelKind, Outcome, Priority, Status};
use crate::domain::queue::ResponseClock;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct PastDialogue {
    pub id: i64,
    pub subject: String,
    pub status: Status,
    pub channel_kind: ChannelKind,
    pub created_epoch: i64,
    pub csat: Option<i16>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CustomerCard {
    pub id: i64,
    pub name: String,
    pub email: Option<String>,
    /// What a chat visitor who has not proved it says their address is: they are a new
    /// contact until they confirm it (none of that address's history is theirs).
    pub unverified_email: Option<String>,
    pub phone: Option<String>,
    pub time_zone: String,
    /// The customer's local time when the page was loaded, e.g. "Tue 14:05".
    pub local_time: Option<String>,
    pub plan: Option<String>,
    pub past: Vec<PastDialogue>,
    pub ratings_bad: i64,
    pub ratings_good: i64,
    pub ratings_excellent: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum TimelineEntry {
    Message {
        id: i64,
        conversation_id: i64,
        subject: String,
        channel_kind: String,
        /// customer, agent or system
        author_kind: String,
        author: Option<String>,
        internal: bool,
        body: String,
        /// Safe HTML to show instead of `body`: a customer e-mail's sanitized HTML part, or
        /// an agent's Markdown rendered.
        html: Option<String>,
        /// Where an agent's reply is on its way out (e-mail, webhook), if it is sent anywhere.
        delivery: Option<String>,
        /// (id, file name, size in bytes)
        attachments: Vec<(i64, String, i32)>,
        /// The address or handle a customer message came from.
        sender: Option<String>,
        at_epoch: i64,
    },
    Event { id: i64, kind: String, actor: Option<String>, detail: String, at_epoch: i64 },
}

impl TimelineEntry {
    pub fn at_epoch(&self) -> i64 {
        match self {
            TimelineEntry::Message { at_epoch, .. } | TimelineEntry::Event { at_epoch, .. } => *at_epoch,
        }
    }
}

/// Another agent in a dialogue right now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Viewer {
    pub conversation_id: i64,
    pub name: String,
    pub typing: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Dialogue {
    pub id: i64,
    pub subject: String,
    pub topic: String,
    pub status: Status,
    pub priority: Priority,
    pub outcome: Option<Outcome>,
    pub tags: Vec<String>,
    pub channel_kind: ChannelKind,
    pub channel: String,
    pub assignee_id: Option<i64>,
    pub assignee: Option<String>,
    /// How it came to its holder (claimed, round-robin, by skill, at a shift's end…).
    pub assigned_how: Option<crate::domain::assignment::AssignedHow>,
    /// Why it waits unassigned in a team that assigns automatically.
    pub assignment_note: Option<String>,
    /// Its holder is on the sales desk: only they answer; colleagues acknowledge and forward.
    pub sales_owned: bool,
    pub clock: ResponseClock,
    /// Its SLA policy's clocks, when one applies.
    pub sla: crate::model::sla::DialogueSla,
    pub postponed_until_epoch: Option<i64>,
    pub postponed_until_reply: bool,
    pub customer: CustomerCard,
    pub timeline: Vec<TimelineEntry>,
    /// Other agents in this dialogue right now.
    pub viewers: Vec<Viewer>,
    /// Who it can be handed to: each agent's load and whether the schedule has them on shift.
    pub assignees: Vec<Assignee>,
    /// The customer's rating of this dialogue, once they gave one.
    pub rating: Option<RatingView>,
    /// An e-mail from another sender that answers another customer's dialogue, held apart
    /// here for an agent to accept into it.
    pub answers: Option<AnsweredDialogue>,
}

/// The dialogue an e-mail held apart answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AnsweredDialogue {
    pub id: i64,
    pub subject: String,
    /// Its customer's name.
    pub customer: String,
}

/// What the customer answered at the end.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RatingView {
    /// Bad, Good or Excellent.
    pub csat: String,
    pub comment: Option<String>,
    /// 1..=7, with its label.
    pub ces: Option<(i16, String)>,
    pub nps: Option<i16>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Assignee {
    pub id: i64,
    pub name: String,
    /// What `@` mentions them by: their e-mail address before the `@`.
    pub handle: String,
    /// Open dialogues they hold.
    pub open: i64,
    /// When their current shift ends (in the reader's zone), if they are on shift now.
    pub on_shift_until: Option<String>,
}

impl Assignee {
    /// "Lena Fischer · on shift until 16:00 · 3 open"
    pub fn label(&self) -> String {
        let shift = match &self.on_shift_until {
            Some(until) => format!("on shift until {until}"),
            None => "off shift".to_string(),
        };
        format!("{} · {shift} · {} open", self.name, self.open)
    }
}

/// Who holds a dialogue after a claim.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ClaimedBy {
    pub holder: Holder,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Holder {
    pub id: i64,
    pub name: String,
}

/// What a write that makes something answers: its id.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Created {
    pub id: i64,
}

#[derive(Clone, Debug, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ClaimBody {
    /// Take it from the colleague who holds it.
    #[serde(default)]
    pub take_over: bool,
}

#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MessageBody {
    /// Markdown for a reply; plain text for a note.
    pub body: String,
    /// An internal note instead of a reply.
    #[serde(default)]
    pub internal: bool,
    /// Knowledge-base articles sent in this reply.
    #[serde(default)]
    pub articles: Vec<i64>,
}

#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PostponeBody {
    /// RFC 3339, e.g. 2026-11-23T09:00:00Z.
    pub until: Option<String>,
    /// Until the customer writes again, instead of a time.
    #[serde(default)]
    pub until_customer_reply: bool,
}

#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AssignBody {
    pub agent_id: i64,
}
