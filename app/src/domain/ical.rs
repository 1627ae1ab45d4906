//! iCalendar (RFC 5545) for an agent's shifts, so their calendar app subscribes to them.

/// One event: a shift, in UTC.
pub struct Event<'a> {
    pub uid: &'a str,
    /// `YYYYMMDDTHHMMSSZ`
    pub starts_utc: &'a str,
    pub ends_utc: &'a str,
    pub summary: &'a str,
}

/// Escapes TEXT values (RFC 5545 §3.3.11).
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace(';', "\\;").replace(',', "\\,").replace('\n', "\\n").replace('\r', "")
}

/// Folds a content line at 75 octets (RFC 5545 §3.1), never inside a UTF-8 character.
fn fold(line: &str) -> String {
    let mut out = String::new();
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out
}

/// A whole calendar, CRLF line endings, stamped `now_utc` (`YYYYMMDDTHHMMSSZ`).
pub fn calendar(name: &str, now_utc: &str, events: &[Event]) -> String {
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".to_string(),
        "PRODID:-//Meridian//Shifts//EN".to_string(),
        "CALSCALE:GREGORIAN".to_string(),
        format!("X-WR-CALNAME:{}", escape(name)),
    ];
    for e in events {
        lines.extend([
            "BEGIN:VEVENT".to_string(),
            format!("UID:{}", escape(e.uid)),
            format!("DTSTAMP:{now_utc}"),
            format!("DTSTART:{}", e.starts_utc),
            format!("DTEND:{}", e.ends_utc),
            format!("SUMMARY:{}", escape(e.summary)),
            "END:VEVENT".to_string(),
        ]);
    }
    lines.push("END:VCALENDAR".to_string());
    lines.iter().map(|l| fold(l) + "\r\n").collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_calendar_with_one_shift() {
        let ics = calendar("Alex's shifts", "20261123T100000Z", &[Event {
            uid: "shift-7@meridian",
            starts_utc: "20261130T070000Z",
            ends_utc: "20261130T150000Z",
            summary: "Shift, Europe; 30 min break",
        }]);
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(ics.contains("\r\nDTSTART:20261130T070000Z\r\nDTEND:20261130T150000Z\r\n"));
        assert!(ics.contains("SUMMARY:Shift\\, Europe\\; 30 min break\r\n"));
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
    }

    #[test]
    fn long_lines_are_folded_without_splitting_characters() {
        let long = "é".repeat(60);
        let ics = calendar(&long, "20261123T100000Z", &[]);
        for line in ics.split("\r\n") {
            assert!(line.len() <= 75, "{line}");
        }
        assert_eq!(ics.replace("\r\n ", "").matches('é').count(), 60);
    }
}
