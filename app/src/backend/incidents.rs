//! Incidents in PostgreSQL. A mailing is one transaction that first locks the incident (two
//! mailings of one incident go one after the other) and then claims its request key (the
//! same submission twice sends once); each linked customer gets it once, in the dialogue
//! `domain::incident::recipients` picks, through the outbox of that dialogue's channel.

use crate::model::user::CurrentUser;
use crate::domain::audit::AuditAction;
use crate::domain::incident::{self, Linked};
use crate::domain::macros::{fill, MacroContext, TopicKind};
use crate::error::AppError;
use crate::model::incidents::{Incident, IncidentDialogue, IncidentSummary, IncidentUpdate, LinkResult, MailingPreview, MailingRecipient, MailingResult};
use sqlx::{PgConnection, PgPool};

/// The summary columns; `$1` is the viewer's time zone.
macro_rules! summary_select {
    ($where:literal) => {
        concat!(
            "select i.id, i.title, i.status, to_char(i.declared_at at time zone $1, 'YYYY-MM-DD HH24:MI') as declared_at,
                    coalesce(u.name, 'someone') as declared_by,
                    (select count(*) from incident_dialogues d where d.incident_id = i.id) as dialogues,
                    (select count(distinct c.customer_id) from incident_dialogues d join conversations c on c.id = d.conversation_id
                      where d.incident_id = i.id) as customers,
                    (select count(*) from incident_updates up where up.incident_id = i.id) as updates
               from incidents i left join users u on u.id = i.declared_by ",
            $where
        )
    };
}

/// Open incidents first, then the latest resolved ones.
pub async fn list(pool: &PgPool, viewer_zone: &str) -> Result<Vec<IncidentSummary>, AppError> {
    Ok(sqlx::query_as(summary_select!("order by i.status = 'resolved', i.declared_at desc, i.id desc limit 100"))
        .bind(viewer_zone)
        .fetch_all(pool)
        .await?)
}

