//! The queue's rules: which list a dialogue is in, how lists are paged, who may write
//! in a dialogue, and the first-response clock. Times are Unix seconds (or
//! microseconds for cursors) so this stays plain Rust for the browser too.

use serde::{Deserialize, Serialize};

/// The order of a list: longest waiting first (the default; resolved: newest first), or
/// newest first, to watch what is arriving.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum QueueSort {
    #[default]
    Waiting,
    Newest,
    /// Urgent first, then high, normal, low; within each, longest waiting first.
    Priority,
    /// The SLA target that falls due soonest first (overdue ones at the top); dialogues
    /// without a running target last.
    Breach,
}

impl QueueSort {
    pub fn as_str(self) -> &'static str {
        match self {
            QueueSort::Waiting => "waiting",
            QueueSort::Newest => "newest",
            QueueSort::Priority => "priority",
            QueueSort::Breach => "breach",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            QueueSort::Waiting => "Longest waiting first",
            QueueSort::Newest => "Newest first",
            QueueSort::Priority => "Most urgent first",
            QueueSort::Breach => "Closest to breach first",
        }
    }

    /// Unknown or missing values mean the default.
    pub fn parse(s: Option<&str>) -> QueueSort {
        match s {
            Some("newest") => QueueSort::Newest,
            Some("priority") => QueueSort::Priority,
            Some("breach") => QueueSort::Breach,
            _ => QueueSort::Waiting,
        }
    }

    pub const ALL: [QueueSort; 4] = [QueueSort::Waiting, QueueSort::Newest, QueueSort::Priority, QueueSort::Breach];

    /// Whether `view` runs newest first under this order.
    pub fn descending(self, view: QueueView) -> bool {
        self == QueueSort::Newest || (view == QueueView::Resolved && self != QueueSort::Priority)
    }

    /// Whether `view` is ordered by priority first (resolved dialogues: by priority, then
    /// the oldest resolution first).
    pub fn by_priority(self) -> bool {
        self == QueueSort::Priority
    }
}

/// One queue within the lists: by channel (source), by purpose, by team. Each is
/// optional; together they narrow any list (Unassigned, Mine, …) and its count.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct QueueFilter {
    pub channel_id: Option<i64>,
    pub topic: Option<super::dialogue::Topic>,
    pub team_id: Option<i64>,
}

impl QueueFilter {
    /// From the page's query parameters; unknown or empty values mean "any".
    pub fn parse(channel: Option<&str>, topic: Option<&str>, team: Option<&str>) -> QueueFilter {
        QueueFilter {
            channel_id: channel.and_then(|c| c.parse().ok()),
            topic: topic.and_then(super::dialogue::Topic::parse),
            team_id: team.and_then(|t| t.parse().ok()),
        }
    }

    /// `&channel=…&topic=…&team=…` for the set ones, to carry through links.
    pub fn query(&self) -> String {
        let mut q = String::new();
        if let Some(c) = self.channel_id {
            q.push_str(&format!("&channel={c}"));
        }
        if let Some(t) = self.topic {
            q.push_str(&format!("&topic={}", t.as_str()));
        }
        if let Some(t) = self.team_id {
            q.push_str(&format!("&team={t}"));
        }
        q
    }

    pub fn is_empty(&self) -> bool {
        *self == QueueFilter::default()
    }
}

/// The lists of the queue page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum QueueView {
    /// Open, nobody holds it: what agents claim from.
    Unassigned,
    /// Open and held by the signed-in agent.
    Mine,
    /// Every open dialogue.
    Open,
    /// Waiting for a time or for the customer.
    Postponed,
    /// Done, newest first.
    Resolved,
}

impl QueueView {
    pub const ALL: [QueueView; 5] =
        [QueueView::Unassigned, QueueView::Mine, QueueView::Open, QueueView::Postponed, QueueView::Resolved];

    pub fn as_str(self) -> &'static str {
        match self {
            QueueView::Unassigned => "unassigned",
            QueueView::Mine => "mine",
            QueueView::Open => "open",
            QueueView::Postponed => "postponed",
            QueueView::Resolved => "resolved",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            QueueView::Unassigned => "Unassigned",
            QueueView::Mine => "Mine",
            QueueView::Open => "All open",
            QueueView::Postponed => "Postponed",
            QueueView::Resolved => "Resolved",
        }
    }

    pub fn parse(s: &str) -> Option<QueueView> {
        QueueView::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Resolved reads newest first; every other list longest-waiting first.
    pub fn newest_first(self) -> bool {
        self == QueueView::Resolved
    }
}

