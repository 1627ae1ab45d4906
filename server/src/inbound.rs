//! Messages that other systems deliver over HTTP, each authenticated by an HMAC-SHA256
//! signature of the raw body with the channel's secret (`X-Meridian-Signature:
//! sha256=<hex>`), checked before anything is parsed or written:
//! - `POST /api/v1/channels/email/inbound?inbox=<address>`: one raw RFC 5322 message, as
//!   a mail relay forwards it;
//! - `POST /api/v1/channels/{id}/inbound`: a social network's message as JSON.
//!
//! Each answers only after the message is committed: 201 stored, 200 already stored (the
//! same external id again), 4xx with a sentence for anything wrong, which writes nothing.

use app::backend::channels;
use app::model::admin::Channel;
use app::backend::inbound::{self, Inbound, Sender, Thread};
use app::model::channels::Received;
use app::backend::AppState;
use app::domain::channels::{self as rules, WebhookMessage};
use app::error::AppError;
use crate::api::caller::ApiError;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

/// The two doors, in the REST API's router and its OpenAPI document.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(email))
        .routes(routes!(webhook).layer(DefaultBodyLimit::max(rules::MAX_WEBHOOK_BYTES + 1)))
}

/// The one answer for a wrong signature and for an inbox or channel that does not exist,
/// so that the door tells a prober nothing about which names exist.
const NOT_SIGNED_FOR_IT: &str = "The signature does not match this body and the secret of the inbox or channel named (or there is no such inbox or channel).";

/// The signature a request carries, refused when missing or malformed: checked first, the
/// same way whichever inbox or channel it names, and before the body is read.
fn signature_of(headers: &HeaderMap) -> Result<Vec<u8>, AppError> {
    let header = headers
        .get("x-meridian-signature")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| AppError::BadSignature("Sign the body: X-Meridian-Signature: sha256=<HMAC-SHA256 of the body with the channel's secret>.".into()))?;
    rules::parse_signature(header).ok_or_else(|| AppError::BadSignature("X-Meridian-Signature must be sha256= and 64 hex digits.".into()))
}

fn not_signed_for_it() -> AppError {
    AppError::BadSignature(NOT_SIGNED_FOR_IT.into())
}

/// Refuses a body whose signature is missing, malformed or wrong, or that names no
/// channel: the header's shape is checked first (the same for every name), then the
/// HMAC, and an unknown channel is answered exactly like a wrong signature.
pub fn check_signature(channel: Option<&Channel>, headers: &HeaderMap, body: &[u8]) -> Result<(), AppError> {
    let signature = signature_of(headers)?;
    match channel {
        Some(channel) if app::domain::signing::verify(channel.secret.as_bytes(), body, &signature) => Ok(()),
        _ => Err(not_signed_for_it()),
    }
}

/// A body above this size waits for one of [`LARGE_BODIES`] readers.
const SMALL_BODY: usize = 1024 * 1024;
/// Bodies above [`SMALL_BODY`] read at once: up to 25 MB each, so at most 100 MB of memory.
const LARGE_BODIES: usize = 4;
/// How long a large body waits for a reader before it is answered `Busy` (a relay retries).
const LARGE_BODY_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Reads a raw message's body once the checks that need no body have passed: at most 25 MB
/// (a larger declared length is refused unread), and large ones a few at a time.
async fn read_message(headers: &HeaderMap, body: Body) -> Result<Bytes, AppError> {
    static READERS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    let too_large = || AppError::TooLarge("The message is larger than 25 MB.".into());
    let declared = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > rules::MAX_EMAIL_BYTES) {
        return Err(too_large());
    }
    let _reader = if declared.is_none_or(|n| n > SMALL_BODY) {
        let readers = READERS.get_or_init(|| tokio::sync::Semaphore::new(LARGE_BODIES));
        match tokio::time::timeout(LARGE_BODY_WAIT, readers.acquire()).await {
            Ok(Ok(permit)) => Some(permit),
            Ok(Err(_)) => return Err(AppError::Internal),
            Err(_) => return Err(AppError::Busy),
        }
    } else {
        None
    };
    axum::body::to_bytes(body, rules::MAX_EMAIL_BYTES).await.map_err(|_| too_large())
}

