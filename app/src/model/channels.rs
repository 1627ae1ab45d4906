//! What the channels' doors answer: an inbound message as stored (the REST webhook and e-mail routes, `meridian mail-in`).

use serde::{Deserialize, Serialize};

/// What [`receive`] did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Received {
    pub conversation_id: i64,
    pub message_id: i64,
    /// The same external id had been received before: nothing was written.
    pub duplicate: bool,
    /// A new dialogue was opened for it.
    pub opened: bool,
}