/// Where the next page of a list starts: the sort key of the last row shown. Opaque to
/// clients (`"<micros>.<id>"` in base 36), so they cannot build one that skips rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    /// The priority rank (0 urgent … 3 low) of the last row, in lists ordered by priority.
    pub rank: Option<i64>,
    pub at_micros: i64,
    pub id: i64,
}

impl Cursor {
    pub fn encode(self) -> String {
        let rank = self.rank.map(|r| format!("{r}~")).unwrap_or_default();
        format!("{rank}{}.{}", to_base36(self.at_micros), to_base36(self.id))
    }

    /// `None` for anything that is not a cursor this code made.
    pub fn decode(s: &str) -> Option<Cursor> {
        let (rank, rest) = match s.split_once('~') {
            Some((r, rest)) => (Some(r.parse::<i64>().ok().filter(|r| (0..=3).contains(r))?), rest),
            None => (None, s),
        };
        let (at, id) = rest.split_once('.')?;
        let cursor = Cursor { rank, at_micros: from_base36(at)?, id: from_base36(id)? };
        (cursor.id > 0).then_some(cursor)
    }
}

fn to_base36(n: i64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let (neg, mut n) = (n < 0, n.unsigned_abs());
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    if neg {
        out.push(b'-');
    }
    out.reverse();
    String::from_utf8(out).expect("ascii")
}

fn from_base36(s: &str) -> Option<i64> {
    let (neg, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    if digits.is_empty() || digits.len() > 13 {
        return None;
    }
    let n = i64::from_str_radix(digits, 36).ok()?;
    Some(if neg { -n } else { n })
}

/// How many rows a list page holds, whatever the client asks for.
pub fn page_size(requested: Option<u32>) -> i64 {
    requested.unwrap_or(50).clamp(1, 100) as i64
}

/// What an agent may do when writing in a dialogue someone may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WriteAs {
    /// They hold it already.
    Holder,
    /// Nobody holds it: writing claims it (claim before replying).
    ClaimFirst,
    /// Someone else holds it and the agent chose to take it over.
    TakeOver,
}

/// Someone else holds the dialogue and the agent did not ask to take it over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HeldByOther(pub i64);

/// Decides whether `me` may write (reply or note) in a dialogue held by `holder`.
/// Internal notes are allowed whoever holds it: bringing in a specialist is the point.
pub fn may_write(holder: Option<i64>, me: i64, internal: bool, take_over: bool) -> Result<WriteAs, HeldByOther> {
    match holder {
        Some(h) if h == me => Ok(WriteAs::Holder),
        None if internal => Ok(WriteAs::Holder),
        None => Ok(WriteAs::ClaimFirst),
        Some(_) if internal => Ok(WriteAs::Holder),
        Some(_) if take_over => Ok(WriteAs::TakeOver),
        Some(h) => Err(HeldByOther(h)),
    }
}

/// Whether `me` may take over or reassign a dialogue held by `holder`: never one that
/// someone on the sales desk holds, unless it is their own (PRODUCT.md: "a sales-owned
/// dialogue is not taken over: others can only acknowledge it and forward it").
pub fn may_hand_over(holder: Option<i64>, holder_in_sales: bool, me: i64) -> bool {
    !(holder_in_sales && holder.is_some_and(|h| h != me))
}

/// What a colleague's "Acknowledge and forward" tells the customer of a sales rep.
pub fn acknowledgement(rep_first_name: &str, target_seconds: i64) -> String {
    format!(
        "Thank you for your message. I have forwarded it to {rep_first_name}, who looks after your account; \
         {rep_first_name} will answer you within {}.",
        super::dialogue::format_waiting(target_seconds)
    )
}

