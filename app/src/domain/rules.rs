//! Rules and time-based automations: when something happens to a dialogue (or it has been
//! in a state long enough), if its conditions hold, do the actions. Rules are tried in
//! order; one marked "stop" ends the run when it fires. This module decides which rules
//! fire and checks what an editor submits; `backend::rules` loads the facts and applies
//! the actions in one transaction.
//!
//! Loop protection: a rule never fires on an event its own actions caused, and a chain of
//! rules firing on each other's changes stops after [`MAX_CHAIN_DEPTH`] links.

use super::dialogue::{parse_tags, Priority, Topic};
use super::sla::{Conditions, Facts};
use serde::{Deserialize, Serialize};

named_enum!(
    /// What happened to a dialogue, as a rule listens for it.
    Trigger {
        Created => "created", "A dialogue is created";
        CustomerReplied => "customer_replied", "The customer writes";
        AgentReplied => "agent_replied", "An agent replies";
        StatusChanged => "status_changed", "Its status changes";
        PriorityChanged => "priority_changed", "Its priority changes";
        TagsChanged => "tags_changed", "Its tags change";
        SlaWarning => "sla_warning", "An SLA warning";
        SlaBreached => "sla_breached", "An SLA target is missed";
    }
);

impl Trigger {
    /// The triggers a history line (a `conversation_events` kind) is; most are one, a
    /// dialogue the customer's message reopened or woke (`by_customer`) is both the
    /// customer writing and a status change, and lines no rule listens for are none.
    pub fn from_event(kind: &str, by_customer: bool) -> &'static [Trigger] {
        use Trigger::*;
        match kind {
            "opened" => &[Created],
            "customer_wrote" => &[CustomerReplied],
            "reopened" | "woke_up" if by_customer => &[CustomerReplied, StatusChanged],
            "reopened" | "woke_up" => &[StatusChanged],
            "replied" => &[AgentReplied],
            "resolved" | "postponed" => &[StatusChanged],
            "priority_changed" => &[PriorityChanged],
            "tagged" => &[TagsChanged],
            "sla_warning" => &[SlaWarning],
            "sla_breached" => &[SlaBreached],
            _ => &[],
        }
    }
}

/// Every `conversation_events` kind some trigger listens for (the queue's trigger in the
/// database enqueues only these).
pub const LISTENED_KINDS: &[&str] =
    &["opened", "customer_wrote", "reopened", "woke_up", "replied", "resolved", "postponed", "priority_changed", "tagged", "sla_warning", "sla_breached"];

named_enum!(
    /// A state a dialogue waits in, for time-based automations.
    WaitState {
        WaitingForCustomer => "waiting_for_customer", "Waiting for the customer";
        Unanswered => "unanswered", "Waiting for an answer";
    }
);

named_enum!(
    /// Who a rule's notification goes to.
    NotifyWho {
        Assignee => "assignee", "Whoever holds it (else the team's managers)";
        Managers => "managers", "The team's managers";
    }
);

/// When a rule runs: on events, or once a dialogue has waited in a state this long.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(tag = "when", rename_all = "snake_case")]
pub enum When {
    /// On any of these events.
    Event { triggers: Vec<Trigger> },
    /// Once per wait, when the dialogue has been in `state` for `minutes`.
    Waiting { state: WaitState, minutes: i32 },
}

/// What a rule checks: the SLA policies' vocabulary plus words, the hour in the team's
/// zone and whether the holder is on shift. Empty parts match everything.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RuleConditions {
    #[serde(flatten)]
    pub dialogue: Conditions,
    /// Any of these words or phrases in the subject or the customer's latest message.
    #[serde(default)]
    pub words: Vec<String>,
    /// From this hour (0–23, the team's time zone) ...
    #[serde(default)]
    pub from_hour: Option<u8>,
    /// ... until this hour (exclusive; a window may run over midnight).
    #[serde(default)]
    pub until_hour: Option<u8>,
    /// Whether the holder is on shift now: `Some(false)` also matches a dialogue nobody
    /// holds.
    #[serde(default)]
    pub on_shift: Option<bool>,
}

