//! The team report: what the server reads from the rollups, assembled into figures per
//! period, channel, team, agent and step of the trend, and the same figures as rows for
//! CSV and the metrics API. Pure, shared by the server and the page.

use super::rollup::{format_day, Counters, Figures, Grain, Step};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What the reader asks for: days `from` to `to` (inclusive, `YYYY-MM-DD` in the reporting
/// time zone; by default the last 30 days), optionally one team or channel, the trend's step.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    pub team_id: Option<i64>,
    pub channel_id: Option<i64>,
    pub step: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Group {
    pub id: i64,
    pub name: String,
    pub counters: Counters,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LowRating {
    pub conversation_id: i64,
    pub subject: String,
    pub customer: String,
    pub rated_on: String,
    pub comment: Option<String>,
}

/// One policy's target over the period: met and missed (from the rollups), and the clocks
/// running now, not yet due and already overdue (from the clocks themselves).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SlaAchievement {
    /// 0 for a policy since deleted.
    pub policy_id: i64,
    pub policy: String,
    pub metric: super::sla::Metric,
    pub met: i64,
    pub breached: i64,
    pub running: i64,
    pub overdue: i64,
}

impl SlaAchievement {
    /// Met ÷ decided (met or missed), in percent.
    pub fn achieved_percent(&self) -> Option<f64> {
        let decided = self.met + self.breached;
        (decided > 0).then(|| 100.0 * self.met as f64 / decided as f64)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub time_zone: String,
    pub from: String,
    pub to: String,
    pub previous_from: String,
    pub previous_to: String,
    pub days: i64,
    pub team_id: Option<i64>,
    pub channel_id: Option<i64>,
    pub current: Counters,
    pub previous: Counters,
    /// Distinct customers who opened a dialogue in the period (the contact ratio's
    /// denominator).
    pub active_customers: i64,
    pub previous_active_customers: i64,
    pub by_channel: Vec<Group>,
    pub by_team: Vec<Group>,
    /// Agents by name; the channel filter does not apply to them (agent rows are per day).
    pub by_agent: Vec<Group>,
    pub step: Step,
    /// One group per step from `from` to `to`, empty steps included; `name` is its first day.
    pub trend: Vec<Group>,
    /// Dialogues created per weekday (Monday first) and hour: 7 × 24.
    pub heatmap: Vec<i64>,
    pub low_ratings: Vec<LowRating>,
    /// SLA achievement per policy and target, in policy order.
    pub sla: Vec<SlaAchievement>,
    /// For the filters.
    pub teams: Vec<(i64, String)>,
    pub channels: Vec<(i64, String)>,
}

/// Day rows (as the rollups store them) summed into the period, per channel, per team and
/// per trend step. `names` turns ids into names; unknown ids are shown as `#id`, team 0 as
/// "No team".
pub struct DayRows<'a> {
    pub rows: &'a [(Grain, Counters)],
    pub channels: &'a [(i64, String)],
    pub teams: &'a [(i64, String)],
}

fn name_of(list: &[(i64, String)], id: i64, none: &str) -> String {
    if id == 0 {
        return none.to_string();
    }
    list.iter().find(|(i, _)| *i == id).map(|(_, n)| n.clone()).unwrap_or_else(|| format!("#{id}"))
}

impl DayRows<'_> {
    fn within(&self, from: i64, to: i64) -> impl Iterator<Item = (i64, i64, i64, &Counters)> {
        self.rows.iter().filter_map(move |(g, c)| match *g {
            Grain::Day(day, channel, team) if (from..=to).contains(&(day as i64)) => Some((day as i64, channel, team, c)),
            _ => None,
        })
    }

    pub fn total(&self, from: i64, to: i64) -> Counters {
        let mut t = Counters::default();
        for (_, _, _, c) in self.within(from, to) {
            t.add(c, 1);
        }
        t
    }

    pub fn by_channel(&self, from: i64, to: i64) -> Vec<Group> {
        let mut groups: BTreeMap<i64, Counters> = BTreeMap::new();
        for (_, channel, _, c) in self.within(from, to) {
            groups.entry(channel).or_default().add(c, 1);
        }
        groups.into_iter().map(|(id, counters)| Group { id, name: name_of(self.channels, id, "No channel"), counters }).collect()
    }

    pub fn by_team(&self, from: i64, to: i64) -> Vec<Group> {
        let mut groups: BTreeMap<i64, Counters> = BTreeMap::new();
        for (_, _, team, c) in self.within(from, to) {
            groups.entry(team).or_default().add(c, 1);
        }
        groups.into_iter().map(|(id, counters)| Group { id, name: name_of(self.teams, id, "No team"), counters }).collect()
    }

    /// Every step from `from` to `to`, zero where nothing happened.
    pub fn trend(&self, from: i64, to: i64, step: Step) -> Vec<Group> {
        let mut groups: BTreeMap<i64, Counters> = BTreeMap::new();
        let mut day = step.start(from);
        while day <= to {
            groups.insert(day, Counters::default());
            day = match step {
                Step::Day => day + 1,
                Step::Week => day + 7,
                Step::Month => step.start(day + 31),
            };
        }
        for (day, _, _, c) in self.within(from, to) {
            groups.entry(step.start(day)).or_default().add(c, 1);
        }
        groups
            .into_iter()
            .map(|(id, counters)| {
                let name = match step {
                    Step::Month => format_day(id)[..7].to_string(),
                    _ => format_day(id),
                };
                Group { id, name, counters }
            })
            .collect()
    }
}

