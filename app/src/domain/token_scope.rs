//! What an API token may do: read or write per area of Meridian, for a limited time, and
//! never the owner-level administration (users, tokens, settings and secrets) that only a
//! signed-in owner does. A token also passes the role check of the person it acts as
//! (`access::check`); its scopes only narrow that.

use super::access::Permission;

named_enum! {
    /// An area of Meridian a token's scope names.
    Area {
        Queue => "queue", "Queue: dialogues, macros, service levels, assignment and rules";
        Kb => "kb", "Knowledge base";
        Qa => "qa", "Quality assurance";
        Wfm => "wfm", "Schedule and planning";
        Reports => "reports", "Reports";
        Incidents => "incidents", "Incidents and mass mailings";
        Admin => "admin", "Audit log";
    }
}

/// Where a permission falls for tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// Any live token (who am I).
    Any,
    /// A token with a scope on this area.
    Area(Area),
    /// No token, whatever its scopes: a signed-in owner only.
    Never,
}

/// The table of areas. Adding a permission means deciding its area here.
pub fn reach(permission: Permission) -> Reach {
    use Permission::*;
    match permission {
        UseApi => Reach::Any,
        WorkQueue | MassReply | ManageMacros | ManageServiceLevels | ManageAssignment | ManageRules => Reach::Area(Area::Queue),
        ReadKnowledgeBase | EditKnowledgeBase => Reach::Area(Area::Kb),
        ReviewDialogues | ViewOwnReviews | ManageQa => Reach::Area(Area::Qa),
        ViewOwnSchedule | PlanShifts => Reach::Area(Area::Wfm),
        ViewReports => Reach::Area(Area::Reports),
        SendMassMailings => Reach::Area(Area::Incidents),
        ViewAuditLog => Reach::Area(Area::Admin),
        // A token never changes a password or ends sessions: that takes the person.
        ManageUsers | ManageSettings | ManageOwnAccount => Reach::Never,
    }
}

/// One scope: read an area, or read and write it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Scope {
    pub area: Area,
    pub write: bool,
}

impl Scope {
    /// `queue:read`, `kb:write`: as stored, shown and typed.
    pub fn as_text(self) -> String {
        format!("{}:{}", self.area.as_str(), if self.write { "write" } else { "read" })
    }

    pub fn parse(text: &str) -> Result<Scope, ScopeError> {
        let unknown = || ScopeError::Unknown(text.trim().to_string());
        let (area, access) = text.trim().split_once(':').ok_or_else(unknown)?;
        let area = Area::parse(area).ok_or_else(unknown)?;
        let write = match access {
            "read" => false,
            "write" => true,
            _ => return Err(unknown()),
        };
        Ok(Scope { area, write })
    }
}

/// A token's scopes: at most one per area (write includes read).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Scopes(Vec<Scope>);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    #[error("Unknown scope “{0}”: write an area (queue, kb, qa, wfm, reports, incidents, admin), a colon and read or write, e.g. queue:read.")]
    Unknown(String),
    #[error("Give the token at least one scope.")]
    Empty,
}

/// Why a token may not do something (HTTP 403, with this sentence).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OutOfScope {
    #[error("API tokens cannot manage users, tokens, settings or secrets; an owner signs in to do that.")]
    OwnersOnly,
    #[error("This API token has no {0} scope.")]
    Missing(String),
}

impl Scopes {
    /// Every area, read and write: what tokens made before scopes existed could do.
    pub fn everything() -> Scopes {
        Scopes(Area::ALL.iter().map(|&area| Scope { area, write: true }).collect())
    }