/// What a rule does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(tag = "do", rename_all = "snake_case")]
pub enum RuleAction {
    SetTeam { team_id: i64 },
    SetTopic { topic: Topic },
    SetPriority { priority: Priority },
    AddTags { tags: Vec<String> },
    RemoveTags { tags: Vec<String> },
    /// Gives the dialogue to this agent (not one a sales rep holds).
    Assign { user_id: i64 },
    /// Hands it back to the queue.
    Unassign,
    /// Sends the macro's text to the customer on the dialogue's channel.
    SendMacro { macro_id: i64 },
    /// An internal note on the dialogue.
    AddNote { text: String },
    Notify { who: NotifyWho, text: String },
    /// Sends `rule_fired` with the dialogue to this webhook subscription (signed, retried).
    CallWebhook { webhook_id: i64 },
    Resolve,
}

impl RuleAction {
    /// In words, for the editor's list and the history: "set the priority to High".
    /// `name` turns a team, user or macro id into its name.
    pub fn describe(&self, name: impl Fn(&str, i64) -> Option<String>) -> String {
        let named = |what: &str, id: i64| name(what, id).unwrap_or_else(|| format!("#{id}"));
        match self {
            RuleAction::SetTeam { team_id } => format!("move to team {}", named("team", *team_id)),
            RuleAction::SetTopic { topic } => format!("set the purpose to {}", topic.label()),
            RuleAction::SetPriority { priority } => format!("set the priority to {}", priority.label()),
            RuleAction::AddTags { tags } => format!("tag {}", tags.join(", ")),
            RuleAction::RemoveTags { tags } => format!("remove the tags {}", tags.join(", ")),
            RuleAction::Assign { user_id } => format!("assign to {}", named("user", *user_id)),
            RuleAction::Unassign => "hand back to the queue".to_string(),
            RuleAction::SendMacro { macro_id } => format!("send the macro “{}”", named("macro", *macro_id)),
            RuleAction::AddNote { text } => format!("add the note “{}”", short(text)),
            RuleAction::Notify { who, text } => {
                let to = match who {
                    NotifyWho::Assignee => "the holder",
                    NotifyWho::Managers => "the managers",
                };
                format!("notify {to}: “{}”", short(text))
            }
            RuleAction::CallWebhook { webhook_id } => format!("call the webhook {}", named("webhook", *webhook_id)),
            RuleAction::Resolve => "resolve".to_string(),
        }
    }
}

fn short(text: &str) -> String {
    let mut s: String = text.chars().take(60).collect();
    if text.chars().count() > 60 {
        s.push('…');
    }
    s
}

/// A rule as the editor and the API send it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RuleInput {
    pub name: String,
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(flatten)]
    pub when: When,
    #[serde(default)]
    pub conditions: RuleConditions,
    pub actions: Vec<RuleAction>,
    /// Try no later rule once this one fires.
    #[serde(default)]
    pub stop: bool,
}

fn yes() -> bool {
    true
}

/// A chain of rules firing on each other's changes stops after this many links.
pub const MAX_CHAIN_DEPTH: i16 = 3;
/// At most this many actions per rule.
pub const MAX_ACTIONS: usize = 10;
/// The longest wait a time-based automation may name: a year.
pub const MAX_WAIT_MINUTES: i32 = 525_600;

/// What a dialogue is, as a rule's conditions read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleFacts<'a> {
    pub dialogue: Facts<'a>,
    pub subject: &'a str,
    /// The customer's latest message.
    pub text: &'a str,
    /// The hour now in the team's time zone (UTC without a team).
    pub local_hour: u8,
    /// Whether the holder is on shift now; `None` when nobody holds it.
    pub holder_on_shift: Option<bool>,
}

/// Lower-case words separated by single spaces, with a space at each end, so that a
/// phrase is found only as whole words.
fn normalized(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push(' ');
    for word in text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
        out.extend(word.chars().flat_map(char::to_lowercase));
        out.push(' ');
    }
    out
}

