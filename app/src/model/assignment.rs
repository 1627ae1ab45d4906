//! What the assignment page and its API exchange: each team's mode and capacity per
//! channel, and each agent's skills.

use crate::domain::assignment::{AssignmentMode, Skill};
use crate::domain::dialogue::ChannelKind;
use serde::{Deserialize, Serialize};

/// One team's assignment on one channel kind (manual with a capacity of 3 until set).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AssignmentSetting {
    pub team_id: i64,
    pub team: String,
    pub channel_kind: ChannelKind,
    pub mode: AssignmentMode,
    /// Open dialogues of this channel an agent holds at most before others are chosen.
    pub capacity: i32,
}

/// What a manager sets for one team and channel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AssignmentInput {
    pub team_id: i64,
    pub channel_kind: ChannelKind,
    pub mode: AssignmentMode,
    pub capacity: i32,
}

/// An agent and their skills, for the skills table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AgentSkills {
    pub user_id: i64,
    pub name: String,
    pub team: Option<String>,
    pub skills: Vec<Skill>,
}

/// The assignment page: the settings of every team, and every agent's skills.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignmentOverview {
    pub settings: Vec<AssignmentSetting>,
    pub agents: Vec<AgentSkills>,
    pub may_edit: bool,
}
