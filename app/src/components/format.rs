//! How figures read on every page: durations, percentages, QA scores, ratings and the first-response clock.

use crate::domain::dialogue::format_waiting;
use crate::domain::queue::ResponseClock;

pub fn duration(v: Option<f64>) -> String {
    v.map(|s| format_waiting(s.round() as i64)).unwrap_or_else(|| "–".into())
}

pub fn percent(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.1} %")).unwrap_or_else(|| "–".into())
}

/// "Due in 3 min", "Overdue 5 min", "Answered in 2 min".
pub fn clock_text(clock: ResponseClock) -> (String, &'static str) {
    match clock {
        ResponseClock::Due { seconds_left } => (format!("Due in {}", format_waiting(seconds_left)), "clock-due"),
        ResponseClock::Overdue { seconds_over } => (format!("Overdue {}", format_waiting(seconds_over)), "clock-overdue"),
        ResponseClock::Answered { after_seconds, within_target } => (
            format!("Answered in {}", format_waiting(after_seconds)),
            if within_target { "clock-met" } else { "clock-missed" },
        ),
    }
}

pub fn csat_label(csat: Option<i16>) -> &'static str {
    match csat {
        Some(1) => "Bad",
        Some(2) => "Good",
        Some(3) => "Excellent",
        _ => "Not rated",
    }
}

pub fn score_text(score: Option<f64>) -> String {
    score.map(|s| format!("{s:.0}")).unwrap_or_else(|| "–".into())
}
