//! Metric formulas, each as its definition says (see PRODUCT.md, "Metrics").

/// CSAT: the share of rated dialogues rated good or excellent, in percent.
/// `None` when nothing was rated, so "no ratings" never reads as 0 %.
pub fn csat_percent(good_or_excellent: i64, rated: i64) -> Option<f64> {
    (rated > 0).then(|| 100.0 * good_or_excellent as f64 / rated as f64)
}

/// Change from `previous` to `current` in percent; `None` when there was nothing before.
pub fn change_percent(current: f64, previous: f64) -> Option<f64> {
    (previous != 0.0).then(|| 100.0 * (current - previous) / previous)
}

/// Schedule adherence as replies show it: the share of an agent's public replies sent while
/// the schedule had them on shift, in percent; `None` without replies.
pub fn on_shift_percent(replies_on_shift: i64, replies: i64) -> Option<f64> {
    (replies > 0).then(|| 100.0 * replies_on_shift as f64 / replies as f64)
}

/// Replies per scheduled hour; `None` when nothing was scheduled (an unscheduled agent's
/// replies are not "infinitely productive").
pub fn per_scheduled_hour(replies: i64, scheduled_hours: f64) -> Option<f64> {
    (scheduled_hours > 0.0).then(|| replies as f64 / scheduled_hours)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adherence_and_productivity_from_the_schedule() {
        // 45 of 60 replies sent on shift; 60 replies in 40 scheduled hours.
        assert_eq!(on_shift_percent(45, 60), Some(75.0));
        assert_eq!(on_shift_percent(0, 0), None);
        assert_eq!(per_scheduled_hour(60, 40.0), Some(1.5));
        assert_eq!(per_scheduled_hour(12, 0.0), None);
    }

    #[test]
    fn csat_counts_good_and_excellent_among_the_rated() {
        // 86 of 100 rated good or excellent: the low end of the 86–90 % benchmark.
        assert_eq!(csat_percent(86, 100), Some(86.0));
        assert_eq!(csat_percent(0, 0), None);
    }

    #[test]
    fn change_is_relative_to_the_previous_period() {
        assert_eq!(change_percent(120.0, 100.0), Some(20.0));
        assert_eq!(change_percent(80.0, 100.0), Some(-20.0));
        assert_eq!(change_percent(5.0, 0.0), None);
    }
}
