//! The roster generator: shifts that cover the agents needed per interval with as few
//! agent-hours as it can, within each agent's availability, contracted hours and rest rules.
//!
//! Time is counted in intervals from the start of the planned week (interval 0 starts the
//! week, in UTC terms). Each agent says, for each interval, whether their region's working
//! window allows them to start or be on shift then (their local daytime for follow-the-sun,
//! any time for 24/7, their own availability for remote teams): the caller turns local
//! times, including daylight-saving changes, into these intervals.
//!
//! Greedy, deterministic: repeatedly take the interval with the largest shortfall and add
//! the one shift (agent, start) that covers the most shortfall in total; stop when nothing
//! more can be covered. Each added shift covers at least one uncovered interval, so nobody
//! is scheduled where they are not needed.

use serde::{Deserialize, Serialize};

/// How a team covers the clock (PRODUCT.md, "Shift planning").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SupportModel {
    /// Regions in several time zones, each working its own daytime, handing over in turn.
    FollowTheSun,
    /// One region around the clock: shifts may start at any hour.
    AroundTheClock,
    /// Agents anywhere, each within their own working hours in their own time zone.
    Remote,
}

impl SupportModel {
    pub const ALL: [SupportModel; 3] = [SupportModel::FollowTheSun, SupportModel::AroundTheClock, SupportModel::Remote];