fn answer(received: Received) -> Response {
    let status = if received.duplicate { StatusCode::OK } else { StatusCode::CREATED };
    (status, Json(received)).into_response()
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct EmailQuery {
    /// The inbox's address or name.
    inbox: String,
}

/// One raw RFC 5322 message, as a mail relay forwards it
///
/// Signed with the inbox's secret (`X-Meridian-Signature: sha256=<hex HMAC-SHA256 of the
/// body>`); the same Message-ID again stores nothing.
#[utoipa::path(post, path = "/channels/email/inbound", tag = "channels", security(()), params(EmailQuery,
        ("X-Meridian-Signature" = String, Header, description = "sha256=<hex HMAC-SHA256 of the body with the channel's secret>")),
    request_body(content = String, content_type = "message/rfc822", description = "The message as it arrived, at most 25 MB"),
    responses((status = 201, description = "Stored", body = Received), (status = 200, description = "Already stored (duplicate: true)", body = Received),
        (status = 400, body = ApiError), (status = 401, description = "Unsigned, a wrong signature, or no such inbox or channel (one answer for both)", body = ApiError), (status = 413, body = ApiError)))]
async fn email(State(state): State<AppState>, Query(q): Query<EmailQuery>, headers: HeaderMap, body: Body) -> Result<Response, AppError> {
    // What needs no body is checked before it is read: the signature's shape, that the
    // inbox exists (answered like a wrong signature), the declared length.
    let signature = signature_of(&headers)?;
    let channel = channels::channel_named(&state.pool, "email", &q.inbox).await?.ok_or_else(not_signed_for_it)?;
    let body = read_message(&headers, body).await?;
    if !app::domain::signing::verify(channel.secret.as_bytes(), &body, &signature) {
        return Err(not_signed_for_it());
    }
    let inbound = crate::mail::parse(&body, &channel)?;
    Ok(answer(inbound::receive(&state.pool, inbound).await?))
}

/// A social channel's message
///
/// Signed with the channel's secret (`X-Meridian-Signature: sha256=<hex HMAC-SHA256 of the
/// body>`); the same `message_id` again stores nothing. Agents' replies are POSTed to the
/// channel's callback URL as `{message_id, conversation_id, text, agent, sent_at}`, signed
/// with the same secret and a timestamp (`t=<unix seconds>,v1=<hex HMAC of "t.body">`).
#[utoipa::path(post, path = "/channels/{id}/inbound", tag = "channels", security(()), params(("id" = i64, Path, description = "The channel"),
        ("X-Meridian-Signature" = String, Header, description = "sha256=<hex HMAC-SHA256 of the body with the channel's secret>")),
    request_body = WebhookMessage,
    responses((status = 201, description = "Stored", body = Received), (status = 200, description = "Already stored (duplicate: true)", body = Received),
        (status = 400, body = ApiError), (status = 401, description = "Unsigned, a wrong signature, or no such inbox or channel (one answer for both)", body = ApiError), (status = 413, body = ApiError)))]
async fn webhook(State(state): State<AppState>, Path(channel_id): Path<i64>, headers: HeaderMap, body: Bytes) -> Result<Response, AppError> {
    let channel = channels::channel(&state.pool, channel_id).await?.filter(|c| c.kind == app::domain::dialogue::ChannelKind::Social);
    if body.len() > rules::MAX_WEBHOOK_BYTES {
        return Err(AppError::TooLarge("The body is larger than 256 KB.".into()));
    }
    check_signature(channel.as_ref(), &headers, &body)?;
    let channel = channel.ok_or(AppError::Internal)?;
    let message: WebhookMessage = serde_json::from_slice(&body)
        .map_err(|e| AppError::Invalid(format!("The body is not a valid message: {e}")))?;
    message.check().map_err(AppError::Invalid)?;
    let inbound = Inbound {
        channel,
        external_id: Some(message.message_id.trim().to_string()),
        thread: Thread::External(message.conversation_id.trim().to_string()),
        sender: Sender::External { user_id: message.user_id.trim().to_string(), name: message.name },
        subject: String::new(),
        text: message.text,
        html: None,
        attachments: vec![],
        dropped: vec![],
    };
    Ok(answer(inbound::receive(&state.pool, inbound).await?))
}
