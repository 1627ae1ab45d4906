//! Report rollups. Each dialogue adds a few counters to three tables: per day, channel and
//! team; per day and agent; per hour, channel and team (volume only, for the heatmap).
//! What a dialogue adds is a pure function of the dialogue as it is now
//! ([`contribution`]); when it changes, the tables take the difference between its new and
//! its previous contribution ([`Contribution::minus`]). So the tables always equal the sum
//! over all dialogues, whether computed from scratch or kept up to date one change at a
//! time, and a report over a year reads a few thousand rows.
//!
//! Days are counted in the reporting time zone; a dialogue counts under its current
//! channel and team; each figure counts on the day its event happened (a first response on
//! the day it was sent, a resolution on the day of the final resolution, a rating on the
//! day it was given).

use super::metrics::{self, BusinessHours, DialogueFacts, Entry};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Upper edges (seconds) of the duration histogram's bins; the last is open-ended.
/// Medians are read from these bins, so they are exact to within one bin.
pub const BIN_EDGES: [i64; BINS] = [
    60, 120, 300, 600, 900, 1_800, 2_700, 3_600, 5_400, 7_200, 10_800, 14_400, 21_600, 28_800, 43_200, 64_800, 86_400,
    129_600, 172_800, 259_200, 432_000, 604_800, 1_209_600, i64::MAX,
];
pub const BINS: usize = 24;

/// Counts of durations per bin of [`BIN_EDGES`] (empty when all are zero).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bins(pub Vec<i64>);

impl Bins {
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|n| *n == 0)
    }

    pub fn count(&mut self, seconds: i64) {
        let bin = BIN_EDGES.iter().position(|edge| seconds <= *edge).unwrap_or(BINS - 1);
        self.0.resize(BINS, 0);
        self.0[bin] += 1;
    }

    fn add(&mut self, other: &Bins, sign: i64) {
        if other.is_empty() {
            return;
        }
        self.0.resize(BINS, 0);
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            *a += sign * b;
        }
        if self.is_empty() {
            self.0.clear();
        }
    }

    /// The `q` quantile (0 to 1), interpolated linearly inside its bin; `None` if empty.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        let total: i64 = self.0.iter().sum();
        if total <= 0 {
            return None;
        }
        let target = q * total as f64;
        let mut below = 0.0;
        for (i, &n) in self.0.iter().enumerate().filter(|(_, n)| **n > 0) {
            let n = n as f64;
            if below + n >= target {
                let lo = if i == 0 { 0.0 } else { BIN_EDGES[i - 1] as f64 };
                let hi = if i == BINS - 1 { lo * 2.0 } else { BIN_EDGES[i] as f64 };
                return Some(lo + (hi - lo) * ((target - below) / n).clamp(0.0, 1.0));
            }
            below += n;
        }
        None
    }
}

fn is_zero(v: &i64) -> bool {
    *v == 0
}

