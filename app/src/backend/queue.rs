//! Queue queries.

use crate::domain::dialogue::COUNT_CAP;
use crate::pages::queue::{QueueSummary, WaitingDialogue};
use sqlx::PgPool;

/// Capped counts per list and the 25 longest-waiting unassigned open dialogues. Each
/// count stops at [`COUNT_CAP`] rows and runs on `conversations_queue_idx`.
pub async fn summary(pool: &PgPool, user_id: i64) -> Result<QueueSummary, sqlx::Error> {
    let (unassigned, mine, open, postponed): (i64, i64, i64, i64) = sqlx::query_as(
        "select
           (select count(*) from (select 1 from conversations where status = 'open' and assignee_id is null limit $2) t),
           (select count(*) from (select 1 from conversations where status = 'open' and assignee_id = $1 limit $2) t),
           (select count(*) from (select 1 from conversations where status = 'open' limit $2) t),
           (select count(*) from (select 1 from conversations where status = 'postponed' limit $2) t)",
    )
    .bind(user_id)
    .bind(COUNT_CAP)
    .fetch_one(pool)
    .await?;
    let longest_waiting: Vec<WaitingDialogue> = sqlx::query_as(
        "select c.id, ch.kind as channel_kind, ch.name as channel, cu.name as customer, c.subject, c.priority,
                extract(epoch from now() - c.created_at)::bigint as waiting_seconds
           from conversations c
           join channels ch on ch.id = c.channel_id
           join customers cu on cu.id = c.customer_id
          where c.status = 'open' and c.assignee_id is null
          order by c.created_at, c.id
          limit 25",
    )
    .fetch_all(pool)
    .await?;
    Ok(QueueSummary { unassigned, mine, open, postponed, longest_waiting })
}
