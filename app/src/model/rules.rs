//! What the rule editor, its server functions and the REST API exchange. Which rules fire
//! is `domain::rules`; the queries and the actions are `backend::rules`.

use crate::domain::rules::RuleInput;
use serde::{Deserialize, Serialize};

/// A rule as stored: its place in the order, its terms and how often it fired.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Rule {
    pub id: i64,
    pub position: i32,
    #[serde(flatten)]
    pub terms: RuleInput,
    /// Firings in the last 7 days.
    pub fired_last_week: i64,
    /// The latest firing, seconds since the epoch.
    pub last_fired_epoch: Option<i64>,
}

/// The rule editor's page: the rules in order and the names its choices offer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RulesOverview {
    pub rules: Vec<Rule>,
    pub teams: Vec<(i64, String)>,
    /// Active people who work the queue.
    pub agents: Vec<(i64, String)>,
    pub macros: Vec<(i64, String)>,
    /// Webhook subscriptions a rule may call, by description (else address).
    pub webhooks: Vec<(i64, String)>,
    pub can_manage: bool,
}

/// One open dialogue a rule matches now, in a dry run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DryRunMatch {
    pub conversation_id: i64,
    pub subject: String,
    pub customer: String,
    /// Why it matches beyond the conditions: "waiting for the customer 4 d".
    pub note: String,
}

/// What a rule would do now: the open dialogues it matches (the first 50 shown) of those
/// examined, and its actions in words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DryRun {
    /// Open dialogues looked at (the most recently changed, at most 5,000).
    pub examined: i64,
    pub matched: i64,
    pub dialogues: Vec<DryRunMatch>,
    pub would: Vec<String>,
}
