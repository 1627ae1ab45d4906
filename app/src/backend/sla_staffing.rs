//! The inputs of "can the roster keep the promise?" and "today's risk" from PostgreSQL:
//! the chat SLA policies and their first-response targets, the chat forecast per team
//! (`backend::planning`), the chats arrived today, and the roster's agents on the floor
//! (`backend::schedule::on_floor`). The arithmetic is `domain::sla_staffing`.

use super::{planning, schedule, sla, teams};
use crate::domain::dialogue::{ChannelKind, Priority};
use crate::domain::sla::{Conditions, Metric};
use crate::error::AppError;
use crate::model::sla::SlaPolicy;
use crate::model::wfm::{PlanningQuery, PolicyStaffing, SlaStaffing, TeamToday, TodaysRisk};
use sqlx::PgPool;

/// Weeks of history the forecasts are made from.
pub const HISTORY_WEEKS: u32 = 6;

/// A policy's first-response target: normal priority's, else the first one set.
fn first_response(p: &SlaPolicy) -> Option<(Priority, f64)> {
    let targets = || p.terms.targets.iter().filter(|t| t.metric == Metric::FirstResponse);
    targets()
        .find(|t| t.priority == Priority::Normal)
        .or_else(|| targets().next())
        .map(|t| (t.priority, f64::from(t.minutes) * 60.0))
}

/// Whether a policy is one on chat (it names the chat channel).
fn is_chat_policy(c: &Conditions) -> bool {
    c.channel_kind == Some(ChannelKind::Chat)
}

/// The policy an ordinary chat of `team` falls under: the first, in order, that names
/// chat or no channel, the team or none, and nothing narrower (purpose, priority, tags,
/// a customer plan).
fn policy_for_team(policies: &[SlaPolicy], team: i64) -> Option<&SlaPolicy> {
    policies.iter().find(|p| {
        let c = &p.terms.conditions;
        c.channel_kind.is_none_or(|k| k == ChannelKind::Chat)
            && c.team_id.is_none_or(|t| t == team)
            && c.topic.is_none()
            && c.priorities.is_empty()
            && c.tags.is_empty()
            && c.customer_plan.is_none()
            && first_response(p).is_some()
    })
}

fn chat_plan(time_zone: &str, team_id: Option<i64>, interval_minutes: u32) -> PlanningQuery {
    PlanningQuery { time_zone: time_zone.to_string(), channel: "chat".into(), team_id, weeks: HISTORY_WEEKS, interval_minutes }
}

/// Next week, for every SLA policy on chat: the forecast chats of its team (or all) and
/// that team's agents on the floor, per interval.
pub async fn sla_staffing(pool: &PgPool, time_zone: &str, interval_minutes: u32) -> Result<SlaStaffing, AppError> {
    // The whole plan's checks (zone, interval) come first, with the handling time.
    let overall = planning::planning(pool, &chat_plan(time_zone, None, interval_minutes)).await?;
    let n = overall.next_week.len();
    let start: chrono::DateTime<chrono::Utc> = sqlx::query_scalar("select $1::date::timestamp at time zone $2")
        .bind(super::parse_day(&overall.next_week_start, "the week's Monday")?)
        .bind(time_zone)
        .fetch_one(pool)
        .await?;
    let names = teams::names(pool).await?;
    let mut policies = Vec::new();
    for p in sla::policies(pool).await?.iter().filter(|p| is_chat_policy(&p.terms.conditions)) {
        let Some((priority, target_seconds)) = first_response(p) else { continue };
        let team_id = p.terms.conditions.team_id;
        let forecast = match team_id {
            None => overall.next_week.clone(),
            Some(t) => planning::planning(pool, &chat_plan(time_zone, Some(t), interval_minutes)).await?.next_week,
        };
        policies.push(PolicyStaffing {
            policy_id: p.id,
            policy: p.terms.name.clone(),
            team: team_id.and_then(|t| names.iter().find(|(id, _)| *id == t).map(|(_, n)| n.clone())),
            priority,
            target_seconds,
            forecast,
            on_floor: schedule::on_floor(pool, start, n, interval_minutes, team_id).await?,
        });
    }
    Ok(SlaStaffing { time_zone: time_zone.to_string(), interval_minutes, week_start: overall.next_week_start, aht_seconds: overall.aht_seconds, policies })
}

