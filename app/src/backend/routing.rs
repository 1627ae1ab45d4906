//! Routing rules: which purpose and team a new dialogue gets, in the owner's order.

use crate::domain::channels::{self as rules, RoutingRule, RoutingSample};
use crate::domain::dialogue::Topic;
use crate::error::AppError;
use sqlx::{PgConnection, PgPool};

pub async fn routing_rules_in(tx: &mut PgConnection) -> Result<Vec<RoutingRule>, sqlx::Error> {
    let rows: Vec<(i64, String, Option<i64>, Vec<String>, String, String, Option<i64>)> = sqlx::query_as(
        "select id, name, channel_id, keywords, address, topic, team_id from routing_rules order by position, id",
    )
    .fetch_all(&mut *tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, channel_id, keywords, address, topic, team_id)| RoutingRule {
            id,
            name,
            channel_id,
            keywords,
            address,
            topic: Topic::parse(&topic).unwrap_or(Topic::Support),
            team_id,
        })
        .collect())
}

pub async fn routing_rules(pool: &PgPool) -> Result<Vec<RoutingRule>, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    routing_rules_in(&mut conn).await
}

/// Adds a rule at the end of the list.
pub async fn add_rule(pool: &PgPool, rule: &RoutingRule) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "insert into routing_rules (position, name, channel_id, keywords, address, topic, team_id)
         values ((select coalesce(max(position), 0) + 1 from routing_rules), $1, $2, $3, $4, $5, $6) returning id",
    )
    .bind(&rule.name)
    .bind(rule.channel_id)
    .bind(&rule.keywords)
    .bind(&rule.address)
    .bind(rule.topic.as_str())
    .bind(rule.team_id)
    .fetch_one(pool)
    .await?)
}

pub async fn delete_rule(pool: &PgPool, id: i64) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    super::ordering::delete_one(&mut tx, super::ordering::Ordered::RoutingRules, id).await?;
    tx.commit().await?;
    Ok(())
}

/// Moves a rule one place up (earlier) or down, renumbering the list in one transaction.
pub async fn move_rule(pool: &PgPool, id: i64, up: bool) -> Result<(), AppError> {
    use super::ordering::{move_one, Ordered};
    let mut tx = pool.begin().await?;
    move_one(&mut tx, Ordered::RoutingRules, id, up).await?;
    tx.commit().await?;
    Ok(())
}

/// Where a sample message would go: the matching rule, if any.
pub async fn test_route(pool: &PgPool, sample: &RoutingSample) -> Result<Option<RoutingRule>, sqlx::Error> {
    let rules = routing_rules(pool).await?;
    Ok(rules::route(&rules, sample).cloned())
}

/// The rules in order, with the names of their channel and team, and what a rule may name.
pub async fn routing_view(pool: &PgPool) -> Result<crate::model::admin::RoutingView, sqlx::Error> {
    let channels: Vec<(i64, String)> = sqlx::query_as("select id, name from channels order by name").fetch_all(pool).await?;
    let teams = super::teams::names(pool).await?;
    Ok(crate::model::admin::RoutingView { rules: routing_rules(pool).await?, channels, teams })
}
