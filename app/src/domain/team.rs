//! A team's business hours as people set them: working days as a week of check boxes
//! (stored as a bit mask, Monday the lowest bit), and a daily window in the team's own time
//! zone ("09:00" to "17:00"; "24:00" ends at midnight, so "00:00"–"24:00" is around the
//! clock). Business-hours metrics read them through `metrics::BusinessHours`.

/// Weekday names, Monday first, as the admin page labels its boxes.
pub const WEEKDAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/// Monday to Friday.
pub const OFFICE_DAYS: i16 = 0b001_1111;

/// The working days of a stored mask.
pub fn days_from_mask(mask: i16) -> [bool; 7] {
    std::array::from_fn(|i| mask & (1 << i) != 0)
}

pub fn mask_from_days(days: [bool; 7]) -> i16 {
    days.iter().enumerate().filter(|(_, on)| **on).map(|(i, _)| 1i16 << i).sum()
}

/// "Mon–Fri", "Mon, Wed, Sat", "every day", "no day".
pub fn describe_days(days: [bool; 7]) -> String {
    let on: Vec<usize> = (0..7).filter(|i| days[*i]).collect();
    let short = |i: usize| &WEEKDAYS[i][..3];
    match on.len() {
        0 => "no day".into(),
        7 => "every day".into(),
        n if n >= 3 && on[n - 1] - on[0] == n - 1 => format!("{}–{}", short(on[0]), short(on[n - 1])),
        _ => on.iter().map(|i| short(*i)).collect::<Vec<_>>().join(", "),
    }
}

/// Minutes after midnight of "HH:MM" (00:00 to 24:00).
pub fn parse_clock(text: &str) -> Option<i64> {
    let (h, m) = text.trim().split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 || !h.chars().chain(m.chars()).all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
    (m < 60 && (h < 24 || (h == 24 && m == 0))).then_some(h * 60 + m)
}

/// "HH:MM" of minutes after midnight.
pub fn format_clock(minutes: i64) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// A working window: it starts before it ends, within one day.
pub fn window(start: &str, end: &str) -> Result<(i64, i64), String> {
    let parse = |t: &str, what: &str| parse_clock(t).ok_or_else(|| format!("The {what} “{t}” is not a time like 09:00."));
    let (s, e) = (parse(start, "opening time")?, parse(end, "closing time")?);
    if s >= 24 * 60 {
        return Err("A day opens before 24:00.".into());
    }
    if e <= s {
        return Err("The working window must close after it opens (use 00:00 to 24:00 for around the clock).".into());
    }
    Ok((s, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn days_as_a_mask() {
        assert_eq!(days_from_mask(OFFICE_DAYS), [true, true, true, true, true, false, false]);
        assert_eq!(mask_from_days([false, false, false, false, false, true, true]), 0b110_0000);
        assert_eq!(describe_days(days_from_mask(OFFICE_DAYS)), "Mon–Fri");
        assert_eq!(describe_days([true; 7]), "every day");
        assert_eq!(describe_days([false; 7]), "no day");
        assert_eq!(describe_days([true, false, true, false, false, true, false]), "Mon, Wed, Sat");
        assert_eq!(describe_days([false, false, false, false, false, true, true]), "Sat, Sun");
    }

    #[test]
    fn clocks_and_windows() {
        assert_eq!(parse_clock("09:00"), Some(540));
        assert_eq!(parse_clock("9:30"), Some(570));
        assert_eq!(parse_clock("24:00"), Some(1440));
        assert_eq!(parse_clock("24:01"), None);
        assert_eq!(parse_clock("12:60"), None);
        assert_eq!(parse_clock("noon"), None);
        assert_eq!(parse_clock("-1:00"), None);
        assert_eq!(format_clock(570), "09:30");
        assert_eq!(window("00:00", "24:00"), Ok((0, 1440)));
        assert!(window("18:00", "08:00").unwrap_err().contains("close after it opens"));
        assert!(window("24:00", "24:00").is_err());
        assert!(window("8", "17:00").unwrap_err().contains("“8”"));
    }

    proptest! {
        #[test]
        fn masks_round_trip(mask in 0i16..128) {
            prop_assert_eq!(mask_from_days(days_from_mask(mask)), mask);
        }

        #[test]
        fn clocks_round_trip(minutes in 0i64..=1440) {
            prop_assert_eq!(parse_clock(&format_clock(minutes)), Some(minutes));
        }
    }
}