/// One line of the metrics export (CSV and `GET /api/v1/metrics`): a group's counts and
/// figures. Durations in seconds; `None` where nothing supports the figure.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MetricRow {
    pub key: String,
    pub name: String,
    pub dialogues: i64,
    pub first_responses: i64,
    pub first_response_mean_seconds: Option<f64>,
    pub first_response_median_seconds: Option<f64>,
    pub first_response_business_mean_seconds: Option<f64>,
    pub average_response_seconds: Option<f64>,
    pub replies: i64,
    pub resolved: i64,
    pub resolution_mean_seconds: Option<f64>,
    pub resolution_median_seconds: Option<f64>,
    pub first_contact_resolution_percent: Option<f64>,
    pub replies_per_resolved_dialogue: Option<f64>,
    pub rated: i64,
    pub csat_percent: Option<f64>,
    pub nps: Option<f64>,
    pub nps_answers: i64,
    pub ces_mean: Option<f64>,
    pub ces_easy_percent: Option<f64>,
    pub ces_answers: i64,
    pub reopened: i64,
    pub converted: i64,
    /// SLA targets met and missed (counted on the day they stopped or fell due).
    pub sla_met: i64,
    pub sla_breached: i64,
    pub sla_achieved_percent: Option<f64>,
}

impl MetricRow {
    pub fn new(key: String, name: String, c: &Counters) -> MetricRow {
        let f: Figures = c.figures();
        MetricRow {
            key,
            name,
            dialogues: c.created,
            first_responses: c.first_responses,
            first_response_mean_seconds: f.first_response_mean,
            first_response_median_seconds: f.first_response_median,
            first_response_business_mean_seconds: f.first_response_business_mean,
            average_response_seconds: f.response_mean,
            replies: c.replies,
            resolved: c.resolutions,
            resolution_mean_seconds: f.resolution_mean,
            resolution_median_seconds: f.resolution_median,
            first_contact_resolution_percent: f.first_contact_percent,
            replies_per_resolved_dialogue: f.replies_per_dialogue,
            rated: f.rated,
            csat_percent: f.csat_percent,
            nps: f.nps,
            nps_answers: f.nps_answers,
            ces_mean: f.ces_mean,
            ces_easy_percent: f.ces_easy_percent,
            ces_answers: c.ces_answers,
            reopened: c.reopened,
            converted: c.converted,
            sla_met: c.sla_met,
            sla_breached: c.sla_breached,
            sla_achieved_percent: f.sla_achieved_percent,
        }
    }
}

/// How the export groups its rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum GroupBy {
    Day,
    Agent,
    Team,
    Channel,
}

impl GroupBy {
    pub fn parse(s: &str) -> Option<GroupBy> {
        match s {
            "day" => Some(GroupBy::Day),
            "agent" => Some(GroupBy::Agent),
            "team" => Some(GroupBy::Team),
            "channel" => Some(GroupBy::Channel),
            _ => None,
        }
    }
}

/// The report's rows for an export (for `Day`, the report must have been read with the
/// day step).
pub fn metric_rows(report: &Report, by: GroupBy) -> Vec<MetricRow> {
    let groups = match by {
        GroupBy::Day => &report.trend,
        GroupBy::Agent => &report.by_agent,
        GroupBy::Team => &report.by_team,
        GroupBy::Channel => &report.by_channel,
    };
    groups
        .iter()
        .map(|g| {
            let key = match by {
                GroupBy::Day => g.name.clone(),
                _ => g.id.to_string(),
            };
            MetricRow::new(key, g.name.clone(), &g.counters)
        })
        .collect()
}

