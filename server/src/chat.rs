//! The customer's side: the chat page `/chat/{inbox}` (no sign-in, no WebAssembly: plain
//! HTML that works without JavaScript, plus one small script that makes it live over
//! server-sent events), its embed snippet, and the rating page that e-mail links open.
//! A chat visitor is known by a random token in an HttpOnly cookie (only its hash is
//! stored), so closing the tab and coming back finds the same conversation.

use crate::help::esc;
use app::backend::channels;
use app::model::admin::Channel;
use app::backend::chat::{self, ChatState, Visitor};
use app::backend::ratings;
use app::backend::AppState;
use app::domain::channels::{Rating, CES_CHOICES, CSAT_CHOICES};
use app::domain::chat_identity::verify_identity;
use app::error::AppError;
use axum::extract::{Form, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use std::convert::Infallible;
use std::fmt::Write;
use std::time::Duration;
use tokio::sync::broadcast;

const SCRIPT: &str = include_str!("chat.js");

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/chat/assets/chat.js", get(script))
        .route("/chat/{inbox}", get(page))
        .route("/chat/{inbox}/start", post(start))
        .route("/chat/{inbox}/messages", post(send))
        .route("/chat/{inbox}/state", get(state_json))
        .route("/chat/{inbox}/events", get(events))
        .route("/chat/{inbox}/rating", post(rate_chat))
        .route("/chat/{inbox}/embed.js", get(embed_script))
        .route("/chat/{inbox}/confirm/{token}", get(confirmation_page).post(confirm))
        .route("/rate/{id}/{tag}", get(rating_page).post(rate_by_link))
}

/// The cookie of chat visitors; its path is the inbox's, so each inbox has its own.
pub(crate) const COOKIE: &str = "meridian_chat";

async fn chat_channel(state: &AppState, inbox: &str) -> Result<Channel, AppError> {
    channels::channel_named(&state.pool, "chat", inbox)
        .await?
        .ok_or_else(|| AppError::NotFound("There is no such chat.".into()))
}

pub(crate) fn token(headers: &HeaderMap) -> Option<String> {
    app::backend::sessions::cookie_in(headers, COOKIE)
}

async fn current_visitor(state: &AppState, channel: &Channel, headers: &HeaderMap) -> Result<Option<Visitor>, AppError> {
    match token(headers) {
        Some(t) => Ok(chat::visitor(&state.pool, channel.id, &t).await?),
        None => Ok(None),
    }
}

/// Where the page may be framed: anywhere (the embed snippet), but it runs only our script.
fn csp() -> (header::HeaderName, &'static str) {
    (
        header::CONTENT_SECURITY_POLICY,
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; \
         frame-ancestors *; form-action 'self'; base-uri 'none'; object-src 'none'",
    )
}

fn shell(title: &str, main: &str, script: bool) -> Response {
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"color-scheme\" content=\"light dark\"><title>{}</title>\
         <link rel=\"icon\" type=\"image/svg+xml\" href=\"/favicon.svg\"><link rel=\"stylesheet\" href=\"/pkg/meridian.css\">{}</head>\
         <body class=\"customer\"><main id=\"main\" class=\"customer-main\">{main}</main></body></html>",
        esc(title),
        if script { "<script src=\"/chat/assets/chat.js\" defer></script>" } else { "" }
    );
    ([csp()], Html(html)).into_response()
}

fn messages_html(s: &ChatState) -> String {
    let mut out = String::from("<ol id=\"messages\" class=\"chat-messages\" aria-label=\"Conversation\" aria-live=\"polite\">");
    for m in &s.messages {
        let (class, who) = match m.from.as_str() {
            "agent" => ("chat-agent", m.agent.clone().unwrap_or_else(|| "Support".into())),
            _ => ("chat-customer", "You".to_string()),
        };
        let body = match &m.html {
            Some(html) => html.clone(),
            None => format!("<p>{}</p>", esc(&m.text)),
        };
        let _ = write!(
            out,
            "<li class=\"chat-message {class}\"><span class=\"chat-who\">{}</span><div class=\"chat-text\">{body}</div></li>",
            esc(&who)
        );
    }
    out.push_str("</ol>");
    out
}

