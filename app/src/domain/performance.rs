//! One agent's performance for one-to-ones: their figures week by week (from the agent
//! rollups, QA reviews and the schedule), and their weekly "top 5" plan, whose first task
//! is always answering every dialogue assigned to them.

use crate::domain::metrics;
use crate::domain::rollup::{format_day, Counters, Step};
use serde::{Deserialize, Serialize};

/// How many weeks the page shows, this one included.
pub const WEEKS: usize = 12;

/// The task every plan starts with; Meridian counts how far along it is.
pub const FIXED_TASK: &str = "Answer every dialogue assigned to me";

/// Tasks an agent adds to the fixed one.
pub const OWN_TASKS: usize = 4;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PlanItem {
    pub text: String,
    pub done: bool,
}

/// The agent's own tasks as typed: blanks dropped, each trimmed, at most [`OWN_TASKS`] of
/// at most 200 characters.
pub fn clean_plan(items: &[PlanItem]) -> Result<Vec<PlanItem>, String> {
    let kept: Vec<PlanItem> = items
        .iter()
        .map(|i| PlanItem { text: i.text.split_whitespace().collect::<Vec<_>>().join(" "), done: i.done })
        .filter(|i| !i.text.is_empty())
        .collect();
    if kept.len() > OWN_TASKS {
        return Err(format!("A week's plan has {} tasks: the fixed one and {OWN_TASKS} of your own.", OWN_TASKS + 1));
    }
    if let Some(long) = kept.iter().find(|i| i.text.chars().count() > 200) {
        return Err(format!("Keep each task under 200 characters (“{}…”).", long.text.chars().take(30).collect::<String>()));
    }
    Ok(kept)
}

/// One week of an agent's figures (`None` where nothing was there to measure).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WeekFigures {
    /// The Monday, YYYY-MM-DD.
    pub week: String,
    pub replies: i64,
    pub resolutions: i64,
    pub first_response_mean: Option<f64>,
    pub first_contact_percent: Option<f64>,
    pub csat_percent: Option<f64>,
    pub rated: i64,
    pub converted: i64,
    /// Mean QA score (0–100) of the week's reviews, calibrations excluded.
    pub qa_score: Option<f64>,
    pub reviews: i64,
    /// Public replies sent while the schedule had them on shift, in percent.
    pub adherence: Option<f64>,
}

/// The Mondays (day numbers) of the last [`WEEKS`] weeks up to `today`, oldest first.
pub fn week_starts(today: i64) -> Vec<i64> {
    let this = Step::Week.start(today);
    (0..WEEKS as i64).rev().map(|i| this - 7 * i).collect()
}

/// Week rows from daily rollup counters `(day, counters)`, QA `(day, score)` and replies
/// `(day, on shift)`; anything before the first week is ignored.
pub fn weekly(weeks: &[i64], days: &[(i64, Counters)], qa: &[(i64, f64)], replies: &[(i64, bool)]) -> Vec<WeekFigures> {
    weeks
        .iter()
        .map(|&start| {
            let within = |d: i64| Step::Week.start(d) == start;
            let mut c = Counters::default();
            for (_, day) in days.iter().filter(|(d, _)| within(*d)) {
                c.add(day, 1);
            }
            let f = c.figures();
            let scores: Vec<f64> = qa.iter().filter(|(d, _)| within(*d)).map(|(_, s)| *s).collect();
            let sent: Vec<bool> = replies.iter().filter(|(d, _)| within(*d)).map(|(_, on)| *on).collect();
            WeekFigures {
                week: format_day(start),
                replies: c.replies,
                resolutions: c.resolutions,
                first_response_mean: f.first_response_mean,
                first_contact_percent: f.first_contact_percent,
                csat_percent: f.csat_percent,
                rated: f.rated,
                converted: c.converted,
                qa_score: (!scores.is_empty()).then(|| scores.iter().sum::<f64>() / scores.len() as f64),
                reviews: scores.len() as i64,
                adherence: metrics::on_shift_percent(sent.iter().filter(|on| **on).count() as i64, sent.len() as i64),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::rollup::days_from_civil;

    #[test]
    fn twelve_mondays_ending_with_this_weeks() {
        // Wednesday 2026-11-25.
        let today = days_from_civil(2026, 11, 25);
        let weeks = week_starts(today);
        assert_eq!(weeks.len(), WEEKS);
        assert_eq!(format_day(*weeks.last().unwrap()), "2026-11-23");
        assert_eq!(format_day(weeks[0]), "2026-09-07");
    }

    #[test]
    fn a_week_adds_its_days_reviews_and_replies() {
        let monday = days_from_civil(2026, 11, 16);
        let weeks = vec![monday, monday + 7];
        let day = |replies, first_responses, first_response_seconds, csat_good, csat_bad| {
            Counters { replies, first_responses, first_response_seconds, csat_good, csat_bad, ..Counters::default() }
        };
        let days = vec![(monday, day(4, 2, 120, 3, 1)), (monday + 6, day(6, 2, 360, 0, 0)), (monday - 1, day(100, 0, 0, 0, 9))];
        let qa = vec![(monday + 1, 80.0), (monday + 2, 90.0), (monday + 8, 50.0)];
        let replies = vec![(monday, true), (monday + 3, true), (monday + 4, false), (monday + 9, true)];
        let rows = weekly(&weeks, &days, &qa, &replies);
        assert_eq!(rows[0].week, "2026-11-16");
        assert_eq!(rows[0].replies, 10);
        assert_eq!(rows[0].first_response_mean, Some(120.0));
        assert_eq!(rows[0].csat_percent, Some(75.0));
        assert_eq!((rows[0].qa_score, rows[0].reviews), (Some(85.0), 2));
        assert!((rows[0].adherence.unwrap() - 200.0 / 3.0).abs() < 1e-9);
        // A week with nothing measured says so, not zero.
        assert_eq!((rows[1].replies, rows[1].csat_percent, rows[1].first_response_mean), (0, None, None));
        assert_eq!((rows[1].qa_score, rows[1].adherence), (Some(50.0), Some(100.0)));
    }

    #[test]
    fn a_plan_keeps_four_tasks_of_the_agents_own() {
        let item = |t: &str| PlanItem { text: t.into(), done: false };
        let plan = clean_plan(&[item("  Finish the   refund macro "), item(""), item("Shadow Lena on chat")]).unwrap();
        assert_eq!(plan.iter().map(|i| i.text.as_str()).collect::<Vec<_>>(), ["Finish the refund macro", "Shadow Lena on chat"]);
        assert!(clean_plan(&[item("a"), item("b"), item("c"), item("d"), item("e")]).unwrap_err().contains("5 tasks"));
        assert!(clean_plan(&[item(&"x".repeat(201))]).is_err());
        assert_eq!(clean_plan(&[]).unwrap(), vec![]);
    }
}
