//! Service levels: which policy a dialogue falls under (the first in order whose
//! conditions hold), the targets it sets per priority, and the clocks those targets run
//! on a dialogue's history: first response, next response (each customer message waiting
//! for a reply) and resolution, counted in calendar time or in the team's business hours,
//! paused while the dialogue is postponed or resolved.
//!
//! A clock is computed again from the whole history whenever the dialogue changes, so a
//! changed priority or team applies its new target from the clock's start, and a pause
//! moves the due time by exactly the paused time.

use super::dialogue::{ChannelKind, Priority, Topic};
use super::metrics::BusinessHours;
use serde::{Deserialize, Serialize};

named_enum!(
    /// What a target measures.
    Metric {
        FirstResponse => "first_response", "First response";
        NextResponse => "next_response", "Next response";
        Resolution => "resolution", "Resolution";
    }
);

named_enum!(
    /// What happens once when a target is missed, besides the breach on the history.
    Escalation {
        None => "none", "Nothing more";
        RaisePriority => "raise_priority", "Raise the priority one step";
        Unassign => "unassign", "Hand it back to the queue";
        NotifyManager => "notify_manager", "Notify the team's managers";
    }
);

/// The longest target a policy may set: a year.
pub const MAX_TARGET_MINUTES: i32 = 525_600;
/// The earliest warning: a day before the target.
pub const MAX_WARN_MINUTES: i32 = 1_440;

/// What a policy matches on; an empty condition matches every dialogue.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Conditions {
    #[serde(default)]
    pub channel_kind: Option<ChannelKind>,
    #[serde(default)]
    pub topic: Option<Topic>,
    #[serde(default)]
    pub team_id: Option<i64>,
    /// Any of these priorities; every priority when empty.
    #[serde(default)]
    pub priorities: Vec<Priority>,
    /// Any of these tags; no tag needed when empty.
    #[serde(default)]
    pub tags: Vec<String>,
    /// The customer's plan as stored on the customer ("enterprise"), any case.
    #[serde(default)]
    pub customer_plan: Option<String>,
}

/// What a dialogue is, as the conditions read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Facts<'a> {
    pub channel_kind: ChannelKind,
    pub topic: Option<Topic>,
    pub team_id: Option<i64>,
    pub priority: Priority,
    pub tags: &'a [String],
    pub customer_plan: Option<&'a str>,
}

impl Conditions {
    pub fn matches(&self, f: &Facts<'_>) -> bool {
        self.channel_kind.is_none_or(|k| k == f.channel_kind)
            && self.topic.is_none_or(|t| Some(t) == f.topic)
            && self.team_id.is_none_or(|t| Some(t) == f.team_id)
            && (self.priorities.is_empty() || self.priorities.contains(&f.priority))
            && (self.tags.is_empty() || self.tags.iter().any(|t| f.tags.contains(t)))
            && self.customer_plan.as_deref().is_none_or(|p| f.customer_plan.is_some_and(|c| c.eq_ignore_ascii_case(p)))
    }

    /// In words, for the policy list: "chat · billing · high or urgent · tagged vip".
    pub fn describe(&self, team_name: impl Fn(i64) -> Option<String>) -> String {
        let mut parts = Vec::new();
        if let Some(k) = self.channel_kind {
            parts.push(k.label().to_string());
        }
        if let Some(t) = self.topic {
            parts.push(t.label().to_string());
        }
        if let Some(id) = self.team_id {
            parts.push(format!("team {}", team_name(id).unwrap_or_else(|| format!("#{id}"))));
        }
        if !self.priorities.is_empty() {
            parts.push(self.priorities.iter().map(|p| p.label().to_lowercase()).collect::<Vec<_>>().join(" or "));
        }
        if !self.tags.is_empty() {
            parts.push(format!("tagged {}", self.tags.join(" or ")));
        }
        if let Some(p) = &self.customer_plan {
            parts.push(format!("plan {p}"));
        }
        if parts.is_empty() { "Every dialogue".to_string() } else { parts.join(" · ") }
    }
}