/// The rating questions; `action` is where the form posts.
fn rating_form(action: &str, ask_nps: bool, given: Option<u8>) -> String {
    let mut out = format!("<form class=\"rating-form\" method=\"post\" action=\"{}\">", esc(action));
    out.push_str(match given {
        Some(_) => "<p class=\"notice notice-info\" role=\"status\">Thank you for your rating! You can change it below.</p>",
        None => "<h2>How did we do?</h2>",
    });
    out.push_str("<fieldset class=\"rating-csat\"><legend>How was the help you got?</legend>");
    for (value, label) in CSAT_CHOICES {
        let checked = if given == Some(value) { " checked" } else { "" };
        let _ = write!(out, "<label><input type=\"radio\" name=\"csat\" value=\"{value}\" required{checked}> {label}</label>");
    }
    out.push_str("</fieldset><fieldset class=\"rating-scale\"><legend>How easy was it to get your issue handled?</legend>");
    for (value, label) in CES_CHOICES {
        let _ = write!(out, "<label title=\"{label}\"><input type=\"radio\" name=\"ces\" value=\"{value}\"> {value}<span class=\"visually-hidden\"> ({label})</span></label>");
    }
    out.push_str("<p class=\"meta\">1 very difficult · 7 very easy</p></fieldset>");
    if ask_nps {
        out.push_str("<fieldset class=\"rating-scale\"><legend>How likely are you to recommend us to a friend?</legend>");
        for value in 0..=10 {
            let _ = write!(out, "<label><input type=\"radio\" name=\"nps\" value=\"{value}\"> {value}</label>");
        }
        out.push_str("<p class=\"meta\">0 not at all · 10 extremely likely</p></fieldset>");
    }
    out.push_str(
        "<label for=\"comment\">Anything you want to add? (optional)</label>\
         <textarea id=\"comment\" name=\"comment\" rows=\"3\" maxlength=\"2000\"></textarea>\
         <button type=\"submit\" class=\"button-primary\">Send rating</button></form>",
    );
    out
}

fn start_form(inbox: &str, channel: &Channel, error: Option<&str>, form: &StartForm) -> String {
    // The embedding site vouches for its signed-in user: their address is fixed and shown.
    let vouched = form.vouched(channel);
    let email_field = if vouched {
        format!(
            "<label for=\"email\">Your e-mail</label><input id=\"email\" name=\"email\" type=\"email\" readonly value=\"{}\">\
             <p class=\"meta\">Signed in on our site as this address.</p><input type=\"hidden\" name=\"identity\" value=\"{}\">",
            esc(&form.email),
            esc(&form.identity)
        )
    } else {
        format!(
            "<label for=\"email\">Your e-mail</label><input id=\"email\" name=\"email\" type=\"email\" required autocomplete=\"email\" value=\"{}\">",
            esc(&form.email)
        )
    };
    format!(
        "<form class=\"chat-start form-grid\" method=\"post\" action=\"/chat/{inbox}/start\">{}\
         <label for=\"name\">Your name</label><input id=\"name\" name=\"name\" required maxlength=\"200\" autocomplete=\"name\" value=\"{}\">\
         {email_field}\
         <label for=\"text\">How can we help?</label><textarea id=\"text\" name=\"text\" rows=\"4\" required>{}</textarea>\
         <button type=\"submit\" class=\"button-primary\">Start chat</button></form>",
        error.map(|e| format!("<p class=\"notice notice-error\" role=\"alert\">{}</p>", esc(e))).unwrap_or_default(),
        esc(&form.name),
        esc(&form.text),
        inbox = esc(inbox),
    )
}

