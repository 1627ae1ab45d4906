//! Two-factor sign-in's rules: what a typed code is, which 30-second steps a TOTP code
//! may be accepted for (a window of one step either side, never a step already used),
//! the shape of recovery codes, and which roles must use a second factor. The HMAC
//! itself is the `totp-rs` crate's, on the server (`backend::second_factor`).

use super::access::Role;

/// RFC 6238's time step.
pub const STEP_SECONDS: u64 = 30;
/// Codes one step early or late are accepted (a phone's clock a little off, a code typed
/// as it changed).
pub const WINDOW_STEPS: u64 = 1;
/// Recovery codes given at enrolment (and each time they are made anew).
pub const RECOVERY_CODES: usize = 10;
/// A recovery code's length without its dash: ten characters of a 32-letter alphabet,
/// 50 random bits.
pub const RECOVERY_LENGTH: usize = 10;
/// The alphabet of recovery codes: Crockford's base 32 in lowercase (no i, l, o or u;
/// a typed o is read as 0, an i or l as 1).
pub const RECOVERY_ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
/// "Remember this browser" lasts this long.
pub const REMEMBER_DAYS: i32 = 30;
/// A sign-in waiting for its second factor expires after this long…
pub const CHALLENGE_MINUTES: i32 = 5;
/// …or after this many wrong codes, whichever comes first.
pub const CHALLENGE_ATTEMPTS: i32 = 5;

/// What a person typed in the second-factor box.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entered {
    /// Six digits from the authenticator app.
    Totp(String),
    /// A recovery code, normalised (lowercase, no dash or spaces).
    Recovery(String),
}

/// The sentence for a code that is neither.
pub const NOT_A_CODE: &str = "Type the six-digit code from your authenticator app, or one of your recovery codes.";

impl Entered {
    /// Reads a typed code: spaces and dashes are ignored, case does not matter.
    pub fn parse(input: &str) -> Result<Entered, &'static str> {
        let compact: String = input.chars().filter(|c| !c.is_whitespace() && *c != '-').collect::<String>().to_ascii_lowercase();
        if compact.len() == 6 && compact.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(Entered::Totp(compact));
        }
        let read: String = compact
            .chars()
            .map(|c| match c {
                'o' => '0',
                'i' | 'l' => '1',
                c => c,
            })
            .collect();
        if read.len() == RECOVERY_LENGTH && read.bytes().all(|b| RECOVERY_ALPHABET.contains(&b)) {
            return Ok(Entered::Recovery(read));
        }
        Err(NOT_A_CODE)
    }
}

/// Makes a recovery code from ten random bytes (each picks a letter of the alphabet).
pub fn recovery_code(random: [u8; RECOVERY_LENGTH]) -> String {
    random.iter().map(|b| RECOVERY_ALPHABET[(*b as usize) % RECOVERY_ALPHABET.len()] as char).collect()
}

/// How a recovery code is shown: two groups of five, `abcde-fghjk`.
pub fn show_recovery(code: &str) -> String {
    let (a, b) = code.split_at(code.len().min(5));
    format!("{a}-{b}")
}

/// The step a Unix time falls in.
pub fn step_at(unix_seconds: u64) -> u64 {
    unix_seconds / STEP_SECONDS
}

/// The steps a code typed at `now_step` may be checked against, in the order to try them
/// (now first, then the one before, then the one after), leaving out every step at or
/// before `last_used` so that a code, once accepted, never is again.
pub fn candidate_steps(now_step: u64, last_used: u64) -> Vec<u64> {
    let mut steps = vec![now_step];
    steps.extend(now_step.checked_sub(WINDOW_STEPS));
    steps.push(now_step + WINDOW_STEPS);
    steps.retain(|s| *s > last_used);
    steps
}

/// The roles that must sign in with a second factor, as the owner set them. Stored as a
/// comma-separated list of role names in the setting `two_factor_required_roles`.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RequiredRoles(pub Vec<Role>);

