//! One dialogue as the dialogue page and the REST API read it: the customer's whole timeline
//! across channels, deliveries, the customer card, who else is in it, who it can go to.

use super::dialogue::now_epoch;
use crate::domain::dialogue::{ChannelKind, Outcome, Priority, Status};
use crate::domain::queue;
use crate::model::dialogue::{AnsweredDialogue, CustomerCard, Dialogue, PastDialogue, TimelineEntry};
use sqlx::PgPool;

#[derive(sqlx::FromRow)]
struct DialogueRow {
    id: i64,
    subject: String,
    topic: String,
    status: Status,
    priority: Priority,
    outcome: Option<Outcome>,
    tags: Vec<String>,
    channel_kind: ChannelKind,
    channel: String,
    assignee_id: Option<i64>,
    assignee: Option<String>,
    assigned_how: Option<crate::domain::assignment::AssignedHow>,
    assignment_note: Option<String>,
    held_by_sales: Option<bool>,
    created_epoch: i64,
    target_seconds: i64,
    first_response_epoch: Option<i64>,
    postponed_until_epoch: Option<i64>,
    postponed_until_reply: bool,
    customer_id: i64,
    customer_name: String,
    customer_email: Option<String>,
    customer_unverified_email: Option<String>,
    customer_phone: Option<String>,
    customer_time_zone: String,
    customer_local_time: Option<String>,
    customer_plan: Option<String>,
    answers_id: Option<i64>,
    answers_subject: Option<String>,
    answers_customer: Option<String>,
}

