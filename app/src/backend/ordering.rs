//! Lists people put in order (SLA policies, rules, routing rules): moving one a place up
//! or down, the whole order locked for the move so two editors never lose one.

use crate::error::AppError;
use sqlx::PgConnection;

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
}

/// Moves row `id` of `list` one place earlier (`up`) or later, in the caller's
/// transaction; returns its name, or `None` when it is already first (or last). `missing`
/// is the sentence for an id that is not there.
pub async fn move_one(tx: &mut PgConnection, list: Ordered, id: i64, up: bool, missing: &str) -> Result<Option<String>, AppError> {
    let table = list.table();
    let order: Vec<(i64, String)> = sqlx::query_as(&format!("select id, name from {table} order by position, id for update")).fetch_all(&mut *tx).await?;
    let at = order.iter().position(|(r, _)| *r == id).ok_or_else(|| AppError::NotFound(missing.into()))?;
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
