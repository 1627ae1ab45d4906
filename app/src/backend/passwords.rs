//! Argon2id password hashing (the `argon2` crate's defaults: m = 19 MiB, t = 2, p = 1,
//! OWASP's recommended minimum), run on the blocking pool so it never stalls the runtime.

use crate::domain::password_policy::{self, Owner};
use crate::error::AppError;
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use std::collections::HashSet;
use std::sync::OnceLock;

/// The common and breached passwords shipped with Meridian (`app/data/common-passwords.txt`),
/// read once.
fn common() -> &'static HashSet<&'static str> {
    static LIST: OnceLock<HashSet<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| {
        include_str!("../../data/common-passwords.txt").lines().filter(|l| !l.starts_with('#') && !l.is_empty()).collect()
    })
}

/// Refuses a new password that breaks the policy (`domain::password_policy`), with the
/// reason as a 400.
pub fn check_strength(password: &str, owner: Owner<'_>) -> Result<(), AppError> {
    password_policy::check(password, owner, |p| common().contains(p)).map_err(|w| AppError::Invalid(w.to_string()))
}

pub fn hash_blocking(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters cannot fail")
        .to_string()
}

pub async fn hash(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .map_err(|_| AppError::Internal)
}

/// Verifies `password` against a stored PHC string. With no stored hash (unknown user)
/// it still spends the time of one verification, so timing does not reveal accounts.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    tokio::task::spawn_blocking(move || {
        // "!" marks an invited account with no password yet: nothing matches it, in the same time.
        let stored = stored.filter(|s| s != "!");
        let known = stored.is_some();
        let phc = stored.unwrap_or_else(|| DUMMY.get_or_init(|| hash_blocking("no such user, no such password")).clone());
        let Ok(parsed) = PasswordHash::new(&phc) else {
            tracing::error!("a stored password hash does not parse");
            return false;
        };
        Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok() && known
    })
    .await
    .unwrap_or(false)
}
