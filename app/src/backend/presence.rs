//! Presence: who is viewing or typing in a dialogue. Browsers send a heartbeat every
//! few seconds; an entry older than [`FRESH_SECONDS`] no longer counts. Changes (someone
//! arrives, starts or stops typing) are announced on the same NOTIFY channel as dialogue
//! events, so every server process tells its browsers.

pub use crate::model::dialogue::Viewer;
use sqlx::PgPool;

/// A heartbeat older than this means the person has left.
pub const FRESH_SECONDS: f64 = 30.0;

/// Records that `user_id` is in the dialogue (typing or not); announces it when it is news.
pub async fn heartbeat(pool: &PgPool, conversation_id: i64, user_id: i64, typing: bool) -> Result<(), sqlx::Error> {
    let was: Option<(bool, bool)> = sqlx::query_as(
        "select typing, seen_at > now() - make_interval(secs => $3) from presence where conversation_id = $1 and user_id = $2",
    )
    .bind(conversation_id)
    .bind(user_id)
    .bind(FRESH_SECONDS)
    .fetch_optional(pool)
    .await?;
    sqlx::query(
        "insert into presence (conversation_id, user_id, typing) values ($1, $2, $3)
         on conflict (conversation_id, user_id) do update set typing = excluded.typing, seen_at = now()",
    )
    .bind(conversation_id)
    .bind(user_id)
    .bind(typing)
    .execute(pool)
    .await?;
    let news = !matches!(was, Some((was_typing, true)) if was_typing == typing);
    if news {
        sqlx::query("select pg_notify('meridian_queue', json_build_object('conversation_id', $1::bigint, 'kind', 'presence')::text)")
            .bind(conversation_id)
            .execute(pool)
            .await?;
    }
    Ok(())
}

/// Who else is in these dialogues right now (never `me`).
pub async fn viewers(pool: &PgPool, conversation_ids: &[i64], me: i64) -> Result<Vec<Viewer>, sqlx::Error> {
    sqlx::query_as(
        "select p.conversation_id, u.name, p.typing
           from presence p join users u on u.id = p.user_id
          where p.conversation_id = any($1) and p.user_id <> $2 and p.seen_at > now() - make_interval(secs => $3)
          order by u.name",
    )
    .bind(conversation_ids)
    .bind(me)
    .bind(FRESH_SECONDS)
    .fetch_all(pool)
    .await
}

/// Forgets heartbeats nobody will read again.
pub async fn purge(pool: &PgPool) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query("delete from presence where seen_at < now() - interval '5 minutes'").execute(pool).await?.rows_affected())
}
