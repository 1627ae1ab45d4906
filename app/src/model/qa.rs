//! What the QA pages, server functions and REST API exchange. Plain data; the rules are in
//! `domain::qa`, the queries in `backend::qa`.

use crate::domain::dialogue::ChannelKind;
use crate::domain::qa::{Criterion, DisputeStatus, Facts, Iqs};
use crate::model::dialogue::Dialogue;
use serde::{Deserialize, Serialize};

/// A scorecard as reviewers use it: one immutable version.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Scorecard {
    pub version_id: i64,
    pub version: i32,
    pub name: String,
    pub criteria: Vec<Criterion>,
}

/// "Draw a sample": what to draw from and for whom.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SampleRequest {
    /// Dialogues per agent.
    pub per_agent: u32,
    /// First and last day of the period (`YYYY-MM-DD`, in the requester's time zone), inclusive.
    pub from: String,
    pub to: String,
    /// Channel kinds (chat, email, social); empty means all.
    #[serde(default)]
    pub channels: Vec<ChannelKind>,
    #[serde(default)]
    pub team_id: Option<i64>,
    #[serde(default)]
    pub agent_id: Option<i64>,
    /// Only dialogues the customer rated bad.
    #[serde(default)]
    pub low_csat_only: bool,
    #[serde(default)]
    pub tag: Option<String>,
    /// The same seed over the same data draws the same sample; a random one when absent.
    #[serde(default)]
    pub seed: Option<i64>,
    /// Who reviews it; the requester when absent.
    #[serde(default)]
    pub reviewer_id: Option<i64>,
    /// Include dialogues the reviewer has already reviewed.
    #[serde(default)]
    pub include_reviewed: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SampledAgent {
    pub agent_id: i64,
    pub agent: String,
    pub conversation_ids: Vec<i64>,
}

/// A drawn sample: per agent, the dialogues drawn.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Sample {
    pub id: i64,
    pub seed: i64,
    pub per_agent: u32,
    pub agents: Vec<SampledAgent>,
}

/// A dialogue waiting for its reviewer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct TodoItem {
    pub sample_id: i64,
    pub conversation_id: i64,
    pub subject: String,
    pub agent: String,
    pub channel_kind: ChannelKind,
    pub resolved_epoch: Option<i64>,
    pub csat: Option<i16>,
}

/// One criterion's answer as the reviewer sends it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AnswerInput {
    /// `None`: not applicable.
    pub value: Option<u8>,
    #[serde(default)]
    pub comment: String,
}

/// One criterion's answer as stored: with what the data suggested and whether the
/// reviewer changed it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StoredAnswer {
    pub value: Option<u8>,
    #[serde(default)]
    pub comment: String,
    #[serde(default)]
    pub suggested: Option<u8>,
    #[serde(default)]
    pub changed: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReviewInput {
    pub conversation_id: i64,
    /// The scorecard version the reviewer saw; refused if it is no longer current.
    pub scorecard_version_id: i64,
    pub answers: Vec<AnswerInput>,
    #[serde(default)]
    pub comment: String,
    #[serde(default)]
    pub sample_id: Option<i64>,
    /// A second review of a dialogue this reviewer has reviewed, asked for explicitly.
    #[serde(default)]
    pub repeat: bool,
    #[serde(default)]
    pub calibration_id: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Dispute {
    pub id: i64,
    pub reason: String,
    pub status: DisputeStatus,
    pub decision_note: String,
    pub created_epoch: i64,
}

/// A finished review, as the agent, the reviewer and managers read it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Review {
    pub id: i64,
    pub conversation_id: i64,
    pub subject: String,
    pub agent_id: i64,
    pub agent: String,
    pub reviewer_id: i64,
    pub reviewer: String,
    pub score: Option<f64>,
    pub created_epoch: i64,
    pub scorecard_version: i32,
    pub criteria: Vec<Criterion>,
    pub answers: Vec<StoredAnswer>,
    pub comment: String,
    /// The latest dispute, if any.
    pub dispute: Option<Dispute>,
    /// How many times it was changed after a dispute.
    pub revisions: i64,
}

