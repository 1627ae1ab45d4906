//! Lists people put in order (SLA policies, rules, routing rules): moving one a place up
//! or down, the whole order locked for the move so two editors never lose one, and
//! taking one out.

use crate::error::AppError;
use crate::model::user::CurrentUser;
use sqlx::{PgConnection, PgPool};

/// The tables whose rows have a `position`, an `id` and a `name`.
#[derive(Clone, Copy, Debug)]
pub enum Ordered {
    SlaPolicies,
    Rules,
    RoutingRules,
}

impl Ordered {
    fn table(self) -> &'static str {
        match self {
            Ordered::SlaPolicies => "sla_policies",
            Ordered::Rules => "rules",
            Ordered::RoutingRules => "routing_rules",
        }
    }

    /// What one row is called on the audit log.
    fn noun(self) -> &'static str {
        match self {
            Ordered::SlaPolicies => "SLA policy",
            Ordered::Rules => "Rule",
            Ordered::RoutingRules => "Routing rule",
        }
    }

    /// The sentence for an id that is not in the list.
    fn missing(self) -> &'static str {
        match self {
            Ordered::SlaPolicies => "There is no such policy.",
            Ordered::Rules | Ordered::RoutingRules => "There is no such rule.",
        }
    }
}

/// Deletes row `id` of `list` in the caller's transaction and returns its name (for the
/// audit line); an id that is not there is a 404.
pub async fn delete_one(tx: &mut PgConnection, list: Ordered, id: i64) -> Result<String, AppError> {
    let name: Option<String> =
        sqlx::query_scalar(&format!("delete from {} where id = $1 returning name", list.table())).bind(id).fetch_optional(&mut *tx).await?;
    name.ok_or_else(|| AppError::NotFound(list.missing().into()))
}

/// Moves row `id` of `list` one place earlier (`up`) or later, in the caller's
/// transaction; returns its name, or `None` when it is already first (or last).
pub async fn move_one(tx: &mut PgConnection, list: Ordered, id: i64, up: bool) -> Result<Option<String>, AppError> {
    let table = list.table();
    let order: Vec<(i64, String)> = sqlx::query_as(&format!("select id, name from {table} order by position, id for update")).fetch_all(&mut *tx).await?;
    let at = order.iter().position(|(r, _)| *r == id).ok_or_else(|| AppError::NotFound(list.missing().into()))?;
    let other = if up { at.checked_sub(1) } else { Some(at + 1).filter(|i| *i < order.len()) };
    let Some(other) = other else { return Ok(None) };
    let mut ids: Vec<i64> = order.iter().map(|(r, _)| *r).collect();
    ids.swap(at, other);
    sqlx::query(&format!("update {table} r set position = o.n from unnest($1::bigint[]) with ordinality as o(id, n) where r.id = o.id"))
        .bind(&ids)
        .execute(&mut *tx)
        .await?;
    Ok(Some(order[at].1.clone()))
}

/// The audit line of a change to row `name` of `list` (`what`: created, changed, …).
pub async fn audit(conn: &mut PgConnection, list: Ordered, by: &CurrentUser, name: &str, what: &str) -> Result<(), sqlx::Error> {
    use super::audit;
    use crate::domain::audit::AuditAction;
    let item = format!("{} “{name}”", list.noun());
    audit::record(conn, Some(by.id), &audit::who(by), AuditAction::SettingChanged, &item, what, &super::client_addr()).await
}

/// Deletes row `id` of `list` and writes its audit line, in one transaction.
pub async fn delete(pool: &PgPool, by: &CurrentUser, list: Ordered, id: i64) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let name = delete_one(&mut tx, list, id).await?;
    audit(&mut tx, list, by, &name, "deleted").await?;
    tx.commit().await?;
    Ok(())
}

/// Moves row `id` of `list` one place earlier (`up`) or later and writes its audit line
/// (none when it could not move), in one transaction.
pub async fn reorder(pool: &PgPool, by: &CurrentUser, list: Ordered, id: i64, up: bool) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    if let Some(name) = move_one(&mut tx, list, id, up).await? {
        audit(&mut tx, list, by, &name, if up { "moved up" } else { "moved down" }).await?;
    }
    tx.commit().await?;
    Ok(())
}