impl RequiredRoles {
    pub const SETTING: &'static str = "two_factor_required_roles";

    /// Reads the stored list; names it does not know are skipped.
    pub fn parse(stored: &str) -> RequiredRoles {
        let mut roles: Vec<Role> = stored.split(',').filter_map(|s| s.trim().parse().ok()).collect();
        roles.sort_by_key(|r| Role::ALL.iter().position(|x| x == r));
        roles.dedup();
        RequiredRoles(roles)
    }

    /// The stored text, in the order of [`Role::ALL`], each role once.
    pub fn to_stored(&self) -> String {
        Role::ALL.iter().filter(|r| self.0.contains(r)).map(|r| r.as_str()).collect::<Vec<_>>().join(",")
    }

    pub fn requires(&self, role: Role) -> bool {
        self.0.contains(&role)
    }

    /// "Owner and Manager", "nobody".
    pub fn describe(&self) -> String {
        let labels: Vec<&str> = self.0.iter().map(|r| r.label()).collect();
        match labels.as_slice() {
            [] => "nobody".to_string(),
            [one] => one.to_string(),
            [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn codes_are_read_loosely_but_strictly_typed() {
        assert_eq!(Entered::parse(" 123 456 "), Ok(Entered::Totp("123456".into())));
        assert_eq!(Entered::parse("ABCDE-FGHJK"), Ok(Entered::Recovery("abcdefghjk".into())));
        // Crockford: o is 0, i and l are 1.
        assert_eq!(Entered::parse("o1234-5678l"), Ok(Entered::Recovery("0123456781".into())));
        assert_eq!(Entered::parse("12345"), Err(NOT_A_CODE));
        assert_eq!(Entered::parse("1234567"), Err(NOT_A_CODE));
        // u is not in the alphabet.
        assert_eq!(Entered::parse("abcde-fghju"), Err(NOT_A_CODE));
        assert_eq!(Entered::parse(""), Err(NOT_A_CODE));
    }

    #[test]
    fn the_window_is_one_step_either_side_and_never_a_used_one() {
        assert_eq!(candidate_steps(100, 0), vec![100, 99, 101]);
        assert_eq!(candidate_steps(100, 99), vec![100, 101]);
        assert_eq!(candidate_steps(100, 100), vec![101]);
        assert_eq!(candidate_steps(100, 101), Vec::<u64>::new());
        assert_eq!(candidate_steps(0, 0), vec![1]);
        assert_eq!(step_at(59), 1);
    }

    #[test]
    fn required_roles_round_trip_in_role_order() {
        let r = RequiredRoles::parse("operator, super_admin,nonsense,operator");
        assert_eq!(r.0, vec![Role::SuperAdmin, Role::Operator]);
        assert_eq!(r.to_stored(), "super_admin,operator");
        assert!(r.requires(Role::Operator) && !r.requires(Role::Reviewer));
        assert_eq!(r.describe(), "Owner and Agent");
        assert_eq!(RequiredRoles::parse("").describe(), "nobody");
        assert_eq!(RequiredRoles::parse("admin,reviewer,operator").describe(), "Manager, QA reviewer and Agent");
    }

    proptest! {
        #[test]
        fn recovery_codes_are_read_back_as_made(random in proptest::array::uniform10(any::<u8>())) {
            let code = recovery_code(random);
            prop_assert_eq!(code.len(), RECOVERY_LENGTH);
            prop_assert_eq!(Entered::parse(&show_recovery(&code)), Ok(Entered::Recovery(code.clone())));
            prop_assert_eq!(Entered::parse(&show_recovery(&code).to_uppercase()), Ok(Entered::Recovery(code)));
        }

        #[test]
        fn a_candidate_is_always_new_and_within_the_window(now in 0u64..1_000_000, last in 0u64..1_000_000) {
            for s in candidate_steps(now, last) {
                prop_assert!(s > last);
                prop_assert!(s + WINDOW_STEPS >= now && s <= now + WINDOW_STEPS);
            }
        }
    }
}
