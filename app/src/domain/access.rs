//! Who may do what. Every server function and API route asks [`check`]; the UI asks
//! the same table only to decide what to show, never to decide what is allowed.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A user's role, from most to least powerful.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The owner: everything, plus users, roles, channels and settings.
    SuperAdmin,
    /// A manager: plans shifts, reads reports, runs mass mailings, edits the knowledge base.
    Admin,
    /// A QA reviewer: scores samples of dialogues.
    Reviewer,
    /// An agent: works the queue.
    Operator,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::SuperAdmin, Role::Admin, Role::Reviewer, Role::Operator];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::SuperAdmin => "super_admin",
            Role::Admin => "admin",
            Role::Reviewer => "reviewer",
            Role::Operator => "operator",
        }
    }

    /// The name people read in the UI.
    pub fn label(self) -> &'static str {
        match self {
            Role::SuperAdmin => "Owner",
            Role::Admin => "Manager",
            Role::Reviewer => "QA reviewer",
            Role::Operator => "Agent",
        }
    }

    /// The permission table. Adding a permission means deciding it here for every role.
    pub fn can(self, permission: Permission) -> bool {
        use Permission::*;
        match permission {
            WorkQueue => matches!(self, Role::Operator | Role::Admin | Role::SuperAdmin),
            ReadKnowledgeBase | ViewOwnReviews | ViewOwnSchedule | UseApi | ManageOwnAccount => true,
            ReviewDialogues => matches!(self, Role::Reviewer | Role::Admin | Role::SuperAdmin),
            // Mass replies from the queue; how many dialogues one may reach depends on the
            // role (`domain::macros::mass_reply_limit`).
            MassReply => matches!(self, Role::Operator | Role::Admin | Role::SuperAdmin),
            EditKnowledgeBase | PlanShifts | ViewReports | SendMassMailings | ManageQa | ManageMacros | ManageServiceLevels | ManageAssignment | ManageRules | ViewAuditLog => {
                matches!(self, Role::Admin | Role::SuperAdmin)
            }
            ManageUsers | ManageSettings => self == Role::SuperAdmin,
        }
    }
}

/// Someone invited without a choice made works the queue.
impl Default for Role {
    fn default() -> Self {
        Role::Operator
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown role '{0}': expected super_admin, admin, reviewer or operator")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim())
            .ok_or_else(|| UnknownRole(s.to_string()))
    }
}

/// Something a signed-in user may be allowed to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Permission {
    /// See the queue, claim, reply, postpone, resolve.
    WorkQueue,
    ReadKnowledgeBase,
    EditKnowledgeBase,
    /// Pull samples and score dialogues.
    ReviewDialogues,
    /// An agent reads the QA reviews of their own dialogues (and disputes them).
    ViewOwnReviews,
    /// Edit scorecards, read every review, decide any dispute, run calibrations.
    ManageQa,
    ViewOwnSchedule,
    PlanShifts,
    ViewReports,
    SendMassMailings,
    /// Answer many waiting dialogues at once with a macro.
    MassReply,
    /// Write and change the team's macros (everyone who works the queue uses them).
    ManageMacros,
    /// Define the SLA policies (everyone who works the queue sees their clocks).
    ManageServiceLevels,
    /// Set how each team's dialogues reach agents, and agents' skills (everyone who works
    /// the queue reads them).
    ManageAssignment,
    /// Write the rules and time-based automations (everyone who works the queue reads them
    /// and sees their firings on the history).
    ManageRules,
    ManageUsers,
    ManageSettings,
    /// Search the audit log (nobody may change it).
    ViewAuditLog,
    /// Call the REST API with a token.
    UseApi,
    /// Change one's own password, see and end one's own sessions (Account settings).
    ManageOwnAccount,
}

impl Permission {
    pub const ALL: &'static [Permission] = {
        use Permission::*;
        &[
            WorkQueue, ReadKnowledgeBase, EditKnowledgeBase, ReviewDialogues, ViewOwnReviews, ManageQa, ViewOwnSchedule,
            PlanShifts, ViewReports, SendMassMailings, MassReply, ManageMacros, ManageServiceLevels, ManageAssignment,
            ManageRules, ManageUsers, ManageSettings, ViewAuditLog, UseApi, ManageOwnAccount,
        ]
    };
}

/// Why a request was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Denied {
    /// Nobody is signed in (HTTP 401).
    NotSignedIn,
    /// Signed in, but the role does not have the permission (HTTP 403).
    Forbidden,
}

/// The one decision point: may this caller (or nobody) do this?
pub fn check(role: Option<Role>, permission: Permission) -> Result<Role, Denied> {
    match role {
        None => Err(Denied::NotSignedIn),
        Some(role) if role.can(permission) => Ok(role),
        Some(_) => Err(Denied::Forbidden),
    }
}

/// Whose performance page (figures, plan, managers' notes) a person may open: their own,
/// or anyone's if they read reports.
pub fn may_see_agent(role: Role, me: i64, agent: i64) -> bool {
    me == agent || role.can(Permission::ViewReports)
}

/// The areas of the app shell, in navigation order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Section {
    Queue,
    KnowledgeBase,
    Qa,
    Schedule,
    Reports,
    Admin,
}