macro_rules! counters {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {
        /// What dialogues add up to in one rollup row. Every field is a count or a sum, so
        /// rows add and subtract; the figures are derived by [`Counters::figures`].
        #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
        pub struct Counters {
            $($(#[$doc])* #[serde(default, skip_serializing_if = "is_zero")] pub $name: i64,)*
            /// First response times (calendar), per bin; day rows only.
            #[serde(default, skip_serializing_if = "Bins::is_empty")]
            pub fr_bins: Bins,
            /// Resolution times, per bin; day rows only.
            #[serde(default, skip_serializing_if = "Bins::is_empty")]
            pub res_bins: Bins,
        }

        impl Counters {
            /// The column names of the scalar counters, in [`Counters::values`] order.
            pub const COLUMNS: &'static [&'static str] = &[$(stringify!($name)),*];

            pub fn values(&self) -> Vec<i64> {
                vec![$(self.$name),*]
            }

            pub fn from_values(values: &[i64], fr_bins: Vec<i64>, res_bins: Vec<i64>) -> Counters {
                let mut v = values.iter().copied();
                Counters { $($name: v.next().unwrap_or(0),)* fr_bins: Bins(fr_bins), res_bins: Bins(res_bins) }
            }

            /// Adds `other` (`sign` 1) or takes it away (`sign` -1).
            pub fn add(&mut self, other: &Counters, sign: i64) {
                $(self.$name += sign * other.$name;)*
                self.fr_bins.add(&other.fr_bins, sign);
                self.res_bins.add(&other.res_bins, sign);
            }

            pub fn is_zero(&self) -> bool {
                self.values().iter().all(|v| *v == 0) && self.fr_bins.is_empty() && self.res_bins.is_empty()
            }
        }
    };
}

counters! {
    /// Dialogues created.
    created,
    /// Dialogues whose first public reply by a person was sent.
    first_responses,
    first_response_seconds,
    first_response_business_seconds,
    /// Waits for an answer that a reply ended, and their total length.
    response_waits,
    response_wait_seconds,
    /// Public replies by people.
    replies,
    /// Dialogues resolved now (their final resolution), their total time to resolution and
    /// the public replies they took.
    resolutions,
    resolution_seconds,
    resolved_replies,
    /// Resolved with exactly one public reply.
    first_contact,
    reopened,
    csat_bad,
    csat_good,
    csat_excellent,
    nps_promoters,
    nps_passives,
    nps_detractors,
    ces_answers,
    ces_sum,
    /// CES answers of 5 to 7 ("easy").
    ces_easy,
    /// Dialogues whose outcome is "converted".
    converted,
    /// SLA targets met (the clock stopped within its target), on the day it stopped.
    sla_met,
    /// SLA targets missed, on the day they fell due.
    sla_breached,
}

/// Where a contribution is counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Grain {
    /// Day (days since 1970-01-01 in the reporting time zone), channel, team (0: none).
    #[serde(rename = "d")]
    Day(i32, i64, i64),
    /// Day and agent.
    #[serde(rename = "a")]
    Agent(i32, i64),
    /// Hour (Unix seconds at its start), channel, team: dialogues created only.
    #[serde(rename = "h")]
    Hour(i64, i64, i64),
    /// Day, SLA policy (0: since deleted), target ([`sla_metric_code`]), channel, team:
    /// targets met and missed only.
    #[serde(rename = "s")]
    Sla(i32, i64, i64, i64, i64),
}

/// A target's number in [`Grain::Sla`].
pub fn sla_metric_code(m: super::sla::Metric) -> i64 {
    super::sla::Metric::ALL.iter().position(|x| *x == m).unwrap_or(0) as i64
}

/// One decided SLA target of a dialogue: met or missed, on which day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SlaResult {
    pub policy: i64,
    pub metric: super::sla::Metric,
    pub day: i32,
    pub met: bool,
}

/// What one dialogue (or many, summed) adds to each rollup row.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "Compact", into = "Compact")]
pub struct Contribution(pub BTreeMap<Grain, Counters>);

/// The stored form: each row's non-zero counters as (index, value) pairs, the scalar
/// counters first, then the first-response bins from 100 and the resolution bins from 200.
type Compact = Vec<(Grain, Vec<(u8, i64)>)>;

impl From<Compact> for Contribution {
    fn from(rows: Compact) -> Self {
        let mut c = Contribution::default();
        for (grain, pairs) in rows {
            let mut values = vec![0; Counters::COLUMNS.len()];
            let (mut fr, mut res) = (vec![0; BINS], vec![0; BINS]);
            for (i, v) in pairs {
                let i = i as usize;
                match i {
                    100.. if i < 100 + BINS => fr[i - 100] = v,
                    200.. if i < 200 + BINS => res[i - 200] = v,
                    _ if i < values.len() => values[i] = v,
                    _ => {}
                }
            }
            c.add(&Contribution([(grain, Counters::from_values(&values, fr, res))].into_iter().collect()), 1);
        }
        c
    }
}

