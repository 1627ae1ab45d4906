//! Random tokens and the hashes they are stored as.

/// 32 random bytes from the OS, URL-safe base64: session ids and API tokens.
pub fn random_token() -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Secrets are stored only as their SHA-256, so a database leak reveals no usable token.
pub fn sha256(secret: &str) -> Vec<u8> {
    sha256_bytes(secret.as_bytes())
}

pub fn sha256_bytes(data: &[u8]) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(data).to_vec()
}