    /// From stored or typed scopes; write wins over read for one area.
    pub fn parse<'a>(texts: impl IntoIterator<Item = &'a str>) -> Result<Scopes, ScopeError> {
        let mut out: Vec<Scope> = Vec::new();
        for text in texts.into_iter().filter(|t| !t.trim().is_empty()) {
            let scope = Scope::parse(text)?;
            match out.iter_mut().find(|s| s.area == scope.area) {
                Some(existing) => existing.write |= scope.write,
                None => out.push(scope),
            }
        }
        if out.is_empty() {
            return Err(ScopeError::Empty);
        }
        out.sort_by_key(|s| Area::ALL.iter().position(|a| *a == s.area));
        Ok(Scopes(out))
    }

    pub fn iter(&self) -> impl Iterator<Item = Scope> + '_ {
        self.0.iter().copied()
    }

    pub fn texts(&self) -> Vec<String> {
        self.0.iter().map(|s| s.as_text()).collect()
    }

    /// May a token with these scopes use `permission`, reading (`write == false`: GET) or
    /// changing something?
    pub fn allow(&self, permission: Permission, write: bool) -> Result<(), OutOfScope> {
        match reach(permission) {
            Reach::Any => Ok(()),
            Reach::Never => Err(OutOfScope::OwnersOnly),
            Reach::Area(area) => {
                if self.0.iter().any(|s| s.area == area && (s.write || !write)) {
                    Ok(())
                } else {
                    Err(OutOfScope::Missing(Scope { area, write }.as_text()))
                }
            }
        }
    }
}

/// How long a new token lives, in days: a choice of these, 90 unless chosen.
pub const LIFETIMES_DAYS: [u32; 5] = [7, 30, 90, 180, 365];
pub const DEFAULT_LIFETIME_DAYS: u32 = 90;

pub fn check_lifetime(days: u32) -> Result<u32, String> {
    if (1..=365).contains(&days) {
        Ok(days)
    } else {
        Err(format!("A token lives from 1 to 365 days; {days} is outside that."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn scopes_read_back_as_they_are_written() {
        let s = Scopes::parse(["kb:read", "queue:write", "kb:write", " reports:read "]).unwrap();
        assert_eq!(s.texts(), vec!["queue:write", "kb:write", "reports:read"]);
        assert_eq!(Scopes::parse(s.texts().iter().map(String::as_str)).unwrap(), s);
        assert_eq!(Scopes::parse(["queue"]), Err(ScopeError::Unknown("queue".into())));
        assert_eq!(Scopes::parse(["users:write"]), Err(ScopeError::Unknown("users:write".into())));
        assert_eq!(Scopes::parse(["", " "]), Err(ScopeError::Empty));
    }

    #[test]
    fn reading_needs_read_and_changing_needs_write() {
        let s = Scopes::parse(["queue:read", "kb:write"]).unwrap();
        assert_eq!(s.allow(Permission::WorkQueue, false), Ok(()));
        assert_eq!(s.allow(Permission::WorkQueue, true), Err(OutOfScope::Missing("queue:write".into())));
        assert_eq!(s.allow(Permission::EditKnowledgeBase, true), Ok(()));
        assert_eq!(s.allow(Permission::ViewReports, false), Err(OutOfScope::Missing("reports:read".into())));
        assert_eq!(s.allow(Permission::UseApi, true), Ok(()));
        assert_eq!(
            OutOfScope::Missing("reports:read".into()).to_string(),
            "This API token has no reports:read scope."
        );
    }

    #[test]
    fn no_token_administers_users_or_settings() {
        for p in [Permission::ManageUsers, Permission::ManageSettings, Permission::ManageOwnAccount] {
            assert_eq!(Scopes::everything().allow(p, false), Err(OutOfScope::OwnersOnly));
        }
    }

    #[test]
    fn lifetimes_are_a_day_to_a_year() {
        assert_eq!(check_lifetime(DEFAULT_LIFETIME_DAYS), Ok(90));
        assert!(check_lifetime(0).is_err() && check_lifetime(366).is_err());
        assert!(LIFETIMES_DAYS.iter().all(|d| check_lifetime(*d).is_ok()));
    }

    proptest! {
        // Whatever scopes a token has, what it may change it may also read.
        #[test]
        fn write_includes_read(mask in 1u8..128, p in 0usize..64) {
            let permission = Permission::ALL[p % Permission::ALL.len()];
            let texts: Vec<String> = Area::ALL.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, a)| format!("{}:write", a.as_str())).collect();
            let s = Scopes::parse(texts.iter().map(String::as_str)).unwrap();
            if s.allow(permission, true).is_ok() {
                prop_assert!(s.allow(permission, false).is_ok());
            }
        }
    }
}