/// The review screen: the dialogue beside the scorecard, with suggestions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReviewSheet {
    pub dialogue: Dialogue,
    pub now: i64,
    pub agent: Option<String>,
    pub scorecard: Scorecard,
    pub facts: Facts,
    /// Per criterion, what the data suggests.
    pub suggestions: Vec<Option<u8>>,
    /// This reviewer's earlier review of the dialogue, if any.
    pub mine: Option<Review>,
}

/// A quality score for one agent, team or week.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ScoreLine {
    pub id: i64,
    pub name: String,
    pub iqs: Iqs,
}

/// One criterion's average across the reviews of a period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CriterionLine {
    pub name: String,
    /// Mean criterion score, 0–100, over reviews where it applied.
    pub mean: f64,
    pub reviews: u32,
}

/// The results page: IQS per agent and team, weekly, and per criterion (overall and per agent).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Scores {
    pub from: String,
    pub to: String,
    pub overall: Option<Iqs>,
    pub agents: Vec<ScoreLine>,
    pub teams: Vec<ScoreLine>,
    /// `id` is the week's start as Unix seconds.
    pub weeks: Vec<ScoreLine>,
    pub criteria: Vec<CriterionLine>,
    /// Per agent (same order as `agents`), the mean per criterion (same order as `criteria`).
    pub agent_criteria: Vec<Vec<Option<f64>>>,
}

/// A calibration session: one dialogue several reviewers score independently.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Calibration {
    pub id: i64,
    pub conversation_id: i64,
    pub subject: String,
    pub created_epoch: i64,
    /// Reviewers who have scored it.
    pub reviewers: Vec<String>,
    /// Whether the caller has scored it.
    pub done_by_me: bool,
}

/// Agreement across calibration sessions, per criterion.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Agreement {
    pub criterion: String,
    /// Mean over sessions of the spread (max − min) of the reviewers' criterion scores.
    pub mean_spread: Option<f64>,
    /// Krippendorff's alpha (interval) over all sessions.
    pub alpha: Option<f64>,
    /// Scores behind it.
    pub ratings: u32,
}

/// Everything the QA home page shows the caller.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct QaOverview {
    pub can_review: bool,
    pub can_manage: bool,
    /// Works the queue, so has dialogues of their own to be reviewed.
    pub works_queue: bool,
    pub todo: Vec<TodoItem>,
    /// Reviews of the caller's own dialogues.
    pub mine: Vec<Review>,
    /// Open disputes the caller may decide.
    pub disputes: Vec<Review>,
    /// Today in the caller's time zone, `YYYY-MM-DD`, for the sample form's defaults.
    pub today: String,
    pub week_ago: String,
    /// For the sample form: teams, agents, and who may be given a sample.
    pub teams: Vec<(i64, String)>,
    pub agents: Vec<(i64, String)>,
    pub reviewers: Vec<(i64, String)>,
    pub now: i64,
}

/// A stored review, as the REST API answers it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReviewStored {
    pub id: i64,
    /// 0–100; absent when every criterion was not applicable.
    pub score: Option<f64>,
}

/// IQS over a period grouped one way, as the REST API answers it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ScoresPage {
    pub from: String,
    pub to: String,
    pub overall: Option<Iqs>,
    /// Score lines per agent, team or week, or per criterion.
    #[cfg_attr(feature = "ssr", schema(value_type = Vec<Object>))]
    pub items: serde_json::Value,
}

#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReviewBody {
    pub conversation_id: i64,
    /// The current version when absent.
    pub scorecard_version_id: Option<i64>,
    /// In the scorecard's order.
    pub answers: Vec<AnswerInput>,
    #[serde(default)]
    pub comment: String,
    pub sample_id: Option<i64>,
    /// A second review of a dialogue already reviewed.
    #[serde(default)]
    pub repeat: bool,
}

#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "ssr", into_params(parameter_in = Query))]
pub struct ScoresQuery {
    /// First day (`YYYY-MM-DD`); 12 weeks before `to` when absent.
    pub from: Option<String>,
    /// Last day, inclusive; today when absent.
    pub to: Option<String>,
    /// agent (default), team, criterion or week
    pub group_by: Option<String>,
}
