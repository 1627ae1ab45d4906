//! Workforce planning: how many agents each interval needs, and how many dialogues to
//! expect. Pure functions, shared by the server and the browser's what-if panel.
//!
//! # Live channels (chat): Erlang C
//! Traffic `A = arrivals × AHT ÷ interval` (in Erlangs). For chat, one agent handles
//! `concurrency` chats at once, so the AHT that occupies an agent is `AHT ÷ concurrency`.
//! With `N` agents (`N > A`):
//! - Erlang B by recursion, `B(0) = 1`, `B(n) = A·B(n−1) ÷ (n + A·B(n−1))`: no factorials,
//!   no overflow, exact for thousands of agents;
//! - probability of waiting `C = N·B ÷ (N − A·(1 − B))` (Erlang C from Erlang B);
//! - service level `SL = 1 − C · e^(−(N − A)·T ÷ AHT)` for target answer time `T`;
//! - average speed of answer `ASA = C · AHT ÷ (N − A)`; occupancy `A ÷ N`.
//!
//! Agents needed on the floor: the smallest `N` with `SL ≥ target` and `A ÷ N ≤ maximum
//! occupancy`. Agents to schedule: `⌈N ÷ (1 − shrinkage)⌉`.
//! Sources: A. K. Erlang (1917); the worked example of Call Centre Helper, "Erlang C
//! Formula – Made Simple" (100 calls in 30 min, AHT 180 s, 80 % in 20 s → 14 agents,
//! SL 88.8 %, 20 scheduled with 30 % shrinkage), checked in the tests below; G. Koole,
//! "Call Center Optimization" (2013), ch. 5, for the recursion.
//!
//! # Asynchronous channels (e-mail, social): work within the response target
//! An interval's work (`arrivals × AHT`) may be done any time before its response target,
//! so it is spread over the `k = ⌈target ÷ interval⌉` intervals that follow its arrival.
//! Agents needed in an interval = the work due to be done in it ÷ (interval × maximum
//! occupancy), i.e. a trailing moving average of the work over `k` intervals.

use serde::{Deserialize, Serialize};

named_enum!(
    /// A time-off request or a shift swap, waiting for or after a manager's decision.
    RequestStatus {
        Pending => "pending", "Pending";
        Approved => "approved", "Approved";
        Rejected => "rejected", "Rejected";
    }
);

/// Erlang B: the probability that all `agents` are busy (blocking) at `traffic` Erlangs.
pub fn erlang_b(traffic: f64, agents: u32) -> f64 {
    let mut b = 1.0;
    for n in 1..=agents {
        b = traffic * b / (f64::from(n) + traffic * b);
    }
    b
}

/// Erlang C from Erlang B: the probability an arrival waits. 1 when `agents ≤ traffic`.
fn erlang_c_from_b(traffic: f64, agents: u32, b: f64) -> f64 {
    let n = f64::from(agents);
    if n <= traffic {
        return 1.0;
    }
    (n * b / (n - traffic * (1.0 - b))).clamp(0.0, 1.0)
}

/// Erlang C: the probability that an arrival has to wait.
pub fn erlang_c(traffic: f64, agents: u32) -> f64 {
    erlang_c_from_b(traffic, agents, erlang_b(traffic, agents))
}

/// What a live channel's interval needs. Absent fields take the defaults below.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct LiveInput {
    pub arrivals: f64,
    pub interval_seconds: f64,
    pub aht_seconds: f64,
    /// e.g. 0.8 for 80 %.
    pub target_service_level: f64,
    /// e.g. 60 s.
    pub target_answer_seconds: f64,
    /// The share of paid time not on the floor (breaks, training, absence), e.g. 0.3.
    pub shrinkage: f64,
    /// e.g. 0.85.
    pub max_occupancy: f64,
    /// Chats one agent handles at once (1 for phone-like channels).
    pub concurrency: u32,
}

impl Default for LiveInput {
    fn default() -> Self {
        LiveInput {
            arrivals: 0.0,
            interval_seconds: 1800.0,
            aht_seconds: 300.0,
            target_service_level: 0.8,
            target_answer_seconds: 60.0,
            shrinkage: 0.3,
            max_occupancy: 0.85,
            concurrency: 1,
        }
    }
}

/// What that many agents achieve.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Staffing {
    /// Agents needed on the floor.
    pub agents: u32,
    /// Agents to schedule, after shrinkage.
    pub scheduled_agents: u32,
    pub service_level: f64,
    pub asa_seconds: f64,
    pub occupancy: f64,
    /// Offered traffic in Erlangs.
    pub traffic: f64,
}

