//! What the webhooks page, its server functions and the REST API exchange: subscriptions
//! and their deliveries. The checks and the signature are `domain::webhooks`.

use crate::domain::webhooks::{DeliveryState, WebhookEvent};
use serde::{Deserialize, Serialize};

/// A subscription as an owner submits it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WebhookInput {
    pub url: String,
    pub events: Vec<WebhookEvent>,
    #[serde(default)]
    pub description: String,
}

/// A subscription as stored, with how its deliveries went.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WebhookSubscription {
    pub id: i64,
    pub url: String,
    pub events: Vec<WebhookEvent>,
    pub description: String,
    pub active: bool,
    pub delivered: i64,
    /// Waiting for a first or a next attempt.
    pub pending: i64,
    pub given_up: i64,
}

/// A new subscription and its signing secret, shown once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WebhookCreated {
    pub id: i64,
    pub secret: String,
}

/// One delivery of one event to one subscription.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WebhookDelivery {
    pub id: i64,
    pub subscription_id: i64,
    pub event: WebhookEvent,
    pub conversation_id: Option<i64>,
    pub attempts: i32,
    pub state: DeliveryState,
    pub last_status: Option<i16>,
    pub last_error: Option<String>,
    pub created_epoch: i64,
    pub sent_epoch: Option<i64>,
}
