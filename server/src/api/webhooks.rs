//! `/api/v1/webhooks`: owners' event webhook subscriptions and their latest deliveries.
//! What a delivery carries is in the README (Webhooks) and `WebhookPayload` below.

use super::caller::{body, ApiError, Caller};
use app::backend::{webhooks, AppState};
use app::domain::access::Permission;
use app::error::AppError;
use app::model::webhooks::{WebhookCreated, WebhookDelivery, WebhookInput, WebhookSubscription};
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(webhooks_list, webhook_create))
        .routes(routes!(webhook_delete))
        .routes(routes!(webhook_deliveries))
}

/// What Meridian posts to a subscribed address (`Content-Type: application/json`), with
/// the headers `X-Meridian-Event`, `X-Meridian-Delivery` (the same on a retry) and
/// `X-Meridian-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the
/// subscription's secret>`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct WebhookPayload {
    /// dialogue_created, dialogue_resolved, message_created, sla_breached or rating_received;
    /// rule_fired when a rule's "call a webhook" action names the subscription.
    event: String,
    occurred_at: String,
    /// The dialogue as it is when the event happens: id, subject, status, priority, topic,
    /// tags, team_id, assignee_id, channel and customer (id, name, email).
    #[schema(value_type = Object)]
    dialogue: serde_json::Value,
    /// message_created: id, author_kind, body, created_at.
    #[schema(value_type = Option<Object>)]
    message: Option<serde_json::Value>,
    /// The history line's detail (the SLA target missed, the rating given).
    #[schema(value_type = Option<Object>)]
    detail: Option<serde_json::Value>,
    /// rule_fired: the rule's name.
    #[schema(value_type = Option<Object>)]
    rule: Option<serde_json::Value>,
}

/// The subscriptions, newest first, with their deliveries counted
#[utoipa::path(get, path = "/webhooks", tag = "webhooks",
    responses((status = 200, body = Vec<WebhookSubscription>), (status = 401, body = ApiError), (status = 403, body = ApiError)))]
pub(super) async fn webhooks_list(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<WebhookSubscription>>, AppError> {
    caller.require(Permission::ManageSettings)?;
    Ok(Json(webhooks::list(&state.pool).await?))
}

/// Subscribe an address to events; the answer carries the signing secret, shown only now.
/// Each delivery's body is a `WebhookPayload`.
#[utoipa::path(post, path = "/webhooks", tag = "webhooks", request_body = WebhookInput,
    responses((status = 201, body = WebhookCreated), (status = 400, description = "An address that is not http(s), no event…", body = ApiError),
        (status = 401, body = ApiError), (status = 403, body = ApiError)))]
pub(super) async fn webhook_create(
    State(state): State<AppState>,
    caller: Caller,
    parsed: Result<Json<WebhookInput>, JsonRejection>,
) -> Result<(StatusCode, Json<WebhookCreated>), AppError> {
    let user = caller.require_recent(Permission::ManageSettings)?;
    Ok((StatusCode::CREATED, Json(webhooks::create(&state.pool, &user, &body(parsed)?).await?)))
}

/// Delete a subscription and its deliveries
#[utoipa::path(delete, path = "/webhooks/{id}", tag = "webhooks", params(("id" = i64, Path, description = "The subscription")),
    responses((status = 204, description = "Deleted"), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub(super) async fn webhook_delete(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> Result<StatusCode, AppError> {
    let user = caller.require(Permission::ManageSettings)?;
    webhooks::delete(&state.pool, &user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The latest 50 deliveries of every subscription, newest first, with their attempts
#[utoipa::path(get, path = "/webhooks/deliveries", tag = "webhooks",
    responses((status = 200, body = Vec<WebhookDelivery>), (status = 401, body = ApiError), (status = 403, body = ApiError)))]
pub(super) async fn webhook_deliveries(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<WebhookDelivery>>, AppError> {
    caller.require(Permission::ManageSettings)?;
    Ok(Json(webhooks::deliveries(&state.pool, None).await?))
}
