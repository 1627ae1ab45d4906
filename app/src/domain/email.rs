//! E-mail addresses, parsed once at the edge ("parse, don't validate").

use serde::{Deserialize, Serialize};
use std::fmt;

/// A syntactically plausible e-mail address, trimmed and lower-cased, so that
/// `Agent@Meridian.test` and `agent@meridian.test` are the same account.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EmailAddress(String);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InvalidEmail {
    #[error("Enter an e-mail address.")]
    Empty,
    #[error("That e-mail address is too long.")]
    TooLong,
    #[error("Enter an e-mail address like name@example.com.")]
    Malformed,
}

impl EmailAddress {
    pub fn parse(input: &str) -> Result<Self, InvalidEmail> {
        let s = input.trim();
        if s.is_empty() {
            return Err(InvalidEmail::Empty);
        }
        if s.len() > 254 {
            return Err(InvalidEmail::TooLong);
        }
        let (local, domain) = s.rsplit_once('@').ok_or(InvalidEmail::Malformed)?;
        let domain_ok = !domain.is_empty()
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && domain.split('.').all(|label| !label.is_empty())
            && domain.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '.');
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.chars().any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>' || c == '@');
        if !(domain_ok && local_ok) {
            return Err(InvalidEmail::Malformed);
        }
        Ok(EmailAddress(s.to_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn addresses_are_trimmed_and_lower_cased() {
        assert_eq!(EmailAddress::parse("  Agent@Meridian.TEST ").unwrap().as_str(), "agent@meridian.test");
    }

    #[test]
    fn obvious_non_addresses_are_refused() {
        for bad in ["", "   ", "agent", "agent@", "@meridian.test", "a b@c.d", "a@b..c", "a@.b", "<a@b.c>"] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn parsing_is_idempotent(local in "[a-zA-Z0-9._+-]{1,20}", domain in "[a-z0-9-]{1,10}\\.[a-z]{2,6}") {
            let once = EmailAddress::parse(&format!("{local}@{domain}")).unwrap();
            let twice = EmailAddress::parse(once.as_str()).unwrap();
            prop_assert_eq!(once, twice);
        }
    }
}
