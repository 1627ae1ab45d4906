//! Macros and mass replies in PostgreSQL. A mass reply is one transaction: the log row
//! (unique by the page's request key, so a second submission sends nothing), then for each
//! dialogue the reply with its placeholders filled and the macro's changes, or the reason it
//! was skipped. Placeholders and limits are `domain::macros`.

use crate::model::user::CurrentUser;
use crate::domain::dialogue::{parse_tags, Priority, Status};
use crate::domain::macros::{self, MacroContext, TopicKind};
use crate::error::AppError;
use crate::model::macros::{Macro, MacroInput, MassReplyResult, Topic, TopicDialogue};
use sqlx::{PgConnection, PgPool};
use crate::backend::constraints::ConstraintExt;

#[derive(sqlx::FromRow)]
struct MacroRow {
    id: i64,
    name: String,
    body: String,
    set_status: Option<Status>,
    add_tags: Vec<String>,
    set_priority: Option<Priority>,
}

impl From<MacroRow> for Macro {
    fn from(r: MacroRow) -> Macro {
        Macro { id: r.id, name: r.name, body: r.body, set_status: r.set_status, add_tags: r.add_tags, set_priority: r.set_priority }
    }
}

const COLUMNS: &str = "id, name, body, set_status, add_tags, set_priority";

pub async fn list(pool: &PgPool) -> Result<Vec<Macro>, AppError> {
    let rows: Vec<MacroRow> = sqlx::query_as(&format!("select {COLUMNS} from macros order by name")).fetch_all(pool).await?;
    Ok(rows.into_iter().map(Macro::from).collect())
}

async fn get(conn: &mut PgConnection, id: i64) -> Result<Macro, AppError> {
    let row: Option<MacroRow> = sqlx::query_as(&format!("select {COLUMNS} from macros where id = $1")).bind(id).fetch_optional(conn).await?;
    row.map(Macro::from).ok_or_else(|| AppError::NotFound("There is no such macro.".into()))
}

/// Creates or changes a macro after checking its placeholders, tags, status and priority.
pub async fn save(pool: &PgPool, by: i64, input: &MacroInput) -> Result<Macro, AppError> {
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::Invalid("Give the macro a name of at most 100 characters.".into()));
    }
    let body = input.body.trim();
    if body.is_empty() || body.chars().count() > 10_000 {
        return Err(AppError::Invalid("Write the reply (at most 10,000 characters).".into()));
    }
    macros::validate_template(body).map_err(AppError::Invalid)?;
    let tags = parse_tags(&input.add_tags).map_err(AppError::Invalid)?;
    let status = match input.set_status.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s @ ("resolved" | "postponed")) => Some(s.to_string()),
        Some(_) => return Err(AppError::Invalid("A macro may resolve or postpone the dialogue, or leave its status.".into())),
    };
    let priority = match input.set_priority.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(p) => Some(Priority::parse(p).ok_or_else(|| AppError::Invalid("Pick a priority: low, normal, high or urgent.".into()))?.as_str().to_string()),
    };
    let row: Option<MacroRow> = match input.id {
        None => sqlx::query_as(&format!(
            "insert into macros (name, body, set_status, add_tags, set_priority, created_by) values ($1, $2, $3, $4, $5, $6)
             on conflict (name) do nothing returning {COLUMNS}"
        ))
        .bind(name)
        .bind(body)
        .bind(&status)
        .bind(&tags)
        .bind(&priority)
        .bind(by)
        .fetch_optional(pool)
        .await?,
        Some(id) => sqlx::query_as(&format!(
            "update macros set name = $2, body = $3, set_status = $4, add_tags = $5, set_priority = $6, updated_at = now()
              where id = $1 returning {COLUMNS}"
        ))
        .bind(id)
        .bind(name)
        .bind(body)
        .bind(&status)
        .bind(&tags)
        .bind(&priority)
        .fetch_optional(pool)
        .await
        .on_unique(|| format!("There is already a macro called “{name}”."))?,
    };
    match (row, input.id) {
        (Some(r), _) => Ok(r.into()),
        (None, None) => Err(AppError::Conflict(format!("There is already a macro called “{name}”."))),
        (None, Some(_)) => Err(AppError::NotFound("There is no such macro.".into())),
    }
}

pub async fn delete(pool: &PgPool, id: i64) -> Result<(), AppError> {
    let done = sqlx::query("delete from macros where id = $1").bind(id).execute(pool).await?;
    if done.rows_affected() == 0 {
        return Err(AppError::NotFound("There is no such macro.".into()));
    }
    Ok(())
}

