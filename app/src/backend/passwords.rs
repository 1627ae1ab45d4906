//! Argon2id password hashing (the `argon2` crate's defaults: m = 19 MiB, t = 2, p = 1,
//! OWASP's recommended minimum), run on the blocking pool so it never stalls the runtime,
//! and at most [`hashing_cap`] at once per process: a flood of sign-ins waits its turn
//! (or is answered `Busy`) instead of taking every core and 19 MiB per attempt.

use crate::domain::password_policy::{self, Owner};
use crate::error::AppError;
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::Duration;
use tokio::sync::Semaphore;

/// How many hashes may run at once: one per core, at least two.
pub fn hashing_cap() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2).max(2)
}

/// How long an attempt waits for a free hasher before it is answered `Busy`.
const HASHING_WAIT: Duration = Duration::from_secs(10);

static HASHING_NOW: AtomicUsize = AtomicUsize::new(0);
static HASHING_PEAK: AtomicUsize = AtomicUsize::new(0);

/// The most hashes that ran at once since the process started (never above [`hashing_cap`]).
pub fn hashing_peak() -> usize {
    HASHING_PEAK.load(Ordering::Relaxed)
}

/// Runs one hash or verification on the blocking pool once a hasher is free.
async fn hashing<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
    static HASHERS: OnceLock<Semaphore> = OnceLock::new();
    let hashers = HASHERS.get_or_init(|| Semaphore::new(hashing_cap()));
    let _permit = match tokio::time::timeout(HASHING_WAIT, hashers.acquire()).await {
        Ok(Ok(permit)) => permit,
        Ok(Err(_)) => return Err(AppError::Internal),
        Err(_) => {
            tracing::warn!("every password hasher stayed busy for {HASHING_WAIT:?}; an attempt was turned away");
            return Err(AppError::Busy);
        }
    };
    let now = HASHING_NOW.fetch_add(1, Ordering::SeqCst) + 1;
    HASHING_PEAK.fetch_max(now, Ordering::SeqCst);
    let done = tokio::task::spawn_blocking(work).await.map_err(|_| AppError::Internal);
    HASHING_NOW.fetch_sub(1, Ordering::SeqCst);
    done
}

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
    hashing(move || hash_blocking(&password)).await
}

/// Verifies `password` against a stored PHC string. With no stored hash (unknown user)
/// it still spends the time of one verification, so timing does not reveal accounts.
/// `Busy` when no hasher came free in time.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, AppError> {
    static DUMMY: OnceLock<String> = OnceLock::new();
    hashing(move || {
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
}