/// The colleagues an internal note mentions: `@handle`, where the handle is the part of
/// their e-mail address before the `@` (`@lena.fischer`), lower-cased, each once, in
/// order. An `@` inside a word (an e-mail address) is not a mention.
pub fn mentions(body: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let chars: Vec<char> = body.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if *c != '@' || (i > 0 && (chars[i - 1].is_alphanumeric() || matches!(chars[i - 1], '.' | '_' | '-'))) {
            continue;
        }
        let handle: String = chars[i + 1..]
            .iter()
            .take_while(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '+'))
            .collect::<String>()
            .trim_end_matches(['.', '-'])
            .to_lowercase();
        if !handle.is_empty() && handle.len() <= 64 && !found.contains(&handle) {
            found.push(handle);
        }
    }
    found
}

/// A reply or note as typed: trimmed, not empty, at most 20,000 characters.
pub fn message_body(input: &str) -> Result<String, &'static str> {
    let body = input.trim();
    if body.is_empty() {
        return Err("Write something first.");
    }
    if body.chars().count() > 20_000 {
        return Err("That message is longer than 20,000 characters.");
    }
    Ok(body.replace("\r\n", "\n"))
}

/// The first-response clock of a dialogue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum ResponseClock {
    /// Not answered yet; this many seconds left of the channel's target.
    Due { seconds_left: i64 },
    /// Not answered and past the target by this many seconds.
    Overdue { seconds_over: i64 },
    /// Answered this many seconds after it arrived, within the target or not.
    Answered { after_seconds: i64, within_target: bool },
}

/// The clock from the creation time, the channel's target, the first public reply (if
/// any) and now, all in Unix seconds.
pub fn response_clock(created: i64, target_seconds: i64, first_response: Option<i64>, now: i64) -> ResponseClock {
    match first_response {
        Some(at) => {
            let after = (at - created).max(0);
            ResponseClock::Answered { after_seconds: after, within_target: after <= target_seconds }
        }
        None => {
            let left = created + target_seconds - now;
            if left >= 0 {
                ResponseClock::Due { seconds_left: left }
            } else {
                ResponseClock::Overdue { seconds_over: -left }
            }
        }
    }
}