/// Checks the inputs of a live staffing calculation; the message says what to fix.
pub fn check_live(input: &LiveInput) -> Result<(), String> {
    let finite = [input.arrivals, input.interval_seconds, input.aht_seconds, input.target_service_level, input.target_answer_seconds, input.shrinkage, input.max_occupancy]
        .iter()
        .all(|x| x.is_finite());
    if !finite || input.arrivals < 0.0 || input.arrivals > 1.0e6 {
        return Err("Arrivals must be a number between 0 and 1,000,000.".into());
    }
    if input.interval_seconds < 60.0 || input.interval_seconds > 86_400.0 {
        return Err("The interval must be between 1 minute and 1 day.".into());
    }
    if input.aht_seconds <= 0.0 || input.aht_seconds > 86_400.0 {
        return Err("The average handling time must be between 1 second and 1 day.".into());
    }
    if !(0.0..1.0).contains(&input.target_service_level) || input.target_service_level <= 0.0 {
        return Err("The service-level target must be above 0 and below 1 (e.g. 0.8).".into());
    }
    if input.target_answer_seconds < 0.0 || input.target_answer_seconds > 86_400.0 {
        return Err("The answer-time target must be between 0 seconds and 1 day.".into());
    }
    if !(0.0..0.95).contains(&input.shrinkage) {
        return Err("Shrinkage must be at least 0 and below 0.95.".into());
    }
    if input.max_occupancy <= 0.0 || input.max_occupancy > 1.0 {
        return Err("Maximum occupancy must be above 0 and at most 1.".into());
    }
    if input.concurrency == 0 || input.concurrency > 20 {
        return Err("Concurrency must be between 1 and 20 chats per agent.".into());
    }
    Ok(())
}

fn measure(traffic: f64, agents: u32, b: f64, input: &LiveInput, aht: f64) -> Staffing {
    let c = erlang_c_from_b(traffic, agents, b);
    let n = f64::from(agents);
    let (service_level, asa_seconds) = if n > traffic {
        ((1.0 - c * (-(n - traffic) * input.target_answer_seconds / aht).exp()).clamp(0.0, 1.0), c * aht / (n - traffic))
    } else {
        (0.0, f64::INFINITY)
    };
    Staffing {
        agents,
        scheduled_agents: scheduled(agents, input.shrinkage),
        service_level,
        asa_seconds,
        occupancy: if agents == 0 { 0.0 } else { (traffic / n).min(1.0) },
        traffic,
    }
}

/// Agents to schedule so that `on_floor` are working after shrinkage.
pub fn scheduled(on_floor: u32, shrinkage: f64) -> u32 {
    // The small epsilon keeps 14 ÷ 0.7 = 20.000000000000004 from becoming 21.
    (f64::from(on_floor) / (1.0 - shrinkage) - 1e-9).ceil().max(0.0) as u32
}

/// What `agents` achieve on this interval (service level, ASA, occupancy).
pub fn evaluate(input: &LiveInput, agents: u32) -> Staffing {
    let aht = input.aht_seconds / f64::from(input.concurrency.max(1));
    let traffic = input.arrivals * aht / input.interval_seconds;
    measure(traffic, agents, erlang_b(traffic, agents), input, aht)
}

/// The fewest agents that meet the service level and occupancy targets (see the module docs).
pub fn staff_live(input: &LiveInput) -> Staffing {
    let aht = input.aht_seconds / f64::from(input.concurrency.max(1));
    let traffic = input.arrivals * aht / input.interval_seconds;
    if traffic <= 0.0 {
        return Staffing { agents: 0, scheduled_agents: 0, service_level: 1.0, asa_seconds: 0.0, occupancy: 0.0, traffic: 0.0 };
    }
    // Start just above the traffic (fewer agents can never keep up) and carry Erlang B along.
    let mut n = traffic.floor() as u32 + 1;
    let mut b = erlang_b(traffic, n);
    loop {
        let s = measure(traffic, n, b, input, aht);
        if s.service_level >= input.target_service_level && s.occupancy <= input.max_occupancy {
            return s;
        }
        n += 1;
        b = traffic * b / (f64::from(n) + traffic * b);
    }
}

/// Agents needed per interval for an asynchronous channel: `work_seconds[i]` is the work
/// arriving in interval `i`; each interval's work is spread over the intervals within the
/// response target (see the module docs).
pub fn async_requirement(work_seconds: &[f64], interval_seconds: f64, target_seconds: f64, max_occupancy: f64) -> Vec<f64> {
    let k = ((target_seconds / interval_seconds).ceil() as usize).max(1);
    let capacity = interval_seconds * max_occupancy.clamp(0.05, 1.0);
    let mut out = Vec::with_capacity(work_seconds.len());
    let mut window = 0.0;
    for i in 0..work_seconds.len() {
        window += work_seconds[i];
        if i >= k {
            window -= work_seconds[i - k];
        }
        out.push((window / k as f64 / capacity).max(0.0));
    }
    out
}

