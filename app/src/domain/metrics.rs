//! Metric formulas, each as its definition says (see PRODUCT.md, "Metrics", and the
//! reports issue): first response in calendar and business time, average response,
//! resolution, FCR, CSAT, NPS, CES, contact ratio. Hand-worked examples below.

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

/// What happened in one dialogue, as the time metrics read it (seconds since the epoch).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entry {
    CustomerMessage { at: i64 },
    /// A public reply by an agent. `automatic`: sent by Meridian or a rule (an
    /// auto-acknowledgement, a bot), which no time metric counts as a response.
    AgentReply { at: i64, automatic: bool },
    /// An internal note: never a response.
    Note { at: i64 },
    Resolved { at: i64 },
    Reopened { at: i64 },
}

impl Entry {
    pub fn at(self) -> i64 {
        match self {
            Entry::CustomerMessage { at } | Entry::AgentReply { at, .. } | Entry::Note { at } | Entry::Resolved { at } | Entry::Reopened { at } => at,
        }
    }

    /// A public reply by a person: what every response metric counts.
    pub fn is_response(self) -> bool {
        matches!(self, Entry::AgentReply { automatic: false, .. })
    }
}

/// A dialogue's creation and its entries (in any order; they are sorted by time).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DialogueFacts {
    pub created_at: i64,
    pub entries: Vec<Entry>,
}

impl DialogueFacts {
    fn sorted(&self) -> Vec<Entry> {
        let mut e = self.entries.clone();
        e.sort_by_key(|e| e.at());
        e
    }

    /// The first public agent reply by a person (not a note, not an automatic message).
    /// A reopened dialogue keeps its first response: reopening does not reset it.
    pub fn first_response_at(&self) -> Option<i64> {
        self.sorted().into_iter().find(|e| e.is_response()).map(Entry::at)
    }

    /// First response time in calendar seconds: creation to the first response.
    pub fn first_response_seconds(&self) -> Option<i64> {
        self.first_response_at().map(|at| at - self.created_at)
    }

    /// First response time counting only the team's business hours.
    pub fn first_response_business_seconds(&self, hours: &BusinessHours) -> Option<i64> {
        self.first_response_at().map(|at| hours.seconds_between(self.created_at, at))
    }

    /// Each wait for an answer: from a customer message that follows a response (or opens
    /// the dialogue) to the next response. Their mean is the average response time.
    pub fn response_waits(&self) -> Vec<i64> {
        response_waits(self.created_at, &self.sorted(), |e| *e).into_iter().map(|(_, wait)| wait).collect()
    }

    /// Creation to the final resolution, if it is resolved now (not reopened since).
    pub fn resolution_seconds(&self) -> Option<i64> {
        let sorted = self.sorted();
        let last = sorted.iter().rev().find(|e| matches!(e, Entry::Resolved { .. } | Entry::Reopened { .. }))?;
        match last {
            Entry::Resolved { at } => Some(at - self.created_at),
            _ => None,
        }
    }

    /// Public replies by people.
    pub fn replies(&self) -> usize {
        self.entries.iter().filter(|e| e.is_response()).count()
    }

    /// First contact resolution: resolved now, with exactly one public reply by a person.
    pub fn first_contact_resolved(&self) -> bool {
        self.resolution_seconds().is_some() && self.replies() == 1
    }
}

/// The waits of [`DialogueFacts::response_waits`] over any time-ordered items that carry
/// an entry, each with the response that ended it (the rollups need its day and author).
pub fn response_waits<T>(created_at: i64, sorted: &[T], entry: impl Fn(&T) -> Entry) -> Vec<(&T, i64)> {
    let mut waits = Vec::new();
    let mut waiting_since = Some(created_at);
    for item in sorted {
        match entry(item) {
            Entry::CustomerMessage { at } if waiting_since.is_none() => waiting_since = Some(at),
            e if e.is_response() => {
                if let Some(since) = waiting_since.take() {
                    waits.push((item, e.at() - since));
                }
            }
            _ => {}
        }
    }
    waits
}

/// A team's business hours: open from `open_minute` to `close_minute` (minutes after local
/// midnight) on the weekdays in `days` (0 Monday … 6 Sunday), closed on `holidays` (local
/// days since the epoch), at a fixed offset from UTC in minutes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BusinessHours {
    pub utc_offset_minutes: i64,
    pub days: [bool; 7],
    pub open_minute: i64,
    pub close_minute: i64,
    pub holidays: Vec<i64>,
}

impl BusinessHours {
    /// Monday to Friday, 09:00–17:00 at this offset.
    pub fn office(utc_offset_minutes: i64) -> BusinessHours {
        BusinessHours { utc_offset_minutes, days: [true, true, true, true, true, false, false], open_minute: 9 * 60, close_minute: 17 * 60, holidays: Vec::new() }
    }