async fn context(conn: &mut PgConnection, conversation_id: i64, agent: &CurrentUser) -> Result<MacroContext, AppError> {
    let row: Option<(String, String)> = sqlx::query_as(
        "select cu.name, c.subject from conversations c join customers cu on cu.id = c.customer_id where c.id = $1",
    )
    .bind(conversation_id)
    .fetch_optional(conn)
    .await?;
    let (customer_name, subject) = row.ok_or_else(|| AppError::NotFound("There is no such dialogue.".into()))?;
    Ok(MacroContext { customer_name, agent_name: agent.name.clone(), subject, dialogue_id: conversation_id })
}

/// The macro's text as it would go to this dialogue's customer.
pub async fn preview(pool: &PgPool, agent: &CurrentUser, macro_id: i64, conversation_id: i64) -> Result<String, AppError> {
    let mut conn = pool.acquire().await?;
    let m = get(&mut conn, macro_id).await?;
    let ctx = context(&mut conn, conversation_id, agent).await?;
    macros::fill(&m.body, &ctx).map_err(AppError::Invalid)
}

/// What many waiting dialogues (open, nobody on them yet) have in common: their tags and
/// the words of their subjects (as written, not stemmed), most shared first.
pub async fn trending(pool: &PgPool) -> Result<Vec<Topic>, AppError> {
    const MIN_DIALOGUES: i64 = 3;
    let tags: Vec<(String, i64)> = sqlx::query_as(
        "select t, count(*) from conversations c, unnest(c.tags) t
          where c.status = 'open' and c.assignee_id is null group by t having count(*) >= $1 order by 2 desc, 1 limit 8",
    )
    .bind(MIN_DIALOGUES)
    .fetch_all(pool)
    .await?;
    let words: Vec<(String, i32)> = sqlx::query_as(
        "select word, ndoc from ts_stat('select to_tsvector(''simple'', subject) from conversations
                                          where status = ''open'' and assignee_id is null')
          order by ndoc desc, word limit 60",
    )
    .fetch_all(pool)
    .await?;
    let mut topics: Vec<Topic> = tags.into_iter().map(|(value, count)| Topic { kind: TopicKind::Tag, value, count }).collect();
    topics.extend(
        words
            .into_iter()
            .filter(|(w, n)| macros::is_topic_word(w, *n as i64, MIN_DIALOGUES))
            .take(8)
            .map(|(value, count)| Topic { kind: TopicKind::Word, value, count: count as i64 }),
    );
    Ok(topics)
}

/// The waiting dialogues of one topic (a tag, or a subject word as `trending` gives it),
/// longest waiting first.
pub async fn topic_dialogues(pool: &PgPool, kind: TopicKind, value: &str) -> Result<Vec<TopicDialogue>, AppError> {
    let rows: Vec<(i64, String, String, i64)> = match kind {
        TopicKind::Tag => sqlx::query_as(
            "select c.id, c.subject, cu.name, extract(epoch from now() - c.created_at)::bigint
               from conversations c join customers cu on cu.id = c.customer_id
              where c.status = 'open' and c.assignee_id is null and c.tags @> array[$1::text]
              order by c.created_at, c.id limit 200",
        ),
        TopicKind::Word => sqlx::query_as(
            "select c.id, c.subject, cu.name, extract(epoch from now() - c.created_at)::bigint
               from conversations c join customers cu on cu.id = c.customer_id
              where c.status = 'open' and c.assignee_id is null and to_tsvector('simple', c.subject) @@ to_tsquery('simple', $1)
              order by c.created_at, c.id limit 200",
        ),
    }
    .bind(value.chars().filter(|c| c.is_alphanumeric() || *c == '-' || *c == '_').collect::<String>())
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|(id, subject, customer, waiting_seconds)| TopicDialogue { id, subject, customer, waiting_seconds }).collect())
}

