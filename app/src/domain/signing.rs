//! Signatures Meridian makes and checks: HMAC-SHA256 of webhook bodies, and the short tags
//! that prove a rating link or reply address was made by us for one dialogue. Pure; the key
//! comes from `backend::channels::signing_key`.

use hmac::{Hmac, Mac};

type HmacSha256 = Hmac<sha2::Sha256>;

/// HMAC-SHA256 of `body` with `key`.
pub fn sign(key: &[u8], body: &[u8]) -> Vec<u8> {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

/// Whether `signature` is the HMAC of `body` with `key` (compared in constant time).
pub fn verify(key: &[u8], body: &[u8], signature: &[u8]) -> bool {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(body);
    mac.verify_slice(signature).is_ok()
}

/// A short tag proving a link or address was made by us for this dialogue and purpose.
pub fn tag(key: &[u8], purpose: &str, conversation_id: i64) -> String {
    super::channels::hex(&sign(key, format!("{purpose}:{conversation_id}").as_bytes()))[..24].to_string()
}

/// Whether `tag` is ours for this dialogue and purpose (constant-time enough: fixed length,
/// compared byte by byte without early exit).
pub fn tag_matches(key: &[u8], purpose: &str, conversation_id: i64, candidate: &str) -> bool {
    let expected = tag(key, purpose, conversation_id);
    expected.len() == candidate.len() && expected.bytes().zip(candidate.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_only_their_body_and_key() {
        let sig = sign(b"key", b"body");
        assert!(verify(b"key", b"body", &sig));
        assert!(!verify(b"key", b"body!", &sig));
        assert!(!verify(b"other", b"body", &sig));
        // RFC 4231 test case 2.
        assert_eq!(
            crate::domain::channels::hex(&sign(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn tags_are_per_dialogue_and_purpose() {
        let t = tag(b"k", "rate", 7);
        assert!(tag_matches(b"k", "rate", 7, &t));
        assert!(!tag_matches(b"k", "rate", 8, &t));
        assert!(!tag_matches(b"k", "reply", 7, &t));
        assert!(!tag_matches(b"k", "rate", 7, &t[..10]));
    }
}