    /// Seconds of open time between two instants (0 if `to` is not after `from`).
    pub fn seconds_between(&self, from: i64, to: i64) -> i64 {
        if to <= from {
            return 0;
        }
        let offset = self.utc_offset_minutes * 60;
        let (from, to) = (from + offset, to + offset);
        let mut total = 0;
        let mut day = from.div_euclid(86_400);
        while day * 86_400 < to {
            // 1970-01-01 was a Thursday: day 0 is weekday 3 (Monday = 0).
            let weekday = (day + 3).rem_euclid(7) as usize;
            if self.days[weekday] && !self.holidays.contains(&day) {
                let open = day * 86_400 + self.open_minute * 60;
                let close = day * 86_400 + self.close_minute * 60;
                total += (to.min(close) - from.max(open)).max(0);
            }
            day += 1;
        }
        total
    }
}

/// The middle value (the mean of the two middle ones for an even count); `None` if empty.
pub fn median(values: &[i64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_unstable();
    let n = v.len();
    Some(if n % 2 == 1 { v[n / 2] as f64 } else { (v[n / 2 - 1] + v[n / 2]) as f64 / 2.0 })
}

pub fn mean(values: &[i64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<i64>() as f64 / values.len() as f64)
}

/// NPS: the percentage of promoters (9–10) minus the percentage of detractors (0–6), from
/// −100 to 100; `None` without answers.
pub fn nps(scores: &[u8]) -> Option<f64> {
    let count = |f: fn(u8) -> bool| scores.iter().filter(|s| f(**s)).count() as i64;
    nps_from_counts(count(|s| s >= 9), count(|s| (7..=8).contains(&s)), count(|s| s <= 6))
}

/// [`nps`] from the counts of promoters, passives and detractors.
pub fn nps_from_counts(promoters: i64, passives: i64, detractors: i64) -> Option<f64> {
    let n = promoters + passives + detractors;
    (n > 0).then(|| 100.0 * (promoters - detractors) as f64 / n as f64)
}

/// CES on its 1–7 scale: the mean, and the share of "easy" answers (5–7) in percent.
pub fn ces(scores: &[u8]) -> Option<(f64, f64)> {
    let sum = scores.iter().map(|s| *s as i64).sum();
    let easy = scores.iter().filter(|s| **s >= 5).count() as i64;
    ces_from_counts(sum, easy, scores.len() as i64)
}

/// [`ces`] from the sum of the answers, the count of easy ones and the count of all.
pub fn ces_from_counts(sum: i64, easy: i64, answers: i64) -> Option<(f64, f64)> {
    (answers > 0).then(|| (sum as f64 / answers as f64, 100.0 * easy as f64 / answers as f64))
}

/// Contact ratio: dialogues per active customer in the period, where an active customer
/// is one who wrote at least once in it (the denominator this report uses; a
/// subscription count would need billing data Meridian does not have).
pub fn contact_ratio(dialogues: i64, active_customers: i64) -> Option<f64> {
    (active_customers > 0).then(|| dialogues as f64 / active_customers as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Monday 2026-11-23 00:00 UTC.
    const MONDAY: i64 = 1_795_392_000;
    const H: i64 = 3600;

    fn facts(entries: &[Entry]) -> DialogueFacts {
        DialogueFacts { created_at: MONDAY + 10 * H, entries: entries.to_vec() }
    }

    #[test]
    fn monday_is_a_monday() {
        // 2026-11-23 is a Monday: 20,780 days after 1970-01-01.
        assert_eq!(MONDAY, 20_780 * 86_400);
        assert_eq!((20_780 + 3) % 7, 0);
    }

    #[test]
    fn first_response_skips_notes_and_automatic_messages_and_survives_a_reopen() {
        use Entry::*;
        let d = facts(&[
            CustomerMessage { at: MONDAY + 10 * H },
            AgentReply { at: MONDAY + 10 * H + 5, automatic: true },
            Note { at: MONDAY + 10 * H + 60 },
            AgentReply { at: MONDAY + 10 * H + 600, automatic: false },
            Resolved { at: MONDAY + 11 * H },
            Reopened { at: MONDAY + 12 * H },
            AgentReply { at: MONDAY + 12 * H + 30, automatic: false },
        ]);
        assert_eq!(d.first_response_seconds(), Some(600), "10 minutes: not the bot at 5 s, not the note at 1 min");
        assert_eq!(d.resolution_seconds(), None, "reopened: not resolved now");
        assert_eq!(d.replies(), 2);
        assert!(!d.first_contact_resolved());
        assert_eq!(facts(&[Note { at: MONDAY + 11 * H }]).first_response_seconds(), None);
    }

    #[test]
    fn fcr_is_resolved_with_exactly_one_reply() {
        use Entry::*;
        let one = facts(&[AgentReply { at: MONDAY + 10 * H + 60, automatic: false }, Note { at: MONDAY + 10 * H + 90 }, Resolved { at: MONDAY + 11 * H }]);
        assert!(one.first_contact_resolved());
        assert_eq!(one.resolution_seconds(), Some(H));
        let two = facts(&[
            AgentReply { at: MONDAY + 10 * H + 60, automatic: false },
            AgentReply { at: MONDAY + 10 * H + 120, automatic: false },
            Resolved { at: MONDAY + 11 * H },
        ]);
        assert!(!two.first_contact_resolved());
        let unresolved = facts(&[AgentReply { at: MONDAY + 10 * H + 60, automatic: false }]);
        assert!(!unresolved.first_contact_resolved());
        // Resolved again after a reopen: the final resolution counts.
        let again = facts(&[
            AgentReply { at: MONDAY + 10 * H + 60, automatic: false },
            Resolved { at: MONDAY + 11 * H },
            Reopened { at: MONDAY + 12 * H },
            Resolved { at: MONDAY + 13 * H },
        ]);
        assert_eq!(again.resolution_seconds(), Some(3 * H));
    }

    #[test]
    fn response_waits_start_when_the_customer_writes_again() {
        use Entry::*;
        let d = facts(&[
            CustomerMessage { at: MONDAY + 10 * H },
            AgentReply { at: MONDAY + 10 * H + 100, automatic: false },
            CustomerMessage { at: MONDAY + 10 * H + 200 },
            CustomerMessage { at: MONDAY + 10 * H + 250 },
            Note { at: MONDAY + 10 * H + 260 },
            AgentReply { at: MONDAY + 10 * H + 500, automatic: false },
        ]);
        assert_eq!(d.response_waits(), vec![100, 300], "the second wait runs from the first unanswered message");
        assert_eq!(mean(&d.response_waits()), Some(200.0));
    }

    #[test]
    fn business_hours_skip_the_night_and_the_weekend() {
        let hours = BusinessHours::office(0);
        let friday_16 = MONDAY + 4 * 86_400 + 16 * H;
        let monday_10 = MONDAY + 7 * 86_400 + 10 * H;
        // Friday 16:00 to Monday 10:00: 1 h on Friday, 1 h on Monday.
        assert_eq!(hours.seconds_between(friday_16, monday_10), 2 * H);
        let d = DialogueFacts { created_at: friday_16, entries: vec![Entry::AgentReply { at: monday_10, automatic: false }] };
        assert_eq!(d.first_response_seconds(), Some(66 * H));
        assert_eq!(d.first_response_business_seconds(&hours), Some(2 * H));
        // Written on Saturday, answered Monday 09:30: half an hour of business time.
        assert_eq!(hours.seconds_between(MONDAY + 5 * 86_400 + 12 * H, MONDAY + 7 * 86_400 + 9 * H + 1800), 1800);
        // Berlin in winter (UTC+1): Monday 07:30–08:30 UTC is 08:30–09:30 local, half open.
        assert_eq!(BusinessHours::office(60).seconds_between(MONDAY + 7 * H + 1800, MONDAY + 8 * H + 1800), 1800);
        // A holiday on Monday the 30th: closed all day.
        let mut holiday = BusinessHours::office(0);
        holiday.holidays.push(20_787);
        assert_eq!(holiday.seconds_between(friday_16, monday_10), H);
        assert_eq!(hours.seconds_between(monday_10, friday_16), 0);
    }

    #[test]
    fn nps_ces_and_contact_ratio_by_hand() {
        // 10 answers: 5 promoters (9, 10), 2 passives (7, 8), 3 detractors (0–6): 50 % − 30 % = 20.
        assert_eq!(nps(&[10, 9, 9, 10, 9, 8, 7, 6, 0, 3]), Some(20.0));
        assert_eq!(nps(&[]), None);
        // 7, 6, 5, 2: mean 5, three of four easy.
        assert_eq!(ces(&[7, 6, 5, 2]), Some((5.0, 75.0)));
        assert_eq!(contact_ratio(150, 100), Some(1.5));
        assert_eq!(contact_ratio(3, 0), None);
        assert_eq!(median(&[5, 1, 3]), Some(3.0));
        assert_eq!(median(&[4, 1, 3, 2]), Some(2.5));
        assert_eq!(median(&[]), None);
    }

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
