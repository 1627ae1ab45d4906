//! Can the roster keep the promise? An SLA policy on chat promises a first response within
//! its target; Erlang C (`domain::wfm`) says what share of an interval's chats the agents
//! on the floor answer within that target. Two questions, one arithmetic:
//!
//! - **Next week** ([`check_intervals`], [`shortfalls`]): for every interval, the forecast
//!   arrivals against the agents the roster has on shift and not on break; the runs of
//!   intervals where the share answered in time falls below the service-level goal.
//! - **Today** ([`project_today`]): the day's forecast scaled by the pace of what has
//!   arrived so far, against today's roster; how many of the rest of the day's chats will
//!   miss the target if nothing changes, and in which intervals.
//!
//! The roster's agents count as on the floor for their whole shift but the break (no
//! further shrinkage: the shifts are what is planned). Pure functions, shared by the
//! server (the REST API) and the browser (the staffing plan recomputes as its sliders move).

use super::wfm::{evaluate, staff_live, LiveInput};
use serde::{Deserialize, Serialize};

/// One interval: arrivals, the agents the roster has on the floor, the agents the target
/// needs, and the share of arrivals answered within the target with the roster's agents.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct IntervalCheck {
    pub arrivals: f64,
    pub on_floor: u32,
    pub needed: u32,
    pub service_level: f64,
}

/// `base` with these arrivals and no shrinkage (the roster's agents are on the floor).
fn interval_input(base: &LiveInput, arrivals: f64) -> LiveInput {
    LiveInput { arrivals: arrivals.max(0.0), shrinkage: 0.0, ..*base }
}

/// Each interval's check; `arrivals` and `on_floor` are per interval (a missing roster
/// value counts as nobody on the floor).
pub fn check_intervals(arrivals: &[f64], on_floor: &[u32], base: &LiveInput) -> Vec<IntervalCheck> {
    arrivals
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let agents = on_floor.get(i).copied().unwrap_or(0);
            let input = interval_input(base, *a);
            if input.arrivals <= 0.0 {
                return IntervalCheck { arrivals: 0.0, on_floor: agents, needed: 0, service_level: 1.0 };
            }
            IntervalCheck { arrivals: input.arrivals, on_floor: agents, needed: staff_live(&input).agents, service_level: evaluate(&input, agents).service_level }
        })
        .collect()
}

/// A run of consecutive intervals whose service level is below the goal.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Shortfall {
    /// The first interval (0 = the first of the period) and how many follow.
    pub start: usize,
    pub intervals: usize,
    /// The lowest share answered in time in the run.
    pub worst_service_level: f64,
    /// The most agents missing in one of its intervals.
    pub agents_short: u32,
    /// Arrivals in the run, and how many of them are expected to wait past the target.
    pub arrivals: f64,
    pub expected_late: f64,
}

/// Whether an interval misses the goal: someone arrives and too few are answered in time.
fn misses(c: &IntervalCheck, goal: f64) -> bool {
    c.arrivals > 0.0 && c.service_level < goal
}

/// The runs of intervals that miss the goal, in order.
pub fn shortfalls(checks: &[IntervalCheck], goal: f64) -> Vec<Shortfall> {
    let mut out: Vec<Shortfall> = Vec::new();
    let mut open = false;
    for (i, c) in checks.iter().enumerate() {
        if !misses(c, goal) {
            open = false;
            continue;
        }
        let late = c.arrivals * (1.0 - c.service_level);
        let short = c.needed.saturating_sub(c.on_floor);
        match out.last_mut().filter(|_| open) {
            Some(run) => {
                run.intervals += 1;
                run.worst_service_level = run.worst_service_level.min(c.service_level);
                run.agents_short = run.agents_short.max(short);
                run.arrivals += c.arrivals;
                run.expected_late += late;
            }
            None => out.push(Shortfall { start: i, intervals: 1, worst_service_level: c.service_level, agents_short: short, arrivals: c.arrivals, expected_late: late }),
        }
        open = true;
    }
    out
}

