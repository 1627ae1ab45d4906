//! The vocabulary of a dialogue (a conversation with a customer): its channel kind,
//! status and priority, with the names PostgreSQL stores.

use serde::{Deserialize, Serialize};

pub use super::UnknownName;

named_enum!(
    /// How the customer reached us.
    ChannelKind {
        Chat => "chat", "Chat";
        Email => "email", "E-mail";
        Social => "social", "Social";
    }
);

named_enum!(
    /// Open means in work here and now; postponed waits for a time or the customer;
    /// resolved leaves the workspace.
    Status {
        Open => "open", "Open";
        Postponed => "postponed", "Postponed";
        Resolved => "resolved", "Resolved";
    }
);

named_enum!(
    Priority {
        Low => "low", "Low";
        Normal => "normal", "Normal";
        High => "high", "High";
        Urgent => "urgent", "Urgent";
    }
);

named_enum!(
    /// What a dialogue is about; routing rules set it, the queue lists by it.
    Topic {
        Support => "support", "Support";
        Billing => "billing", "Billing";
        Legal => "legal", "Legal";
        Partnerships => "partnerships", "Partnerships";
        Technical => "technical", "Technical";
    }
);

named_enum!(
    /// What came of the dialogue, for the conversion metric.
    Outcome {
        Converted => "converted", "Converted";
        NotConverted => "not_converted", "Not converted";
    }
);

/// Queue counts stop at this many: an exact "12,408 unassigned" costs a full scan and
/// helps nobody more than "999+" does.
pub const COUNT_CAP: i64 = 1000;

/// A capped count as shown on badges: `999+` at or above the cap.
pub fn format_count(n: i64, cap: i64) -> String {
    if n >= cap {
        format!("{}+", cap - 1)
    } else {
        n.to_string()
    }
}

/// "4 min", "2 h 5 min", "3 d 4 h": a waiting time as agents read it.
pub fn format_waiting(seconds: i64) -> String {
    let s = seconds.max(0);
    match s {
        0..=59 => format!("{s} s"),
        60..=3_599 => format!("{} min", s / 60),
        3_600..=86_399 => format!("{} h {} min", s / 3_600, (s % 3_600) / 60),
        _ => format!("{} d {} h", s / 86_400, (s % 86_400) / 3_600),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_read_back_and_unknown_ones_are_errors() {
        for p in Priority::ALL {
            assert_eq!(Priority::from_stored(p.as_str()), Ok(*p));
            // The API's JSON says what the database stores.
            assert_eq!(serde_json::to_value(p).unwrap(), p.as_str());
        }
        assert_eq!(Outcome::from_stored("not_converted"), Ok(Outcome::NotConverted));
        let err = Status::from_stored("archived").unwrap_err();
        assert_eq!(err.to_string(), "unknown Status 'archived'");
    }

    #[test]
    fn stored_names_round_trip() {
        for k in ChannelKind::ALL {
            assert_eq!(ChannelKind::parse(k.as_str()), Some(*k));
        }
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(*s));
        }
        for p in Priority::ALL {
            assert_eq!(Priority::parse(p.as_str()), Some(*p));
        }
        assert_eq!(Status::parse("closed"), None);
        for o in Outcome::ALL {
            assert_eq!(Outcome::parse(o.as_str()), Some(*o));
        }
    }

    #[test]
    fn counts_at_the_cap_read_as_999_plus() {
        assert_eq!(format_count(0, COUNT_CAP), "0");
        assert_eq!(format_count(999, COUNT_CAP), "999");
        assert_eq!(format_count(1000, COUNT_CAP), "999+");
    }

    #[test]
    fn waiting_times_read_naturally() {
        assert_eq!(format_waiting(-5), "0 s");
        assert_eq!(format_waiting(42), "42 s");
        assert_eq!(format_waiting(4 * 60 + 59), "4 min");
        assert_eq!(format_waiting(2 * 3600 + 5 * 60), "2 h 5 min");
        assert_eq!(format_waiting(3 * 86_400 + 4 * 3600 + 1), "3 d 4 h");
    }
}

/// Tags as typed ("Billing, refund request") to the stored form: lower case, words joined
/// by `-`, 1–32 characters of letters, digits, `-` and `_`, no duplicates, at most 10.
pub fn parse_tags(input: &str) -> Result<Vec<String>, String> {
    let mut tags: Vec<String> = Vec::new();
    for raw in input.split(',') {
        let tag = raw.split_whitespace().collect::<Vec<_>>().join("-").to_lowercase();
        if tag.is_empty() {
            continue;
        }
        if tag.chars().count() > 32 || !tag.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_') {
            return Err(format!("\"{}\" is not a tag: use up to 32 letters, digits, - or _.", raw.trim()));
        }
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    if tags.len() > 10 {
        return Err("A dialogue takes at most 10 tags.".into());
    }
    Ok(tags)
}

