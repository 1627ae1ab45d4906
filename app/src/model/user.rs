//! Who is signed in, as the UI, the server functions and the REST API see them.

use crate::domain::access::Role;
use serde::{Deserialize, Serialize};

/// The signed-in user as the UI and the API see them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CurrentUser {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub time_zone: String,
}

/// One of the signed-in person's sessions, as Account settings lists them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub created_epoch: i64,
    pub last_seen_epoch: i64,
    pub client_addr: String,
    pub user_agent: String,
    /// The session of the browser asking.
    pub this: bool,
}

/// Two-factor sign-in as Account settings shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorStatus {
    /// Turned on (enrolment confirmed with a code).
    pub enabled: bool,
    pub since_epoch: Option<i64>,
    /// Recovery codes not yet used.
    pub recovery_left: i64,
    /// The person's role must use it (an owner's setting): it cannot be turned off.
    pub required: bool,
}

/// What an authenticator app needs to be set up: the QR code (an SVG) of the
/// `otpauth://` address, and the same secret as text for typing in by hand.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorEnrolment {
    pub qr_svg: String,
    /// Base 32, in groups of four.
    pub secret: String,
}

/// What the second step of a sign-in asks for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SecondStep {
    /// A code from the authenticator app (or a recovery code).
    Verify { email: String },
    /// The person's role requires two-factor sign-in and they have not set it up: set it
    /// up now, then they are signed in.
    Enrol { email: String, enrolment: TwoFactorEnrolment },
}