/// The rest of today as projected from the pace so far.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TodayProjection {
    /// Arrived so far today, and what the forecast expected by now.
    pub arrived: f64,
    pub expected_so_far: f64,
    /// Arrived ÷ expected, steadied for small numbers (see [`pace`]).
    pub pace: f64,
    /// Arrivals the rest of the day, at that pace.
    pub projected_rest: f64,
    /// Of those, how many are expected to wait past the target with today's roster.
    pub expected_breaches: f64,
    /// From the current interval to the day's end: each interval's check at that pace.
    pub rest: Vec<IntervalCheck>,
    /// The index in the day of `rest[0]`.
    pub now_interval: usize,
}

/// Arrivals so far ÷ the forecast so far, as if both had five more arrivals (a quiet
/// morning with 2 chats against 1 forecast is not "twice as busy"), kept within 0.2–5.
pub fn pace(arrived: f64, expected: f64) -> f64 {
    const STEADY: f64 = 5.0;
    ((arrived.max(0.0) + STEADY) / (expected.max(0.0) + STEADY)).clamp(0.2, 5.0)
}

/// Projects the rest of the day: `forecast` and `on_floor` cover the whole day's
/// intervals, `arrived` the intervals so far (up to and including the current one),
/// `now_interval` is the current one and `elapsed` how much of it has passed (0–1). The
/// intervals at risk are [`shortfalls`] of `rest`.
pub fn project_today(forecast: &[f64], arrived: &[f64], on_floor: &[u32], now_interval: usize, elapsed: f64, base: &LiveInput) -> TodayProjection {
    let now = now_interval.min(forecast.len());
    let elapsed = elapsed.clamp(0.0, 1.0);
    let expected_so_far = forecast[..now].iter().sum::<f64>() + forecast.get(now).map_or(0.0, |f| f * elapsed);
    let arrived_total: f64 = arrived.iter().take(now + 1).sum();
    let p = pace(arrived_total, expected_so_far);
    // The current interval: what has arrived plus the rest of its forecast at the pace.
    let rest_arrivals: Vec<f64> = (now..forecast.len())
        .map(|i| if i == now { arrived.get(i).copied().unwrap_or(0.0) + forecast[i] * (1.0 - elapsed) * p } else { forecast[i] * p })
        .collect();
    let floor: Vec<u32> = (now..forecast.len()).map(|i| on_floor.get(i).copied().unwrap_or(0)).collect();
    let rest = check_intervals(&rest_arrivals, &floor, base);
    let future = |i: usize, c: &IntervalCheck| if i == 0 { forecast.get(now).map_or(0.0, |f| f * (1.0 - elapsed) * p) } else { c.arrivals };
    let projected_rest = rest.iter().enumerate().map(|(i, c)| future(i, c)).sum();
    let expected_breaches = rest.iter().enumerate().map(|(i, c)| future(i, c) * (1.0 - c.service_level)).sum();
    TodayProjection { arrived: arrived_total, expected_so_far, pace: p, projected_rest, expected_breaches, rest, now_interval: now }
}

/// What a manager can change on the staffing plan, shared by every check on it: the share
/// of chats to answer within the target, chats one agent handles at once, the maximum
/// occupancy and the handling time.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Levers {
    /// e.g. 0.8 for 80 %.
    pub service_level: f64,
    pub concurrency: u32,
    pub max_occupancy: f64,
    pub aht_seconds: f64,
}

impl Levers {
    /// The Erlang C input for an interval of `interval_minutes` and a first-response target
    /// of `target_seconds` (arrivals filled in per interval), checked as `wfm::check_live`.
    pub fn input(&self, interval_minutes: u32, target_seconds: f64) -> Result<LiveInput, String> {
        let input = LiveInput {
            arrivals: 0.0,
            interval_seconds: f64::from(interval_minutes) * 60.0,
            aht_seconds: self.aht_seconds,
            target_service_level: self.service_level,
            target_answer_seconds: target_seconds,
            shrinkage: 0.0,
            max_occupancy: self.max_occupancy,
            concurrency: self.concurrency,
        };
        super::wfm::check_live(&input)?;
        Ok(input)
    }
}