/// A postponement must end in the future, and within a year.
pub fn postpone_until(until: i64, now: i64) -> Result<i64, &'static str> {
    if until <= now {
        return Err("Pick a time in the future.");
    }
    if until > now + 366 * 86_400 {
        return Err("Postpone for at most a year.");
    }
    Ok(until)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn views_round_trip_and_only_resolved_reads_newest_first() {
        for v in QueueView::ALL {
            assert_eq!(QueueView::parse(v.as_str()), Some(v));
            assert_eq!(v.newest_first(), v == QueueView::Resolved);
        }
        assert_eq!(QueueView::parse("everything"), None);
    }

    #[test]
    fn forged_or_garbled_cursors_are_refused() {
        for bad in ["", ".", "abc", "1.", ".1", "zz.0", "1.-5", "1.2.3", "!!.1", "1.zzzzzzzzzzzzzzz", "7~1.1", "x~1.1", "~1.1"] {
            assert_eq!(Cursor::decode(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn sales_owned_dialogues_stay_with_their_rep() {
        assert!(may_hand_over(None, false, 1));
        assert!(may_hand_over(Some(2), false, 1), "support dialogues go to any free agent");
        assert!(!may_hand_over(Some(2), true, 1), "nobody takes over a sales rep's dialogue");
        assert!(may_hand_over(Some(1), true, 1), "the rep hands their own over");
        assert_eq!(
            acknowledgement("Nora", 4 * 3600),
            "Thank you for your message. I have forwarded it to Nora, who looks after your account; Nora will answer you within 4 h 0 min."
        );
    }

    #[test]
    fn filters_round_trip_through_the_query() {
        use crate::domain::dialogue::Topic;
        let f = QueueFilter::parse(Some("3"), Some("billing"), Some("x"));
        assert_eq!(f, QueueFilter { channel_id: Some(3), topic: Some(Topic::Billing), team_id: None });
        assert_eq!(f.query(), "&channel=3&topic=billing");
        assert!(QueueFilter::parse(None, Some("nonsense"), Some("")).is_empty());
    }

    #[test]
    fn sorting_is_waiting_first_unless_asked() {
        assert_eq!(QueueSort::parse(None), QueueSort::Waiting);
        assert_eq!(QueueSort::parse(Some("bogus")), QueueSort::Waiting);
        assert_eq!(QueueSort::parse(Some("newest")), QueueSort::Newest);
        assert!(!QueueSort::Waiting.descending(QueueView::Unassigned));
        assert!(QueueSort::Waiting.descending(QueueView::Resolved));
        assert!(QueueSort::Newest.descending(QueueView::Open));
        assert_eq!(QueueSort::parse(Some("priority")), QueueSort::Priority);
        assert!(!QueueSort::Priority.descending(QueueView::Unassigned) && QueueSort::Priority.by_priority());
    }

    #[test]
    fn page_sizes_are_bounded() {
        assert_eq!(page_size(None), 50);
        assert_eq!(page_size(Some(0)), 1);
        assert_eq!(page_size(Some(10_000)), 100);
    }

    #[test]
    fn agent_b_cannot_reply_in_a_dialogue_agent_a_holds() {
        assert_eq!(may_write(Some(1), 2, false, false), Err(HeldByOther(1)));
        assert_eq!(may_write(Some(1), 2, false, true), Ok(WriteAs::TakeOver));
        assert_eq!(may_write(Some(1), 1, false, false), Ok(WriteAs::Holder));
        assert_eq!(may_write(None, 2, false, false), Ok(WriteAs::ClaimFirst));
    }

    #[test]
    fn mentions_are_handles_after_an_at_sign() {
        assert_eq!(mentions("@lena.fischer can you check? cc @Tomas.Garcia, @lena.fischer."), ["lena.fischer", "tomas.garcia"]);
        assert_eq!(mentions("Write to ana@example.com or @ alone"), Vec::<String>::new());
        assert_eq!(mentions("(@hana.sato)"), ["hana.sato"]);
    }

    #[test]
    fn anyone_may_leave_an_internal_note() {
        assert_eq!(may_write(Some(1), 2, true, false), Ok(WriteAs::Holder));
        assert_eq!(may_write(None, 2, true, false), Ok(WriteAs::Holder));
    }

    #[test]
    fn empty_and_huge_messages_are_refused() {
        assert!(message_body("   \n ").is_err());
        assert!(message_body(&"x".repeat(20_001)).is_err());
        assert_eq!(message_body("  Hi!\r\nThanks  ").unwrap(), "Hi!\nThanks");
    }

    #[test]
    fn the_clock_counts_down_then_overdue_then_stops_at_the_reply() {
        assert_eq!(response_clock(0, 120, None, 20), ResponseClock::Due { seconds_left: 100 });
        assert_eq!(response_clock(0, 120, None, 150), ResponseClock::Overdue { seconds_over: 30 });
        assert_eq!(response_clock(0, 120, Some(90), 10_000), ResponseClock::Answered { after_seconds: 90, within_target: true });
        assert_eq!(response_clock(0, 120, Some(121), 121), ResponseClock::Answered { after_seconds: 121, within_target: false });
    }

    #[test]
    fn postponing_into_the_past_is_refused() {
        assert!(postpone_until(100, 100).is_err());
        assert!(postpone_until(100 + 400 * 86_400, 100).is_err());
        assert_eq!(postpone_until(200, 100), Ok(200));
    }

    proptest! {
        #[test]
        fn cursors_round_trip(at in (i64::MIN + 1)..i64::MAX, id in 1i64..i64::MAX, rank in proptest::option::of(0i64..4)) {
            let c = Cursor { rank, at_micros: at, id };
            prop_assert_eq!(Cursor::decode(&c.encode()), Some(c));
        }

        #[test]
        fn a_mentioned_handle_is_found_wherever_it_stands(pre in "[a-z ,.!?]{0,20}", handle in "[a-z][a-z0-9._]{0,15}[a-z0-9]", post in "[ ,!?][a-z ]{0,20}") {
            let pre = if pre.ends_with(|c: char| c.is_alphanumeric() || c == '.') { format!("{pre} ") } else { pre };
            let text = format!("{pre}@{handle}{post}");
            prop_assert!(mentions(&text).contains(&handle), "{}", text);
        }

        #[test]
        fn email_addresses_are_never_mentions(user in "[a-z]{1,10}", domain in "[a-z]{1,10}") {
            let text = format!("write to {user}@{domain}.com");
            prop_assert!(mentions(&text).is_empty(), "{}", text);
        }
    }
}