/// Today in `time_zone`, per team: the chat forecast of each interval, the chats arrived so
/// far, the roster's agents on the floor, the policy's target, and the chats already late.
pub async fn todays_risk(pool: &PgPool, time_zone: &str, interval_minutes: u32) -> Result<TodaysRisk, AppError> {
    let overall = planning::planning(pool, &chat_plan(time_zone, None, interval_minutes)).await?;
    let per_day = (24 * 60 / interval_minutes) as usize;
    let (start, day, weekday, minutes): (chrono::DateTime<chrono::Utc>, String, i32, f64) = sqlx::query_as(
        "select date_trunc('day', now() at time zone $1) at time zone $1,
                to_char(now() at time zone $1, 'YYYY-MM-DD'),
                extract(isodow from now() at time zone $1)::int,
                extract(epoch from (now() at time zone $1) - date_trunc('day', now() at time zone $1))::float8 / 60",
    )
    .bind(time_zone)
    .fetch_one(pool)
    .await?;
    let now_interval = ((minutes / f64::from(interval_minutes)) as usize).min(per_day - 1);
    let elapsed = (minutes / f64::from(interval_minutes) - now_interval as f64).clamp(0.0, 1.0);
    let today = (weekday as usize).clamp(1, 7) - 1;
    let policies = sla::policies(pool).await?;

    // Chats arrived today per team and interval, and the chats already late per team.
    let arrivals: Vec<(i64, i32, i64)> = sqlx::query_as(
        "select c.team_id, floor(extract(epoch from c.created_at - $1) / ($2 * 60))::int, count(*)
           from conversations c
          where c.created_at >= $1 and c.created_at <= now() and c.team_id is not null
            and c.channel_id = any(array(select id from channels where kind = 'chat'))
          group by 1, 2",
    )
    .bind(start)
    .bind(interval_minutes as i32)
    .fetch_all(pool)
    .await?;
    let late: Vec<(i64, i64)> = sqlx::query_as(
        "select c.team_id, count(distinct c.id)
           from sla_clocks k join conversations c on c.id = k.conversation_id
          where k.stopped_at is null and k.due_at <= now() and k.metric in ('first_response', 'next_response')
            and c.status <> 'resolved' and c.team_id is not null
            and c.channel_id = any(array(select id from channels where kind = 'chat'))
          group by 1",
    )
    .fetch_all(pool)
    .await?;

    let mut out = Vec::new();
    for (team_id, team) in teams::names(pool).await? {
        let plan = planning::planning(pool, &chat_plan(time_zone, Some(team_id), interval_minutes)).await?;
        let forecast: Vec<f64> = plan.this_week.iter().skip(today * per_day).take(per_day).copied().collect();
        let mut arrived = vec![0.0; now_interval + 1];
        for (_, slot, count) in arrivals.iter().filter(|(t, ..)| *t == team_id) {
            if let Some(cell) = usize::try_from(*slot).ok().and_then(|s| arrived.get_mut(s)) {
                *cell += *count as f64;
            }
        }
        let policy = policy_for_team(&policies, team_id);
        out.push(TeamToday {
            team_id,
            team,
            policy: policy.map(|p| p.terms.name.clone()),
            target_seconds: policy.and_then(first_response).map_or(overall.response_target_seconds, |(_, s)| s),
            forecast,
            arrived,
            on_floor: schedule::on_floor(pool, start, per_day, interval_minutes, Some(team_id)).await?,
            overdue_now: late.iter().find(|(t, _)| *t == team_id).map_or(0, |(_, n)| *n),
        });
    }
    Ok(TodaysRisk { time_zone: time_zone.to_string(), interval_minutes, day, now_interval: now_interval as u32, elapsed, aht_seconds: overall.aht_seconds, teams: out })
}
