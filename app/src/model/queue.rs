//! What the queue page, its server functions and the REST API exchange.

use crate::domain::dialogue::{ChannelKind, Priority, Status};
use crate::domain::sla::SlaDue;
use crate::domain::queue::{QueueFilter, QueueSort, QueueView, ResponseClock};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct QueueRow {
    pub id: i64,
    pub channel_kind: ChannelKind,
    pub channel: String,
    pub customer: String,
    pub subject: String,
    /// The start of the customer's first message.
    pub preview: String,
    pub priority: Priority,
    pub status: Status,
    pub assignee: Option<String>,
    /// How it came to its agent (claimed, round-robin, by skill, at a shift's end…).
    pub assigned_how: Option<crate::domain::assignment::AssignedHow>,
    /// Why it waits unassigned in a team that assigns automatically.
    pub assignment_note: Option<String>,
    pub waiting_seconds: i64,
    pub clock: ResponseClock,
    /// The SLA target that falls due first, when a policy applies.
    pub sla: Option<SlaDue>,
    /// Other agents looking at it right now.
    pub viewers: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct QueueList {
    pub view: QueueView,
    pub sort: QueueSort,
    /// The queue within the lists (channel, purpose, team), and the choices for it.
    pub filter: QueueFilter,
    pub channels: Vec<(i64, String)>,
    pub teams: Vec<(i64, String)>,
    pub counts: Vec<(QueueView, i64)>,
    pub items: Vec<QueueRow>,
    pub next_cursor: Option<String>,
    /// The server's clock when the page was read (Unix seconds), for the rows' due times.
    pub now: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Mention {
    pub id: i64,
    pub conversation_id: i64,
    pub subject: String,
    /// Who wrote the note.
    pub by: Option<String>,
    /// The note's first 300 characters.
    pub text: String,
    /// When, in the reader's time zone.
    pub at: String,
    pub unread: bool,
}

/// One keyset page of a queue list, as the REST API answers it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct QueuePage {
    pub items: Vec<QueueRow>,
    /// Pass as `cursor` for the next page; absent on the last.
    pub next_cursor: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "ssr", into_params(parameter_in = Query))]
pub struct QueueQuery {
    /// unassigned (default), mine, open, postponed or resolved
    pub view: Option<String>,
    /// `waiting` (default) or `newest`.
    pub sort: Option<String>,
    /// Only one channel (its id).
    pub channel: Option<String>,
    /// Only one purpose (support, billing, legal, partnerships, technical).
    pub topic: Option<String>,
    /// Only one team (its id).
    pub team: Option<String>,
    /// 1–100, 50 by default.
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}