impl From<Contribution> for Compact {
    fn from(c: Contribution) -> Self {
        c.0.into_iter()
            .map(|(grain, x)| {
                let scalars = x.values().into_iter().enumerate().map(|(i, v)| (i as u8, v));
                let fr = x.fr_bins.0.iter().enumerate().map(|(i, v)| (100 + i as u8, *v));
                let res = x.res_bins.0.iter().enumerate().map(|(i, v)| (200 + i as u8, *v));
                (grain, scalars.chain(fr).chain(res).filter(|(_, v)| *v != 0).collect())
            })
            .collect()
    }
}

impl Contribution {
    fn at(&mut self, grain: Grain) -> &mut Counters {
        self.0.entry(grain).or_default()
    }

    /// Adds `other` (`sign` 1) or takes it away (`sign` -1), dropping rows that reach zero.
    pub fn add(&mut self, other: &Contribution, sign: i64) {
        for (grain, counters) in &other.0 {
            self.at(*grain).add(counters, sign);
            if self.0[grain].is_zero() {
                self.0.remove(grain);
            }
        }
    }

    /// `self - before`: what the tables must take when a dialogue goes from `before` to this.
    pub fn minus(&self, before: &Contribution) -> Contribution {
        let mut d = self.clone();
        d.add(before, -1);
        d
    }
}

/// An entry of a dialogue with the day it happened on and who did it (0: nobody, or the
/// customer).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timed {
    pub entry: Entry,
    pub day: i32,
    pub actor: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RatingFacts {
    pub day: i32,
    /// 1 bad, 2 good, 3 excellent.
    pub csat: Option<u8>,
    pub ces: Option<u8>,
    pub nps: Option<u8>,
}

/// A dialogue as the rollups read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub created_at: i64,
    pub created_day: i32,
    pub channel: i64,
    pub team: i64,
    /// The agent it is assigned to (0: nobody); a rating counts for whoever resolved it,
    /// or else for them.
    pub assignee: i64,
    /// The team's business hours, for first response in business time.
    pub hours: BusinessHours,
    pub entries: Vec<Timed>,
    pub rating: Option<RatingFacts>,
    /// Converted: the day and the agent it counts for.
    pub converted: Option<(i32, i64)>,
    /// Its SLA targets that are decided (met, or missed).
    pub sla: Vec<SlaResult>,
}