/// One dialogue as the agent sees it, or `None` if there is no such dialogue.
pub async fn dialogue(pool: &PgPool, id: i64, me: i64) -> Result<Option<Dialogue>, sqlx::Error> {
    let row: Option<DialogueRow> = sqlx::query_as(
        "select c.id, c.subject, c.topic, c.status, c.priority, c.outcome, c.tags, ch.kind as channel_kind, ch.name as channel,
                c.assignee_id, u.name as assignee, c.assigned_how, c.assignment_note, u.desk = 'sales' as held_by_sales,
                extract(epoch from c.created_at)::bigint as created_epoch,
                extract(epoch from ch.first_response_target)::bigint as target_seconds,
                extract(epoch from c.first_response_at)::bigint as first_response_epoch,
                extract(epoch from c.postponed_until)::bigint as postponed_until_epoch,
                c.postponed_until_reply,
                cu.id as customer_id, cu.name as customer_name, cu.email as customer_email, cu.unverified_email as customer_unverified_email, cu.phone as customer_phone,
                cu.time_zone as customer_time_zone,
                -- An unknown zone name must not break the page: null instead (see the migration).
                local_time_text(cu.time_zone) as customer_local_time,
                cu.plan as customer_plan,
                a.id as answers_id, a.subject as answers_subject, acu.name as answers_customer
           from conversations c
           join channels ch on ch.id = c.channel_id
           join customers cu on cu.id = c.customer_id
           left join users u on u.id = c.assignee_id
           left join conversations a on a.id = c.answers_dialogue_id
           left join customers acu on acu.id = a.customer_id
          where c.id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    let Some(r) = row else { return Ok(None) };

    // The whole history with this customer, every channel, newest 200 entries.
    #[derive(sqlx::FromRow)]
    struct MessageRow {
        id: i64,
        conversation_id: i64,
        subject: String,
        author_kind: String,
        author: Option<String>,
        visibility: String,
        body: String,
        body_html: Option<String>,
        sender: Option<String>,
        at: i64,
        channel_kind: String,
    }
    let messages: Vec<MessageRow> = sqlx::query_as(
        "select * from (
             select m.id, m.conversation_id, c.subject, m.author_kind, u.name as author, m.visibility, m.body, m.body_html, m.sender,
                    extract(epoch from m.created_at)::bigint as at, ch.kind as channel_kind
               from messages m
               join conversations c on c.id = m.conversation_id
               join channels ch on ch.id = c.channel_id
               left join users u on u.id = m.author_user_id
              where c.customer_id = $1
              order by m.created_at desc, m.id desc
              limit 200) recent
          order by at, id",
    )
    .bind(r.customer_id)
    .fetch_all(pool)
    .await?;
    let ids: Vec<i64> = messages.iter().map(|m| m.id).collect();
    let files: Vec<(i64, i64, String, i32)> =
        sqlx::query_as("select message_id, id, filename, size_bytes from attachments where message_id = any($1) order by id")
            .bind(&ids)
            .fetch_all(pool)
            .await?;
    let deliveries = super::outbox::deliveries(pool, id).await?;
    let mut timeline: Vec<TimelineEntry> = messages
        .into_iter()
        .map(|m| {
            // Customer HTML was sanitized when it arrived; agents' Markdown renders to safe HTML.
            let html = match m.author_kind.as_str() {
                "customer" => m.body_html,
                "agent" => Some(crate::domain::kb::render_markdown(&m.body)),
                _ => None,
            };
            TimelineEntry::Message {
                delivery: deliveries.iter().find(|(mid, _)| *mid == m.id).map(|(_, d)| d.clone()),
                attachments: files.iter().filter(|f| f.0 == m.id).map(|f| (f.1, f.2.clone(), f.3)).collect(),
                id: m.id,
                conversation_id: m.conversation_id,
                subject: m.subject,
                channel_kind: m.channel_kind,
                author_kind: m.author_kind,
                author: m.author,
                internal: m.visibility == "internal",
                body: m.body,
                html,
                sender: m.sender,
                at_epoch: m.at,
            }
        })
        .collect();
    let events: Vec<(i64, String, Option<String>, serde_json::Value, i64)> = sqlx::query_as(
        "select e.id, e.kind, u.name, e.detail, extract(epoch from e.created_at)::bigint
           from conversation_events e left join users u on u.id = e.actor_user_id
          where e.conversation_id = $1 and e.kind <> 'customer_wrote' order by e.created_at, e.id",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    timeline.extend(events.into_iter().map(|(id, kind, actor, detail, at)| TimelineEntry::Event {
        id,
        kind,
        actor,
        detail: detail.get("text").and_then(|t| t.as_str()).unwrap_or_default().to_string(),
        at_epoch: at,
    }));
    timeline.sort_by_key(|e| e.at_epoch());

    let past: Vec<PastDialogue> = sqlx::query_as(
        "select c.id, c.subject, c.status, ch.kind as channel_kind, extract(epoch from c.created_at)::bigint as created_epoch, c.csat
           from conversations c join channels ch on ch.id = c.channel_id
          where c.customer_id = $1 and c.id <> $2
          order by c.created_at desc limit 10",
    )
    .bind(r.customer_id)
    .bind(id)
    .fetch_all(pool)
    .await?;
    let ratings: (i64, i64, i64) = sqlx::query_as(
        "select count(*) filter (where csat = 1), count(*) filter (where csat = 2), count(*) filter (where csat = 3)
           from conversations where customer_id = $1",
    )
    .bind(r.customer_id)
    .fetch_one(pool)
    .await?;

    let rating: Option<(i16, Option<String>, Option<i16>, Option<i16>)> = sqlx::query_as(
        "select csat, csat_comment, ces, nps from conversations where id = $1 and rated_at is not null and csat is not null",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    let rating = rating.map(|(csat, comment, ces, nps)| crate::model::dialogue::RatingView {
        csat: crate::domain::channels::csat_label(csat as u8).to_string(),
        comment,
        ces: ces.map(|c| {
            let label = crate::domain::channels::CES_CHOICES.iter().find(|(v, _)| *v as i16 == c).map(|(_, l)| *l).unwrap_or("");
            (c, label.to_string())
        }),
        nps,
    });
    let viewers = super::presence::viewers(pool, &[id], me).await?;
    // Everyone who can take it, on shift now first, then the least loaded.
    let assignees: Vec<crate::model::dialogue::Assignee> = sqlx::query_as(
        "select * from (
             select u.id, u.name, lower(split_part(u.email, '@', 1)) as handle,
                    (select count(*) from conversations c where c.status = 'open' and c.assignee_id = u.id) as open,
                    (select to_char(max(s.ends_at) at time zone me.time_zone, 'HH24:MI') from shifts s
                      where s.user_id = u.id and s.starts_at <= now() and s.ends_at > now()) as on_shift_until
               from users u, (select time_zone from users where id = $1) me
              where u.active and u.role in ('operator', 'admin', 'super_admin')) a
          order by on_shift_until is null, open, name limit 300",
    )
    .bind(me)
    .fetch_all(pool)
    .await?;
    let sla = super::sla::dialogue_sla(pool, r.id).await?;
    Ok(Some(Dialogue {
        sla,
        assignees,
        viewers,
        id: r.id,
        subject: r.subject,
        topic: r.topic,
        status: r.status,
        priority: r.priority,
        outcome: r.outcome,
        tags: r.tags,
        channel_kind: r.channel_kind,
        channel: r.channel,
        assignee_id: r.assignee_id,
        sales_owned: r.held_by_sales.unwrap_or(false),
        assigned_how: r.assigned_how.filter(|_| r.assignee.is_some()),
        assignment_note: r.assignment_note.filter(|_| r.assignee.is_none()),
        assignee: r.assignee,
        clock: queue::response_clock(r.created_epoch, r.target_seconds, r.first_response_epoch, now_epoch()),
        postponed_until_epoch: r.postponed_until_epoch,
        postponed_until_reply: r.postponed_until_reply,
        customer: CustomerCard {
            id: r.customer_id,
            name: r.customer_name,
            email: r.customer_email,
            unverified_email: r.customer_unverified_email,
            phone: r.customer_phone,
            time_zone: r.customer_time_zone,
            local_time: r.customer_local_time,
            plan: r.customer_plan,
            past,
            ratings_bad: ratings.0,
            ratings_good: ratings.1,
            ratings_excellent: ratings.2,
        },
        timeline,
        rating,
        answers: match (r.answers_id, r.answers_subject, r.answers_customer) {
            (Some(id), Some(subject), Some(customer)) => Some(AnsweredDialogue { id, subject, customer }),
            _ => None,
        },
    }))
}
