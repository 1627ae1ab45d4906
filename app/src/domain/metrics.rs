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

#[cfg(test)]
mod tests {
    use super::*;

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