    pub fn as_str(self) -> &'static str {
        match self {
            SupportModel::FollowTheSun => "follow_the_sun",
            SupportModel::AroundTheClock => "around_the_clock",
            SupportModel::Remote => "remote",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SupportModel::FollowTheSun => "Follow the sun (each region its daytime)",
            SupportModel::AroundTheClock => "24/7 (shifts around the clock)",
            SupportModel::Remote => "Remote (each agent's own hours)",
        }
    }

    pub fn parse(s: &str) -> Option<SupportModel> {
        SupportModel::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AgentAvailability {
    pub agent_id: i64,
    /// Per interval of the week: may this agent be on shift then?
    pub available: Vec<bool>,
    /// Contracted working time in the week, in intervals.
    pub contracted_intervals: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rules {
    /// Shift length in intervals (including the break).
    pub shift_intervals: u32,
    /// Rest between the end of one shift and the start of the next, in intervals.
    pub rest_intervals: u32,
    /// At most this many shifts a week (so at least 7 − this many days off).
    pub max_shifts: u32,
    /// Intervals of break inside each shift, placed in its middle; not counted as coverage.
    pub break_intervals: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposedShift {
    pub agent_id: i64,
    /// First interval of the shift.
    pub start: u32,
    pub length: u32,
    /// First interval of the break (inside the shift).
    pub break_start: u32,
    pub break_length: u32,
}

impl ProposedShift {
    /// Whether the agent is working (on shift, not on break) in interval `i`.
    pub fn covers(&self, i: u32) -> bool {
        i >= self.start && i < self.start + self.length && !(i >= self.break_start && i < self.break_start + self.break_length)
    }
}

/// Agents working in each interval, given the shifts.
pub fn scheduled(shifts: &[ProposedShift], intervals: usize) -> Vec<u32> {
    let mut on = vec![0u32; intervals];
    for s in shifts {
        for i in s.start..(s.start + s.length).min(intervals as u32) {
            if s.covers(i) {
                on[i as usize] += 1;
            }
        }
    }
    on
}

fn shift_at(agent_id: i64, start: u32, rules: &Rules) -> ProposedShift {
    let break_start = start + (rules.shift_intervals.saturating_sub(rules.break_intervals)) / 2;
    ProposedShift { agent_id, start, length: rules.shift_intervals, break_start, break_length: rules.break_intervals }
}

/// Proposes shifts covering `required[i]` agents in each interval (see the module docs).
pub fn generate(required: &[u32], agents: &[AgentAvailability], rules: &Rules) -> Vec<ProposedShift> {
    let n = required.len() as u32;
    let len = rules.shift_intervals.max(1);
    let mut on = vec![0u32; required.len()];
    let mut shifts: Vec<ProposedShift> = Vec::new();
    let mut per_agent: Vec<Vec<ProposedShift>> = vec![Vec::new(); agents.len()];
    // Intervals no shift could help with are skipped from then on.
    let mut hopeless = vec![false; required.len()];
    loop {
        // The interval with the largest shortfall that might still be helped.
        let Some(target) = (0..required.len())
            .filter(|&i| !hopeless[i] && on[i] < required[i])
            .max_by_key(|&i| (required[i] - on[i], std::cmp::Reverse(i)))
        else {
            break;
        };
        let mut best: Option<(u32, usize, u32)> = None; // (covered shortfall, agent index, start)
        for (a, agent) in agents.iter().enumerate() {
            let mine = &per_agent[a];
            if mine.len() as u32 >= rules.max_shifts || (mine.len() as u32 + 1) * len > agent.contracted_intervals.max(len) {
                continue;
            }
            let first = (target as u32 + 1).saturating_sub(len);
            for start in first..=target as u32 {
                if start + len > n {
                    break;
                }
                let candidate = shift_at(agent.agent_id, start, rules);
                if !candidate.covers(target as u32) {
                    continue;
                }
                if !(start..start + len).all(|i| agent.available.get(i as usize).copied().unwrap_or(false)) {
                    continue;
                }
                // Rest between shifts, and one shift a day (no overlap within a day's length).
                let rested = mine.iter().all(|s| start >= s.start + s.length + rules.rest_intervals || start + len + rules.rest_intervals <= s.start);
                if !rested {
                    continue;
                }
                let gain: u32 = (start..start + len).filter(|&i| candidate.covers(i) && on[i as usize] < required[i as usize]).count() as u32;
                if best.is_none_or(|(g, _, _)| gain > g) {
                    best = Some((gain, a, start));
                }
            }
        }
        match best {
            Some((gain, a, start)) if gain > 0 => {
                let s = shift_at(agents[a].agent_id, start, rules);
                for i in start..start + len {
                    if s.covers(i) {
                        on[i as usize] += 1;
                    }
                }
                per_agent[a].push(s);
                shifts.push(s);
            }
            _ => hopeless[target] = true,
        }
    }
    // A later shift can make an earlier one unnecessary: drop every shift whose intervals
    // would all stay covered without it, newest first. Removing a shift only lowers the
    // coverage, so a shift kept here stays needed.
    let mut k = shifts.len();
    while k > 0 {
        k -= 1;
        let s = shifts[k];
        let covered: Vec<usize> = (s.start..s.start + s.length).filter(|&i| s.covers(i)).map(|i| i as usize).collect();
        if covered.iter().all(|&i| on[i] > required[i]) {
            covered.iter().for_each(|&i| on[i] -= 1);
            shifts.remove(k);
        }
    }
    shifts.sort_by_key(|s| (s.start, s.agent_id));
    shifts
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const RULES: Rules = Rules { shift_intervals: 4, rest_intervals: 6, max_shifts: 5, break_intervals: 0 };

    fn agent(id: i64, intervals: usize) -> AgentAvailability {
        AgentAvailability { agent_id: id, available: vec![true; intervals], contracted_intervals: 40 }
    }

    #[test]
    fn one_block_of_demand_gets_one_shift() {
        let required = [0, 0, 1, 1, 1, 1, 0, 0];
        let shifts = generate(&required, &[agent(1, 8), agent(2, 8)], &RULES);
        assert_eq!(shifts.len(), 1);
        assert_eq!(shifts[0].start, 2);
        assert_eq!(scheduled(&shifts, 8), vec![0, 0, 1, 1, 1, 1, 0, 0]);
    }

    #[test]
    fn nobody_works_outside_their_window_and_gaps_stay_visible() {
        // The only agent may work in the first half only: the second half stays a gap.
        let mut a = agent(1, 8);
        a.available = vec![true, true, true, true, false, false, false, false];
        let shifts = generate(&[1; 8], &[a], &RULES);
        let on = scheduled(&shifts, 8);
        assert_eq!(on, vec![1, 1, 1, 1, 0, 0, 0, 0]);
    }

    #[test]
    fn breaks_are_not_coverage() {
        let rules = Rules { shift_intervals: 5, break_intervals: 1, ..RULES };
        let shifts = generate(&[1, 1, 1, 1, 1], &[agent(1, 5), agent(2, 5)], &rules);
        // One shift covers four intervals; its break (the middle) needs someone else.
        assert!(shifts.len() >= 1);
        let on = scheduled(&shifts, 5);
        assert!(on.iter().filter(|n| **n == 0).count() <= 1);
    }

    fn case() -> impl Strategy<Value = (Vec<u32>, Vec<AgentAvailability>)> {
        let n = 48usize;
        (
            prop::collection::vec(0u32..4, n),
            prop::collection::vec((prop::collection::vec(any::<bool>(), n), 4u32..24), 1..8),
        )
            .prop_map(move |(required, specs)| {
                let agents = specs
                    .into_iter()
                    .enumerate()
                    .map(|(i, (available, contracted))| AgentAvailability { agent_id: i as i64 + 1, available, contracted_intervals: contracted })
                    .collect();
                (required, agents)
            })
    }

    proptest! {
        #[test]
        fn shifts_respect_availability_contracts_and_rest((required, agents) in case()) {
            let shifts = generate(&required, &agents, &RULES);
            for a in &agents {
                let mine: Vec<_> = shifts.iter().filter(|s| s.agent_id == a.agent_id).collect();
                prop_assert!(mine.len() as u32 <= RULES.max_shifts);
                prop_assert!(mine.len() as u32 * RULES.shift_intervals <= a.contracted_intervals.max(RULES.shift_intervals));
                for s in &mine {
                    prop_assert!((s.start..s.start + s.length).all(|i| a.available[i as usize]));
                    for t in &mine {
                        if s.start < t.start {
                            prop_assert!(t.start >= s.start + s.length + RULES.rest_intervals);
                        }
                    }
                }
            }
        }

        #[test]
        fn every_shift_is_needed_somewhere((required, agents) in case()) {
            let shifts = generate(&required, &agents, &RULES);
            // Taking any one shift away leaves some interval short.
            let on = scheduled(&shifts, required.len());
            for s in &shifts {
                let needed = (s.start..s.start + s.length).any(|i| s.covers(i) && on[i as usize] <= required[i as usize]);
                prop_assert!(needed);
            }
        }
    }
}
