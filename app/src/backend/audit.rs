//! The audit log in PostgreSQL: one append-only row per sign-in, account change, export,
//! mass mailing, deletion and setting change (the table refuses updates and deletes).

use crate::model::user::CurrentUser;
use crate::domain::audit::AuditAction;
use crate::model::admin::{AuditEntry, AuditLogPage, AuditQuery};
use sqlx::{PgExecutor, PgPool};

/// Adds one entry.
pub async fn record<'e, E: PgExecutor<'e>>(
    db: E,
    actor_id: Option<i64>,
    actor: &str,
    action: AuditAction,
    target: &str,
    detail: &str,
    client_addr: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("insert into audit_log (actor_id, actor, action, target, detail, client_addr) values ($1, $2, $3, $4, $5, $6)")
        .bind(actor_id)
        .bind(actor)
        .bind(action.as_str())
        .bind(target)
        .bind(detail)
        .bind(client_addr)
        .execute(db)
        .await?;
    Ok(())
}

/// How an entry names a person: "Name <e-mail>".
pub fn who(user: &CurrentUser) -> String {
    format!("{} <{}>", user.name, user.email)
}

/// An entry for what the signed-in `user` just did, from the address of this request.
pub async fn by(pool: &PgPool, user: &CurrentUser, action: AuditAction, target: &str, detail: &str) -> Result<(), sqlx::Error> {
    record(pool, Some(user.id), &who(user), action, target, detail, &super::client_addr()).await
}

/// A page of entries, newest first, matching the words (in who, what, detail or address)
/// and the action; `before` is the last id of the previous page.
pub async fn search(pool: &PgPool, viewer_zone: &str, query: &AuditQuery) -> Result<AuditLogPage, sqlx::Error> {
    let limit = query.limit.unwrap_or(50).clamp(1, 200);
    let words = query.q.trim().to_lowercase();
    let rows: Vec<(i64, String, String, String, String, String, String)> = sqlx::query_as(
        "select id, to_char(at at time zone $5, 'YYYY-MM-DD HH24:MI:SS'), actor, action, target, detail, client_addr
           from audit_log
          where ($1::bigint is null or id < $1)
            and ($2::text is null or action = $2)
            and ($3 = '' or lower(actor || ' ' || target || ' ' || detail || ' ' || client_addr) like '%' || $3 || '%')
          order by id desc
          limit $4",
    )
    .bind(query.before)
    .bind(query.action.as_deref().filter(|a| AuditAction::parse(a).is_some()))
    .bind(words.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"))
    .bind(limit + 1)
    .bind(viewer_zone)
    .fetch_all(pool)
    .await?;
    let more = rows.len() as i64 > limit;
    let entries: Vec<AuditEntry> = rows
        .into_iter()
        .take(limit as usize)
        .map(|(id, at, actor, action, target, detail, client_addr)| AuditEntry {
            id,
            at,
            actor,
            action: AuditAction::parse(&action).map(|a| a.label().to_string()).unwrap_or(action),
            target,
            detail,
            client_addr,
        })
        .collect();
    let next = if more { entries.last().map(|e| e.id) } else { None };
    Ok(AuditLogPage { entries, next })
}