fn csv_field(s: &str) -> String {
    // Quoted when needed; a leading =, +, - or @ is defused so a spreadsheet never runs it.
    let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_string() };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// The rows as CSV with a header line (figures rounded to two decimals, empty when there is
/// nothing to rest them on).
pub fn to_csv(rows: &[MetricRow]) -> String {
    let header = "key,name,dialogues,first_responses,first_response_mean_seconds,first_response_median_seconds,\
first_response_business_mean_seconds,average_response_seconds,replies,resolved,resolution_mean_seconds,\
resolution_median_seconds,first_contact_resolution_percent,replies_per_resolved_dialogue,rated,csat_percent,nps,\
nps_answers,ces_mean,ces_easy_percent,ces_answers,reopened,converted,sla_met,sla_breached,sla_achieved_percent";
    let f = |v: Option<f64>| v.map(|v| format!("{v:.2}")).unwrap_or_default();
    let mut out = String::from(header);
    out.push('\n');
    for r in rows {
        let cells = [
            csv_field(&r.key),
            csv_field(&r.name),
            r.dialogues.to_string(),
            r.first_responses.to_string(),
            f(r.first_response_mean_seconds),
            f(r.first_response_median_seconds),
            f(r.first_response_business_mean_seconds),
            f(r.average_response_seconds),
            r.replies.to_string(),
            r.resolved.to_string(),
            f(r.resolution_mean_seconds),
            f(r.resolution_median_seconds),
            f(r.first_contact_resolution_percent),
            f(r.replies_per_resolved_dialogue),
            r.rated.to_string(),
            f(r.csat_percent),
            f(r.nps),
            r.nps_answers.to_string(),
            f(r.ces_mean),
            f(r.ces_easy_percent),
            r.ces_answers.to_string(),
            r.reopened.to_string(),
            r.converted.to_string(),
            r.sla_met.to_string(),
            r.sla_breached.to_string(),
            f(r.sla_achieved_percent),
        ];
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_trend_has_every_step_and_sums_the_rows_in_it() {
        let c = |n| Counters { created: n, ..Default::default() };
        let rows = vec![(Grain::Day(20_780, 1, 0), c(2)), (Grain::Day(20_781, 2, 3), c(3)), (Grain::Day(20_790, 1, 3), c(5)), (Grain::Day(20_700, 1, 3), c(9))];
        let teams = vec![(3, "EMEA".to_string())];
        let channels = vec![(1, "Chat".to_string()), (2, "E-mail".to_string())];
        let d = DayRows { rows: &rows, channels: &channels, teams: &teams };
        let trend = d.trend(20_780, 20_793, Step::Week);
        assert_eq!(trend.iter().map(|g| (g.name.as_str(), g.counters.created)).collect::<Vec<_>>(), vec![("2026-11-23", 5), ("2026-11-30", 5)]);
        assert_eq!(d.trend(20_780, 20_782, Step::Day).len(), 3);
        assert_eq!(d.total(20_780, 20_793).created, 10);
        let teams: Vec<_> = d.by_team(20_780, 20_793).into_iter().map(|g| (g.name, g.counters.created)).collect();
        assert_eq!(teams, vec![("No team".to_string(), 2), ("EMEA".to_string(), 8)]);
        let channels: Vec<_> = d.by_channel(20_780, 20_793).into_iter().map(|g| (g.name, g.counters.created)).collect();
        assert_eq!(channels, vec![("Chat".to_string(), 7), ("E-mail".to_string(), 3)]);
    }

    #[test]
    fn csv_quotes_and_defuses_names() {
        let row = MetricRow::new("1".into(), "=cmd(),\"x\"".into(), &Counters { created: 4, resolutions: 2, first_contact: 1, ..Default::default() });
        let csv = to_csv(&[row]);
        let line = csv.lines().nth(1).unwrap();
        assert!(line.starts_with("1,\"'=cmd(),\"\"x\"\"\",4,0,,"), "{line}");
        assert!(line.contains(",50.00,"), "FCR 1 of 2: {line}");
        assert_eq!(csv.lines().next().unwrap().split(',').count(), line.split(',').count() - 1, "one comma inside the quoted name");
    }
}