/// A forecast for the weeks ahead from weekly history, slot by slot.
///
/// `history[w][s]`: arrivals in slot `s` (weekday × interval of the week) of week `w`,
/// oldest week first. The **pattern** is each slot's exponentially weighted average over
/// the weeks (weight `alpha` on the newest, `alpha·(1 − alpha)` on the one before, …),
/// normalised to shares of the week; the **level** is the weekly total's least-squares
/// line over the weeks, extended `ahead` weeks (never below 0). Forecast = share × level.
pub fn forecast_week(history: &[Vec<f64>], ahead: usize, alpha: f64) -> Vec<f64> {
    let Some(slots) = history.first().map(Vec::len) else { return Vec::new() };
    let mut pattern = vec![0.0; slots];
    let mut weight_sum = 0.0;
    for (age, week) in history.iter().rev().enumerate() {
        let w = alpha * (1.0 - alpha).powi(age as i32);
        weight_sum += w;
        for (p, x) in pattern.iter_mut().zip(week) {
            *p += w * x;
        }
    }
    let pattern_total: f64 = pattern.iter().sum::<f64>() / weight_sum.max(f64::MIN_POSITIVE);
    let totals: Vec<f64> = history.iter().map(|w| w.iter().sum()).collect();
    let level = linear_trend(&totals, totals.len() - 1 + ahead).max(0.0);
    if pattern_total <= 0.0 {
        return vec![0.0; slots];
    }
    pattern.iter().map(|p| p / weight_sum / pattern_total * level).collect()
}

/// The least-squares line through `ys` (x = 0, 1, …), evaluated at `x`.
fn linear_trend(ys: &[f64], x: usize) -> f64 {
    let n = ys.len() as f64;
    if ys.len() < 2 {
        return ys.first().copied().unwrap_or(0.0);
    }
    let mean_x = (n - 1.0) / 2.0;
    let mean_y = ys.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (i, y) in ys.iter().enumerate() {
        let dx = i as f64 - mean_x;
        sxy += dx * (y - mean_y);
        sxx += dx * dx;
    }
    mean_y + sxy / sxx * (x as f64 - mean_x)
}

/// Mean absolute percentage error, over the points where something actually arrived;
/// `None` if nothing did.
pub fn mape(actual: &[f64], forecast: &[f64]) -> Option<f64> {
    let errors: Vec<f64> = actual.iter().zip(forecast).filter(|(a, _)| **a > 0.0).map(|(a, f)| ((a - f) / a).abs()).collect();
    (!errors.is_empty()).then(|| 100.0 * errors.iter().sum::<f64>() / errors.len() as f64)
}

