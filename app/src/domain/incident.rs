//! Incidents and their mass mailings: who an update goes to (each linked customer once, in
//! the dialogue where they are most likely to read it), how typed dialogue numbers are
//! read, and what a title or an update may be. Placeholders are the macros' own.

use serde::{Deserialize, Serialize};

named_enum!(
    IncidentStatus {
        Open => "open", "Open";
        Resolved => "resolved", "Resolved";
    }
);

/// At most this many dialogues may be linked to one incident in one go.
pub const LINK_LIMIT: usize = 1000;

/// A dialogue linked to an incident, as the mailing sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Linked {
    pub conversation_id: i64,
    pub customer_id: i64,
    pub resolved: bool,
    /// Unix seconds of the dialogue's last activity.
    pub last_activity: i64,
}

/// Where each linked customer gets an update: one dialogue per customer, an unresolved one
/// before a resolved one, then the most recently active, then the highest number. Sorted by
/// customer.
pub fn recipients(linked: &[Linked]) -> Vec<Linked> {
    let mut best: std::collections::BTreeMap<i64, &Linked> = std::collections::BTreeMap::new();
    for l in linked {
        let key = |x: &Linked| (!x.resolved, x.last_activity, x.conversation_id);
        best.entry(l.customer_id).and_modify(|b| if key(l) > key(b) { *b = l }).or_insert(l);
    }
    best.into_values().cloned().collect()
}

/// Dialogue numbers as people type them: `#12, 34 56` or one per line. Each once, in the
/// order given; anything else is an error naming it.
pub fn parse_dialogue_ids(text: &str) -> Result<Vec<i64>, String> {
    let mut ids = Vec::new();
    for word in text.split(|c: char| c.is_whitespace() || c == ',' || c == ';').filter(|w| !w.is_empty()) {
        let digits = word.trim_start_matches('#');
        match digits.parse::<i64>() {
            Ok(id) if id > 0 && digits.chars().all(|c| c.is_ascii_digit()) => {
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
            _ => return Err(format!("“{word}” is not a dialogue number.")),
        }
    }
    if ids.is_empty() {
        return Err("Give at least one dialogue number.".into());
    }
    if ids.len() > LINK_LIMIT {
        return Err(format!("Link at most {LINK_LIMIT} dialogues at once."));
    }
    Ok(ids)
}

/// An incident's title: what customers and colleagues will recognise it by.
pub fn title(input: &str) -> Result<String, String> {
    let t = input.split_whitespace().collect::<Vec<_>>().join(" ");
    match t.chars().count() {
        0 => Err("Name the incident, e.g. “Payments failing in Europe”.".into()),
        n if n > 200 => Err("Keep the title under 200 characters.".into()),
        _ => Ok(t),
    }
}

/// An update's text: not empty, at most 10,000 characters, placeholders known.
pub fn update_body(input: &str) -> Result<String, String> {
    let body = input.trim().replace("\r\n", "\n");
    if body.is_empty() {
        return Err("Write the update first.".into());
    }
    if body.chars().count() > 10_000 {
        return Err("Keep the update under 10,000 characters.".into());
    }
    super::macros::validate_template(&body)?;
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn l(conversation_id: i64, customer_id: i64, resolved: bool, last_activity: i64) -> Linked {
        Linked { conversation_id, customer_id, resolved, last_activity }
    }

    #[test]
    fn one_dialogue_per_customer_preferring_an_open_recent_one() {
        let linked = [l(1, 10, false, 100), l(2, 10, false, 300), l(3, 10, true, 900), l(4, 20, true, 50), l(5, 30, false, 7)];
        let got: Vec<(i64, i64)> = recipients(&linked).iter().map(|r| (r.customer_id, r.conversation_id)).collect();
        assert_eq!(got, vec![(10, 2), (20, 4), (30, 5)]);
    }

    #[test]
    fn ties_go_to_the_higher_number() {
        let got = recipients(&[l(8, 1, false, 5), l(9, 1, false, 5)]);
        assert_eq!(got[0].conversation_id, 9);
        assert!(recipients(&[]).is_empty());
    }

    #[test]
    fn dialogue_numbers_as_typed() {
        assert_eq!(parse_dialogue_ids("#12, 34 56\n#12;7").unwrap(), vec![12, 34, 56, 7]);
        assert!(parse_dialogue_ids("12 abc").unwrap_err().contains("abc"));
        assert!(parse_dialogue_ids("-3").is_err());
        assert!(parse_dialogue_ids("+3").is_err());
        assert!(parse_dialogue_ids("0").is_err());
        assert!(parse_dialogue_ids(" , ").is_err());
        let many = (1..=1001).map(|i| i.to_string()).collect::<Vec<_>>().join(" ");
        assert!(parse_dialogue_ids(&many).is_err());
    }

    #[test]
    fn titles_and_bodies() {
        assert_eq!(title("  Payments   failing\n in Europe ").unwrap(), "Payments failing in Europe");
        assert!(title("   ").is_err());
        assert!(title(&"x".repeat(201)).is_err());
        assert_eq!(update_body(" Hi {{customer.first_name}},\r\nfixed. ").unwrap(), "Hi {{customer.first_name}},\nfixed.");
        assert!(update_body("  ").is_err());
        assert!(update_body("Hi {{customer.shoe_size}}").is_err());
        assert!(update_body(&"y".repeat(10_001)).is_err());
    }

    proptest! {
        #[test]
        fn every_linked_customer_exactly_once_in_one_of_their_dialogues(
            raw in proptest::collection::vec((1i64..500, 1i64..20, any::<bool>(), 0i64..1000), 0..60)
        ) {
            let mut seen = std::collections::HashSet::new();
            let linked: Vec<Linked> = raw.into_iter().filter(|(id, ..)| seen.insert(*id)).map(|(id, cu, r, at)| l(id, cu, r, at)).collect();
            let got = recipients(&linked);
            let customers: std::collections::BTreeSet<i64> = linked.iter().map(|x| x.customer_id).collect();
            prop_assert_eq!(got.iter().map(|r| r.customer_id).collect::<Vec<_>>(), customers.into_iter().collect::<Vec<_>>());
            for r in &got {
                prop_assert!(linked.contains(r));
                // Nobody gets it in a resolved dialogue while they have an open one.
                prop_assert!(!r.resolved || linked.iter().all(|x| x.customer_id != r.customer_id || x.resolved));
            }
        }
    }
}
