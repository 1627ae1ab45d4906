//! The domain's named enums as PostgreSQL stores them: `text` columns whose check
//! constraints list the same names. Decoding a name the code does not know is an error
//! (logged, never guessed); binding writes `as_str()`.

use crate::domain::access::Role;
use crate::domain::assignment::{AssignedHow, AssignmentMode, SkillKind};
use crate::domain::dialogue::{ChannelKind, Outcome, Priority, Status, Topic};
use crate::domain::incident::IncidentStatus;
use crate::domain::kb::{ArticleStatus, Visibility};
use crate::domain::macros::TopicKind;
use crate::domain::qa::DisputeStatus;
use crate::domain::rules::{Trigger, WaitState};
use crate::domain::sla::{Escalation, Metric};
use crate::domain::wfm::RequestStatus;
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArgumentBuffer, PgHasArrayType, PgTypeInfo, PgValueRef};
use sqlx::{Decode, Encode, Postgres, Type};

macro_rules! stored_as_text {
    ($($name:ty => $read:expr;)+) => {$(
        impl Type<Postgres> for $name {
            fn type_info() -> PgTypeInfo {
                <str as Type<Postgres>>::type_info()
            }
            fn compatible(ty: &PgTypeInfo) -> bool {
                <str as Type<Postgres>>::compatible(ty)
            }
        }

        impl<'r> Decode<'r, Postgres> for $name {
            fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
                let text = <&str as Decode<Postgres>>::decode(value)?;
                Ok($read(text)?)
            }
        }

        // `text[]` columns of these names bind and decode as `Vec<$name>`.
        impl PgHasArrayType for $name {
            fn array_type_info() -> PgTypeInfo {
                <&str as PgHasArrayType>::array_type_info()
            }
            fn array_compatible(ty: &PgTypeInfo) -> bool {
                <&str as PgHasArrayType>::array_compatible(ty)
            }
        }

        impl Encode<'_, Postgres> for $name {
            fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
                <&str as Encode<Postgres>>::encode(self.as_str(), buf)
            }
        }
    )+};
}

stored_as_text! {
    ChannelKind => ChannelKind::from_stored;
    Status => Status::from_stored;
    Priority => Priority::from_stored;
    Topic => Topic::from_stored;
    Outcome => Outcome::from_stored;
    Visibility => Visibility::from_stored;
    ArticleStatus => ArticleStatus::from_stored;
    IncidentStatus => IncidentStatus::from_stored;
    DisputeStatus => DisputeStatus::from_stored;
    RequestStatus => RequestStatus::from_stored;
    TopicKind => TopicKind::from_stored;
    Metric => Metric::from_stored;
    Escalation => Escalation::from_stored;
    AssignmentMode => AssignmentMode::from_stored;
    SkillKind => SkillKind::from_stored;
    AssignedHow => AssignedHow::from_stored;
    Trigger => Trigger::from_stored;
    WaitState => WaitState::from_stored;
    Role => <Role as std::str::FromStr>::from_str;
}
