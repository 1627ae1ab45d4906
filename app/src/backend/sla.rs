//! SLA policies and clocks in PostgreSQL: the policy editor's reads and writes (in order,
//! each save one transaction), the clocks of one dialogue computed again from its history
//! (`refresh_in`, run for every dialogue a trigger marked in `sla_dirty`), and the job that
//! stamps each warning and breach exactly once and runs the policy's escalation.

use super::constraints::ConstraintExt;
use crate::domain::dialogue::{ChannelKind, Priority, Topic};
use crate::domain::metrics::BusinessHours;
use crate::domain::sla::{self, Clock, Conditions, Counting, Escalation, Facts, History, Metric, Target};
use crate::error::AppError;
use crate::model::sla::{DialogueSla, SlaAlert, SlaPolicy, SlaPolicyInput};
use crate::model::user::CurrentUser;
use sqlx::{PgConnection, PgPool};

#[derive(sqlx::FromRow)]
struct PolicyRow {
    id: i64,
    position: i32,
    name: String,
    channel_kind: Option<ChannelKind>,
    topic: Option<Topic>,
    team_id: Option<i64>,
    priorities: Vec<Priority>,
    tags: Vec<String>,
    customer_plan: Option<String>,
    business_hours: bool,
    warn_minutes: i32,
    escalation: Escalation,
}

async fn load_policies(conn: &mut PgConnection) -> Result<Vec<SlaPolicy>, AppError> {
    let rows: Vec<PolicyRow> = sqlx::query_as(
        "select id, position, name, channel_kind, topic, team_id, priorities, tags, customer_plan, business_hours, warn_minutes, escalation
           from sla_policies order by position, id",
    )
    .fetch_all(&mut *conn)
    .await?;
    let targets: Vec<(i64, Priority, Metric, i32)> =
        sqlx::query_as("select policy_id, priority, metric, minutes from sla_targets order by policy_id, priority, metric").fetch_all(&mut *conn).await?;
    rows.into_iter()
        .map(|r| {
            let terms = SlaPolicyInput {
                name: r.name,
                conditions: Conditions { channel_kind: r.channel_kind, topic: r.topic, team_id: r.team_id, priorities: r.priorities, tags: r.tags, customer_plan: r.customer_plan },
                business_hours: r.business_hours,
                warn_minutes: r.warn_minutes,
                escalation: r.escalation,
                targets: targets
                    .iter()
                    .filter(|t| t.0 == r.id)
                    .map(|&(_, priority, metric, minutes)| Target { priority, metric, minutes })
                    .collect(),
            };
            Ok(SlaPolicy { id: r.id, position: r.position, terms })
        })
        .collect()
}

/// Every policy, in the order they are tried.
pub async fn policies(pool: &PgPool) -> Result<Vec<SlaPolicy>, AppError> {
    let mut conn = pool.acquire().await?;
    load_policies(&mut conn).await
}