async fn conversation_page(state: &AppState, inbox: &str, channel: &Channel, visitor: &Visitor, error: Option<&str>) -> Result<Response, AppError> {
    let conversation_id = visitor.conversation_id.ok_or_else(|| AppError::NotFound("That conversation is gone.".into()))?;
    let s = chat::chat_state(&state.pool, conversation_id).await?;
    let inbox_e = esc(inbox);
    let mut main = format!(
        "<section id=\"chat\" class=\"chat\" data-base=\"/chat/{inbox_e}\" data-resolved=\"{}\" aria-labelledby=\"chat-title\">\
         <h1 id=\"chat-title\">{}</h1>{}",
        s.resolved,
        esc(&channel.name),
        messages_html(&s)
    );
    let typing = s.agent_typing.as_ref().map(|n| format!("{} is typing…", esc(n))).unwrap_or_default();
    let _ = write!(main, "<p id=\"typing\" class=\"chat-typing\" aria-live=\"polite\">{typing}</p>");
    if let Some(e) = error {
        let _ = write!(main, "<p class=\"notice notice-error\" role=\"alert\">{}</p>", esc(e));
    }
    if let Some(claimed) = &visitor.unverified_email {
        let _ = write!(
            main,
            "<p class=\"notice notice-info\" role=\"status\">We e-mailed a link to {}. Open it to confirm the address is yours, \
             so that our team can see your earlier conversations with us. You can write here meanwhile.</p>",
            esc(claimed)
        );
    }
    if s.resolved {
        main.push_str("<p class=\"notice notice-info\">This conversation is resolved. Write again any time to reopen it.</p>");
        main.push_str(&rating_form(&format!("/chat/{inbox}/rating"), s.ask_nps, s.rated));
    }
    main.push_str("<p id=\"chat-error\" class=\"notice notice-error\" role=\"alert\" hidden></p>");
    let _ = write!(
        main,
        "<form id=\"composer\" class=\"chat-composer\" method=\"post\" action=\"/chat/{inbox_e}/messages\">\
         <label for=\"reply\" class=\"visually-hidden\">Your message</label>\
         <textarea id=\"reply\" name=\"text\" rows=\"2\" required placeholder=\"Write a message…\"></textarea>\
         <button type=\"submit\" class=\"button-primary\">Send</button></form></section>"
    );
    Ok(shell(&channel.name, &main, true))
}

/// `GET /chat/{inbox}`: the conversation of a returning visitor, or the form to start one
/// (the embedding site may pass `name`, `email` and a signed `identity` in the address).
async fn page(State(state): State<AppState>, Path(inbox): Path<String>, Query(given): Query<StartForm>, headers: HeaderMap) -> Result<Response, AppError> {
    let channel = chat_channel(&state, &inbox).await?;
    match current_visitor(&state, &channel, &headers).await? {
        Some(v) if v.conversation_id.is_some() => conversation_page(&state, &inbox, &channel, &v, None).await,
        _ => Ok(start_page(&inbox, &channel, None, &StartForm { text: String::new(), ..given })),
    }
}

fn start_page(inbox: &str, channel: &Channel, error: Option<&str>, form: &StartForm) -> Response {
    let main = format!(
        "<section class=\"chat\"><h1>{}</h1><p>Write to us: a person answers here, and you can close this page and come back.</p>{}</section>",
        esc(&channel.name),
        start_form(inbox, channel, error, form)
    );
    let mut res = shell(&channel.name, &main, false);
    if error.is_some() {
        *res.status_mut() = StatusCode::BAD_REQUEST;
    }
    res
}

#[derive(Deserialize, Default)]
struct StartForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    text: String,
    /// The embedding site's signature of `email` (`domain::chat_identity`).
    #[serde(default)]
    identity: String,
}

impl StartForm {
    /// Whether the embedding site signed this address with the channel's secret.
    fn vouched(&self, channel: &Channel) -> bool {
        !self.identity.is_empty() && verify_identity(&channel.secret, &self.email, &self.identity, chrono::Utc::now().timestamp())
    }
}

