//! Dialogues in PostgreSQL (the queue's lists are in `queue`): one dialogue with its
//! timeline and customer card, and every state change, each in one transaction with
//! its event (whose trigger tells every server process).

use crate::domain::dialogue::{Outcome, Priority};
use crate::domain::queue::{self, WriteAs};
use crate::error::AppError;
use sqlx::{PgConnection, PgPool};

pub(super) fn now_epoch() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A line on the dialogue's history; `actor` is `None` for Meridian itself (a rule).
async fn event(conn: &mut PgConnection, id: i64, actor: impl Into<Option<i64>>, kind: &str, text: &str) -> Result<(), sqlx::Error> {
    sqlx::query("insert into conversation_events (conversation_id, actor_user_id, kind, detail) values ($1, $2, $3, $4)")
        .bind(id)
        .bind(actor.into())
        .bind(kind)
        .bind(serde_json::json!({ "text": text }))
        .execute(conn)
        .await?;
    Ok(())
}

async fn user_name(conn: &mut PgConnection, id: i64) -> Result<String, sqlx::Error> {
    sqlx::query_scalar("select name from users where id = $1").bind(id).fetch_one(conn).await
}

/// Locks the dialogue's row for this transaction and returns (holder, status), or 404.
async fn lock(conn: &mut PgConnection, id: i64) -> Result<(Option<i64>, String), AppError> {
    sqlx::query_as("select assignee_id, status from conversations where id = $1 for update")
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| AppError::NotFound("There is no such dialogue.".into()))
}

/// Whether `user` is on the sales desk.
async fn in_sales(conn: &mut PgConnection, user: i64) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("select desk = 'sales' from users where id = $1").bind(user).fetch_one(conn).await
}

async fn sales_owned(conn: &mut PgConnection, holder: i64) -> Result<AppError, sqlx::Error> {
    let name = user_name(conn, holder).await?;
    Ok(AppError::Conflict(format!(
        "{name} (sales) looks after this customer: nobody else takes this dialogue over. Acknowledge and forward it instead."
    )))
}

/// A colleague answers a sales rep's customer that their message reached the rep, and the
/// rep is notified. The dialogue stays with the rep; the acknowledgement goes out on the
/// channel like a reply, but is not the first response (the rep's answer is).
pub async fn acknowledge(pool: &PgPool, id: i64, me: i64) -> Result<i64, AppError> {
    let mut tx = pool.begin().await?;
    let (holder, status) = lock(&mut tx, id).await?;
    let rep = match holder {
        Some(h) if h != me && in_sales(&mut tx, h).await? => h,
        _ => {
            return Err(AppError::Conflict(
                "Only a dialogue a colleague in sales holds is acknowledged and forwarded; reply to this one instead.".into(),
            ))
        }
    };
    if status == "resolved" {
        return Err(AppError::Conflict("This dialogue is resolved.".into()));
    }
    let (rep_name, target): (String, i64) = sqlx::query_as(
        "select u.name, extract(epoch from ch.first_response_target)::bigint
           from users u, conversations c join channels ch on ch.id = c.channel_id where u.id = $1 and c.id = $2",
    )
    .bind(rep)
    .bind(id)
    .fetch_one(&mut *tx)
    .await?;
    let first = rep_name.split_whitespace().next().unwrap_or(&rep_name).to_string();
    let body = queue::acknowledgement(&first, target);
    let message_id: i64 = sqlx::query_scalar(
        "insert into messages (conversation_id, author_kind, author_user_id, visibility, body) values ($1, 'agent', $2, 'public', $3) returning id",
    )
    .bind(id)
    .bind(me)
    .bind(&body)
    .fetch_one(&mut *tx)
    .await?;
    super::outbox::enqueue_reply(&mut tx, id, message_id).await?;
    sqlx::query(
        "insert into notifications (user_id, kind, conversation_id, message_id, actor_id) values ($1, 'forwarded', $2, $3, $4)",
    )
    .bind(rep)
    .bind(id)
    .bind(message_id)
    .bind(me)
    .execute(&mut *tx)
    .await?;
    event(&mut tx, id, me, "acknowledged", &format!("and forwarded to {rep_name}")).await?;
    tx.commit().await?;
    Ok(message_id)
}