/// Whether any of `words` (each a word or a phrase) is in `subject` or `text`, as whole
/// words, any case.
pub fn words_match(words: &[String], subject: &str, text: &str) -> bool {
    if words.is_empty() {
        return true;
    }
    let hay = format!("{}{}", normalized(subject), normalized(text));
    words.iter().map(|w| normalized(w)).filter(|w| w.len() > 2).any(|w| hay.contains(&w))
}

/// Whether `hour` is in `[from, until)`, the window running over midnight when `until`
/// is not after `from`.
pub fn in_window(hour: u8, from: u8, until: u8) -> bool {
    if from < until { (from..until).contains(&hour) } else { hour >= from || hour < until }
}

impl RuleConditions {
    pub fn matches(&self, f: &RuleFacts<'_>) -> bool {
        self.dialogue.matches(&f.dialogue)
            && words_match(&self.words, f.subject, f.text)
            && match (self.from_hour, self.until_hour) {
                (Some(from), Some(until)) => in_window(f.local_hour, from, until),
                _ => true,
            }
            && self.on_shift.is_none_or(|want| f.holder_on_shift.unwrap_or(false) == want)
    }

    /// In words, for the rule list.
    pub fn describe(&self, team_name: impl Fn(i64) -> Option<String>) -> String {
        let mut parts = Vec::new();
        if self.dialogue != Conditions::default() {
            parts.push(self.dialogue.describe(team_name));
        }
        if !self.words.is_empty() {
            parts.push(format!("mentions {}", self.words.iter().map(|w| format!("“{w}”")).collect::<Vec<_>>().join(" or ")));
        }
        if let (Some(from), Some(until)) = (self.from_hour, self.until_hour) {
            parts.push(format!("between {from:02}:00 and {until:02}:00 team time"));
        }
        match self.on_shift {
            Some(true) => parts.push("holder on shift".into()),
            Some(false) => parts.push("holder off shift or nobody".into()),
            None => {}
        }
        if parts.is_empty() { "Every dialogue".to_string() } else { parts.join(" · ") }
    }
}

impl When {
    /// In words: "When the customer writes or an SLA target is missed" / "After 3 days
    /// waiting for the customer".
    pub fn describe(&self) -> String {
        match self {
            When::Event { triggers } => {
                format!("When {}", triggers.iter().map(|t| t.label().to_lowercase()).collect::<Vec<_>>().join(" or "))
            }
            When::Waiting { state, minutes } => {
                format!("After {} {}", super::dialogue::format_waiting(*minutes as i64 * 60), state.label().to_lowercase())
            }
        }
    }
}

/// The rules, of those given in order, that fire on `trigger` for a dialogue with `facts`:
/// enabled event rules listening for it whose conditions hold, never the rule whose own
/// change caused the event (`caused_by`), and none after a firing rule marked "stop".
pub fn firing<'r, R>(rules: &'r [R], terms: impl Fn(&R) -> (i64, &RuleInput), trigger: Trigger, facts: &RuleFacts<'_>, caused_by: Option<i64>) -> Vec<&'r R> {
    let mut out = Vec::new();
    for r in rules {
        let (id, rule) = terms(r);
        let listens = matches!(&rule.when, When::Event { triggers } if triggers.contains(&trigger));
        if !rule.enabled || !listens || Some(id) == caused_by || !rule.conditions.matches(facts) {
            continue;
        }
        out.push(r);
        if rule.stop {
            break;
        }
    }
    out
}

fn clean_text(text: &str, what: &str, max: usize) -> Result<String, String> {
    let text = text.chars().filter(|c| !c.is_control() || *c == '\n').collect::<String>().trim().to_string();
    if text.is_empty() {
        return Err(format!("Write the {what}."));
    }
    if text.chars().count() > max {
        return Err(format!("The {what} has at most {max} characters."));
    }
    Ok(text)
}