fn cookie(state: &AppState, inbox: &str, token: &str) -> String {
    // Embedded on another site (an iframe), the cookie must be SameSite=None, which
    // browsers accept only over HTTPS.
    let site = if state.settings.is_tls() { "SameSite=None; Secure" } else { "SameSite=Lax" };
    format!("{COOKIE}={token}; Path=/chat/{inbox}; Max-Age=31536000; HttpOnly; {site}")
}

/// `POST /chat/{inbox}/start`: name, e-mail and the first message open a dialogue.
async fn start(State(state): State<AppState>, Path(inbox): Path<String>, Form(form): Form<StartForm>) -> Result<Response, AppError> {
    let channel = chat_channel(&state, &inbox).await?;
    match chat::start_chat(&state.pool, &channel, &form.name, &form.email, &form.text, form.vouched(&channel)).await {
        Ok((token, _)) => {
            let mut res = Redirect::to(&format!("/chat/{inbox}")).into_response();
            res.headers_mut().insert(header::SET_COOKIE, cookie(&state, &inbox, &token).parse().expect("a cookie is a header value"));
            Ok(res)
        }
        Err(AppError::Invalid(message)) => Ok(start_page(&inbox, &channel, Some(&message), &form)),
        Err(err) => Err(err),
    }
}

#[derive(Deserialize)]
struct MessageForm {
    #[serde(default)]
    text: String,
}

fn wants_json(headers: &HeaderMap) -> bool {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("application/json"))
}

/// `POST /chat/{inbox}/messages`: the visitor writes (JSON answer for the script, a
/// redirect for a plain form).
async fn send(State(state): State<AppState>, Path(inbox): Path<String>, headers: HeaderMap, Form(form): Form<MessageForm>) -> Result<Response, AppError> {
    let channel = chat_channel(&state, &inbox).await?;
    let visitor = current_visitor(&state, &channel, &headers).await?.ok_or(AppError::NotSignedIn)?;
    match chat::chat_message(&state.pool, &channel, &visitor, &form.text).await {
        Ok(received) if wants_json(&headers) => Ok((StatusCode::CREATED, Json(received)).into_response()),
        Ok(_) => Ok(Redirect::to(&format!("/chat/{inbox}")).into_response()),
        Err(AppError::Invalid(message)) if !wants_json(&headers) => {
            let mut res = conversation_page(&state, &inbox, &channel, &visitor, Some(&message)).await?;
            *res.status_mut() = StatusCode::BAD_REQUEST;
            Ok(res)
        }
        Err(err) => Err(err),
    }
}

/// `GET /chat/{inbox}/state`: what the page shows, as JSON, for the script.
async fn state_json(State(state): State<AppState>, Path(inbox): Path<String>, headers: HeaderMap) -> Result<Response, AppError> {
    let channel = chat_channel(&state, &inbox).await?;
    let visitor = current_visitor(&state, &channel, &headers).await?.ok_or(AppError::NotSignedIn)?;
    let id = visitor.conversation_id.ok_or(AppError::NotSignedIn)?;
    let s = chat::chat_state(&state.pool, id).await?;
    Ok(Json(serde_json::json!({ "html": messages_html(&s), "typing": s.agent_typing, "resolved": s.resolved })).into_response())
}