/// Creates (no `id`, placed last) or changes a policy and its targets, in one transaction;
/// returns its id. Bad input writes nothing.
pub async fn save(pool: &PgPool, by: &CurrentUser, id: Option<i64>, input: &SlaPolicyInput) -> Result<i64, AppError> {
    let name = sla::validate_policy(&input.name, &input.targets, input.warn_minutes).map_err(AppError::Invalid)?;
    let c = &input.conditions;
    let tags = crate::domain::dialogue::parse_tags(&c.tags.join(",")).map_err(AppError::Invalid)?;
    let plan = c.customer_plan.as_deref().map(str::trim).filter(|p| !p.is_empty()).map(str::to_string);
    if plan.as_ref().is_some_and(|p| p.chars().count() > 60) {
        return Err(AppError::Invalid("A plan's name has at most 60 characters.".into()));
    }
    let mut tx = pool.begin().await?;
    if let Some(team) = c.team_id {
        let known: bool = sqlx::query_scalar("select exists (select 1 from teams where id = $1)").bind(team).fetch_one(&mut *tx).await?;
        if !known {
            return Err(AppError::Invalid("There is no such team.".into()));
        }
    }
    let existing = id;
    let id: i64 = match existing {
        None => sqlx::query_scalar(
            "insert into sla_policies (position, name, channel_kind, topic, team_id, priorities, tags, customer_plan, business_hours, warn_minutes, escalation)
             values ((select coalesce(max(position), 0) + 1 from sla_policies), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning id",
        ),
        Some(_) => sqlx::query_scalar(
            "update sla_policies set name = $1, channel_kind = $2, topic = $3, team_id = $4, priorities = $5, tags = $6, customer_plan = $7,
                    business_hours = $8, warn_minutes = $9, escalation = $10, updated_at = now()
              where id = $11 returning id",
        ),
    }
    .bind(&name)
    .bind(c.channel_kind)
    .bind(c.topic)
    .bind(c.team_id)
    .bind(&c.priorities)
    .bind(&tags)
    .bind(&plan)
    .bind(input.business_hours)
    .bind(input.warn_minutes)
    .bind(input.escalation)
    .bind(existing)
    .fetch_optional(&mut *tx)
    .await
    .on_unique(|| "A policy with this name exists already.".into())?
    .ok_or_else(|| AppError::NotFound("There is no such policy.".into()))?;
    sqlx::query("delete from sla_targets where policy_id = $1").bind(id).execute(&mut *tx).await?;
    for t in &input.targets {
        sqlx::query("insert into sla_targets (policy_id, priority, metric, minutes) values ($1, $2, $3, $4)")
            .bind(id)
            .bind(t.priority)
            .bind(t.metric)
            .bind(t.minutes)
            .execute(&mut *tx)
            .await?;
    }
    audit_in(&mut tx, by, &name, if existing.is_some() { "changed" } else { "created" }).await?;
    tx.commit().await?;
    Ok(id)
}

async fn audit_in(conn: &mut PgConnection, by: &CurrentUser, name: &str, what: &str) -> Result<(), sqlx::Error> {
    super::ordering::audit(conn, super::ordering::Ordered::SlaPolicies, by, name, what).await
}

/// Deletes a policy; the dialogues it covered fall to the next matching one.
pub async fn delete(pool: &PgPool, by: &CurrentUser, id: i64) -> Result<(), AppError> {
    super::ordering::delete(pool, by, super::ordering::Ordered::SlaPolicies, id).await
}

/// Moves a policy one place earlier (`up`) or later in the order.
pub async fn reorder(pool: &PgPool, by: &CurrentUser, id: i64, up: bool) -> Result<(), AppError> {
    super::ordering::reorder(pool, by, super::ordering::Ordered::SlaPolicies, id, up).await
}

#[derive(sqlx::FromRow)]
struct DialogueRow {
    channel_kind: ChannelKind,
    topic: Option<Topic>,
    team_id: Option<i64>,
    priority: Priority,
    tags: Vec<String>,
    customer_plan: Option<String>,
    created: i64,
    resolved: Option<i64>,
    offset_minutes: i64,
    open_minute: i64,
    close_minute: i64,
    work_days: i16,
}

/// The dialogue's policy and clocks as of now, from its history.
async fn compute(conn: &mut PgConnection, id: i64, policies: &[SlaPolicy]) -> Result<Option<(Option<SlaPolicy>, Vec<Clock>)>, AppError> {
    let row: Option<DialogueRow> = sqlx::query_as(
        "select ch.kind as channel_kind, c.topic, c.team_id, c.priority, c.tags, cu.plan as customer_plan,
                floor(extract(epoch from c.created_at))::int8 as created,
                case when c.status = 'resolved' then floor(extract(epoch from c.resolved_at))::int8 end as resolved,
                coalesce((extract(epoch from (now() at time zone t.time_zone) - (now() at time zone 'UTC')) / 60)::int8, 0) as offset_minutes,
                coalesce(floor(extract(epoch from t.work_start))::int8 / 60, 540) as open_minute,
                coalesce(floor(extract(epoch from t.work_end))::int8 / 60, 1020) as close_minute,
                coalesce(t.work_days, 31::int2) as work_days
           from conversations c join channels ch on ch.id = c.channel_id join customers cu on cu.id = c.customer_id
           left join teams t on t.id = c.team_id
          where c.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(d) = row else { return Ok(None) };
    let facts = Facts {
        channel_kind: d.channel_kind,
        topic: d.topic,
        team_id: d.team_id,
        priority: d.priority,
        tags: &d.tags,
        customer_plan: d.customer_plan.as_deref(),
    };
    let Some(policy) = sla::first_match(policies, |p| &p.terms.conditions, &facts) else { return Ok(Some((None, Vec::new()))) };
    let targets: Vec<(Metric, i64)> =
        policy.terms.targets.iter().filter(|t| t.priority == d.priority).map(|t| (t.metric, t.minutes as i64 * 60)).collect();
    if targets.is_empty() {
        return Ok(Some((Some(policy.clone()), Vec::new())));
    }
    let counting = if policy.terms.business_hours {
        let holidays: Vec<i64> = sqlx::query_scalar(
            "select (day - date '1970-01-01')::int8 from holidays where team_id is null or team_id = $1",
        )
        .bind(d.team_id)
        .fetch_all(&mut *conn)
        .await?;
        Counting::Business(BusinessHours {
            utc_offset_minutes: d.offset_minutes,
            days: crate::domain::team::days_from_mask(d.work_days),
            open_minute: d.open_minute,
            close_minute: d.close_minute,
            holidays,
        })
    } else {
        Counting::Calendar
    };
    let messages: Vec<(i64, bool)> = sqlx::query_as(
        "select floor(extract(epoch from created_at))::int8, author_kind = 'customer' from messages
          where conversation_id = $1 and visibility = 'public' and author_kind <> 'system' order by created_at, id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let events: Vec<(String, i64)> = sqlx::query_as(
        "select kind, floor(extract(epoch from created_at))::int8 from conversation_events
          where conversation_id = $1 and kind in ('postponed', 'resolved', 'woke_up', 'reopened') order by created_at, id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let mut pauses: Vec<(i64, Option<i64>)> = Vec::new();
    for (kind, at) in events {
        let open = pauses.last().is_some_and(|p| p.1.is_none());
        match (kind.as_str(), open) {
            ("postponed" | "resolved", false) => pauses.push((at, None)),
            ("woke_up" | "reopened", true) => pauses.last_mut().expect("an open pause").1 = Some(at),
            _ => {}
        }
    }
    let history = History { created: d.created, messages, pauses, resolved_at: d.resolved };
    let now = super::dialogue::now_epoch();
    Ok(Some((Some(policy.clone()), sla::clocks(&targets, &counting, &history, now))))
}

/// Computes one dialogue's clocks again and stores them; a clock that starts again (a new
/// customer message waiting) may warn and breach again, one that only moved keeps its
/// stamps.
pub async fn refresh_in(conn: &mut PgConnection, id: i64, policies: &[SlaPolicy]) -> Result<(), AppError> {
    let Some((policy, clocks)) = compute(&mut *conn, id, policies).await? else { return Ok(()) };
    let warn = policy.as_ref().map_or(0, |p| p.terms.warn_minutes as i64 * 60);
    // Clocks are keyed by target and start: a next response has one per wait, and a clock
    // that starts again (a new wait) is a new row that may warn and breach in its turn.
    let metrics: Vec<&str> = clocks.iter().map(|c| c.metric.as_str()).collect();
    let starts: Vec<f64> = clocks.iter().map(|c| c.started_at as f64).collect();
    sqlx::query(
        "delete from sla_clocks s where s.conversation_id = $1
            and not exists (select 1 from unnest($2::text[], $3::float8[]) as k(metric, started)
                             where k.metric = s.metric and to_timestamp(k.started) = s.started_at)",
    )
    .bind(id)
    .bind(&metrics)
    .bind(&starts)
    .execute(&mut *conn)
    .await?;
    for c in &clocks {
        sqlx::query(
            "insert into sla_clocks (conversation_id, metric, policy_id, target_seconds, started_at, due_at, warn_at, stopped_at, met)
             values ($1, $2, $3, $4, to_timestamp($5), to_timestamp($6), to_timestamp($7), to_timestamp($8), $9)
             on conflict (conversation_id, metric, started_at) do update set
                 policy_id = excluded.policy_id, target_seconds = excluded.target_seconds, due_at = excluded.due_at,
                 warn_at = excluded.warn_at, stopped_at = excluded.stopped_at, met = excluded.met
             where (sla_clocks.policy_id, sla_clocks.target_seconds, sla_clocks.due_at, sla_clocks.warn_at, sla_clocks.stopped_at, sla_clocks.met)
                   is distinct from (excluded.policy_id, excluded.target_seconds, excluded.due_at, excluded.warn_at, excluded.stopped_at, excluded.met)",
        )
        .bind(id)
        .bind(c.metric)
        .bind(policy.as_ref().map(|p| p.id))
        .bind(c.target_seconds)
        .bind(c.started_at as f64)
        .bind(c.due_at.map(|d| d as f64))
        .bind(c.due_at.filter(|_| c.stopped_at.is_none()).map(|d| (d - warn) as f64))
        .bind(c.stopped_at.map(|d| d as f64))
        .bind(c.met)
        .execute(&mut *conn)
        .await?;
    }
    let due = sla::most_urgent(&clocks).and_then(|c| c.due_at);
    sqlx::query(
        "update conversations set sla_due_at = to_timestamp($2), sla_order = coalesce(to_timestamp($2), '9999-12-31 00:00:00+00')
          where id = $1 and sla_due_at is distinct from to_timestamp($2)",
    )
        .bind(id)
        .bind(due.map(|d| d as f64))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Computes again the clocks of up to `limit` marked dialogues; returns how many. Each
/// batch is one transaction, and two server processes take different dialogues.
pub async fn refresh_dirty(pool: &PgPool, limit: i64) -> Result<usize, AppError> {
    let mut tx = pool.begin().await?;
    // The dialogues are locked with their marks, and one held by a writer is left for the
    // next run: a writer locks its dialogue first and then marks it (and queues its
    // rollup), so taking the mark first and the dialogue later deadlocked against a reply
    // (seen in the end-to-end run). Neither lock here waits.
    let ids: Vec<i64> = sqlx::query_scalar(
        "delete from sla_dirty where conversation_id in (
             select d.conversation_id from sla_dirty d join conversations c on c.id = d.conversation_id
              order by d.marked_at limit $1
              for update of d skip locked for no key update of c skip locked)
         returning conversation_id",
    )
    .bind(limit)
    .fetch_all(&mut *tx)
    .await?;
    if ids.is_empty() {
        return Ok(0);
    }
    let policies = load_policies(&mut tx).await?;
    for id in &ids {
        refresh_in(&mut tx, *id, &policies).await?;
    }
    tx.commit().await?;
    Ok(ids.len())
}

/// Stamps the warnings and breaches that have fallen due, each once (the UPDATE that sets
/// the stamp is the decision, so two processes never both fire one; a dialogue a writer
/// holds locked waits for the next run, as in [`refresh_dirty`]), writes them on the
/// dialogues' histories (which tells every browser) and runs the escalations. Returns
/// (warnings, breaches).
pub async fn fire_due(pool: &PgPool) -> Result<(u64, u64), AppError> {
    let mut tx = pool.begin().await?;
    let warned = sqlx::query(
        "with due as (
             select s.conversation_id, s.metric, s.started_at from sla_clocks s join conversations c on c.id = s.conversation_id
              where s.stopped_at is null and s.warned_at is null and s.breached_at is null and s.warn_at <= now() and s.due_at > now()
              order by s.warn_at limit 500 for update of s skip locked for no key update of c skip locked),
         stamped as (
             update sla_clocks s set warned_at = now() from due
              where s.conversation_id = due.conversation_id and s.metric = due.metric and s.started_at = due.started_at
                and s.warned_at is null
             returning s.conversation_id, s.metric, s.due_at)
         insert into conversation_events (conversation_id, kind, detail)
         select conversation_id, 'sla_warning', json_build_object('metric', metric, 'due_at', due_at,
                'text', replace(metric, '_', ' ') || ' due ' || to_char(due_at at time zone 'UTC', 'HH24:MI') || ' UTC') from stamped",
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let breached: Vec<(i64, Metric, Escalation, String)> = sqlx::query_as(
        "with due as (
             select s.conversation_id, s.metric, s.started_at from sla_clocks s join conversations c on c.id = s.conversation_id
              where s.stopped_at is null and s.breached_at is null and s.due_at <= now()
              order by s.due_at limit 500 for update of s skip locked for no key update of c skip locked),
         stamped as (
             update sla_clocks s set breached_at = now(), warned_at = coalesce(s.warned_at, now()) from due
              where s.conversation_id = due.conversation_id and s.metric = due.metric and s.started_at = due.started_at
                and s.breached_at is null
             returning s.conversation_id, s.metric, s.policy_id),
         logged as (
             insert into conversation_events (conversation_id, kind, detail)
             select conversation_id, 'sla_breached', json_build_object('metric', metric, 'text', replace(metric, '_', ' ')) from stamped)
         select s.conversation_id, s.metric, coalesce(p.escalation, 'none'), coalesce(p.name, '') from stamped s left join sla_policies p on p.id = s.policy_id",
    )
    .fetch_all(&mut *tx)
    .await?;
    // One statement per escalation for the whole batch; a dialogue breaching two targets
    // at once is raised one step, not two.
    let of = |kind: Escalation| breached.iter().filter(|b| b.2 == kind).map(|b| b.0).collect::<Vec<i64>>();
    // Each escalation writes its line on the history ("Meridian priority changed to High
    // (the SLA escalation)"), as a person's change would.
    sqlx::query(
        "with raised as (
             update conversations set priority = case priority when 'low' then 'normal' when 'normal' then 'high' else 'urgent' end
              where id = any($1) and status <> 'resolved' and priority <> 'urgent'
             returning id, priority)
         insert into conversation_events (conversation_id, kind, detail)
         select id, 'priority_changed', json_build_object('text', 'to ' || initcap(priority) || ' (the SLA escalation)') from raised",
    )
    .bind(of(Escalation::RaisePriority))
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "with released as (
             update conversations set assignee_id = null, claimed_at = null
              where id = any($1) and status <> 'resolved' and assignee_id is not null
             returning id)
         insert into conversation_events (conversation_id, kind, detail)
         select id, 'released', json_build_object('text', 'back to the queue (the SLA escalation)') from released",
    )
    .bind(of(Escalation::Unassign))
    .execute(&mut *tx)
    .await?;
    // The managers of the dialogue's team; when it has none (or no team), every manager
    // and owner.
    let notify: Vec<&(i64, Metric, Escalation, String)> = breached.iter().filter(|b| b.2 == Escalation::NotifyManager).collect();
    sqlx::query(
        "insert into notifications (user_id, kind, conversation_id, detail)
         select u.id, 'sla_breached', b.id, b.detail
           from unnest($1::int8[], $2::text[]) as b(id, detail)
           join conversations c on c.id = b.id
           join users u on u.active and (
                (u.role = 'admin' and u.team_id = c.team_id)
                or (u.role in ('admin', 'super_admin') and not exists (
                        select 1 from users m where m.active and m.role = 'admin' and m.team_id = c.team_id)))",
    )
    .bind(notify.iter().map(|b| b.0).collect::<Vec<i64>>())
    .bind(notify.iter().map(|b| format!("{} target missed ({})", b.1.label(), b.3)).collect::<Vec<String>>())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok((warned, breached.len() as u64))
}