/// The first policy, in the order given, whose conditions hold.
pub fn first_match<'p, P>(policies: &'p [P], conditions: impl Fn(&P) -> &Conditions, facts: &Facts<'_>) -> Option<&'p P> {
    policies.iter().find(|p| conditions(p).matches(facts))
}

/// A target as an editor submits it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Target {
    pub priority: Priority,
    pub metric: Metric,
    pub minutes: i32,
}

/// Checks a policy as submitted: a name, at least one target, each target positive and at
/// most a year, one target per priority and metric, a warning within a day.
pub fn validate_policy(name: &str, targets: &[Target], warn_minutes: i32) -> Result<String, String> {
    let name: String = name.chars().filter(|c| !c.is_control()).collect::<String>().trim().to_string();
    if name.is_empty() {
        return Err("Give the policy a name.".into());
    }
    if name.chars().count() > 120 {
        return Err("A policy's name has at most 120 characters.".into());
    }
    if targets.is_empty() {
        return Err("Set at least one target.".into());
    }
    for t in targets {
        if t.minutes <= 0 {
            return Err(format!("The {} target for {} priority must be more than 0 minutes.", t.metric.label().to_lowercase(), t.priority.label().to_lowercase()));
        }
        if t.minutes > MAX_TARGET_MINUTES {
            return Err("A target is at most a year (525,600 minutes).".into());
        }
    }
    for (i, a) in targets.iter().enumerate() {
        if targets[..i].iter().any(|b| b.priority == a.priority && b.metric == a.metric) {
            return Err(format!("{} priority has two {} targets.", a.priority.label(), a.metric.label().to_lowercase()));
        }
    }
    if !(0..=MAX_WARN_MINUTES).contains(&warn_minutes) {
        return Err("Warn between 0 and 1,440 minutes (a day) before a target.".into());
    }
    Ok(name)
}

/// How a target's time is counted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Counting {
    Calendar,
    Business(BusinessHours),
}

/// How far ahead `advance` looks for open hours before it says "never".
const HORIZON_DAYS: i64 = 3_700;

impl Counting {
    /// Counted seconds in `[from, to)`.
    pub fn count(&self, from: i64, to: i64) -> i64 {
        match self {
            Counting::Calendar => (to - from).max(0),
            Counting::Business(hours) => hours.seconds_between(from, to),
        }
    }

    /// The instant at which `seconds` counted seconds have passed since `from`; `None` if
    /// the hours never open (no working day in the next ten years).
    pub fn advance(&self, from: i64, seconds: i64) -> Option<i64> {
        if seconds <= 0 {
            return Some(from);
        }
        let hours = match self {
            Counting::Calendar => return Some(from + seconds),
            Counting::Business(hours) => hours,
        };
        let offset = hours.utc_offset_minutes * 60;
        let local = from + offset;
        let mut left = seconds;
        let mut day = local.div_euclid(86_400);
        for _ in 0..HORIZON_DAYS {
            let weekday = (day + 3).rem_euclid(7) as usize;
            if hours.days[weekday] && !hours.holidays.contains(&day) {
                let open = (day * 86_400 + hours.open_minute * 60).max(local);
                let close = day * 86_400 + hours.close_minute * 60;
                let available = close - open;
                if available > 0 {
                    if left <= available {
                        return Some(open + left - offset);
                    }
                    left -= available;
                }
            }
            day += 1;
        }
        None
    }
}

/// What the clocks read: the dialogue's creation, its public messages in time order
/// (`true` from the customer), the spans it was paused (postponed, or resolved and later
/// reopened; the last may still be open) and, if it is resolved now, since when.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct History {
    pub created: i64,
    pub messages: Vec<(i64, bool)>,
    pub pauses: Vec<(i64, Option<i64>)>,
    pub resolved_at: Option<i64>,
}

/// One target's clock on one dialogue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Clock {
    pub metric: Metric,
    pub target_seconds: i64,
    pub started_at: i64,
    /// When the target is (or was) missed; `None` while paused before it, or when the
    /// hours never open.
    pub due_at: Option<i64>,
    /// When the clock stopped (the reply came, or the dialogue was resolved).
    pub stopped_at: Option<i64>,
    /// For a stopped clock: whether it stopped within its target.
    pub met: Option<bool>,
    /// Paused now (postponed) and not yet overdue.
    pub paused: bool,
}