async fn held_by(conn: &mut PgConnection, holder: i64) -> Result<AppError, sqlx::Error> {
    let name = user_name(conn, holder).await?;
    Ok(AppError::Conflict(format!("{name} is handling this dialogue.")))
}

/// Gives the (locked) dialogue to `holder` and records why, as `kind` by `actor`.
async fn hand_to(conn: &mut PgConnection, id: i64, actor: i64, holder: i64, kind: &str, text: &str) -> Result<(), sqlx::Error> {
    // Taking it over is a claim; handing it to someone else a reassignment.
    let how = if actor == holder { "claimed" } else { "reassigned" };
    sqlx::query("update conversations set assignee_id = $2, claimed_at = now(), assigned_how = $3, assignment_note = null where id = $1")
        .bind(id)
        .bind(holder)
        .bind(how)
        .execute(&mut *conn)
        .await?;
    event(conn, id, actor, kind, text).await
}

/// What a claim ended with.
#[derive(Debug, PartialEq, Eq)]
pub enum Claimed {
    /// Nobody held it; now `me` does.
    Now,
    /// `me` held it already.
    Already,
    /// Someone else held it; `me` took it over (asked for explicitly).
    TakenOver,
}

/// Claims a dialogue for `me`. The race is decided by PostgreSQL: the conditional update
/// succeeds for exactly one of any number of simultaneous claims; the others learn who
/// holds it (409) unless they asked to take it over.
pub async fn claim(pool: &PgPool, id: i64, me: i64, take_over: bool) -> Result<Claimed, AppError> {
    let mut tx = pool.begin().await?;
    let won: Option<i64> = sqlx::query_scalar(
        "update conversations set assignee_id = $2, claimed_at = now(), assigned_how = 'claimed', assignment_note = null
          where id = $1 and assignee_id is null and status <> 'resolved' returning id",
    )
    .bind(id)
    .bind(me)
    .fetch_optional(&mut *tx)
    .await?;
    if won.is_some() {
        event(&mut tx, id, me, "claimed", "").await?;
        tx.commit().await?;
        return Ok(Claimed::Now);
    }
    let (holder, status) = lock(&mut tx, id).await?;
    if status == "resolved" {
        return Err(AppError::Conflict("This dialogue is resolved. Reopen it to work on it.".into()));
    }
    match holder {
        Some(h) if h == me => Ok(Claimed::Already),
        Some(h) if !take_over => Err(held_by(&mut tx, h).await?),
        Some(h) if !queue::may_hand_over(Some(h), in_sales(&mut tx, h).await?, me) => Err(sales_owned(&mut tx, h).await?),
        Some(h) => {
            let previous = user_name(&mut tx, h).await?;
            hand_to(&mut tx, id, me, me, "taken_over", &format!("from {previous}")).await?;
            tx.commit().await?;
            Ok(Claimed::TakenOver)
        }
        // Released between our update and our lock: we hold the row lock now, so claim it
        // here (retrying in a new transaction would wait on our own lock for ever).
        None => {
            hand_to(&mut tx, id, me, me, "claimed", "").await?;
            tx.commit().await?;
            Ok(Claimed::Now)
        }
    }
}