/// One dialogue's clocks as stored (the latest of each target), for its page and the API.
pub async fn dialogue_sla(pool: &PgPool, id: i64) -> Result<DialogueSla, sqlx::Error> {
    let rows: Vec<(Metric, i64, i64, Option<i64>, Option<i64>, Option<bool>, Option<String>)> = sqlx::query_as(
        "select distinct on (s.metric) s.metric, s.target_seconds, extract(epoch from s.started_at)::int8, extract(epoch from s.due_at)::int8,
                extract(epoch from s.stopped_at)::int8, s.met, p.name
           from sla_clocks s left join sla_policies p on p.id = s.policy_id
          where s.conversation_id = $1 order by s.metric, s.started_at desc",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    let policy = rows.iter().find_map(|r| r.6.clone());
    let clocks = rows
        .into_iter()
        .map(|(metric, target_seconds, started_at, due_at, stopped_at, met, _)| Clock {
            metric,
            target_seconds,
            started_at,
            due_at,
            stopped_at,
            met,
            paused: stopped_at.is_none() && due_at.is_none(),
        })
        .collect();
    Ok(DialogueSla { policy, clocks })
}

/// The running targets that have warned or are missed on dialogues `user` holds, or that
/// wait unassigned in their team, soonest due first (at most 50).
pub async fn alerts(pool: &PgPool, user: i64) -> Result<Vec<SlaAlert>, sqlx::Error> {
    let rows: Vec<(i64, String, Metric, i64, bool)> = sqlx::query_as(
        "select c.id, c.subject, s.metric, floor(extract(epoch from s.due_at))::int8, c.assignee_id is null
           from sla_clocks s join conversations c on c.id = s.conversation_id
          where s.stopped_at is null and s.warned_at is not null and s.due_at is not null and c.status = 'open'
            and (c.assignee_id = $1
                 or (c.assignee_id is null and c.team_id is not null and c.team_id = (select team_id from users where id = $1)))
          order by s.due_at, c.id
          limit 50",
    )
    .bind(user)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(conversation_id, subject, metric, due_epoch, unassigned)| SlaAlert { conversation_id, subject, metric, due_epoch, unassigned })
        .collect())
}
