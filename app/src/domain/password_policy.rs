//! What a new password must be (OWASP ASVS 5.0 §6.2, NIST SP 800-63B §3.1.1.2): at least
//! 12 characters, at most 128 (every character counts, spaces and emoji too; no rules
//! about character classes), not one of the common and breached passwords shipped with
//! Meridian, not built from the person's own name or address, and not one character or
//! pair repeated. The list itself is the server's (`backend::passwords`); the rules are
//! here, shared with the browser, which shows the length before anything is sent.

pub const MIN_LENGTH: usize = 12;
pub const MAX_LENGTH: usize = 128;

/// Why a password is refused, with the sentence people read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Weakness {
    TooShort,
    TooLong,
    Common,
    Personal(String),
    Repetitive,
}

impl std::fmt::Display for Weakness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Weakness::TooShort => write!(f, "A password needs at least {MIN_LENGTH} characters; a few words make a good one."),
            Weakness::TooLong => write!(f, "A password can have at most {MAX_LENGTH} characters."),
            Weakness::Common => write!(f, "This password is on the list of common and breached passwords; attackers try those first. Choose another."),
            Weakness::Personal(what) => write!(f, "This password contains your {what}; choose one that does not."),
            Weakness::Repetitive => write!(f, "This password repeats a few characters; choose one with more variety."),
        }
    }
}

/// Who the password is for: what it must not be built from.
#[derive(Clone, Copy, Debug)]
pub struct Owner<'a> {
    pub email: &'a str,
    pub name: &'a str,
}

/// The form a password takes on the list: lower case, as the list is stored.
pub fn list_form(password: &str) -> String {
    password.to_lowercase()
}

/// Checks a new password. `is_common` answers for the list form of a password.
pub fn check(password: &str, owner: Owner<'_>, is_common: impl Fn(&str) -> bool) -> Result<(), Weakness> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(Weakness::TooShort);
    }
    if length > MAX_LENGTH {
        return Err(Weakness::TooLong);
    }
    let lower = list_form(password);
    if is_common(&lower) {
        return Err(Weakness::Common);
    }
    let local = owner.email.split('@').next().unwrap_or_default().to_lowercase();
    if lower.contains(&owner.email.to_lowercase()) || (local.chars().count() >= 4 && lower.contains(&local)) {
        return Err(Weakness::Personal("e-mail address".into()));
    }
    if owner.name.split_whitespace().map(str::to_lowercase).any(|part| part.chars().count() >= 4 && lower.contains(&part)) {
        return Err(Weakness::Personal("name".into()));
    }
    if lower.contains("meridian") && lower.replace("meridian", "").chars().count() < MIN_LENGTH / 2 {
        return Err(Weakness::Personal("helpdesk's name with little else".into()));
    }
    let distinct: std::collections::HashSet<char> = password.chars().collect();
    if distinct.len() < 5 {
        return Err(Weakness::Repetitive);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const JANE: Owner<'static> = Owner { email: "jane.doe@example.com", name: "Jane Doe" };

    fn none(_: &str) -> bool {
        false
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        assert_eq!(check("short words", JANE, none), Err(Weakness::TooShort));
        assert_eq!(check("correct horse", JANE, none), Ok(()));
        assert_eq!(check("ünïcödé wörd", JANE, none), Ok(()));
        assert_eq!(check(&"a b c d e f ".repeat(11), JANE, none), Err(Weakness::TooLong));
    }

    #[test]
    fn the_list_is_asked_in_lower_case() {
        let list = |p: &str| p == "qwertyuiop123";
        assert_eq!(check("QwertyUIOP123", JANE, list), Err(Weakness::Common));
        assert_eq!(check("qwertyuiop124", JANE, list), Ok(()));
    }

    #[test]
    fn the_owner_s_name_and_address_are_refused() {
        assert_eq!(check("jane.doe@example.com", JANE, none), Err(Weakness::Personal("e-mail address".into())));
        assert_eq!(check("my jane.doe secret", JANE, none), Err(Weakness::Personal("e-mail address".into())));
        assert_eq!(check("JaneJaneJane!!", JANE, none), Err(Weakness::Personal("name".into())));
        assert_eq!(check("meridian2026!", JANE, none), Err(Weakness::Personal("helpdesk's name with little else".into())));
        assert_eq!(check("meridian is where we answer", JANE, none), Ok(()));
    }

    #[test]
    fn repeated_characters_are_refused() {
        assert_eq!(check("aaaaaaaaaaaaaaaa", JANE, none), Err(Weakness::Repetitive));
        assert_eq!(check("abababababababab", JANE, none), Err(Weakness::Repetitive));
        assert_eq!(check("abcdabcdabcd", JANE, none), Err(Weakness::Repetitive));
    }

    proptest! {
        /// Whatever is refused has a sentence, and nothing under the minimum passes.
        #[test]
        fn short_ones_never_pass(p in "\\PC{0,11}") {
            prop_assert_eq!(check(&p, JANE, none), Err(Weakness::TooShort));
        }

        /// Passphrases of five different words over the minimum are accepted unless listed.
        #[test]
        fn long_varied_ones_pass(words in proptest::collection::vec("[k-z]{4,8}", 3..6)) {
            let p = words.join(" ") + " 7#";
            prop_assume!(p.chars().count() <= MAX_LENGTH);
            let distinct: std::collections::HashSet<char> = p.chars().collect();
            prop_assume!(distinct.len() >= 5);
            prop_assert_eq!(check(&p, JANE, none), Ok(()));
            prop_assert_eq!(check(&p, JANE, |_| true), Err(Weakness::Common));
        }
    }
}