/// Makes sure `me` may act on the dialogue as its holder, claiming or taking it over
/// as `may_write` decides. Runs inside the caller's transaction, with the row locked.
async fn act_as_holder(conn: &mut PgConnection, id: i64, me: i64, internal: bool, take_over: bool) -> Result<String, AppError> {
    let (holder, status) = lock(conn, id).await?;
    match queue::may_write(holder, me, internal, take_over) {
        Ok(WriteAs::Holder) => {}
        Ok(WriteAs::ClaimFirst) => hand_to(conn, id, me, me, "claimed", "").await?,
        Ok(WriteAs::TakeOver) => {
            let h = holder.expect("take-over has a holder");
            if !queue::may_hand_over(Some(h), in_sales(conn, h).await?, me) {
                return Err(sales_owned(conn, h).await?);
            }
            let previous = user_name(conn, h).await?;
            hand_to(conn, id, me, me, "taken_over", &format!("from {previous}")).await?;
        }
        Err(queue::HeldByOther(h)) => return Err(held_by(conn, h).await?),
    }
    Ok(status)
}

/// Adds an agent's public reply or internal note. A public reply needs the dialogue
/// (claiming it if nobody holds it) and sets the first response once; a note never
/// reaches the customer and changes nothing else. `articles` are knowledge-base articles
/// the agent inserted into a reply; they are recorded as sent (notes send nothing).
pub async fn write_message(
    pool: &PgPool,
    id: i64,
    me: i64,
    body: &str,
    internal: bool,
    take_over: bool,
    articles: &[i64],
) -> Result<i64, AppError> {
    let mut tx = pool.begin().await?;
    let message_id = write_message_in(&mut tx, id, me, body, internal, take_over, articles).await?;
    tx.commit().await?;
    Ok(message_id)
}