/// What one dialogue adds to the rollups, by the definitions of [`metrics`].
pub fn contribution(r: &Record) -> Contribution {
    let mut c = Contribution::default();
    let day = |d: i32| Grain::Day(d, r.channel, r.team);
    // Each figure counts for the team's day row and, when a person did it, their own row.
    let both = |c: &mut Contribution, d: i32, actor: i64, f: &dyn Fn(&mut Counters)| {
        f(c.at(day(d)));
        if actor != 0 {
            f(c.at(Grain::Agent(d, actor)));
        }
    };
    c.at(day(r.created_day)).created += 1;
    c.at(Grain::Hour(r.created_at.div_euclid(3600) * 3600, r.channel, r.team)).created += 1;

    let mut sorted: Vec<&Timed> = r.entries.iter().collect();
    sorted.sort_by_key(|t| t.entry.at());
    let facts = DialogueFacts { created_at: r.created_at, entries: sorted.iter().map(|t| t.entry).collect() };

    if let Some(first) = sorted.iter().find(|t| t.entry.is_response()) {
        let seconds = first.entry.at() - r.created_at;
        let business = r.hours.seconds_between(r.created_at, first.entry.at());
        both(&mut c, first.day, first.actor, &|x| {
            x.first_responses += 1;
            x.first_response_seconds += seconds;
            x.first_response_business_seconds += business;
            x.fr_bins.count(seconds);
        });
    }
    for (t, wait) in metrics::response_waits(r.created_at, &sorted, |t| t.entry) {
        both(&mut c, t.day, t.actor, &|x| {
            x.response_waits += 1;
            x.response_wait_seconds += wait;
        });
    }
    for t in sorted.iter().filter(|t| t.entry.is_response()) {
        both(&mut c, t.day, t.actor, &|x| x.replies += 1);
    }
    let resolver = sorted.iter().rev().find(|t| matches!(t.entry, Entry::Resolved { .. } | Entry::Reopened { .. }));
    let mut rated_for = r.assignee;
    if let (Some(seconds), Some(t)) = (facts.resolution_seconds(), resolver) {
        let replies = facts.replies() as i64;
        let first_contact = facts.first_contact_resolved() as i64;
        let actor = if t.actor != 0 { t.actor } else { r.assignee };
        rated_for = actor;
        both(&mut c, t.day, actor, &|x| {
            x.resolutions += 1;
            x.resolution_seconds += seconds;
            x.resolved_replies += replies;
            x.first_contact += first_contact;
            x.res_bins.count(seconds);
        });
    }
    for t in sorted.iter().filter(|t| matches!(t.entry, Entry::Reopened { .. })) {
        c.at(day(t.day)).reopened += 1;
    }
    if let Some(rating) = r.rating {
        both(&mut c, rating.day, rated_for, &|x| {
            match rating.csat {
                Some(1) => x.csat_bad += 1,
                Some(2) => x.csat_good += 1,
                Some(3) => x.csat_excellent += 1,
                _ => {}
            }
            match rating.nps {
                Some(9..=10) => x.nps_promoters += 1,
                Some(7..=8) => x.nps_passives += 1,
                Some(_) => x.nps_detractors += 1,
                None => {}
            }
            if let Some(ces) = rating.ces {
                x.ces_answers += 1;
                x.ces_sum += ces as i64;
                x.ces_easy += (ces >= 5) as i64;
            }
        });
    }
    if let Some((d, agent)) = r.converted {
        both(&mut c, d, agent, &|x| x.converted += 1);
    }
    // SLA targets count for the team's day, the agent the dialogue is assigned to, and the
    // policy and target they belong to.
    for t in &r.sla {
        let count = |x: &mut Counters| if t.met { x.sla_met += 1 } else { x.sla_breached += 1 };
        both(&mut c, t.day, r.assignee, &count);
        count(c.at(Grain::Sla(t.day, t.policy, sla_metric_code(t.metric), r.channel, r.team)));
    }
    // Agent rows keep no histograms (their medians are not reported).
    for (grain, x) in c.0.iter_mut() {
        if matches!(grain, Grain::Agent(..)) {
            x.fr_bins = Bins::default();
            x.res_bins = Bins::default();
        }
    }
    c
}

/// The figures a set of counters gives, each `None` when there is nothing to rest it on.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    pub first_response_mean: Option<f64>,
    pub first_response_median: Option<f64>,
    pub first_response_business_mean: Option<f64>,
    pub response_mean: Option<f64>,
    pub resolution_mean: Option<f64>,
    pub resolution_median: Option<f64>,
    pub first_contact_percent: Option<f64>,
    pub csat_percent: Option<f64>,
    pub rated: i64,
    pub nps: Option<f64>,
    pub nps_answers: i64,
    pub ces_mean: Option<f64>,
    pub ces_easy_percent: Option<f64>,
    pub replies_per_dialogue: Option<f64>,
    /// SLA targets met ÷ targets decided (met or missed), in percent.
    pub sla_achieved_percent: Option<f64>,
}

fn ratio(num: i64, den: i64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

impl Counters {
    pub fn figures(&self) -> Figures {
        let rated = self.csat_bad + self.csat_good + self.csat_excellent;
        let nps_answers = self.nps_promoters + self.nps_passives + self.nps_detractors;
        let ces = metrics::ces_from_counts(self.ces_sum, self.ces_easy, self.ces_answers);
        Figures {
            first_response_mean: ratio(self.first_response_seconds, self.first_responses),
            first_response_median: self.fr_bins.quantile(0.5),
            first_response_business_mean: ratio(self.first_response_business_seconds, self.first_responses),
            response_mean: ratio(self.response_wait_seconds, self.response_waits),
            resolution_mean: ratio(self.resolution_seconds, self.resolutions),
            resolution_median: self.res_bins.quantile(0.5),
            first_contact_percent: ratio(100 * self.first_contact, self.resolutions),
            csat_percent: metrics::csat_percent(self.csat_good + self.csat_excellent, rated),
            rated,
            nps: metrics::nps_from_counts(self.nps_promoters, self.nps_passives, self.nps_detractors),
            nps_answers,
            ces_mean: ces.map(|c| c.0),
            ces_easy_percent: ces.map(|c| c.1),
            replies_per_dialogue: ratio(self.resolved_replies, self.resolutions),
            sla_achieved_percent: ratio(100 * self.sla_met, self.sla_met + self.sla_breached),
        }
    }
}

/// The civil date (year, month, day) of a day number (days since 1970-01-01), by
/// H. Hinnant's algorithm.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m as u32, d as u32)
}