impl Section {
    pub const ALL: [Section; 6] = [
        Section::Queue,
        Section::KnowledgeBase,
        Section::Qa,
        Section::Schedule,
        Section::Reports,
        Section::Admin,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Section::Queue => "Queue",
            Section::KnowledgeBase => "Knowledge base",
            Section::Qa => "QA",
            Section::Schedule => "Schedule",
            Section::Reports => "Reports",
            Section::Admin => "Admin",
        }
    }

    pub fn path(self) -> &'static str {
        match self {
            Section::Queue => "/queue",
            Section::KnowledgeBase => "/kb",
            Section::Qa => "/qa",
            Section::Schedule => "/schedule",
            Section::Reports => "/reports",
            Section::Admin => "/admin",
        }
    }

    /// The key that follows `g` to jump here (`g q` → Queue), as in Gmail and GitHub.
    pub fn shortcut(self) -> char {
        match self {
            Section::Queue => 'q',
            Section::KnowledgeBase => 'k',
            Section::Qa => 'a',
            Section::Schedule => 's',
            Section::Reports => 'r',
            Section::Admin => 'm',
        }
    }

    /// The section a `g`-shortcut leads to, if the role may open it.
    pub fn from_shortcut(role: Role, key: char) -> Option<Section> {
        Section::visible_to(role).find(|s| s.shortcut() == key.to_ascii_lowercase())
    }

    /// The permission needed to open the section at all.
    pub fn permission(self) -> Permission {
        match self {
            Section::Queue => Permission::WorkQueue,
            Section::KnowledgeBase => Permission::ReadKnowledgeBase,
            Section::Qa => Permission::ViewOwnReviews,
            Section::Schedule => Permission::ViewOwnSchedule,
            Section::Reports => Permission::ViewReports,
            Section::Admin => Permission::ManageUsers,
        }
    }

    /// Where a role lands after signing in: the first section it may open.
    pub fn home_for(role: Role) -> Section {
        Section::visible_to(role).next().unwrap_or(Section::KnowledgeBase)
    }

    pub fn visible_to(role: Role) -> impl Iterator<Item = Section> {
        Section::ALL.into_iter().filter(move |s| role.can(s.permission()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(role: Role) -> Vec<&'static str> {
        Section::visible_to(role).map(Section::label).collect()
    }

    #[test]
    fn each_role_sees_exactly_its_sections() {
        assert_eq!(labels(Role::SuperAdmin), ["Queue", "Knowledge base", "QA", "Schedule", "Reports", "Admin"]);
        assert_eq!(labels(Role::Admin), ["Queue", "Knowledge base", "QA", "Schedule", "Reports"]);
        assert_eq!(labels(Role::Reviewer), ["Knowledge base", "QA", "Schedule"]);
        assert_eq!(labels(Role::Operator), ["Queue", "Knowledge base", "QA", "Schedule"]);
    }

    #[test]
    fn operators_cannot_view_statistics_send_mass_mailings_or_add_users() {
        // PRODUCT.md, "Who uses it".
        for p in [Permission::ViewReports, Permission::SendMassMailings, Permission::ManageUsers] {
            assert_eq!(check(Some(Role::Operator), p), Err(Denied::Forbidden));
        }
    }

    #[test]
    fn nobody_signed_in_is_refused_everything() {
        for role in Role::ALL {
            for p in [Permission::UseApi, Permission::ReadKnowledgeBase, Permission::ManageUsers] {
                assert_eq!(check(None, p), Err(Denied::NotSignedIn));
                let _ = role;
            }
        }
    }

    #[test]
    fn the_owner_may_do_everything_a_manager_may_and_more() {
        use Permission::*;
        let all = [
            WorkQueue, ReadKnowledgeBase, EditKnowledgeBase, ReviewDialogues, ViewOwnReviews,
            ViewOwnSchedule, PlanShifts, ViewReports, SendMassMailings, MassReply, ManageMacros, ManageServiceLevels, ManageAssignment, ManageRules, ManageUsers, ManageSettings, UseApi,
        ];
        for p in all {
            assert!(Role::SuperAdmin.can(p), "{p:?}");
            if Role::Admin.can(p) || Role::Reviewer.can(p) || Role::Operator.can(p) {
                assert!(Role::SuperAdmin.can(p));
            }
        }
        assert!(!Role::Admin.can(ManageUsers));
    }

    #[test]
    fn roles_round_trip_through_their_names() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("root".parse::<Role>().is_err());
    }

    #[test]
    fn shortcuts_are_distinct_and_respect_the_role() {
        let keys: std::collections::HashSet<char> = Section::ALL.iter().map(|s| s.shortcut()).collect();
        assert_eq!(keys.len(), Section::ALL.len());
        assert_eq!(Section::from_shortcut(Role::Admin, 'R'), Some(Section::Reports));
        assert_eq!(Section::from_shortcut(Role::Operator, 'r'), None);
        assert_eq!(Section::from_shortcut(Role::SuperAdmin, 'x'), None);
    }

    #[test]
    fn each_role_lands_on_a_section_it_may_open() {
        assert_eq!(Section::home_for(Role::Operator), Section::Queue);
        assert_eq!(Section::home_for(Role::Reviewer), Section::KnowledgeBase);
        for role in Role::ALL {
            assert!(role.can(Section::home_for(role).permission()));
        }
    }
}
