//! Which dialogues a QA reviewer may open and score (issue #17 part 6). A reviewer's job is
//! the resolved dialogues of their own samples and of calibration sessions; a manager can
//! widen it to every resolved dialogue. Never an open one: a reviewer does not work the
//! queue and does not read dialogues still being answered. Managers and owners, who work
//! the queue, may review any dialogue.

use crate::domain::access::Role;

/// What the server knows about one dialogue and one reviewer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reach {
    pub resolved: bool,
    /// In one of the reviewer's own samples.
    pub sampled: bool,
    /// Reviewed as part of a calibration session of this dialogue.
    pub calibrating: bool,
    /// The manager's setting: reviewers may open any resolved dialogue.
    pub any_resolved: bool,
}

/// Why a reviewer may not open a dialogue, with the sentence they read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    NotResolved,
    NotTheirs,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Refusal::NotResolved => "QA reviewers open resolved dialogues only; this one is still being worked on.",
            Refusal::NotTheirs => {
                "This dialogue is in none of your samples or calibration sessions. Draw a sample, or ask a manager to let reviewers open any resolved dialogue (QA → Scorecard)."
            }
        })
    }
}

/// May someone of `role` open and score this dialogue for QA?
pub fn may_review(role: Role, reach: Reach) -> Result<(), Refusal> {
    if role != Role::Reviewer {
        return Ok(());
    }
    if !reach.resolved {
        return Err(Refusal::NotResolved);
    }
    if reach.sampled || reach.calibrating || reach.any_resolved {
        Ok(())
    } else {
        Err(Refusal::NotTheirs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn reach(resolved: bool, sampled: bool, calibrating: bool, any_resolved: bool) -> Reach {
        Reach { resolved, sampled, calibrating, any_resolved }
    }

    #[test]
    fn a_reviewer_opens_their_samples_and_calibrations() {
        assert_eq!(may_review(Role::Reviewer, reach(true, true, false, false)), Ok(()));
        assert_eq!(may_review(Role::Reviewer, reach(true, false, true, false)), Ok(()));
        assert_eq!(may_review(Role::Reviewer, reach(true, false, false, false)), Err(Refusal::NotTheirs));
        assert_eq!(may_review(Role::Reviewer, reach(true, false, false, true)), Ok(()));
    }

    proptest! {
        /// Never an open dialogue for a reviewer, whatever else holds; managers and owners
        /// are never refused.
        #[test]
        fn never_an_open_one(sampled: bool, calibrating: bool, any: bool) {
            prop_assert_eq!(may_review(Role::Reviewer, reach(false, sampled, calibrating, any)), Err(Refusal::NotResolved));
            for role in [Role::Admin, Role::SuperAdmin] {
                prop_assert_eq!(may_review(role, reach(false, sampled, calibrating, any)), Ok(()));
            }
        }
    }
}