/// `GET /chat/{inbox}/events`: a tick whenever the visitor's dialogue changes (a reply,
/// typing, a resolution), from any server process.
async fn events(State(state): State<AppState>, Path(inbox): Path<String>, headers: HeaderMap) -> Result<Response, AppError> {
    let channel = chat_channel(&state, &inbox).await?;
    let visitor = current_visitor(&state, &channel, &headers).await?.ok_or(AppError::NotSignedIn)?;
    let id = visitor.conversation_id.ok_or(AppError::NotSignedIn)?;
    let stream = futures::stream::unfold(state.live.subscribe(), move |mut rx| async move {
        loop {
            match rx.recv().await {
                Ok(payload) => {
                    let ours = serde_json::from_str::<serde_json::Value>(&payload)
                        .ok()
                        .and_then(|v| v.get("conversation_id").and_then(|c| c.as_i64()))
                        == Some(id);
                    if ours {
                        return Some((Ok::<_, Infallible>(Event::default().data("update")), rx));
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => return Some((Ok(Event::default().data("update")), rx)),
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(20))).into_response())
}

#[derive(Deserialize)]
struct RatingForm {
    csat: Option<String>,
    ces: Option<String>,
    nps: Option<String>,
    #[serde(default)]
    comment: String,
}

impl RatingForm {
    fn rating(&self) -> Result<Rating, AppError> {
        let number = |v: &Option<String>| -> Result<Option<u8>, AppError> {
            match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                None => Ok(None),
                Some(s) => s.parse().map(Some).map_err(|_| AppError::Invalid("Choose one of the answers.".into())),
            }
        };
        Ok(Rating {
            csat: number(&self.csat)?.ok_or_else(|| AppError::Invalid("Choose bad, good or excellent.".into()))?,
            comment: self.comment.clone(),
            ces: number(&self.ces)?,
            nps: number(&self.nps)?,
        })
    }
}

/// `POST /chat/{inbox}/rating`: the visitor rates their resolved conversation.
async fn rate_chat(State(state): State<AppState>, Path(inbox): Path<String>, headers: HeaderMap, Form(form): Form<RatingForm>) -> Result<Response, AppError> {
    let channel = chat_channel(&state, &inbox).await?;
    let visitor = current_visitor(&state, &channel, &headers).await?.ok_or(AppError::NotSignedIn)?;
    let id = visitor.conversation_id.ok_or(AppError::NotSignedIn)?;
    match async { ratings::rate(&state.pool, id, form.rating()?).await }.await {
        Ok(()) => Ok(Redirect::to(&format!("/chat/{inbox}")).into_response()),
        Err(AppError::Invalid(message) | AppError::Conflict(message)) => {
            let mut res = conversation_page(&state, &inbox, &channel, &visitor, Some(&message)).await?;
            *res.status_mut() = StatusCode::BAD_REQUEST;
            Ok(res)
        }
        Err(err) => Err(err),
    }
}

/// `GET /rate/{id}/{tag}`: the rating page an e-mail links to; the tag is valid for that
/// dialogue only.
async fn rating_page(State(state): State<AppState>, Path((id, tag)): Path<(i64, String)>) -> Result<Response, AppError> {
    let (resolved, ask_nps, given) = ratings::rating_link(&state.pool, id, &tag)
        .await?
        .ok_or_else(|| AppError::NotFound("This rating link is not valid.".into()))?;
    let main = if resolved {
        format!("<section class=\"chat\"><h1>Rate your conversation</h1>{}</section>", rating_form(&format!("/rate/{id}/{tag}"), ask_nps, given))
    } else {
        "<h1>Thank you</h1><p>This conversation has been reopened; you can rate it once it is resolved again.</p>".to_string()
    };
    Ok(shell("Rate your conversation", &main, false))
}

async fn rate_by_link(State(state): State<AppState>, Path((id, tag)): Path<(i64, String)>, Form(form): Form<RatingForm>) -> Result<Response, AppError> {
    if ratings::rating_link(&state.pool, id, &tag).await?.is_none() {
        return Err(AppError::NotFound("This rating link is not valid.".into()));
    }
    ratings::rate(&state.pool, id, form.rating()?).await?;
    Ok(Redirect::to(&format!("/rate/{id}/{tag}")).into_response())
}

async fn script() -> Response {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=300")], SCRIPT).into_response()
}

/// `GET /chat/{inbox}/embed.js`: the snippet's script: a "Chat with us" button in the
/// corner of the customer's site that opens the chat page in a frame.
/// `GET /chat/{inbox}/confirm/{token}`: the e-mailed link asks before it confirms (mail
/// scanners open links; only the button changes anything).
async fn confirmation_page(State(state): State<AppState>, Path((inbox, token)): Path<(String, String)>) -> Result<Response, AppError> {
    let channel = chat_channel(&state, &inbox).await?;
    let main = match chat::confirmation(&state.pool, &channel, &token).await? {
        Some(email) => format!(
            "<section class=\"chat\"><h1>Confirm your e-mail</h1><p>Is {} your address? Confirming lets {}'s team see your earlier conversations with them beside this chat.</p>\
             <form method=\"post\" action=\"/chat/{}/confirm/{}\"><button type=\"submit\" class=\"button-primary\">Confirm my e-mail</button></form></section>",
            esc(&email),
            esc(&channel.name),
            esc(&inbox),
            esc(&token)
        ),
        None => "<section class=\"chat\"><h1>This link no longer works</h1><p class=\"notice notice-error\" role=\"alert\">It has expired or was already used. Start the chat again to get a new one.</p></section>".to_string(),
    };
    Ok(shell(&channel.name, &main, false))
}

/// `POST /chat/{inbox}/confirm/{token}`: the chat joins the customer of the address.
async fn confirm(State(state): State<AppState>, Path((inbox, token)): Path<(String, String)>) -> Result<Response, AppError> {
    let channel = chat_channel(&state, &inbox).await?;
    let main = match chat::confirm(&state.pool, &channel, &token).await {
        Ok(_) => format!(
            "<section class=\"chat\"><h1>Thank you</h1><p class=\"notice notice-info\" role=\"status\">Your e-mail is confirmed: {}'s team now sees your earlier conversations.</p>\
             <p><a href=\"/chat/{}\">Back to the chat</a></p></section>",
            esc(&channel.name),
            esc(&inbox)
        ),
        Err(AppError::NotFound(sentence)) => {
            format!("<section class=\"chat\"><h1>This link no longer works</h1><p class=\"notice notice-error\" role=\"alert\">{}</p></section>", esc(&sentence))
        }
        Err(err) => return Err(err),
    };
    Ok(shell(&channel.name, &main, false))
}

async fn embed_script(State(state): State<AppState>, Path(inbox): Path<String>) -> Result<Response, AppError> {
    let channel = chat_channel(&state, &inbox).await?;
    let origin = state.settings.public_url.clone().unwrap_or_default();
    let js = format!(
        "(function(){{var s=document.currentScript,o={origin}||new URL(s.src).origin,u=o+'/chat/'+{slug},q=[];\
         ['name','email','identity'].forEach(function(k){{var v=s.getAttribute('data-'+k);if(v)q.push(k+'='+encodeURIComponent(v));}});if(q.length)u+='?'+q.join('&');\
         var b=document.createElement('button');b.type='button';b.textContent={label};\
         b.style.cssText='position:fixed;right:16px;bottom:16px;z-index:2147483646;padding:12px 18px;border-radius:24px;border:0;background:#2456d6;color:#fff;font:16px system-ui;cursor:pointer';\
         var f=null;b.onclick=function(){{if(!f){{f=document.createElement('iframe');f.src=u;f.title={label};\
         f.style.cssText='position:fixed;right:16px;bottom:72px;width:min(380px,calc(100vw - 32px));height:min(560px,calc(100vh - 96px));border:1px solid #ccc;border-radius:12px;z-index:2147483647;background:#fff';\
         document.body.appendChild(f);}}else{{f.hidden=!f.hidden;}}}};document.body.appendChild(b);}})();",
        // JSON string literals are JavaScript string literals.
        origin = serde_json::Value::from(origin),
        slug = serde_json::Value::from(channel.address.as_str()),
        label = serde_json::Value::from(format!("Chat with {}", channel.name)),
    );
    Ok(([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], js).into_response())
}