/// Sums consecutive groups of `size` values (intervals into days, say).
pub fn sum_by(values: &[f64], size: usize) -> Vec<f64> {
    values.chunks(size.max(1)).map(|c| c.iter().sum()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn example() -> LiveInput {
        // Call Centre Helper, "Erlang C Formula – Made Simple with an Easy Worked Example":
        // 100 calls in 30 minutes, AHT 3 minutes, 80 % answered within 20 seconds, 30 % shrinkage.
        LiveInput {
            arrivals: 100.0,
            interval_seconds: 1800.0,
            aht_seconds: 180.0,
            target_service_level: 0.8,
            target_answer_seconds: 20.0,
            shrinkage: 0.3,
            max_occupancy: 1.0,
            concurrency: 1,
        }
    }

    #[test]
    fn the_published_worked_example() {
        // Traffic 10 Erlangs; with 11 agents the probability of waiting is 68.21 %.
        assert!((erlang_c(10.0, 11) - 0.6821).abs() < 1e-4);
        // 14 agents are needed: service level 88.84 %, ASA 7.8 s, occupancy 71.4 %;
        // 13 would give only 79.6 %. 20 agents to schedule with 30 % shrinkage.
        let s = staff_live(&example());
        assert_eq!(s.agents, 14);
        assert!((s.service_level - 0.8884).abs() < 1e-3, "{}", s.service_level);
        assert!((s.asa_seconds - 7.8).abs() < 0.1, "{}", s.asa_seconds);
        assert!((s.occupancy - 0.714).abs() < 1e-3);
        assert_eq!(s.scheduled_agents, 20);
        assert!((evaluate(&example(), 13).service_level - 0.7956).abs() < 1e-3);
    }

    #[test]
    fn erlang_b_matches_the_table() {
        // Erlang B table: 5 Erlangs on 10 lines blocks 1.84 %; 1 Erlang on 1 line, 50 %.
        assert!((erlang_b(5.0, 10) - 0.01838).abs() < 1e-4);
        assert!((erlang_b(1.0, 1) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn no_arrivals_need_no_agents() {
        let s = staff_live(&LiveInput { arrivals: 0.0, ..example() });
        assert_eq!((s.agents, s.scheduled_agents, s.service_level), (0, 0, 1.0));
    }

    #[test]
    fn occupancy_caps_the_load_per_agent() {
        let capped = staff_live(&LiveInput { max_occupancy: 0.6, ..example() });
        assert!(capped.occupancy <= 0.6 && capped.agents >= 17);
    }

    #[test]
    fn chat_concurrency_divides_the_handling_time() {
        let one = staff_live(&LiveInput { concurrency: 1, ..example() });
        let three = staff_live(&LiveInput { concurrency: 3, ..example() });
        assert!(three.agents < one.agents);
        assert!((three.traffic - one.traffic / 3.0).abs() < 1e-9);
    }

    #[test]
    fn thousands_of_agents_stay_finite_and_correct() {
        // 5,000 Erlangs: about 5,000 agents plus a little; no overflow, no NaN.
        let s = staff_live(&LiveInput { arrivals: 50_000.0, interval_seconds: 1800.0, aht_seconds: 180.0, ..example() });
        assert!(s.agents > 5_000 && s.agents < 5_100, "{}", s.agents);
        assert!(s.service_level.is_finite() && s.service_level >= 0.8);
    }

    #[test]
    fn async_work_is_spread_over_the_response_window() {
        // One hour of work arrives in the first of four 30-minute intervals; a 2-hour
        // target spreads it over four intervals: half an agent each, at full occupancy.
        let req = async_requirement(&[3600.0, 0.0, 0.0, 0.0, 0.0], 1800.0, 7200.0, 1.0);
        assert_eq!(req, vec![0.5, 0.5, 0.5, 0.5, 0.0]);
        // A target shorter than the interval: all within the interval.
        assert_eq!(async_requirement(&[1800.0], 1800.0, 600.0, 1.0), vec![1.0]);
    }

    #[test]
    fn the_forecast_reproduces_a_weekly_pattern_and_its_trend() {
        // Four weeks of the same shape, totals 100, 125, 150, 175: next week 200.
        let week = |k: f64| vec![10.0 + k * 2.5, 30.0 + k * 7.5, 0.0, 60.0 + k * 15.0];
        let history: Vec<Vec<f64>> = (0..4).map(|k| week(k as f64)).collect();
        let next = forecast_week(&history, 1, 0.5);
        let total: f64 = next.iter().sum();
        assert!((total - 200.0).abs() < 1e-6, "{total}");
        // The shape is kept: the last slot is 60 % of the week.
        assert!((next[3] / total - 0.6).abs() < 1e-9);
        assert_eq!(next[2], 0.0);
        assert!(next[3] > next[1] && next[1] > next[0]);
    }

    #[test]
    fn mape_skips_empty_intervals() {
        assert_eq!(mape(&[100.0, 0.0, 50.0], &[90.0, 5.0, 55.0]), Some(10.0));
        assert_eq!(mape(&[0.0], &[1.0]), None);
    }

    fn input() -> impl Strategy<Value = LiveInput> {
        (0.0f64..2000.0, 60.0f64..600.0, 0.5f64..0.99, 5.0f64..120.0, 1u32..4).prop_map(|(arrivals, aht, sl, t, c)| LiveInput {
            arrivals,
            aht_seconds: aht,
            target_service_level: sl,
            target_answer_seconds: t,
            concurrency: c,
            ..LiveInput::default()
        })
    }

    proptest! {
        #[test]
        fn the_service_level_rises_with_agents_and_never_passes_1(i in input(), n in 1u32..400) {
            let a = evaluate(&i, n);
            let b = evaluate(&i, n + 1);
            prop_assert!(b.service_level + 1e-12 >= a.service_level);
            prop_assert!((0.0..=1.0).contains(&a.service_level));
        }

        #[test]
        fn more_arrivals_never_need_fewer_agents(i in input(), extra in 0.0f64..500.0) {
            let base = staff_live(&i);
            let busier = staff_live(&LiveInput { arrivals: i.arrivals + extra, ..i });
            prop_assert!(busier.agents >= base.agents);
        }

        #[test]
        fn the_answer_meets_its_targets_and_one_less_would_not(i in input()) {
            let s = staff_live(&i);
            prop_assert!(s.service_level >= i.target_service_level && s.occupancy <= i.max_occupancy + 1e-12);
            if s.agents > 0 {
                let fewer = evaluate(&i, s.agents - 1);
                prop_assert!(fewer.service_level < i.target_service_level || fewer.occupancy > i.max_occupancy);
            }
            prop_assert!(s.scheduled_agents >= s.agents);
        }

        #[test]
        fn erlang_b_is_a_probability(a in 0.0f64..3000.0, n in 0u32..4000) {
            let b = erlang_b(a, n);
            prop_assert!((0.0..=1.0).contains(&b) && b.is_finite());
        }
    }
}
