//! Slowing down password guessing. After a number of free failures within the window,
//! each further attempt must wait twice as long as the one before, up to a cap. The
//! server counts failures per account and per client address (in PostgreSQL, so every
//! server process sees the same counts) and asks [`retry_after`] for each.

use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Failures allowed within the window before any waiting.
    pub free_failures: u32,
    /// The wait after the first failure past the free ones.
    pub base_delay: Duration,
    /// The longest wait ever imposed.
    pub max_delay: Duration,
    /// How far back failures count.
    pub window: Duration,
}

impl ThrottlePolicy {
    /// Per account: a person mistyping a few times is never slowed down.
    pub const PER_ACCOUNT: ThrottlePolicy = ThrottlePolicy {
        free_failures: 5,
        base_delay: Duration::from_secs(2),
        max_delay: Duration::from_secs(15 * 60),
        window: Duration::from_secs(15 * 60),
    };
    /// Per client address: an office behind one NAT gets more room than one account.
    pub const PER_ADDRESS: ThrottlePolicy = ThrottlePolicy {
        free_failures: 20,
        base_delay: Duration::from_secs(2),
        max_delay: Duration::from_secs(15 * 60),
        window: Duration::from_secs(15 * 60),
    };

    /// The wait owed after `failures` failures within the window.
    pub fn delay_after(&self, failures: u32) -> Duration {
        if failures < self.free_failures {
            return Duration::ZERO;
        }
        let doublings = (failures - self.free_failures).min(30);
        self.base_delay.saturating_mul(1u32 << doublings).min(self.max_delay)
    }

    /// How long the caller must still wait, given the failures within the window and the
    /// time since the latest one; `None` when an attempt may be made now.
    pub fn retry_after(&self, failures: u32, since_last_failure: Duration) -> Option<Duration> {
        let owed = self.delay_after(failures);
        (owed > since_last_failure).then(|| owed - since_last_failure)
    }

    /// Decides one more attempt against a counter of `attempts` admitted so far, the
    /// latest `since_last` ago (a counter older than the window starts again from zero).
    /// `Ok(n)`: admitted, and the counter becomes `n`; `Err(wait)`: refused, not counted.
    /// The server calls this under the counter's row lock, so attempts made at once are
    /// decided one after the other.
    pub fn admit(&self, attempts: u32, since_last: Duration) -> Result<u32, Duration> {
        let attempts = if since_last >= self.window { 0 } else { attempts };
        match self.retry_after(attempts, since_last) {
            Some(wait) if attempts > 0 => Err(wait),
            _ => Ok(attempts.saturating_add(1)),
        }
    }

    /// Requests for a password-reset link, per address typed: a few for someone who
    /// cannot find the first e-mail, then a growing wait (nobody's inbox is flooded).
    pub const RESET_PER_ACCOUNT: ThrottlePolicy = ThrottlePolicy {
        free_failures: 3,
        base_delay: Duration::from_secs(60),
        max_delay: Duration::from_secs(60 * 60),
        window: Duration::from_secs(60 * 60),
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const P: ThrottlePolicy = ThrottlePolicy::PER_ACCOUNT;

    #[test]
    fn a_few_typos_cost_nothing() {
        for failures in 0..5 {
            assert_eq!(P.retry_after(failures, Duration::ZERO), None);
        }
    }

    #[test]
    fn the_wait_doubles_past_the_free_failures() {
        assert_eq!(P.delay_after(5), Duration::from_secs(2));
        assert_eq!(P.delay_after(6), Duration::from_secs(4));
        assert_eq!(P.delay_after(7), Duration::from_secs(8));
        assert_eq!(P.retry_after(6, Duration::from_secs(1)), Some(Duration::from_secs(3)));
        assert_eq!(P.retry_after(6, Duration::from_secs(4)), None);
    }

    #[test]
    fn the_wait_is_capped() {
        assert_eq!(P.delay_after(1_000), Duration::from_secs(15 * 60));
    }

    proptest! {
        #[test]
        fn more_failures_never_shorten_the_wait(a in 0u32..10_000, b in 0u32..10_000) {
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            prop_assert!(P.delay_after(lo) <= P.delay_after(hi));
            prop_assert!(P.delay_after(hi) <= P.max_delay);
        }

        #[test]
        fn waiting_out_the_delay_always_allows_an_attempt(failures in 0u32..10_000) {
            prop_assert_eq!(P.retry_after(failures, P.delay_after(failures)), None);
        }

        /// Attempts decided one after the other, with no time between them, are admitted
        /// exactly `free_failures` times: nobody gets free tries by asking at once.
        #[test]
        fn attempts_at_once_get_only_the_free_ones(n in 1u32..200) {
            let mut counter = 0;
            let mut admitted = 0;
            for _ in 0..n {
                if let Ok(next) = P.admit(counter, Duration::ZERO) {
                    counter = next;
                    admitted += 1;
                }
            }
            prop_assert_eq!(admitted, n.min(P.free_failures));
        }

        /// A refused attempt is never counted, and after the window the counter starts over.
        #[test]
        fn refusals_do_not_count_and_the_window_forgets(attempts in 0u32..10_000, since in 0u64..2_000) {
            let since = Duration::from_secs(since);
            match P.admit(attempts, since) {
                Ok(next) => prop_assert!(next == attempts + 1 || (since >= P.window && next == 1)),
                Err(wait) => prop_assert!(wait > Duration::ZERO && since < P.window),
            }
            prop_assert_eq!(P.admit(attempts, P.window), Ok(1));
        }
    }
}