/// Checks a rule as submitted and returns it tidied (name and texts trimmed, tags and
/// words in their stored form), or the sentence that says what is wrong.
pub fn validate_rule(input: &RuleInput) -> Result<RuleInput, String> {
    let mut rule = input.clone();
    rule.name = input.name.chars().filter(|c| !c.is_control()).collect::<String>().trim().to_string();
    if rule.name.is_empty() {
        return Err("Give the rule a name.".into());
    }
    if rule.name.chars().count() > 120 {
        return Err("A rule's name has at most 120 characters.".into());
    }
    match &mut rule.when {
        When::Event { triggers } => {
            if triggers.is_empty() {
                return Err("Choose at least one event the rule runs on.".into());
            }
            let mut seen = Vec::new();
            triggers.retain(|t| if seen.contains(t) { false } else { seen.push(*t); true });
        }
        When::Waiting { minutes, .. } => {
            if *minutes <= 0 {
                return Err("A time-based automation waits more than 0 minutes.".into());
            }
            if *minutes > MAX_WAIT_MINUTES {
                return Err("A time-based automation waits at most a year (525,600 minutes).".into());
            }
        }
    }
    if rule.actions.is_empty() {
        return Err("A rule needs at least one action.".into());
    }
    if rule.actions.len() > MAX_ACTIONS {
        return Err(format!("A rule has at most {MAX_ACTIONS} actions."));
    }
    let c = &mut rule.conditions;
    c.dialogue.tags = parse_tags(&c.dialogue.tags.join(","))?;
    c.dialogue.customer_plan = c.dialogue.customer_plan.as_deref().map(str::trim).filter(|p| !p.is_empty()).map(str::to_string);
    if c.dialogue.customer_plan.as_ref().is_some_and(|p| p.chars().count() > 60) {
        return Err("A plan's name has at most 60 characters.".into());
    }
    let mut words: Vec<String> = Vec::new();
    for w in &c.words {
        let w = normalized(w).trim().to_string();
        if w.is_empty() {
            continue;
        }
        if w.chars().count() < 2 || w.chars().count() > 60 {
            return Err(format!("“{w}”: a word or phrase has 2 to 60 characters."));
        }
        if !words.contains(&w) {
            words.push(w);
        }
    }
    if words.len() > 20 {
        return Err("A rule looks for at most 20 words or phrases.".into());
    }
    c.words = words;
    match (c.from_hour, c.until_hour) {
        (None, None) => {}
        (Some(from), Some(until)) => {
            if from > 23 || until > 23 {
                return Err("An hour is 0 to 23.".into());
            }
            if from == until {
                return Err("The hours' window is empty: give different hours.".into());
            }
        }
        _ => return Err("Give both hours of the window, or neither.".into()),
    }
    for a in &mut rule.actions {
        match a {
            RuleAction::AddTags { tags } | RuleAction::RemoveTags { tags } => {
                *tags = parse_tags(&tags.join(","))?;
                if tags.is_empty() {
                    return Err("Name the tags to add or remove.".into());
                }
            }
            RuleAction::AddNote { text } => *text = clean_text(text, "note", 2_000)?,
            RuleAction::Notify { text, .. } => *text = clean_text(text, "notification", 300)?,
            _ => {}
        }
    }
    let resolves = rule.actions.iter().any(|a| matches!(a, RuleAction::Resolve));
    let assigns = rule.actions.iter().any(|a| matches!(a, RuleAction::Assign { .. }));
    if resolves && assigns {
        return Err("A rule that resolves a dialogue does not also assign it.".into());
    }
    Ok(rule)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::dialogue::ChannelKind;
    use proptest::prelude::*;

    fn facts<'a>(tags: &'a [String], subject: &'a str, text: &'a str) -> RuleFacts<'a> {
        RuleFacts {
            dialogue: Facts { channel_kind: ChannelKind::Email, topic: Some(Topic::Billing), team_id: Some(1), priority: Priority::Normal, tags, customer_plan: None },
            subject,
            text,
            local_hour: 22,
            holder_on_shift: None,
        }
    }

    fn rule(name: &str, triggers: &[Trigger], conditions: RuleConditions, stop: bool) -> RuleInput {
        RuleInput {
            name: name.into(),
            enabled: true,
            when: When::Event { triggers: triggers.to_vec() },
            conditions,
            actions: vec![RuleAction::AddTags { tags: vec!["x".into()] }],
            stop,
        }
    }

    #[test]
    fn rules_fire_in_order_and_stop_after_one_marked_stop() {
        let refund = RuleConditions { words: vec!["refund".into()], ..Default::default() };
        let rules = vec![
            (1, rule("tag refunds", &[Trigger::CustomerReplied], refund.clone(), false)),
            (2, rule("on creation only", &[Trigger::Created], RuleConditions::default(), false)),
            (3, rule("urgent refunds", &[Trigger::CustomerReplied, Trigger::Created], refund, true)),
            (4, rule("after the stop", &[Trigger::CustomerReplied], RuleConditions::default(), false)),
        ];
        let tags = vec![];
        let f = facts(&tags, "Invoice", "I want a REFUND, please.");
        let fired: Vec<i64> = firing(&rules, |r| (r.0, &r.1), Trigger::CustomerReplied, &f, None).iter().map(|r| r.0).collect();
        assert_eq!(fired, vec![1, 3]);
        let calm = facts(&tags, "Invoice", "Thanks!");
        let fired: Vec<i64> = firing(&rules, |r| (r.0, &r.1), Trigger::CustomerReplied, &calm, None).iter().map(|r| r.0).collect();
        assert_eq!(fired, vec![4]);
    }

    #[test]
    fn a_rule_does_not_fire_on_its_own_change_and_disabled_rules_never_fire() {
        let mut off = rule("off", &[Trigger::TagsChanged], RuleConditions::default(), false);
        off.enabled = false;
        let rules = vec![(7, rule("retag", &[Trigger::TagsChanged], RuleConditions::default(), false)), (8, off)];
        let tags = vec![];
        let f = facts(&tags, "", "");
        assert!(firing(&rules, |r| (r.0, &r.1), Trigger::TagsChanged, &f, Some(7)).is_empty());
        assert_eq!(firing(&rules, |r| (r.0, &r.1), Trigger::TagsChanged, &f, Some(9)).len(), 1);
    }

    #[test]
    fn words_are_whole_words_in_any_case_and_phrases_keep_their_order() {
        let w = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert!(words_match(&w(&["refund"]), "Refund?", ""));
        assert!(!words_match(&w(&["fund"]), "Refund?", ""));
        assert!(words_match(&w(&["charged twice"]), "", "I was CHARGED   twice!"));
        assert!(!words_match(&w(&["charged twice"]), "", "twice charged"));
        assert!(words_match(&[], "", ""));
    }

    #[test]
    fn the_hours_window_runs_over_midnight() {
        assert!(in_window(23, 22, 6) && in_window(3, 22, 6) && !in_window(6, 22, 6) && !in_window(12, 22, 6));
        assert!(in_window(9, 9, 17) && !in_window(17, 9, 17));
        let tags = vec![];
        let night = RuleConditions { from_hour: Some(20), until_hour: Some(8), on_shift: Some(false), ..Default::default() };
        assert!(night.matches(&facts(&tags, "", "")));
        let mut held = facts(&tags, "", "");
        held.holder_on_shift = Some(true);
        assert!(!night.matches(&held));
    }

    #[test]
    fn events_map_to_triggers() {
        assert_eq!(Trigger::from_event("opened", true), &[Trigger::Created]);
        assert_eq!(Trigger::from_event("reopened", true), &[Trigger::CustomerReplied, Trigger::StatusChanged]);
        assert_eq!(Trigger::from_event("reopened", false), &[Trigger::StatusChanged], "an agent reopened it");
        assert_eq!(Trigger::from_event("woke_up", false), &[Trigger::StatusChanged], "its postponement ran out");
        assert!(Trigger::from_event("rule_fired", false).is_empty());
        assert!(Trigger::from_event("noted", false).is_empty());
        for kind in LISTENED_KINDS {
            assert!(!Trigger::from_event(kind, false).is_empty(), "{kind}");
        }
    }

    #[test]
    fn bad_rules_are_refused_with_a_sentence() {
        let good = rule("Tag refunds", &[Trigger::CustomerReplied], RuleConditions::default(), false);
        assert!(validate_rule(&good).is_ok());
        let no_action = RuleInput { actions: vec![], ..good.clone() };
        assert_eq!(validate_rule(&no_action).unwrap_err(), "A rule needs at least one action.");
        let no_trigger = RuleInput { when: When::Event { triggers: vec![] }, ..good.clone() };
        assert!(validate_rule(&no_trigger).unwrap_err().contains("at least one event"));
        let zero = RuleInput { when: When::Waiting { state: WaitState::Unanswered, minutes: 0 }, ..good.clone() };
        assert!(validate_rule(&zero).unwrap_err().contains("more than 0 minutes"));
        let half_window = RuleInput { conditions: RuleConditions { from_hour: Some(3), ..Default::default() }, ..good.clone() };
        assert!(validate_rule(&half_window).is_err());
        let empty_note = RuleInput { actions: vec![RuleAction::AddNote { text: "  ".into() }], ..good.clone() };
        assert_eq!(validate_rule(&empty_note).unwrap_err(), "Write the note.");
        let tidy = RuleInput { name: "  Refunds \u{7}".into(), conditions: RuleConditions { words: vec!["  Charged  TWICE ".into()], ..Default::default() }, ..good };
        let tidy = validate_rule(&tidy).unwrap();
        assert_eq!((tidy.name.as_str(), tidy.conditions.words), ("Refunds", vec!["charged twice".to_string()]));
    }

    #[test]
    fn a_rule_reads_and_writes_as_json_with_its_kind_named() {
        let r = RuleInput {
            name: "Remind".into(),
            enabled: true,
            when: When::Waiting { state: WaitState::WaitingForCustomer, minutes: 4320 },
            conditions: RuleConditions::default(),
            actions: vec![RuleAction::SendMacro { macro_id: 3 }, RuleAction::Notify { who: NotifyWho::Managers, text: "Look".into() }],
            stop: false,
        };
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["when"], "waiting");
        assert_eq!(json["state"], "waiting_for_customer");
        assert_eq!(json["actions"][0]["do"], "send_macro");
        assert_eq!(serde_json::from_value::<RuleInput>(json).unwrap(), r);
    }

    proptest! {
        /// Whatever the rules, the ones that fire are in order, listen for the trigger,
        /// are enabled, never the one that caused the event, and nothing follows a stop.
        #[test]
        fn firing_keeps_its_promises(spec in proptest::collection::vec((0usize..8, any::<bool>(), any::<bool>(), any::<bool>()), 0..30), trigger in 0usize..8, caused in 0i64..30) {
            let rules: Vec<(i64, RuleInput)> = spec.iter().enumerate().map(|(i, &(t, enabled, stop, billing))| {
                let mut r = rule(&format!("r{i}"), &[Trigger::ALL[t]], RuleConditions::default(), stop);
                r.enabled = enabled;
                if !billing { r.conditions.dialogue.topic = Some(Topic::Legal); }
                (i as i64, r)
            }).collect();
            let trigger = Trigger::ALL[trigger];
            let tags = vec![];
            let f = facts(&tags, "", "");
            let fired = firing(&rules, |r| (r.0, &r.1), trigger, &f, Some(caused));
            let ids: Vec<i64> = fired.iter().map(|r| r.0).collect();
            prop_assert!(ids.windows(2).all(|w| w[0] < w[1]));
            for r in &fired {
                prop_assert!(r.1.enabled && r.0 != caused && r.1.conditions.dialogue.topic.is_none());
                let listens = matches!(&r.1.when, When::Event { triggers } if triggers.contains(&trigger));
                prop_assert!(listens);
            }
            if let Some(pos) = fired.iter().position(|r| r.1.stop) {
                prop_assert_eq!(pos, fired.len() - 1);
            }
        }

        /// A phrase is always found in a text made of it, whatever the case and the
        /// punctuation around it.
        #[test]
        fn a_phrase_is_found_in_itself(words in proptest::collection::vec("[a-z]{3,8}", 1..4), sep in "[ ,.!?]{1,3}") {
            let phrase = words.join(" ");
            let text = format!("Hello{sep}{}{sep}bye", words.join(&sep).to_uppercase());
            prop_assert!(words_match(&[phrase], "", &text));
        }
    }
}