/// `[from, to)` without the paused spans.
fn active_spans(from: i64, to: i64, pauses: &[(i64, Option<i64>)]) -> Vec<(i64, i64)> {
    let mut spans = vec![(from, to)];
    for &(p_from, p_to) in pauses {
        let p_to = p_to.unwrap_or(i64::MAX);
        spans = spans
            .into_iter()
            .flat_map(|(a, b)| {
                if p_to <= a || p_from >= b {
                    vec![(a, b)]
                } else {
                    [(a, p_from.max(a)), (p_to.min(b), b)].into_iter().filter(|(x, y)| y > x).collect()
                }
            })
            .collect();
    }
    spans
}

fn clock(metric: Metric, target: i64, counting: &Counting, start: i64, stop: Option<i64>, pauses: &[(i64, Option<i64>)], now: i64) -> Clock {
    let end = stop.unwrap_or(now).max(start);
    let mut counted = 0;
    let mut due_at = None;
    for (a, b) in active_spans(start, end, pauses) {
        let here = counting.count(a, b);
        if due_at.is_none() && counted + here >= target {
            due_at = counting.advance(a, target - counted);
        }
        counted += here;
    }
    let paused = stop.is_none() && pauses.iter().any(|&(a, b)| a <= now && b.is_none_or(|b| b > now));
    if stop.is_none() && due_at.is_none() && !paused {
        due_at = counting.advance(now.max(start), target - counted);
    }
    Clock {
        metric,
        target_seconds: target,
        started_at: start,
        due_at,
        stopped_at: stop,
        met: stop.map(|_| counted <= target),
        paused: paused && due_at.is_none(),
    }
}

/// The clocks of the targets given (`(metric, seconds)`), on `history`, at `now`: first
/// response and resolution once each, next response once per wait (in time order).
pub fn clocks(targets: &[(Metric, i64)], counting: &Counting, history: &History, now: i64) -> Vec<Clock> {
    let target = |m: Metric| targets.iter().find(|(t, _)| *t == m).map(|(_, s)| *s);
    let first_reply = history.messages.iter().find(|(_, customer)| !customer).map(|(at, _)| *at);
    let mut out = Vec::new();
    if let Some(t) = target(Metric::FirstResponse) {
        let stop = first_reply.or(history.resolved_at);
        out.push(clock(Metric::FirstResponse, t, counting, history.created, stop, &history.pauses, now));
    }
    if let (Some(t), Some(first)) = (target(Metric::NextResponse), first_reply) {
        // One clock per wait: each answered wait is a stopped clock (met or missed, for
        // the reports), and the wait still open runs until a reply or the resolution.
        let mut waiting: Option<i64> = None;
        for &(at, customer) in history.messages.iter().filter(|(at, _)| *at > first) {
            match (customer, waiting) {
                (true, None) => waiting = Some(at),
                (false, Some(since)) => {
                    out.push(clock(Metric::NextResponse, t, counting, since, Some(at), &history.pauses, now));
                    waiting = None;
                }
                _ => {}
            }
        }
        if let Some(since) = waiting {
            out.push(clock(Metric::NextResponse, t, counting, since, history.resolved_at, &history.pauses, now));
        }
    }
    if let Some(t) = target(Metric::Resolution) {
        out.push(clock(Metric::Resolution, t, counting, history.created, history.resolved_at, &history.pauses, now));
    }
    out
}

/// What a queue row shows of a dialogue's SLA: its most urgent running target and when it
/// falls due (`None` while paused).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SlaDue {
    pub metric: Metric,
    pub due_epoch: Option<i64>,
}

impl SlaDue {
    /// "First response due in 12 min" / "Next response 5 min overdue" / "Resolution paused",
    /// and whether it is overdue.
    pub fn describe(&self, now: i64) -> (String, bool) {
        let what = self.metric.label();
        let span = |s: i64| super::dialogue::format_waiting(s.max(0));
        match self.due_epoch {
            None => (format!("{what} paused"), false),
            Some(due) if due > now => (format!("{what} due in {}", span(due - now)), false),
            Some(due) => (format!("{what} {} overdue", span(now - due)), true),
        }
    }
}

