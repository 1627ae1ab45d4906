//! One agent's page for one-to-ones in PostgreSQL: twelve weeks of figures (agent rollups,
//! QA reviews, replies beside the schedule), this week's plan with how far the fixed task
//! is, and managers' notes. Days are the reports' days (`report_time_zone`).

use crate::model::user::CurrentUser;
use crate::domain::access;
use crate::domain::performance::{self, PlanItem};
use crate::domain::rollup::{format_day, Counters, Step};
use crate::error::AppError;
use crate::model::performance::{AgentNote, AgentPerformance, WeekPlan};
use sqlx::{PgConnection, PgPool};

/// The agent's page, if `viewer` may see it (their own, or anyone's for managers).
pub async fn page(pool: &PgPool, viewer: &CurrentUser, agent_id: i64) -> Result<AgentPerformance, AppError> {
    allowed(viewer, agent_id)?;
    let mut conn = pool.acquire().await?;
    let (name, team): (String, Option<String>) =
        sqlx::query_as("select u.name, t.name from users u left join teams t on t.id = u.team_id where u.id = $1")
            .bind(agent_id)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or_else(|| AppError::NotFound("There is no such person.".into()))?;
    let (tz, today) = super::rollup::today(&mut conn).await?;
    let weeks = performance::week_starts(today);
    let from = weeks[0] as i32;

    let list = Counters::COLUMNS.join(", ");
    let days: Vec<(i64, Counters)> = sqlx::query(&format!(
        "select (day - date '1970-01-01') as d, {list} from rollup_agent_days where agent_id = $1 and day >= date '1970-01-01' + $2::int4"
    ))
    .bind(agent_id)
    .bind(from)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|row| {
        use sqlx::Row;
        Ok((row.try_get::<i32, _>("d")? as i64, super::rollup::counters(row, false)?))
    })
    .collect::<Result<_, sqlx::Error>>()?;
    // Bounds as instants: the first Monday's midnight in the report time zone.
    let qa: Vec<(i32, f64)> = sqlx::query_as(
        "select ((created_at at time zone $3)::date - date '1970-01-01'), score from qa_reviews
          where agent_id = $1 and calibration_id is null and score is not null
            and created_at >= (date '1970-01-01' + $2::int4)::timestamp at time zone $3",
    )
    .bind(agent_id)
    .bind(from)
    .bind(&tz)
    .fetch_all(&mut *conn)
    .await?;
    let replies: Vec<(i32, bool)> = sqlx::query_as(
        "select ((m.created_at at time zone $3)::date - date '1970-01-01'),
                exists (select 1 from shifts s where s.user_id = m.author_user_id and s.starts_at <= m.created_at and s.ends_at > m.created_at)
           from messages m
          where m.author_user_id = $1 and m.author_kind = 'agent' and m.visibility = 'public'
            and m.created_at >= (date '1970-01-01' + $2::int4)::timestamp at time zone $3",
    )
    .bind(agent_id)
    .bind(from)
    .bind(&tz)
    .fetch_all(&mut *conn)
    .await?;
    let widen = |v: Vec<(i32, f64)>| v.into_iter().map(|(d, x)| (d as i64, x)).collect::<Vec<_>>();
    let replies: Vec<(i64, bool)> = replies.into_iter().map(|(d, on)| (d as i64, on)).collect();
    let weeks = performance::weekly(&weeks, &days, &widen(qa), &replies);

    let plan = plan(&mut conn, agent_id, Step::Week.start(today)).await?;
    let notes: Vec<AgentNote> = sqlx::query_as(
        "select n.id, coalesce(u.name, 'someone') as author, to_char(n.created_at at time zone $2, 'YYYY-MM-DD HH24:MI') as at, n.body
           from agent_notes n left join users u on u.id = n.author_id
          where n.agent_id = $1 order by n.created_at desc, n.id desc limit 50",
    )
    .bind(agent_id)
    .bind(&viewer.time_zone)
    .fetch_all(&mut *conn)
    .await?;
    Ok(AgentPerformance {
        id: agent_id,
        name,
        team,
        time_zone: tz,
        weeks,
        plan,
        notes,
        may_write_notes: viewer.role.can(access::Permission::ViewReports),
    })
}

/// This week's plan: the agent's own tasks and how many of their dialogues wait for them.
async fn plan(conn: &mut PgConnection, agent_id: i64, monday: i64) -> Result<WeekPlan, AppError> {
    let items: Option<sqlx::types::Json<Vec<PlanItem>>> =
        sqlx::query_scalar("select items from agent_plans where agent_id = $1 and week = date '1970-01-01' + $2::int4")
            .bind(agent_id)
            .bind(monday as i32)
            .fetch_optional(&mut *conn)
            .await?;
    // Assigned to them, open, and the customer spoke last (or nobody answered yet).
    let (assigned, waiting): (i64, i64) = sqlx::query_as(
        "select count(*),
                count(*) filter (where c.first_response_at is null or exists (
                    select 1 from messages m where m.conversation_id = c.id and m.author_kind = 'customer'
                       and m.created_at > coalesce((select max(r.created_at) from messages r where r.conversation_id = c.id
                                                       and r.author_kind = 'agent' and r.visibility = 'public'), '-infinity')))
           from conversations c where c.assignee_id = $1 and c.status = 'open'",
    )
    .bind(agent_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(WeekPlan { week: format_day(monday), items: items.map(|j| j.0).unwrap_or_default(), assigned_open: assigned, assigned_waiting: waiting })
}

/// Saves the agent's own tasks for this week (the agent, or a manager with them).
pub async fn save_plan(pool: &PgPool, viewer: &CurrentUser, agent_id: i64, items: &[PlanItem]) -> Result<(), AppError> {
    allowed(viewer, agent_id)?;
    let items = performance::clean_plan(items).map_err(AppError::Invalid)?;
    let mut conn = pool.acquire().await?;
    let (_, today) = super::rollup::today(&mut conn).await?;
    let monday = Step::Week.start(today) as i32;
    let done = sqlx::query(
        "insert into agent_plans (agent_id, week, items, updated_by) select $1, date '1970-01-01' + $2::int4, $3, $4
          where exists (select 1 from users where id = $1)
         on conflict (agent_id, week) do update set items = excluded.items, updated_by = excluded.updated_by, updated_at = now()",
    )
    .bind(agent_id)
    .bind(monday)
    .bind(sqlx::types::Json(&items))
    .bind(viewer.id)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::NotFound("There is no such person.".into()));
    }
    Ok(())
}

/// A manager's note about an agent.
pub async fn add_note(pool: &PgPool, viewer: &CurrentUser, agent_id: i64, body: &str) -> Result<i64, AppError> {
    let body = body.trim();
    if body.is_empty() || body.chars().count() > 4000 {
        return Err(AppError::Invalid("Write the note (at most 4,000 characters).".into()));
    }
    sqlx::query_scalar("insert into agent_notes (agent_id, author_id, body) select id, $2, $3 from users where id = $1 returning id")
        .bind(agent_id)
        .bind(viewer.id)
        .bind(body)
        .fetch_optional(pool)
        .await?
        .ok_or_else(|| AppError::NotFound("There is no such person.".into()))
}

fn allowed(viewer: &CurrentUser, agent_id: i64) -> Result<(), AppError> {
    if access::may_see_agent(viewer.role, viewer.id, agent_id) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}