/// The day number of a civil date (the inverse of [`civil_from_days`]).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

pub fn format_day(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// `YYYY-MM-DD` to a day number.
pub fn parse_day(s: &str) -> Option<i64> {
    let mut parts = s.trim().splitn(3, '-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: u32 = parts.next()?.parse().ok()?;
    let d: u32 = parts.next()?.parse().ok()?;
    let days = days_from_civil(y, m, d);
    (m >= 1 && m <= 12 && d >= 1 && civil_from_days(days) == (y, m, d)).then_some(days)
}

/// How the trend groups days.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Step {
    Day,
    Week,
    Month,
}

impl Step {
    pub fn parse(s: &str) -> Option<Step> {
        match s {
            "day" => Some(Step::Day),
            "week" => Some(Step::Week),
            "month" => Some(Step::Month),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Step::Day => "day",
            Step::Week => "week",
            Step::Month => "month",
        }
    }

    /// The first day of the step a day falls in (weeks start on Monday).
    pub fn start(self, day: i64) -> i64 {
        match self {
            Step::Day => day,
            // 1970-01-01 was a Thursday: Monday = 0 after adding 3.
            Step::Week => day - (day + 3).rem_euclid(7),
            Step::Month => {
                let (y, m, _) = civil_from_days(day);
                days_from_civil(y, m, 1)
            }
        }
    }

    /// The step that suits a period of `days` days: days up to two months, then weeks,
    /// then months past a year.
    pub fn for_period(days: i64) -> Step {
        match days {
            ..=62 => Step::Day,
            63..=366 => Step::Week,
            _ => Step::Month,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const MONDAY: i64 = 1_795_392_000; // 2026-11-23 00:00 UTC
    const H: i64 = 3600;
    const DAY: i32 = 20_780;

    fn record(entries: Vec<Timed>) -> Record {
        Record {
            created_at: MONDAY + 10 * H,
            created_day: DAY,
            channel: 1,
            team: 2,
            assignee: 7,
            hours: BusinessHours::office(0),
            entries,
            rating: None,
            converted: None,
            sla: Vec::new(),
        }
    }

    fn at(entry: Entry, actor: i64) -> Timed {
        Timed { entry, day: (entry.at().div_euclid(86_400)) as i32, actor }
    }

    #[test]
    fn a_dialogue_counts_its_first_response_once_on_the_day_it_was_sent() {
        use Entry::*;
        let r = record(vec![
            at(Note { at: MONDAY + 10 * H + 60 }, 7),
            at(AgentReply { at: MONDAY + 11 * H, automatic: true }, 0),
            at(AgentReply { at: MONDAY + 12 * H, automatic: false }, 7),
            at(CustomerMessage { at: MONDAY + 13 * H }, 0),
            at(AgentReply { at: MONDAY + 14 * H, automatic: false }, 8),
        ]);
        let c = contribution(&r);
        let team_day = &c.0[&Grain::Day(DAY, 1, 2)];
        assert_eq!(team_day.created, 1);
        assert_eq!(team_day.first_responses, 1);
        assert_eq!(team_day.first_response_seconds, 2 * H);
        assert_eq!(team_day.first_response_business_seconds, 2 * H);
        assert_eq!(team_day.replies, 2);
        assert_eq!((team_day.response_waits, team_day.response_wait_seconds), (2, 2 * H + H));
        assert_eq!(c.0[&Grain::Agent(DAY, 7)].first_responses, 1);
        assert_eq!(c.0[&Grain::Agent(DAY, 8)].first_responses, 0);
        assert_eq!(c.0[&Grain::Agent(DAY, 8)].replies, 1);
        assert_eq!(c.0[&Grain::Hour(MONDAY + 10 * H, 1, 2)].created, 1);
        assert_eq!(team_day.fr_bins.quantile(0.5), Some(7_200.0 - (7_200.0 - 5_400.0) / 2.0));
        assert!(c.0[&Grain::Agent(DAY, 7)].fr_bins.is_empty(), "agent rows keep no histograms");
    }

    #[test]
    fn a_reopened_dialogue_stops_counting_as_resolved_until_it_is_resolved_again() {
        use Entry::*;
        let mut entries = vec![
            at(AgentReply { at: MONDAY + 11 * H, automatic: false }, 7),
            at(Resolved { at: MONDAY + 12 * H }, 7),
            at(Reopened { at: MONDAY + 36 * H }, 0),
        ];
        let reopened = contribution(&record(entries.clone()));
        assert_eq!(reopened.0[&Grain::Day(DAY, 1, 2)].resolutions, 0);
        assert_eq!(reopened.0[&Grain::Day(DAY + 1, 1, 2)].reopened, 1);
        entries.push(at(AgentReply { at: MONDAY + 37 * H, automatic: false }, 7));
        entries.push(at(Resolved { at: MONDAY + 38 * H }, 9));
        let resolved = contribution(&record(entries));
        let next_day = &resolved.0[&Grain::Day(DAY + 1, 1, 2)];
        assert_eq!((next_day.resolutions, next_day.resolution_seconds, next_day.resolved_replies, next_day.first_contact), (1, 28 * H, 2, 0));
        assert_eq!(resolved.0[&Grain::Agent(DAY + 1, 9)].resolutions, 1);
        // The first response stays on the first day, untouched by the reopen.
        assert_eq!(resolved.0[&Grain::Day(DAY, 1, 2)].first_response_seconds, H);
        // What the tables take going from one to the other.
        let delta = resolved.minus(&reopened);
        assert_eq!(delta.0[&Grain::Day(DAY + 1, 1, 2)].resolutions, 1);
        assert!(!delta.0.contains_key(&Grain::Day(DAY, 1, 2)), "nothing changed on the first day");
    }

    #[test]
    fn ratings_and_conversions_count_for_the_resolver_and_the_converter() {
        use Entry::*;
        let mut r = record(vec![at(AgentReply { at: MONDAY + 11 * H, automatic: false }, 7), at(Resolved { at: MONDAY + 12 * H }, 8)]);
        r.rating = Some(RatingFacts { day: DAY + 2, csat: Some(1), ces: Some(6), nps: Some(9) });
        r.converted = Some((DAY, 7));
        let c = contribution(&r);
        let rated_day = &c.0[&Grain::Day(DAY + 2, 1, 2)];
        assert_eq!((rated_day.csat_bad, rated_day.nps_promoters, rated_day.ces_answers, rated_day.ces_sum, rated_day.ces_easy), (1, 1, 1, 6, 1));
        assert_eq!(c.0[&Grain::Agent(DAY + 2, 8)].csat_bad, 1);
        assert_eq!(c.0[&Grain::Agent(DAY, 7)].converted, 1);
        assert_eq!(c.0[&Grain::Day(DAY, 1, 2)].first_contact, 1);
    }

    #[test]
    fn sla_targets_count_for_the_team_the_assignee_and_their_policy() {
        use super::super::sla::Metric;
        let mut r = record(vec![]);
        r.sla = vec![
            SlaResult { policy: 3, metric: Metric::FirstResponse, day: DAY, met: true },
            SlaResult { policy: 3, metric: Metric::NextResponse, day: DAY + 1, met: false },
            SlaResult { policy: 3, metric: Metric::NextResponse, day: DAY + 1, met: true },
        ];
        let c = contribution(&r);
        assert_eq!((c.0[&Grain::Day(DAY, 1, 2)].sla_met, c.0[&Grain::Day(DAY + 1, 1, 2)].sla_breached), (1, 1));
        assert_eq!(c.0[&Grain::Agent(DAY + 1, 7)].sla_met, 1);
        let next = &c.0[&Grain::Sla(DAY + 1, 3, sla_metric_code(Metric::NextResponse), 1, 2)];
        assert_eq!((next.sla_met, next.sla_breached), (1, 1));
        assert_eq!(next.figures().sla_achieved_percent, Some(50.0));
        assert!(!c.0.contains_key(&Grain::Sla(DAY, 3, sla_metric_code(Metric::NextResponse), 1, 2)));
    }

    #[test]
    fn figures_follow_the_definitions() {
        let mut x = Counters { resolutions: 4, first_contact: 1, resolved_replies: 10, csat_bad: 1, csat_good: 2, csat_excellent: 1, ..Default::default() };
        x.nps_promoters = 2;
        x.nps_detractors = 1;
        x.nps_passives = 1;
        let f = x.figures();
        assert_eq!(f.first_contact_percent, Some(25.0));
        assert_eq!(f.csat_percent, Some(75.0));
        assert_eq!(f.nps, Some(25.0));
        assert_eq!(f.replies_per_dialogue, Some(2.5));
        assert_eq!(f.first_response_mean, None, "nothing answered is no figure, not zero");
    }

    #[test]
    fn medians_come_from_the_bins() {
        let mut b = Bins::default();
        assert_eq!(b.quantile(0.5), None);
        for s in [30, 90, 100, 200, 4_000] {
            b.count(s);
        }
        // Sorted: 30 | 90 100 | 200 | 4000; the middle (2.5th of 5) is in the 60–120 bin.
        let m = b.quantile(0.5).unwrap();
        assert!((60.0..=120.0).contains(&m), "{m}");
    }

    #[test]
    fn dates_and_steps() {
        assert_eq!(format_day(DAY as i64), "2026-11-23");
        assert_eq!(parse_day("2026-11-23"), Some(DAY as i64));
        assert_eq!(parse_day("2026-02-30"), None);
        assert_eq!(parse_day("nonsense"), None);
        assert_eq!(Step::Week.start(DAY as i64 + 6), DAY as i64);
        assert_eq!(format_day(Step::Month.start(DAY as i64)), "2026-11-01");
        assert_eq!(Step::for_period(7), Step::Day);
        assert_eq!(Step::for_period(90), Step::Week);
    }

    fn entry() -> impl Strategy<Value = Timed> {
        (0..6u8, 0..200_000i64, 0..4i64).prop_map(|(kind, offset, actor)| {
            let at = MONDAY + offset;
            let entry = match kind {
                0 => Entry::CustomerMessage { at },
                1 => Entry::AgentReply { at, automatic: false },
                2 => Entry::AgentReply { at, automatic: true },
                3 => Entry::Note { at },
                4 => Entry::Resolved { at },
                _ => Entry::Reopened { at },
            };
            Timed { entry, day: (at / 86_400) as i32, actor }
        })
    }

    proptest! {
        /// Applying each change's difference one by one gives the last state's contribution:
        /// what keeps the tables equal to a computation from scratch.
        #[test]
        fn differences_add_up_to_the_last_state(entries in proptest::collection::vec(entry(), 0..12)) {
            let mut tables = Contribution::default();
            let mut before = Contribution::default();
            for n in 0..=entries.len() {
                let now = contribution(&record(entries[..n].to_vec()));
                tables.add(&now.minus(&before), 1);
                before = now;
            }
            prop_assert_eq!(&tables, &before);
            let stored = serde_json::to_string(&before).unwrap();
            prop_assert_eq!(serde_json::from_str::<Contribution>(&stored).unwrap(), before);
        }

        #[test]
        fn days_round_trip(days in -100_000i64..200_000) {
            let (y, m, d) = civil_from_days(days);
            prop_assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