/// The running clock that falls due first: the one a queue row shows.
pub fn most_urgent(clocks: &[Clock]) -> Option<&Clock> {
    clocks.iter().filter(|c| c.stopped_at.is_none()).min_by_key(|c| (c.due_at.is_none(), c.due_at))
}

/// A clock as a person reads it: "First response due in 12 min", "Next response 5 min
/// overdue", "Resolution paused", "First response met".
pub fn describe(c: &Clock, now: i64) -> String {
    let what = c.metric.label();
    match (c.stopped_at, c.due_at) {
        (Some(_), _) => format!("{what} {}", if c.met == Some(true) { "met" } else { "missed" }),
        (None, None) if !c.paused => format!("{what}: no business hours ahead"),
        (None, due_epoch) => SlaDue { metric: c.metric, due_epoch }.describe(now).0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Monday 2026-11-23 00:00 UTC.
    const MONDAY: i64 = 1_795_392_000;
    const H: i64 = 3600;
    const M: i64 = 60;

    fn facts<'a>(tags: &'a [String]) -> Facts<'a> {
        Facts { channel_kind: ChannelKind::Chat, topic: Some(Topic::Billing), team_id: Some(2), priority: Priority::High, tags, customer_plan: Some("Enterprise") }
    }

    #[test]
    fn the_first_matching_policy_applies() {
        let tags = vec!["vip".to_string()];
        let email_only = Conditions { channel_kind: Some(ChannelKind::Email), ..Default::default() };
        let vip_high = Conditions { priorities: vec![Priority::High, Priority::Urgent], tags: vec!["vip".into(), "press".into()], ..Default::default() };
        let everything = Conditions::default();
        let policies = [(1, email_only), (2, vip_high), (3, everything)];
        assert_eq!(first_match(&policies, |p| &p.1, &facts(&tags)).map(|p| p.0), Some(2));
        assert_eq!(first_match(&policies, |p| &p.1, &facts(&[])).map(|p| p.0), Some(3));
        let plan = Conditions { customer_plan: Some("enterprise".into()), team_id: Some(2), topic: Some(Topic::Billing), ..Default::default() };
        assert!(plan.matches(&facts(&[])));
        assert!(!Conditions { team_id: Some(3), ..Default::default() }.matches(&facts(&[])));
        assert_eq!(vip_high_text(), "high or urgent · tagged vip or press");
    }

    fn vip_high_text() -> String {
        Conditions { priorities: vec![Priority::High, Priority::Urgent], tags: vec!["vip".into(), "press".into()], ..Default::default() }.describe(|_| None)
    }

    #[test]
    fn bad_policies_are_refused_with_a_sentence() {
        let t = |minutes| Target { priority: Priority::Normal, metric: Metric::FirstResponse, minutes };
        assert_eq!(validate_policy("  Standard ", &[t(60)], 15), Ok("Standard".into()));
        assert!(validate_policy("", &[t(60)], 15).unwrap_err().contains("name"));
        assert!(validate_policy("x", &[], 15).unwrap_err().contains("at least one target"));
        assert!(validate_policy("x", &[t(0)], 15).unwrap_err().contains("more than 0 minutes"));
        assert!(validate_policy("x", &[t(-5)], 15).unwrap_err().contains("more than 0 minutes"));
        assert!(validate_policy("x", &[t(60), t(30)], 15).unwrap_err().contains("two first response targets"));
        assert!(validate_policy("x", &[t(60)], -1).is_err());
    }

    #[test]
    fn business_hours_advance_past_nights_weekends_and_holidays() {
        let office = Counting::Business(BusinessHours::office(0));
        // Friday 16:00 + 2 h of office time = Monday 10:00.
        let friday_4pm = MONDAY - 3 * 86_400 + 16 * H;
        assert_eq!(office.advance(friday_4pm, 2 * H), Some(MONDAY + 10 * H));
        // Before opening: the clock starts at 09:00.
        assert_eq!(office.advance(MONDAY + 7 * H, 30 * M), Some(MONDAY + 9 * H + 30 * M));
        let mut hours = BusinessHours::office(0);
        hours.holidays.push(MONDAY / 86_400);
        assert_eq!(Counting::Business(hours).advance(friday_4pm, 2 * H), Some(MONDAY + 86_400 + 10 * H));
        let never = BusinessHours { days: [false; 7], ..BusinessHours::office(0) };
        assert_eq!(Counting::Business(never).advance(MONDAY, H), None);
    }

    #[test]
    fn first_response_runs_until_the_first_reply_and_pauses_while_postponed() {
        let targets = [(Metric::FirstResponse, H), (Metric::Resolution, 8 * H)];
        let mut h = History { created: MONDAY + 10 * H, messages: vec![(MONDAY + 10 * H, true)], ..Default::default() };
        let c = clocks(&targets, &Counting::Calendar, &h, MONDAY + 10 * H + 20 * M);
        assert_eq!(c[0].due_at, Some(MONDAY + 11 * H));
        assert_eq!(describe(&c[0], MONDAY + 10 * H + 20 * M), "First response due in 40 min");
        // Postponed for 30 minutes: due 30 minutes later; while paused it shows paused.
        h.pauses.push((MONDAY + 10 * H + 20 * M, Some(MONDAY + 10 * H + 50 * M)));
        let c = clocks(&targets, &Counting::Calendar, &h, MONDAY + 12 * H);
        assert_eq!(c[0].due_at, Some(MONDAY + 11 * H + 30 * M));
        h.pauses[0].1 = None;
        let c = clocks(&targets, &Counting::Calendar, &h, MONDAY + 10 * H + 40 * M);
        assert!(c[0].paused && c[0].due_at.is_none());
        assert_eq!(describe(&c[0], MONDAY + 10 * H + 40 * M), "First response paused");
        // Answered after 50 minutes of counted time: met, and it stops.
        h.pauses.clear();
        h.messages.push((MONDAY + 10 * H + 50 * M, false));
        let c = clocks(&targets, &Counting::Calendar, &h, MONDAY + 15 * H);
        assert_eq!((c[0].stopped_at, c[0].met), (Some(MONDAY + 10 * H + 50 * M), Some(true)));
        assert_eq!(most_urgent(&c).map(|c| c.metric), Some(Metric::Resolution));
    }

    #[test]
    fn next_response_follows_each_customer_message_waiting_for_a_reply() {
        let targets = [(Metric::FirstResponse, H), (Metric::NextResponse, 2 * H)];
        let t0 = MONDAY + 9 * H;
        let mut h = History { created: t0, messages: vec![(t0, true), (t0 + 10 * M, false)], ..Default::default() };
        assert_eq!(clocks(&targets, &Counting::Calendar, &h, t0 + H).len(), 1);
        // Two customer messages: the clock runs from the first one waiting.
        h.messages.extend([(t0 + H, true), (t0 + H + 5 * M, true)]);
        let c = clocks(&targets, &Counting::Calendar, &h, t0 + 4 * H);
        assert_eq!((c[1].metric, c[1].started_at, c[1].due_at), (Metric::NextResponse, t0 + H, Some(t0 + 3 * H)));
        assert_eq!(describe(&c[1], t0 + 4 * H), "Next response 1 h 0 min overdue");
        // The agent answers: that cycle stops, missed.
        h.messages.push((t0 + 4 * H, false));
        let c = clocks(&targets, &Counting::Calendar, &h, t0 + 5 * H);
        assert_eq!((c[1].stopped_at, c[1].met), (Some(t0 + 4 * H), Some(false)));
        // A second wait answered in time: two next-response clocks, one missed, one met.
        h.messages.extend([(t0 + 6 * H, true), (t0 + 6 * H + 30 * M, false), (t0 + 7 * H, true)]);
        let c = clocks(&targets, &Counting::Calendar, &h, t0 + 7 * H + 10 * M);
        let next: Vec<_> = c.iter().filter(|c| c.metric == Metric::NextResponse).map(|c| (c.started_at, c.met)).collect();
        assert_eq!(next, vec![(t0 + H, Some(false)), (t0 + 6 * H, Some(true)), (t0 + 7 * H, None)]);
        assert_eq!(most_urgent(&c).map(|c| c.started_at), Some(t0 + 7 * H));
    }

    #[test]
    fn an_overdue_clock_stays_overdue_while_paused() {
        let targets = [(Metric::FirstResponse, H)];
        let h = History { created: MONDAY, messages: vec![(MONDAY, true)], pauses: vec![(MONDAY + 2 * H, None)], ..Default::default() };
        let c = clocks(&targets, &Counting::Calendar, &h, MONDAY + 5 * H);
        assert_eq!((c[0].due_at, c[0].paused), (Some(MONDAY + H), false));
    }

    #[test]
    fn a_queue_row_says_which_target_and_when() {
        let due = SlaDue { metric: Metric::NextResponse, due_epoch: Some(MONDAY + H) };
        assert_eq!(due.describe(MONDAY + 50 * M), ("Next response due in 10 min".to_string(), false));
        assert_eq!(due.describe(MONDAY + 2 * H), ("Next response 1 h 0 min overdue".to_string(), true));
        assert_eq!(SlaDue { metric: Metric::Resolution, due_epoch: None }.describe(MONDAY), ("Resolution paused".to_string(), false));
    }

    #[test]
    fn resolving_stops_every_clock() {
        let targets = [(Metric::FirstResponse, H), (Metric::Resolution, 4 * H)];
        let h = History { created: MONDAY, messages: vec![(MONDAY, true)], resolved_at: Some(MONDAY + 3 * H), pauses: vec![(MONDAY + 3 * H, None)] };
        let c = clocks(&targets, &Counting::Calendar, &h, MONDAY + 9 * H);
        assert_eq!(c.iter().map(|c| c.met).collect::<Vec<_>>(), vec![Some(false), Some(true)]);
        assert!(most_urgent(&c).is_none());
    }

    proptest! {
        #[test]
        fn advancing_then_counting_gives_the_same_seconds(start in 0i64..(400 * 86_400), seconds in 0i64..(40 * 3600),
            mask in 1u8..128, open in 0i64..(23 * 60), len in 1i64..(24 * 60), offset in -720i64..840) {
            let close = (open + len).min(24 * 60);
            let days = std::array::from_fn(|i| mask & (1 << i) != 0);
            let hours = BusinessHours { utc_offset_minutes: offset, days, open_minute: open, close_minute: close, holidays: vec![] };
            let counting = Counting::Business(hours);
            let from = MONDAY + start;
            // A week with one open minute cannot hold 40 hours within the horizon: then
            // there is no due time, and the horizon indeed holds fewer seconds.
            let Some(due) = counting.advance(from, seconds) else {
                prop_assert!(counting.count(from, from + HORIZON_DAYS * 86_400) < seconds);
                return Ok(());
            };
            prop_assert!(due >= from);
            prop_assert_eq!(counting.count(from, due), seconds);
        }

        #[test]
        fn pauses_never_make_a_target_come_sooner(created in 0i64..86_400, pause_from in 0i64..86_400, pause_len in 0i64..86_400, target in 1i64..86_400) {
            let base = History { created: MONDAY + created, messages: vec![(MONDAY + created, true)], ..Default::default() };
            let paused = History { pauses: vec![(MONDAY + pause_from, Some(MONDAY + pause_from + pause_len))], ..base.clone() };
            let now = MONDAY + 3 * 86_400;
            let a = clocks(&[(Metric::FirstResponse, target)], &Counting::Calendar, &base, now)[0];
            let b = clocks(&[(Metric::FirstResponse, target)], &Counting::Calendar, &paused, now)[0];
            prop_assert!(b.due_at.unwrap() >= a.due_at.unwrap());
            prop_assert!(b.due_at.unwrap() - a.due_at.unwrap() <= pause_len);
        }
    }
}
