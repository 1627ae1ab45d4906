//! What the audit log records: the kinds of action, with the names people read.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    SignedIn,
    SignInFailed,
    UserCreated,
    UserInvited,
    RoleChanged,
    UserDeactivated,
    UserReactivated,
    TokenCreated,
    TokenRevoked,
    Exported,
    MassReply,
    Deleted,
    SettingChanged,
    SecretRotated,
    IncidentDeclared,
    MassMailing,
    IncidentResolved,
    RuleFired,
    PasswordChanged,
    PasswordResetRequested,
    PasswordResetForced,
    SignedOutElsewhere,
    TwoFactorEnabled,
    TwoFactorDisabled,
    TwoFactorReset,
    RecoveryCodesRenewed,
    RecoveryCodeUsed,
}

impl AuditAction {
    pub const ALL: [AuditAction; 27] = [
        AuditAction::SignedIn,
        AuditAction::SignInFailed,
        AuditAction::UserCreated,
        AuditAction::UserInvited,
        AuditAction::RoleChanged,
        AuditAction::UserDeactivated,
        AuditAction::UserReactivated,
        AuditAction::TokenCreated,
        AuditAction::TokenRevoked,
        AuditAction::Exported,
        AuditAction::MassReply,
        AuditAction::Deleted,
        AuditAction::SettingChanged,
        AuditAction::SecretRotated,
        AuditAction::IncidentDeclared,
        AuditAction::MassMailing,
        AuditAction::IncidentResolved,
        AuditAction::RuleFired,
        AuditAction::PasswordChanged,
        AuditAction::PasswordResetRequested,
        AuditAction::PasswordResetForced,
        AuditAction::SignedOutElsewhere,
        AuditAction::TwoFactorEnabled,
        AuditAction::TwoFactorDisabled,
        AuditAction::TwoFactorReset,
        AuditAction::RecoveryCodesRenewed,
        AuditAction::RecoveryCodeUsed,
    ];

    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::SignedIn => "signed_in",
            AuditAction::SignInFailed => "sign_in_failed",
            AuditAction::UserCreated => "user_created",
            AuditAction::UserInvited => "user_invited",
            AuditAction::RoleChanged => "role_changed",
            AuditAction::UserDeactivated => "user_deactivated",
            AuditAction::UserReactivated => "user_reactivated",
            AuditAction::TokenCreated => "token_created",
            AuditAction::TokenRevoked => "token_revoked",
            AuditAction::Exported => "exported",
            AuditAction::MassReply => "mass_reply",
            AuditAction::Deleted => "deleted",
            AuditAction::SettingChanged => "setting_changed",
            AuditAction::SecretRotated => "secret_rotated",
            AuditAction::IncidentDeclared => "incident_declared",
            AuditAction::MassMailing => "mass_mailing",
            AuditAction::IncidentResolved => "incident_resolved",
            AuditAction::RuleFired => "rule_fired",
            AuditAction::PasswordChanged => "password_changed",
            AuditAction::PasswordResetRequested => "password_reset_requested",
            AuditAction::PasswordResetForced => "password_reset_forced",
            AuditAction::SignedOutElsewhere => "signed_out_elsewhere",
            AuditAction::TwoFactorEnabled => "two_factor_enabled",
            AuditAction::TwoFactorDisabled => "two_factor_disabled",
            AuditAction::TwoFactorReset => "two_factor_reset",
            AuditAction::RecoveryCodesRenewed => "recovery_codes_renewed",
            AuditAction::RecoveryCodeUsed => "recovery_code_used",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AuditAction::SignedIn => "Signed in",
            AuditAction::SignInFailed => "Sign-in failed",
            AuditAction::UserCreated => "User created",
            AuditAction::UserInvited => "User invited",
            AuditAction::RoleChanged => "Role or team changed",
            AuditAction::UserDeactivated => "User deactivated",
            AuditAction::UserReactivated => "User reactivated",
            AuditAction::TokenCreated => "API token created",
            AuditAction::TokenRevoked => "API token revoked",
            AuditAction::Exported => "Exported",
            AuditAction::MassReply => "Mass reply",
            AuditAction::Deleted => "Deleted",
            AuditAction::SettingChanged => "Setting changed",
            AuditAction::SecretRotated => "Secret rotated",
            AuditAction::IncidentDeclared => "Incident declared",
            AuditAction::MassMailing => "Mass mailing",
            AuditAction::IncidentResolved => "Incident resolved",
            AuditAction::RuleFired => "Rule fired",
            AuditAction::PasswordChanged => "Password changed",
            AuditAction::PasswordResetRequested => "Password reset requested",
            AuditAction::PasswordResetForced => "Password reset forced",
            AuditAction::SignedOutElsewhere => "Signed out everywhere else",
            AuditAction::TwoFactorEnabled => "Two-factor sign-in turned on",
            AuditAction::TwoFactorDisabled => "Two-factor sign-in turned off",
            AuditAction::TwoFactorReset => "Two-factor sign-in reset by an owner",
            AuditAction::RecoveryCodesRenewed => "New recovery codes made",
            AuditAction::RecoveryCodeUsed => "Signed in with a recovery code",
        }
    }

    pub fn parse(s: &str) -> Option<AuditAction> {
        AuditAction::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_round_trip_and_are_distinct() {
        for a in AuditAction::ALL {
            assert_eq!(AuditAction::parse(a.as_str()), Some(a));
        }
        let names: std::collections::HashSet<_> = AuditAction::ALL.iter().map(|a| a.as_str()).collect();
        assert_eq!(names.len(), AuditAction::ALL.len());
        assert_eq!(AuditAction::parse("dropped_tables"), None);
    }
}
