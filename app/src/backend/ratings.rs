//! Satisfaction: the customer's rating of a resolved dialogue, through a signed link.

use crate::domain::channels::{self as rules, Rating};
use crate::domain::signing::tag_matches;
use crate::error::AppError;
use sqlx::PgPool;
use super::channels::signing_key;

/// Stores the customer's rating of a resolved dialogue. Once per dialogue: answering
/// again changes the answer, it does not add one.
pub async fn rate(pool: &PgPool, conversation_id: i64, rating: Rating) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let row: Option<(String, bool, bool)> = sqlx::query_as(
        "select c.status, ch.ask_nps, c.rated_at is not null from conversations c join channels ch on ch.id = c.channel_id
          where c.id = $1 for update of c",
    )
    .bind(conversation_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((status, ask_nps, rated_before)) = row else {
        return Err(AppError::NotFound("There is no such conversation.".into()));
    };
    if status != "resolved" {
        return Err(AppError::Conflict("This conversation is still open; you can rate it once it is resolved.".into()));
    }
    let rating = rating.check(ask_nps).map_err(AppError::Invalid)?;
    sqlx::query(
        "update conversations set csat = $2, csat_comment = nullif($3, ''), ces = $4, nps = $5, rated_at = now() where id = $1",
    )
    .bind(conversation_id)
    .bind(rating.csat as i16)
    .bind(&rating.comment)
    .bind(rating.ces.map(|c| c as i16))
    .bind(rating.nps.map(|n| n as i16))
    .execute(&mut *tx)
    .await?;
    let text = format!("{}{}", if rated_before { "changed to " } else { "" }, rules::csat_label(rating.csat));
    sqlx::query("insert into conversation_events (conversation_id, kind, detail) values ($1, 'rated', $2)")
        .bind(conversation_id)
        .bind(serde_json::json!({ "text": text }))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The dialogue a rating link names, if the link is ours: (status, channel asks NPS, csat so far).
pub async fn rating_link(pool: &PgPool, conversation_id: i64, candidate: &str) -> Result<Option<(bool, bool, Option<u8>)>, sqlx::Error> {
    let key = signing_key(pool).await?;
    if !tag_matches(&key, "rate", conversation_id, candidate) {
        return Ok(None);
    }
    let row: Option<(String, bool, Option<i16>)> = sqlx::query_as(
        "select c.status, ch.ask_nps, case when c.rated_at is not null then c.csat end
           from conversations c join channels ch on ch.id = c.channel_id where c.id = $1",
    )
    .bind(conversation_id)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|(status, nps, csat)| (status == "resolved", nps, csat.map(|c| c as u8))))
}