pub async fn declare(pool: &PgPool, by: &CurrentUser, title: &str, summary: &str) -> Result<i64, AppError> {
    let title = incident::title(title).map_err(AppError::Invalid)?;
    let summary = summary.trim();
    if summary.chars().count() > 4000 {
        return Err(AppError::Invalid("Keep the summary under 4,000 characters.".into()));
    }
    let mut tx = pool.begin().await?;
    let id: i64 = sqlx::query_scalar("insert into incidents (title, summary, declared_by) values ($1, $2, $3) returning id")
        .bind(&title)
        .bind(summary)
        .bind(by.id)
        .fetch_one(&mut *tx)
        .await?;
    audit(&mut tx, by, AuditAction::IncidentDeclared, id, &title, "").await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn get(pool: &PgPool, id: i64, viewer_zone: &str) -> Result<Incident, AppError> {
    let summary: IncidentSummary = sqlx::query_as(summary_select!("where i.id = $2"))
        .bind(viewer_zone)
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or_else(not_found)?;
    let (text, resolved_at): (String, Option<String>) =
        sqlx::query_as("select summary, to_char(resolved_at at time zone $2, 'YYYY-MM-DD HH24:MI') from incidents where id = $1")
            .bind(id)
            .bind(viewer_zone)
            .fetch_one(pool)
            .await?;
    let dialogues: Vec<IncidentDialogue> = sqlx::query_as(
        "select c.id, c.subject, cu.name as customer, ch.kind as channel, c.status
           from incident_dialogues d join conversations c on c.id = d.conversation_id
           join customers cu on cu.id = c.customer_id join channels ch on ch.id = c.channel_id
          where d.incident_id = $1
          order by c.id",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    let updates: Vec<IncidentUpdate> = sqlx::query_as(
        "select up.id, to_char(up.sent_at at time zone $2, 'YYYY-MM-DD HH24:MI') as at, coalesce(u.name, 'someone') as by,
                up.body, up.closing, up.customers::int8 as customers, up.resolved::int8 as resolved
           from incident_updates up left join users u on u.id = up.sent_by
          where up.incident_id = $1 order by up.id",
    )
    .bind(id)
    .bind(viewer_zone)
    .fetch_all(pool)
    .await?;
    Ok(Incident { summary, text, resolved_at, dialogues, updates })
}

/// The incidents a dialogue is linked to, newest first, and (`with_open`) the open ones.
pub async fn of_dialogue(pool: &PgPool, conversation_id: i64, with_open: bool) -> Result<crate::model::incidents::IncidentsOfDialogue, AppError> {
    let linked: Vec<(i64, String, String)> = sqlx::query_as(
        "select i.id, i.title, i.status from incident_dialogues d join incidents i on i.id = d.incident_id
          where d.conversation_id = $1 order by i.declared_at desc, i.id desc",
    )
    .bind(conversation_id)
    .fetch_all(pool)
    .await?;
    let open: Vec<(i64, String)> = if with_open {
        sqlx::query_as(
            "select id, title from incidents i where status = 'open'
                and not exists (select 1 from incident_dialogues d where d.incident_id = i.id and d.conversation_id = $1)
              order by declared_at desc, id desc limit 50",
        )
        .bind(conversation_id)
        .fetch_all(pool)
        .await?
    } else {
        Vec::new()
    };
    Ok(crate::model::incidents::IncidentsOfDialogue { linked, open, may_link: with_open })
}

/// Links dialogues by number; those already linked are counted, unknown numbers named.
pub async fn link(pool: &PgPool, by: &CurrentUser, id: i64, ids: &[i64]) -> Result<LinkResult, AppError> {
    if ids.is_empty() || ids.len() > incident::LINK_LIMIT {
        return Err(AppError::Invalid(format!("Link 1 to {} dialogues at once.", incident::LINK_LIMIT)));
    }
    let mut tx = pool.begin().await?;
    lock_open(&mut tx, id).await?;
    let existing: Vec<i64> = sqlx::query_scalar("select id from conversations where id = any($1)").bind(ids).fetch_all(&mut *tx).await?;
    let missing: Vec<i64> = ids.iter().copied().filter(|i| !existing.contains(i)).collect();
    let linked = sqlx::query(
        "insert into incident_dialogues (incident_id, conversation_id, linked_by)
         select $1, unnest($2::int8[]), $3 on conflict do nothing",
    )
    .bind(id)
    .bind(&existing)
    .bind(by.id)
    .execute(&mut *tx)
    .await?
    .rows_affected() as i64;
    tx.commit().await?;
    Ok(LinkResult { linked, already: existing.len() as i64 - linked, missing })
}

/// Links every waiting dialogue of a trending topic (a tag or a word of the subject).
pub async fn link_topic(pool: &PgPool, by: &CurrentUser, id: i64, kind: TopicKind, value: &str) -> Result<LinkResult, AppError> {
    let ids: Vec<i64> = super::macros::topic_dialogues(pool, kind, value).await?.into_iter().map(|d| d.id).collect();
    if ids.is_empty() {
        return Err(AppError::Invalid("No waiting dialogue has that topic now.".into()));
    }
    link(pool, by, id, &ids).await
}

pub async fn unlink(pool: &PgPool, id: i64, conversation_id: i64) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    lock_open(&mut tx, id).await?;
    sqlx::query("delete from incident_dialogues where incident_id = $1 and conversation_id = $2")
        .bind(id)
        .bind(conversation_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Who a mailing would reach, and its text as the first of them would read it.
pub async fn preview(pool: &PgPool, by: &CurrentUser, id: i64, body: &str) -> Result<MailingPreview, AppError> {
    let body = incident::update_body(body).map_err(AppError::Invalid)?;
    let mut conn = pool.acquire().await?;
    let targets = targets(&mut conn, id).await?;
    let first_text = match targets.first() {
        Some(t) => Some(fill(&body, &context(by, t)).map_err(AppError::Invalid)?),
        None => None,
    };
    let recipients = targets
        .into_iter()
        .map(|t| {
            let how = match (t.channel.as_str(), t.address) {
                ("email", Some(a)) => format!("e-mail to {a}"),
                ("social", Some(_)) => "the channel's webhook".to_string(),
                ("chat", _) => "their chat page".to_string(),
                _ => "their dialogue only (no address to send to)".to_string(),
            };
            MailingRecipient { customer: t.customer, dialogue_id: t.linked.conversation_id, channel: t.channel, how }
        })
        .collect();
    Ok(MailingPreview { recipients, first_text })
}

/// Sends an update (or, with `close`, the closing message, then resolves every linked
/// dialogue and the incident). The same `request_key` again sends nothing and answers what
/// the first request did.
pub async fn send(pool: &PgPool, by: &CurrentUser, id: i64, request_key: &str, body: &str, close: bool) -> Result<MailingResult, AppError> {
    let mut tx = pool.begin().await?;
    let sent = send_in(&mut tx, by, id, request_key, body, close).await?;
    tx.commit().await?;
    Ok(sent)
}

/// [`send`] inside the caller's transaction (the benchmark rolls it back).
pub async fn send_in(tx: &mut PgConnection, by: &CurrentUser, id: i64, request_key: &str, body: &str, close: bool) -> Result<MailingResult, AppError> {
    let key = request_key.trim();
    if !(8..=100).contains(&key.len()) {
        return Err(AppError::Invalid("The request key must be 8 to 100 characters.".into()));
    }
    let body = incident::update_body(body).map_err(AppError::Invalid)?;
    let (title, status): (String, String) = sqlx::query_as("select title, status from incidents where id = $1 for update")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(not_found)?;
    // Under the incident's lock: a repeated submission finds the first one committed.
    let earlier: Option<(i64, i64, i64)> =
        sqlx::query_as("select id, customers::int8, resolved::int8 from incident_updates where request_key = $1")
            .bind(key)
            .fetch_optional(&mut *tx)
            .await?;
    if let Some((update_id, customers, resolved)) = earlier {
        return Ok(MailingResult { update_id, customers, resolved, repeated: true });
    }
    if status == "resolved" {
        return Err(AppError::Conflict("This incident is resolved; its customers have had the closing message.".into()));
    }
    let targets = targets(&mut *tx, id).await?;
    if targets.is_empty() {
        return Err(AppError::Invalid("Link the dialogues this incident affects first.".into()));
    }
    let update_id: i64 = sqlx::query_scalar(
        "insert into incident_updates (incident_id, request_key, body, closing, sent_by) values ($1, $2, $3, $4, $5) returning id",
    )
    .bind(id)
    .bind(key)
    .bind(&body)
    .bind(close)
    .bind(by.id)
    .fetch_one(&mut *tx)
    .await?;
    let what = format!("“{title}”");
    for t in &targets {
        let text = fill(&body, &context(by, t)).map_err(AppError::Invalid)?;
        let message_id = super::dialogue::write_broadcast_in(&mut *tx, t.linked.conversation_id, by.id, &text, &what).await?;
        sqlx::query("insert into incident_deliveries (update_id, customer_id, conversation_id, message_id) values ($1, $2, $3, $4)")
            .bind(update_id)
            .bind(t.linked.customer_id)
            .bind(t.linked.conversation_id)
            .bind(message_id)
            .execute(&mut *tx)
            .await?;
    }
    let mut resolved = 0i64;
    if close {
        let linked: Vec<i64> = sqlx::query_scalar(
            "select conversation_id from incident_dialogues where incident_id = $1 order by conversation_id",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        for c in linked {
            // Locked in id order, like every other many-dialogue change.
            sqlx::query("select 1 from conversations where id = $1 for update").bind(c).execute(&mut *tx).await?;
            if super::dialogue::mark_resolved(&mut *tx, c, by.id, "").await? {
                resolved += 1;
            }
        }
        sqlx::query("update incidents set status = 'resolved', resolved_at = now(), resolved_by = $2 where id = $1")
            .bind(id)
            .bind(by.id)
            .execute(&mut *tx)
            .await?;
    }
    let customers = targets.len() as i64;
    sqlx::query("update incident_updates set customers = $2, resolved = $3 where id = $1")
        .bind(update_id)
        .bind(customers as i32)
        .bind(resolved as i32)
        .execute(&mut *tx)
        .await?;
    let detail = format!("sent to {customers} customers (update {update_id})");
    audit(&mut *tx, by, AuditAction::MassMailing, id, &title, &detail).await?;
    if close {
        audit(&mut *tx, by, AuditAction::IncidentResolved, id, &title, &format!("{resolved} dialogues resolved")).await?;
    }
    Ok(MailingResult { update_id, customers, resolved, repeated: false })
}

/// A recipient of a mailing: the dialogue they read it in, with what the text and the
/// preview need.
struct Target {
    linked: Linked,
    customer: String,
    subject: String,
    channel: String,
    /// The e-mail address, or the webhook of a social channel.
    address: Option<String>,
}

/// Each linked customer once, in the dialogue they should read the update in (one query).
async fn targets(conn: &mut PgConnection, id: i64) -> Result<Vec<Target>, AppError> {
    let rows: Vec<(i64, i64, bool, i64, String, String, String, Option<String>)> = sqlx::query_as(
        "select c.id, c.customer_id, c.status = 'resolved', extract(epoch from c.updated_at)::int8, cu.name, c.subject, ch.kind,
                case when ch.kind = 'email' then cu.email when ch.kind = 'social' then nullif(ch.callback_url, '') end
           from incident_dialogues d join conversations c on c.id = d.conversation_id
           join customers cu on cu.id = c.customer_id join channels ch on ch.id = c.channel_id
          where d.incident_id = $1",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let linked: Vec<Linked> = rows
        .iter()
        .map(|r| Linked { conversation_id: r.0, customer_id: r.1, resolved: r.2, last_activity: r.3 })
        .collect();
    let mut details: std::collections::HashMap<i64, (String, String, String, Option<String>)> =
        rows.into_iter().map(|r| (r.0, (r.4, r.5, r.6, r.7))).collect();
    Ok(incident::recipients(&linked)
        .into_iter()
        .filter_map(|l| {
            let (customer, subject, channel, address) = details.remove(&l.conversation_id)?;
            Some(Target { linked: l, customer, subject, channel, address })
        })
        .collect())
}

fn context(by: &CurrentUser, t: &Target) -> MacroContext {
    MacroContext { customer_name: t.customer.clone(), agent_name: by.name.clone(), subject: t.subject.clone(), dialogue_id: t.linked.conversation_id }
}

async fn lock_open(tx: &mut PgConnection, id: i64) -> Result<(), AppError> {
    let status: String =
        sqlx::query_scalar("select status from incidents where id = $1 for update").bind(id).fetch_optional(&mut *tx).await?.ok_or_else(not_found)?;
    if status == "resolved" {
        return Err(AppError::Conflict("This incident is resolved; declare a new one.".into()));
    }
    Ok(())
}

async fn audit(tx: &mut PgConnection, by: &CurrentUser, action: AuditAction, id: i64, title: &str, detail: &str) -> Result<(), sqlx::Error> {
    super::audit::record(&mut *tx, Some(by.id), &super::audit::who(by), action, &format!("incident {id} “{title}”"), detail, &super::client_addr()).await
}

fn not_found() -> AppError {
    AppError::NotFound("There is no such incident.".into())
}