/// Sends `macro_id` to each of `conversation_ids` once. The same `request_key` again sends
/// nothing and answers what the first request did. Dialogues a colleague holds, or that are
/// resolved, are skipped with the reason. At most `domain::macros::mass_reply_limit` for the
/// sender's role.
pub async fn mass_reply(
    pool: &PgPool,
    agent: &CurrentUser,
    request_key: &str,
    macro_id: i64,
    conversation_ids: &[i64],
) -> Result<MassReplyResult, AppError> {
    let key = request_key.trim();
    if !(8..=100).contains(&key.len()) {
        return Err(AppError::Invalid("The request key must be 8 to 100 characters.".into()));
    }
    let mut ids: Vec<i64> = conversation_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Err(AppError::Invalid("Select at least one dialogue.".into()));
    }
    let limit = macros::mass_reply_limit(agent.role);
    if ids.len() > limit {
        return Err(AppError::Invalid(format!("You may answer at most {limit} dialogues at once; select fewer.")));
    }
    let mut tx = pool.begin().await?;
    let m = get(&mut tx, macro_id).await?;
    // The log row first: a second submission of the same request waits here for the first
    // to commit, then finds its key taken and sends nothing.
    let log: Option<i64> = sqlx::query_scalar(
        "insert into mass_replies (request_key, macro_id, macro_name, sent_by) values ($1, $2, $3, $4)
         on conflict (request_key) do nothing returning id",
    )
    .bind(key)
    .bind(m.id)
    .bind(&m.name)
    .bind(agent.id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(log) = log else {
        tx.rollback().await?;
        return earlier(pool, key).await;
    };
    let (mut sent, mut skipped) = (0i64, Vec::new());
    // In id order, so two mass replies over the same dialogues lock them in the same order.
    for id in ids {
        let ctx = match context(&mut tx, id, agent).await {
            Ok(ctx) => ctx,
            Err(AppError::NotFound(_)) => {
                skipped.push((id, "there is no such dialogue".to_string()));
                continue;
            }
            Err(e) => return Err(e),
        };
        let body = macros::fill(&m.body, &ctx).map_err(AppError::Invalid)?;
        match super::dialogue::write_message_in(&mut tx, id, agent.id, &body, false, false, &[]).await {
            Ok(message_id) => {
                apply_changes(&mut tx, id, agent.id, &m).await?;
                sqlx::query("insert into mass_reply_targets (mass_reply_id, conversation_id, message_id) values ($1, $2, $3)")
                    .bind(log)
                    .bind(id)
                    .bind(message_id)
                    .execute(&mut *tx)
                    .await?;
                sent += 1;
            }
            // Refusals happen before anything is written for that dialogue.
            Err(AppError::Conflict(reason) | AppError::NotFound(reason)) => {
                sqlx::query("insert into mass_reply_targets (mass_reply_id, conversation_id, skipped) values ($1, $2, $3)")
                    .bind(log)
                    .bind(id)
                    .bind(&reason)
                    .execute(&mut *tx)
                    .await?;
                skipped.push((id, reason));
            }
            Err(e) => return Err(e),
        }
    }
    sqlx::query("update mass_replies set sent = $2, skipped = $3 where id = $1")
        .bind(log)
        .bind(sent as i32)
        .bind(skipped.len() as i32)
        .execute(&mut *tx)
        .await?;
    super::audit::record(
        &mut *tx,
        Some(agent.id),
        &super::audit::who(agent),
        crate::domain::audit::AuditAction::MassReply,
        &format!("macro “{}”", m.name),
        &format!("sent to {sent} dialogues, {} skipped (mass reply {log})", skipped.len()),
        &super::client_addr(),
    )
    .await?;
    tx.commit().await?;
    Ok(MassReplyResult { id: log, macro_name: m.name, sent, skipped, repeated: false })
}

/// What an earlier request with this key did.
async fn earlier(pool: &PgPool, key: &str) -> Result<MassReplyResult, AppError> {
    let (id, macro_name, sent): (i64, String, i32) =
        sqlx::query_as("select id, macro_name, sent from mass_replies where request_key = $1").bind(key).fetch_one(pool).await?;
    let skipped: Vec<(i64, String)> = sqlx::query_as(
        "select conversation_id, skipped from mass_reply_targets where mass_reply_id = $1 and skipped is not null order by conversation_id",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    Ok(MassReplyResult { id, macro_name, sent: sent as i64, skipped, repeated: true })
}

/// What the macro does besides replying: add its tags, set its priority, resolve or postpone.
async fn apply_changes(tx: &mut PgConnection, id: i64, me: i64, m: &Macro) -> Result<(), AppError> {
    use super::dialogue as c;
    if !m.add_tags.is_empty() {
        let mut tags: Vec<String> = sqlx::query_scalar("select tags from conversations where id = $1").bind(id).fetch_one(&mut *tx).await?;
        for t in &m.add_tags {
            if !tags.contains(t) {
                tags.push(t.clone());
            }
        }
        tags.truncate(10);
        c::set_tags_in(&mut *tx, id, me, &tags).await?;
    }
    if let Some(p) = m.set_priority {
        c::set_priority_in(&mut *tx, id, me, p).await?;
    }
    match m.set_status {
        Some(Status::Resolved) => c::resolve_in(&mut *tx, id, me).await?,
        Some(Status::Postponed) => c::postpone_in(&mut *tx, id, me, None).await?,
        Some(Status::Open) | None => {}
    }
    Ok(())
}