/// [`write_message`] inside the caller's transaction (a mass reply writes many).
pub async fn write_message_in(
    tx: &mut PgConnection,
    id: i64,
    me: i64,
    body: &str,
    internal: bool,
    take_over: bool,
    articles: &[i64],
) -> Result<i64, AppError> {
    let body = queue::message_body(body).map_err(|e| AppError::Invalid(e.into()))?;
    let status = act_as_holder(&mut *tx, id, me, internal, take_over).await?;
    if status == "resolved" && !internal {
        return Err(AppError::Conflict("This dialogue is resolved. Reopen it to reply.".into()));
    }
    let message_id: i64 = sqlx::query_scalar(
        "insert into messages (conversation_id, author_kind, author_user_id, visibility, body)
         values ($1, 'agent', $2, $3, $4) returning id",
    )
    .bind(id)
    .bind(me)
    .bind(if internal { "internal" } else { "public" })
    .bind(&body)
    .fetch_one(&mut *tx)
    .await?;
    if !internal {
        sqlx::query("update conversations set first_response_at = coalesce(first_response_at, now()) where id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    event(&mut *tx, id, me, if internal { "noted" } else { "replied" }, "").await?;
    if internal {
        super::mentions::notify_mentions(&mut *tx, id, message_id, me, &body).await?;
    } else {
        super::kb::record_uses(&mut *tx, id, me, &body, articles).await?;
        // Out on the dialogue's channel, from the outbox, once this transaction commits.
        super::outbox::enqueue_reply(&mut *tx, id, message_id).await?;
    }
    Ok(message_id)
}

/// Postpones until a time (Unix seconds) or, with `None`, until the customer replies.
pub async fn postpone(pool: &PgPool, id: i64, me: i64, until: Option<i64>) -> Result<(), AppError> {
    if let Some(until) = until {
        queue::postpone_until(until, now_epoch()).map_err(|e| AppError::Invalid(e.into()))?;
    }
    let mut tx = pool.begin().await?;
    postpone_in(&mut tx, id, me, until).await?;
    tx.commit().await?;
    Ok(())
}

/// [`postpone`] inside the caller's transaction.
pub async fn postpone_in(tx: &mut PgConnection, id: i64, me: i64, until: Option<i64>) -> Result<(), AppError> {
    let status = act_as_holder(&mut *tx, id, me, false, false).await?;
    if status == "resolved" {
        return Err(AppError::Conflict("This dialogue is resolved. Reopen it first.".into()));
    }
    sqlx::query(
        "update conversations set status = 'postponed', postponed_until = to_timestamp($2::float8), postponed_until_reply = $3
          where id = $1",
    )
    .bind(id)
    .bind(until.map(|u| u as f64))
    .bind(until.is_none())
    .execute(&mut *tx)
    .await?;
    let text = match until {
        Some(_) => "until a time".to_string(),
        None => "until the customer replies".to_string(),
    };
    event(&mut *tx, id, me, "postponed", &text).await?;
    Ok(())
}

pub async fn resolve(pool: &PgPool, id: i64, me: i64) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    resolve_in(&mut tx, id, me).await?;
    tx.commit().await?;
    Ok(())
}

/// [`resolve`] inside the caller's transaction.
pub async fn resolve_in(tx: &mut PgConnection, id: i64, me: i64) -> Result<(), AppError> {
    let status = act_as_holder(&mut *tx, id, me, false, false).await?;
    if status == "resolved" {
        return Ok(());
    }
    mark_resolved(tx, id, me, "").await?;
    Ok(())
}

/// Resolves a dialogue whoever holds it (an incident's closing resolves them all, a rule
/// may): the caller has decided it may. Nothing happens to one already resolved. Returns
/// whether it changed. `me` is `None` when Meridian does it; `text` goes on the history line.
pub async fn mark_resolved(tx: &mut PgConnection, id: i64, me: impl Into<Option<i64>>, text: &str) -> Result<bool, AppError> {
    let changed = sqlx::query(
        "update conversations set status = 'resolved', resolved_at = now(), postponed_until = null, postponed_until_reply = false
          where id = $1 and status <> 'resolved'",
    )
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if changed {
        event(&mut *tx, id, me, "resolved", text).await?;
        super::outbox::enqueue_rating_request(&mut *tx, id).await?;
    }
    Ok(changed)
}

/// A message Meridian sends to a dialogue's customer on a manager's behalf (an incident
/// update): public, out on the dialogue's channel, and never a response: the customer's
/// own question still waits for a person, so the first response and the holder stay.
pub async fn write_broadcast_in(tx: &mut PgConnection, id: i64, me: i64, body: &str, what: &str) -> Result<i64, AppError> {
    let message_id: i64 = sqlx::query_scalar(
        "insert into messages (conversation_id, author_kind, author_user_id, visibility, body)
         values ($1, 'system', $2, 'public', $3) returning id",
    )
    .bind(id)
    .bind(me)
    .bind(body)
    .fetch_one(&mut *tx)
    .await?;
    event(&mut *tx, id, me, "incident_update", what).await?;
    super::outbox::enqueue_reply(&mut *tx, id, message_id).await?;
    Ok(message_id)
}

/// Reopens a resolved dialogue; it goes back to whoever held it (or to the queue).
pub async fn reopen(pool: &PgPool, id: i64, me: i64) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let (_, status) = lock(&mut tx, id).await?;
    if status != "resolved" {
        return Ok(());
    }
    sqlx::query("update conversations set status = 'open', resolved_at = null where id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    event(&mut tx, id, me, "reopened", "").await?;
    tx.commit().await?;
    Ok(())
}

/// Accepts an e-mail held apart ("from another sender") into the dialogue it answers: its
/// messages and their threading move there (a customer message reopens it), the sender is
/// known to that dialogue from then on, and the held dialogue is resolved, emptied, with a
/// line on both histories. Returns the dialogue it joined.
pub async fn accept_sender(pool: &PgPool, id: i64, me: i64) -> Result<i64, AppError> {
    let mut tx = pool.begin().await?;
    lock(&mut tx, id).await?;
    let held: Option<(Option<i64>, Option<String>)> = sqlx::query_as(
        "select c.answers_dialogue_id, (select m.sender from messages m where m.conversation_id = c.id and m.author_kind = 'customer' order by m.id limit 1)
           from conversations c where c.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let (Some(target), sender) = held.unwrap_or((None, None)) else {
        return Err(AppError::Conflict("This dialogue is not an answer held apart, or it was accepted already.".into()));
    };
    let (_, status) = lock(&mut tx, target).await?;
    sqlx::query("update messages set conversation_id = $2 where conversation_id = $1").bind(id).bind(target).execute(&mut *tx).await?;
    sqlx::query("update message_refs set conversation_id = $2 where conversation_id = $1").bind(id).bind(target).execute(&mut *tx).await?;
    sqlx::query("update conversations set answers_dialogue_id = null, status = 'resolved', resolved_at = now(), postponed_until = null where id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    if status != "open" {
        sqlx::query("update conversations set status = 'open', resolved_at = null, postponed_until = null, postponed_until_reply = false where id = $1")
            .bind(target)
            .execute(&mut *tx)
            .await?;
    }
    let sender = sender.unwrap_or_else(|| "another sender".into());
    event(&mut tx, id, me, "sender_accepted", &format!("the e-mail from {sender} into dialogue #{target}")).await?;
    event(&mut tx, target, me, "sender_accepted", &format!("the e-mail from {sender}, held apart in dialogue #{id}")).await?;
    tx.commit().await?;
    Ok(target)
}

/// Hands a dialogue to another agent (an active operator, manager or owner).
pub async fn assign(pool: &PgPool, id: i64, me: i64, agent_id: i64) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let agent: Option<String> = sqlx::query_scalar(
        "select name from users where id = $1 and active and role in ('operator', 'admin', 'super_admin')",
    )
    .bind(agent_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(agent) = agent else {
        return Err(AppError::Invalid("Pick an active agent to hand this dialogue to.".into()));
    };
    let (holder, status) = lock(&mut tx, id).await?;
    if status == "resolved" {
        return Err(AppError::Conflict("This dialogue is resolved. Reopen it first.".into()));
    }
    if let Some(h) = holder {
        if !queue::may_hand_over(Some(h), in_sales(&mut tx, h).await?, me) {
            return Err(sales_owned(&mut tx, h).await?);
        }
    }
    hand_to(&mut tx, id, me, agent_id, "assigned", &format!("to {agent}")).await?;
    tx.commit().await?;
    Ok(())
}

/// Brings back every postponed dialogue whose time has come, in one statement: with
/// several server processes running this at once, each dialogue wakes exactly once.
pub async fn wake_due(pool: &PgPool) -> Result<u64, sqlx::Error> {
    let woke: Vec<i64> = sqlx::query_scalar(
        "with woke as (
             update conversations set status = 'open', postponed_until = null
              where status = 'postponed' and postponed_until <= now()
          returning id)
         insert into conversation_events (conversation_id, kind, detail)
         select id, 'woke_up', '{\"text\": \"the postponement ended\"}'::jsonb from woke
         returning conversation_id",
    )
    .fetch_all(pool)
    .await?;
    Ok(woke.len() as u64)
}

/// Stores a customer's message in a dialogue. A customer reply reopens the dialogue:
/// a postponed one comes back at once, a resolved one opens again (for its last agent).
/// Inbound channels call [`record_customer_message_in`].
pub async fn record_customer_message(pool: &PgPool, id: i64, body: &str) -> Result<i64, AppError> {
    let body = queue::message_body(body).map_err(|e| AppError::Invalid(e.into()))?;
    let mut tx = pool.begin().await?;
    let message_id = record_customer_message_in(&mut tx, id, &body, None, None).await?;
    tx.commit().await?;
    Ok(message_id)
}

/// [`record_customer_message`] inside the caller's transaction, with the text already
/// checked and, for e-mail, the sanitized HTML part; `sender` is the address or handle
/// that sent it.
pub async fn record_customer_message_in(tx: &mut PgConnection, id: i64, body: &str, html: Option<&str>, sender: Option<&str>) -> Result<i64, AppError> {
    let (_, status) = lock(&mut *tx, id).await?;
    let message_id: i64 = sqlx::query_scalar(
        "insert into messages (conversation_id, author_kind, visibility, body, body_html, sender)
         values ($1, 'customer', 'public', $2, $3, $4) returning id",
    )
    .bind(id)
    .bind(body)
    .bind(html)
    .bind(sender)
    .fetch_one(&mut *tx)
    .await?;
    if status != "open" {
        sqlx::query(
            "update conversations set status = 'open', resolved_at = null, postponed_until = null, postponed_until_reply = false
              where id = $1",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
    }
    let kind = match status.as_str() {
        "resolved" => "reopened",
        "postponed" => "woke_up",
        _ => "customer_wrote",
    };
    let text = if kind == "customer_wrote" { "" } else { "the customer replied" };
    sqlx::query("insert into conversation_events (conversation_id, kind, detail) values ($1, $2, $3)")
        .bind(id)
        .bind(kind)
        .bind(serde_json::json!({ "text": text }))
        .execute(&mut *tx)
        .await?;
    Ok(message_id)
}

/// A claim is a lease: dialogues claimed more than `lease` ago and still unanswered go
/// back to the queue when their agent has not been seen (no request in any session) for
/// `lease` either: offline, or idle at the desk. One statement, so with several server
/// processes each dialogue is released once.
pub async fn release_stale_claims(pool: &PgPool, lease: std::time::Duration) -> Result<u64, sqlx::Error> {
    let released: Vec<i64> = sqlx::query_scalar(
        "with stale as (
             update conversations c set assignee_id = null, claimed_at = null
              where c.status = 'open'
                and c.first_response_at is null
                and c.assignee_id is not null
                and c.claimed_at < now() - make_interval(secs => $1)
                -- A sales rep's dialogues stay theirs, however long they are away.
                and not exists (select 1 from users r where r.id = c.assignee_id and r.desk = 'sales')
                and not exists (select 1 from sessions s
                                 where s.user_id = c.assignee_id
                                   and s.last_seen_at > now() - make_interval(secs => $1))
          returning c.id)
         insert into conversation_events (conversation_id, kind, detail)
         select id, 'released', '{\"text\": \"back to the queue: its agent went idle before answering\"}'::jsonb from stale
         returning conversation_id",
    )
    .bind(lease.as_secs_f64())
    .fetch_all(pool)
    .await?;
    Ok(released.len() as u64)
}

/// Changes the priority and the outcome (`None` clears it). Anyone working the queue may,
/// whoever holds the dialogue: triage is a team sport. Only real changes are recorded.
pub async fn set_details(pool: &PgPool, id: i64, me: i64, priority: Priority, outcome: Option<Outcome>) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    lock(&mut tx, id).await?;
    let (old_priority, old_outcome): (String, Option<String>) =
        sqlx::query_as("select priority, outcome from conversations where id = $1").bind(id).fetch_one(&mut *tx).await?;
    let new_outcome = outcome.map(|o| o.as_str().to_string());
    sqlx::query("update conversations set priority = $2, outcome = $3 where id = $1")
        .bind(id)
        .bind(priority.as_str())
        .bind(&new_outcome)
        .execute(&mut *tx)
        .await?;
    if old_priority != priority.as_str() {
        event(&mut tx, id, me, "priority_changed", &format!("to {}", priority.label())).await?;
    }
    if old_outcome != new_outcome {
        let text = outcome.map(|o| format!("to {}", o.label())).unwrap_or_else(|| "cleared".into());
        event(&mut tx, id, me, "outcome_changed", &text).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Escalates a dialogue to a colleague who works the queue (a support engineer, a manager)
/// with a bug report: recorded in `escalations`, written into the dialogue as an internal
/// note that @mentions them (so they are notified), and the priority raised to what the
/// impact calls for. One transaction; a bad report writes nothing.
pub async fn escalate(pool: &PgPool, id: i64, me: i64, to: i64, report: &crate::domain::dialogue::BugReport) -> Result<i64, AppError> {
    let impact = report.check().map_err(AppError::Invalid)?;
    if to == me {
        return Err(AppError::Invalid("Escalate to a colleague, not to yourself.".into()));
    }
    let mut tx = pool.begin().await?;
    let target: Option<(String, String)> = sqlx::query_as(
        "select lower(split_part(email, '@', 1)), name from users where id = $1 and active and role in ('operator', 'admin', 'super_admin')",
    )
    .bind(to)
    .fetch_optional(&mut *tx)
    .await?;
    let (handle, name) = target.ok_or_else(|| AppError::Invalid("Escalate to an active colleague who works the queue.".into()))?;
    let (_, _) = lock(&mut tx, id).await?;
    let message_id = write_message_in(&mut tx, id, me, &report.note(&handle, impact), true, false, &[]).await?;
    let escalation: i64 = sqlx::query_scalar(
        "insert into escalations (conversation_id, raised_by, assigned_to, steps, expected, actual, impact, message_id)
         values ($1, $2, $3, $4, $5, $6, $7, $8) returning id",
    )
    .bind(id)
    .bind(me)
    .bind(to)
    .bind(report.steps.trim())
    .bind(report.expected.trim())
    .bind(report.actual.trim())
    .bind(impact.as_str())
    .bind(message_id)
    .fetch_one(&mut *tx)
    .await?;
    let current: String = sqlx::query_scalar("select priority from conversations where id = $1").bind(id).fetch_one(&mut *tx).await?;
    let rank = |p: Priority| Priority::ALL.iter().position(|x| *x == p).unwrap_or(0);
    let floor = impact.priority_floor();
    if Priority::parse(&current).is_none_or(|p| rank(p) < rank(floor)) {
        set_priority_in(&mut tx, id, me, floor).await?;
    }
    event(&mut tx, id, me, "escalated", &format!("to {name}, impact {}", impact.as_str())).await?;
    tx.commit().await?;
    Ok(escalation)
}

/// Sets the priority inside the caller's transaction; records the change when there is one.
pub async fn set_priority_in(tx: &mut PgConnection, id: i64, me: i64, priority: Priority) -> Result<(), AppError> {
    lock(&mut *tx, id).await?;
    let old: String = sqlx::query_scalar("select priority from conversations where id = $1").bind(id).fetch_one(&mut *tx).await?;
    if old != priority.as_str() {
        sqlx::query("update conversations set priority = $2 where id = $1").bind(id).bind(priority.as_str()).execute(&mut *tx).await?;
        event(&mut *tx, id, me, "priority_changed", &format!("to {}", priority.label())).await?;
    }
    Ok(())
}

/// Replaces the dialogue's tags; records the change when there is one.
pub async fn set_tags(pool: &PgPool, id: i64, me: i64, tags: &[String]) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    set_tags_in(&mut tx, id, me, tags).await?;
    tx.commit().await?;
    Ok(())
}

/// [`set_tags`] inside the caller's transaction.
pub async fn set_tags_in(tx: &mut PgConnection, id: i64, me: i64, tags: &[String]) -> Result<(), AppError> {
    lock(&mut *tx, id).await?;
    let old: Vec<String> = sqlx::query_scalar("select tags from conversations where id = $1").bind(id).fetch_one(&mut *tx).await?;
    if old != tags {
        sqlx::query("update conversations set tags = $2 where id = $1").bind(id).bind(tags).execute(&mut *tx).await?;
        let text = if tags.is_empty() { "cleared the tags".to_string() } else { format!("as {}", tags.join(", ")) };
        event(&mut *tx, id, me, "tagged", &text).await?;
    }
    Ok(())
}

/// Whether the database holds any dialogue (`seed-demo --if-empty`).
pub async fn any(pool: &PgPool) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("select exists (select 1 from conversations)").fetch_one(pool).await
}