/// A policy's week: each interval's check and the runs that miss the goal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PromiseCheck {
    pub checks: Vec<IntervalCheck>,
    pub shortfalls: Vec<Shortfall>,
}

/// [`check_intervals`] and their [`shortfalls`] against the levers' goal.
pub fn check_promise(arrivals: &[f64], on_floor: &[u32], base: &LiveInput) -> PromiseCheck {
    let checks = check_intervals(arrivals, on_floor, base);
    let shortfalls = shortfalls(&checks, base.target_service_level);
    PromiseCheck { checks, shortfalls }
}

/// The day's projection and the rest of the day's intervals at risk (numbered from the
/// day's start, as `now_interval`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DayRisk {
    pub projection: TodayProjection,
    pub at_risk: Vec<Shortfall>,
}

/// [`project_today`] with its intervals at risk, numbered from the day's start.
pub fn day_risk(forecast: &[f64], arrived: &[f64], on_floor: &[u32], now_interval: usize, elapsed: f64, base: &LiveInput) -> DayRisk {
    let projection = project_today(forecast, arrived, on_floor, now_interval, elapsed, base);
    let at_risk = shortfalls(&projection.rest, base.target_service_level)
        .into_iter()
        .map(|s| Shortfall { start: s.start + projection.now_interval, ..s })
        .collect();
    DayRisk { projection, at_risk }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn chat() -> LiveInput {
        LiveInput { interval_seconds: 1800.0, aht_seconds: 180.0, target_service_level: 0.8, target_answer_seconds: 20.0, max_occupancy: 1.0, concurrency: 1, ..LiveInput::default() }
    }

    #[test]
    fn the_worked_example_with_fourteen_on_the_floor_keeps_the_promise_and_with_ten_does_not() {
        // Call Centre Helper: 100 calls in 30 minutes, 180 s each, 80 % in 20 s → 14 agents, 88.8 %.
        let checks = check_intervals(&[100.0, 100.0], &[14, 10], &chat());
        assert_eq!(checks[0].needed, 14);
        assert!((checks[0].service_level - 0.889).abs() < 0.002, "{}", checks[0].service_level);
        assert!(checks[1].service_level < 0.8);
        let runs = shortfalls(&checks, 0.8);
        assert_eq!(runs.len(), 1);
        assert_eq!((runs[0].start, runs[0].intervals, runs[0].agents_short), (1, 1, 4));
        assert!(runs[0].expected_late > 20.0 && runs[0].expected_late <= 100.0);
    }

    #[test]
    fn quiet_intervals_keep_the_promise_even_with_nobody_and_runs_are_split_by_good_ones() {
        let checks = check_intervals(&[0.0, 5.0, 5.0, 5.0, 0.0, 5.0], &[0, 0, 0, 3, 0, 0], &chat());
        assert_eq!(checks[0].service_level, 1.0);
        assert_eq!(checks[1].service_level, 0.0);
        let runs = shortfalls(&checks, 0.8);
        assert_eq!(runs.iter().map(|r| (r.start, r.intervals)).collect::<Vec<_>>(), vec![(1, 2), (5, 1)]);
        assert!((runs[0].expected_late - 10.0).abs() < 1e-9, "nobody on the floor: every arrival is late");
    }

    #[test]
    fn the_pace_is_steady_for_small_numbers_and_follows_large_ones() {
        assert!((pace(2.0, 1.0) - 7.0 / 6.0).abs() < 1e-9);
        assert!((pace(200.0, 100.0) - 205.0 / 105.0).abs() < 1e-9);
        assert_eq!(pace(0.0, 0.0), 1.0);
        assert_eq!(pace(10_000.0, 0.0), 5.0);
    }

    #[test]
    fn a_busy_morning_raises_the_rest_of_the_day_and_its_breaches() {
        let forecast = vec![10.0; 8];
        let floor = vec![2u32; 8];
        let input = LiveInput { aht_seconds: 600.0, ..chat() };
        let calm = project_today(&forecast, &[10.0, 10.0, 5.0], &floor, 2, 0.5, &input);
        let busy = project_today(&forecast, &[30.0, 30.0, 15.0], &floor, 2, 0.5, &input);
        assert!((calm.pace - 1.0).abs() < 1e-9);
        assert!((calm.projected_rest - 55.0).abs() < 1e-9, "half of the current interval and five more: {}", calm.projected_rest);
        assert!(busy.pace > 2.0 && busy.projected_rest > 2.0 * calm.projected_rest);
        assert!(busy.expected_breaches > calm.expected_breaches);
        assert_eq!(busy.rest.len(), 6);
        assert_eq!(busy.now_interval, 2);
    }

    #[test]
    fn levers_are_checked_like_the_erlang_c_calculator_and_the_day_risk_counts_from_midnight() {
        let levers = Levers { service_level: 0.8, concurrency: 2, max_occupancy: 0.85, aht_seconds: 600.0 };
        assert!(levers.input(30, 60.0).is_ok());
        assert!(Levers { service_level: 1.2, ..levers }.input(30, 60.0).is_err());
        assert!(Levers { concurrency: 0, ..levers }.input(30, 60.0).is_err());
        let base = levers.input(30, 60.0).unwrap();
        let risk = day_risk(&[10.0; 48], &[10.0; 21], &[0; 48], 20, 0.0, &base);
        assert_eq!(risk.at_risk.len(), 1);
        assert_eq!((risk.at_risk[0].start, risk.at_risk[0].intervals), (20, 28));
        let week = check_promise(&[10.0; 4], &[0, 5, 5, 0], &base);
        assert_eq!(week.shortfalls.iter().map(|s| s.start).collect::<Vec<_>>(), vec![0, 3]);
    }

    proptest! {
        #[test]
        fn more_agents_never_lower_the_share_answered_in_time(a in 0.0f64..300.0, n in 0u32..60, extra in 1u32..20) {
            let c = check_intervals(&[a, a], &[n, n + extra], &chat());
            prop_assert!(c[1].service_level + 1e-12 >= c[0].service_level);
            prop_assert!((0.0..=1.0).contains(&c[0].service_level));
        }

        #[test]
        fn the_runs_cover_exactly_the_intervals_that_miss(arrivals in proptest::collection::vec(0.0f64..60.0, 1..60), floor in proptest::collection::vec(0u32..8, 1..60)) {
            let checks = check_intervals(&arrivals, &floor, &chat());
            let runs = shortfalls(&checks, 0.8);
            let mut covered = vec![false; checks.len()];
            for r in &runs {
                prop_assert!(r.intervals >= 1);
                for i in r.start..r.start + r.intervals { covered[i] = true; }
            }
            for (i, c) in checks.iter().enumerate() {
                prop_assert_eq!(covered[i], c.arrivals > 0.0 && c.service_level < 0.8);
            }
            for w in runs.windows(2) { prop_assert!(w[0].start + w[0].intervals < w[1].start); }
        }

        #[test]
        fn breaches_are_at_most_the_projected_arrivals(f in proptest::collection::vec(0.0f64..40.0, 48), arrived in 0.0f64..400.0, now in 0usize..48, elapsed in 0.0f64..1.0, n in 0u32..6) {
            let so_far = vec![arrived / (now + 1) as f64; now + 1];
            let p = project_today(&f, &so_far, &vec![n; 48], now, elapsed, &chat());
            prop_assert!(p.expected_breaches >= 0.0 && p.expected_breaches <= p.projected_rest + 1e-9);
            prop_assert_eq!(p.rest.len(), 48 - now);
        }
    }
}
