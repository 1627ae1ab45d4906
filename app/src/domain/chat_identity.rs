//! Who a chat visitor is. Typing an e-mail address proves nothing; a visitor is that
//! customer only when
//! - the site that embeds the chat vouches for its signed-in user: it signs the address
//!   with the chat channel's secret, `t=<unix expiry>,v1=<hex HMAC-SHA256 of
//!   "<t>.<address in lower case>">` (as event webhooks are signed), and passes it with the
//!   address to the chat; or
//! - the visitor opens the confirmation link e-mailed to the address they typed.
//!
//! Pure: the secret and the clock come from the caller.

use super::channels::{hex, parse_signature};
use super::signing;

/// The longest a signed identity may be valid for ahead (a site signs per page view or
/// per sign-in; a week covers a long-open tab).
pub const MAX_VALIDITY_SECONDS: i64 = 7 * 24 * 3600;

/// How long a confirmation link works.
pub const CONFIRMATION_HOURS: i64 = 24;

fn signed_text(expires: i64, email: &str) -> String {
    format!("{expires}.{}", email.trim().to_lowercase())
}

/// The identity an embedding site passes for `email`, valid until `expires` (Unix seconds).
pub fn sign_identity(secret: &str, email: &str, expires: i64) -> String {
    format!("t={expires},v1={}", hex(&signing::sign(secret.as_bytes(), signed_text(expires, email).as_bytes())))
}

/// Whether `identity` was made with `secret` for `email` and is still valid at `now`
/// (and not valid for longer ahead than [`MAX_VALIDITY_SECONDS`]).
pub fn verify_identity(secret: &str, email: &str, identity: &str, now: i64) -> bool {
    let mut expires = None;
    let mut signature = None;
    for part in identity.trim().split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => expires = t.parse::<i64>().ok(),
            Some(("v1", v)) => signature = parse_signature(v),
            _ => return false,
        }
    }
    let (Some(expires), Some(signature)) = (expires, signature) else { return false };
    if expires < now || expires > now + MAX_VALIDITY_SECONDS || email.trim().is_empty() || secret.is_empty() {
        return false;
    }
    signing::verify(secret.as_bytes(), signed_text(expires, email).as_bytes(), &signature)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SECRET: &str = "the chat channel's secret";
    const NOW: i64 = 1_800_000_000;

    #[test]
    fn a_signed_identity_holds_for_its_address_until_it_expires() {
        let identity = sign_identity(SECRET, "Ana@Example.com", NOW + 3600);
        assert!(identity.starts_with(&format!("t={},v1=", NOW + 3600)));
        assert!(verify_identity(SECRET, "ana@example.com", &identity, NOW));
        assert!(verify_identity(SECRET, " ANA@example.com ", &identity, NOW + 3600));
        // Another address, another secret, after expiry, tampered: refused.
        assert!(!verify_identity(SECRET, "ceo@example.com", &identity, NOW));
        assert!(!verify_identity("another secret", "ana@example.com", &identity, NOW));
        assert!(!verify_identity(SECRET, "ana@example.com", &identity, NOW + 3601));
        let later = identity.replace(&format!("t={}", NOW + 3600), &format!("t={}", NOW + 7200));
        assert!(!verify_identity(SECRET, "ana@example.com", &later, NOW));
    }

    #[test]
    fn malformed_or_too_long_identities_are_refused() {
        for bad in ["", "t=1", "v1=abc", "t=x,v1=00", "t=1800003600,v1=zz", "t=1800003600,v1=00,extra=1"] {
            assert!(!verify_identity(SECRET, "ana@example.com", bad, NOW), "{bad}");
        }
        let forever = sign_identity(SECRET, "ana@example.com", NOW + MAX_VALIDITY_SECONDS + 1);
        assert!(!verify_identity(SECRET, "ana@example.com", &forever, NOW));
        assert!(!verify_identity("", "ana@example.com", &sign_identity("", "ana@example.com", NOW + 60), NOW));
    }

    proptest! {
        /// Nobody without the secret makes an identity that holds, and garbage never panics.
        #[test]
        fn guesses_never_verify(guess in "[ -~]{0,120}", email in "[a-z]{1,8}@[a-z]{1,8}\\.com") {
            prop_assert!(!verify_identity(SECRET, &email, &guess, NOW));
        }
    }
}