#[cfg(test)]
mod tag_tests {
    use super::parse_tags;
    use proptest::prelude::*;

    #[test]
    fn tags_are_normalised_and_deduplicated() {
        assert_eq!(parse_tags("Billing, refund request,billing, ").unwrap(), vec!["billing", "refund-request"]);
        assert_eq!(parse_tags("").unwrap(), Vec::<String>::new());
    }

    #[test]
    fn odd_characters_and_too_many_tags_are_refused() {
        assert!(parse_tags("<script>").is_err());
        assert!(parse_tags(&"x".repeat(33)).is_err());
        assert!(parse_tags("a,b,c,d,e,f,g,h,i,j,k").is_err());
    }

    proptest! {
        #[test]
        fn parsing_stored_tags_again_changes_nothing(input in "[a-zA-Z0-9 ,_-]{0,60}") {
            if let Ok(tags) = parse_tags(&input) {
                prop_assert_eq!(parse_tags(&tags.join(",")).unwrap(), tags);
            }
        }
    }
}

named_enum!(
    /// How badly a problem hurts the customer, in an escalation's bug report.
    Impact {
        Low => "low", "Low: an inconvenience";
        Medium => "medium", "Medium: a workaround exists";
        High => "high", "High: the customer is blocked";
        Critical => "critical", "Critical: many customers or data at risk";
    }
);

impl Impact {
    /// The dialogue's priority is raised to at least this (never lowered).
    pub fn priority_floor(self) -> Priority {
        match self {
            Impact::Low | Impact::Medium => Priority::Normal,
            Impact::High => Priority::High,
            Impact::Critical => Priority::Urgent,
        }
    }
}

/// An escalation's structured bug report, checked: every part written, none too long.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BugReport {
    pub steps: String,
    pub expected: String,
    pub actual: String,
    /// `low`, `medium`, `high` or `critical`.
    pub impact: String,
}

impl BugReport {
    pub fn check(&self) -> Result<Impact, String> {
        for (text, what) in [(&self.steps, "the steps to reproduce"), (&self.expected, "what was expected"), (&self.actual, "what happened instead")] {
            let len = text.trim().chars().count();
            if len == 0 {
                return Err(format!("Describe {what}."));
            }
            if len > 4000 {
                return Err(format!("Keep {what} under 4,000 characters."));
            }
        }
        Impact::parse(&self.impact).ok_or_else(|| "Pick the customer impact: low, medium, high or critical.".into())
    }

    /// The internal note that carries the report in the dialogue and @mentions whoever it
    /// goes to (which notifies them).
    pub fn note(&self, to_handle: &str, impact: Impact) -> String {
        format!(
            "Escalated to @{to_handle} — customer impact: {}\n\nSteps to reproduce:\n{}\n\nExpected:\n{}\n\nActual:\n{}",
            impact.as_str(),
            self.steps.trim(),
            self.expected.trim(),
            self.actual.trim()
        )
    }
}

#[cfg(test)]
mod escalation_tests {
    use super::*;

    fn report() -> BugReport {
        BugReport { steps: "1. Open Billing\n2. Click Download".into(), expected: "A PDF".into(), actual: "Error 500".into(), impact: "high".into() }
    }

    #[test]
    fn a_complete_report_passes_and_reads_as_a_note() {
        let r = report();
        assert_eq!(r.check(), Ok(Impact::High));
        let note = r.note("lena.fischer", Impact::High);
        assert!(note.starts_with("Escalated to @lena.fischer — customer impact: high"));
        assert!(note.contains("Steps to reproduce:\n1. Open Billing\n2. Click Download") && note.contains("Actual:\nError 500"));
        assert_eq!(crate::domain::queue::mentions(&note), ["lena.fischer"]);
    }

    #[test]
    fn every_part_is_required() {
        assert!(BugReport { steps: " ".into(), ..report() }.check().unwrap_err().contains("steps"));
        assert!(BugReport { expected: "".into(), ..report() }.check().unwrap_err().contains("expected"));
        assert!(BugReport { actual: "".into(), ..report() }.check().unwrap_err().contains("instead"));
        assert!(BugReport { impact: "huge".into(), ..report() }.check().is_err());
    }

    #[test]
    fn impact_raises_priority() {
        assert_eq!(Impact::Critical.priority_floor(), Priority::Urgent);
        assert_eq!(Impact::High.priority_floor(), Priority::High);
        assert_eq!(Impact::Low.priority_floor(), Priority::Normal);
    }
}
