//! Automatic assignment in PostgreSQL: each team's mode and capacity per channel, agents'
//! skills, and the job that gives waiting dialogues to agents (`domain::assignment`
//! chooses). A team's batch runs under its settings row's lock, so two server processes
//! never assign for one team at once: no agent passes their capacity and no dialogue is
//! given twice (the `UPDATE … WHERE assignee_id IS NULL` is the last word if an agent
//! claimed it meanwhile). Agents whose shift ended or who went away hand their unanswered
//! dialogues back, and the next batch gives them to someone on shift.

use super::audit;
use crate::domain::assignment::{self, AssignedHow, AssignmentMode, Candidate, Choice, Needs, Skill, SkillKind};
use crate::domain::audit::AuditAction;
use crate::domain::dialogue::ChannelKind;
use crate::error::AppError;
use crate::model::assignment::{AgentSkills, AssignmentInput, AssignmentSetting};
use crate::model::user::CurrentUser;
use sqlx::PgPool;
use std::collections::HashMap;

/// Seen in any session within this many seconds: present.
pub const PRESENT_SECONDS: f64 = 300.0;
/// Dialogues one team's batch takes at most.
const BATCH: i64 = 100;

/// SQL: agent `u` is on a shift now and not on its break.
pub(crate) const ON_SHIFT: &str = "exists (select 1 from shifts s where s.user_id = u.id and s.starts_at <= now() and s.ends_at > now()
    and not (s.break_starts_at is not null and s.break_starts_at <= now()
             and s.break_starts_at + make_interval(mins => s.break_minutes) > now()))";
/// SQL: agent `u` has a live session seen within `$PRESENT` seconds (bound as `$9`).
const PRESENT: &str = "exists (select 1 from sessions x where x.user_id = u.id and x.expires_at > now()
    and x.last_seen_at > now() - make_interval(secs => $9))";

/// Every team × channel kind, with what is set (manual, capacity 3, where nothing is).
pub async fn settings(pool: &PgPool) -> Result<Vec<AssignmentSetting>, sqlx::Error> {
    let rows: Vec<(i64, String, ChannelKind, Option<AssignmentMode>, Option<i32>)> = sqlx::query_as(
        "select t.id, t.name, k.kind, s.mode, s.capacity
           from teams t cross join unnest(array['chat', 'email', 'social']) with ordinality as k(kind, n)
           left join assignment_settings s on s.team_id = t.id and s.channel_kind = k.kind
          order by t.name, t.id, k.n",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(team_id, team, channel_kind, mode, capacity)| AssignmentSetting {
            team_id,
            team,
            channel_kind,
            mode: mode.unwrap_or(AssignmentMode::Manual),
            capacity: capacity.unwrap_or(3),
        })
        .collect())
}

/// Sets one team's mode and capacity on one channel kind (audited).
pub async fn save_setting(pool: &PgPool, by: &CurrentUser, input: &AssignmentInput) -> Result<(), AppError> {
    let capacity = assignment::validate_capacity(input.capacity).map_err(AppError::Invalid)?;
    let mut tx = pool.begin().await?;
    let team: Option<String> = sqlx::query_scalar("select name from teams where id = $1").bind(input.team_id).fetch_optional(&mut *tx).await?;
    let Some(team) = team else { return Err(AppError::Invalid("There is no such team.".into())) };
    sqlx::query(
        "insert into assignment_settings (team_id, channel_kind, mode, capacity) values ($1, $2, $3, $4)
         on conflict (team_id, channel_kind) do update set mode = excluded.mode, capacity = excluded.capacity, updated_at = now()",
    )
    .bind(input.team_id)
    .bind(input.channel_kind)
    .bind(input.mode)
    .bind(capacity)
    .execute(&mut *tx)
    .await?;
    let what = format!("{}: {}, at most {capacity} each", input.channel_kind.label(), input.mode.label());
    audit::record(&mut *tx, Some(by.id), &audit::who(by), AuditAction::SettingChanged, &format!("assignment of team “{team}”"), &what, &super::client_addr())
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Every active agent (support desk) and their skills, by name.
pub async fn agents(pool: &PgPool) -> Result<Vec<AgentSkills>, sqlx::Error> {
    let users: Vec<(i64, String, Option<String>)> = sqlx::query_as(
        "select u.id, u.name, t.name from users u left join teams t on t.id = u.team_id
          where u.active and u.role = 'operator' and u.desk = 'support' order by u.name, u.id",
    )
    .fetch_all(pool)
    .await?;
    let mut skills = skills_of(pool, &users.iter().map(|u| u.0).collect::<Vec<_>>()).await?;
    Ok(users
        .into_iter()
        .map(|(user_id, name, team)| AgentSkills { user_id, name, team, skills: skills.remove(&user_id).unwrap_or_default() })
        .collect())
}

async fn skills_of<'e, E: sqlx::PgExecutor<'e>>(db: E, ids: &[i64]) -> Result<HashMap<i64, Vec<Skill>>, sqlx::Error> {
    let rows: Vec<(i64, SkillKind, String, i16)> = sqlx::query_as(
        "select user_id, kind, value, level from agent_skills where user_id = any($1) order by user_id, kind, level desc, value",
    )
    .bind(ids)
    .fetch_all(db)
    .await?;
    let mut out: HashMap<i64, Vec<Skill>> = HashMap::new();
    for (id, kind, value, level) in rows {
        out.entry(id).or_default().push(Skill { kind, value, level });
    }
    Ok(out)
}

/// Replaces an agent's skills (audited); a bad one refuses them all and writes nothing.
pub async fn set_skills(pool: &PgPool, by: &CurrentUser, user_id: i64, skills: &[Skill]) -> Result<(), AppError> {
    let skills = skills.iter().map(|s| assignment::validate_skill(s.kind, &s.value, s.level)).collect::<Result<Vec<_>, _>>().map_err(AppError::Invalid)?;
    if skills.len() > 30 {
        return Err(AppError::Invalid("An agent has at most 30 skills.".into()));
    }
    let mut tx = pool.begin().await?;
    let name: Option<String> = sqlx::query_scalar("select name from users where id = $1 and role = 'operator'").bind(user_id).fetch_optional(&mut *tx).await?;
    let Some(name) = name else { return Err(AppError::Invalid("Skills are for agents; there is no such agent.".into())) };
    sqlx::query("delete from agent_skills where user_id = $1").bind(user_id).execute(&mut *tx).await?;
    sqlx::query(
        "insert into agent_skills (user_id, kind, value, level)
         select $1, k, v, l from unnest($2::text[], $3::text[], $4::int2[]) as s(k, v, l) on conflict do nothing",
    )
    .bind(user_id)
    .bind(skills.iter().map(|s| s.kind.as_str()).collect::<Vec<_>>())
    .bind(skills.iter().map(|s| s.value.clone()).collect::<Vec<_>>())
    .bind(skills.iter().map(|s| s.level).collect::<Vec<_>>())
    .execute(&mut *tx)
    .await?;
    let what = skills.iter().map(|s| format!("{} {} ({})", s.kind.label().to_lowercase(), s.value, s.level)).collect::<Vec<_>>().join(", ");
    audit::record(&mut *tx, Some(by.id), &audit::who(by), AuditAction::SettingChanged, &format!("skills of {name}"), &what, &super::client_addr()).await?;
    tx.commit().await?;
    Ok(())
}

/// Gives the waiting dialogues of one team and channel kind to its agents, oldest first,
/// and notes on the others why they wait. Returns how many were assigned. When another
/// process holds the team's lock, this one leaves the team to it (it assigns the same
/// dialogues).
pub async fn assign_team(pool: &PgPool, team_id: i64, kind: ChannelKind) -> Result<usize, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let setting: Option<(AssignmentMode, i32)> = sqlx::query_as(
        "select mode, capacity from assignment_settings where team_id = $1 and channel_kind = $2 for update skip locked",
    )
    .bind(team_id)
    .bind(kind)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((mode, capacity)) = setting.filter(|s| s.0 != AssignmentMode::Manual) else { return Ok(0) };
    let waiting: Vec<(i64, Option<String>, String, Vec<String>, Option<AssignedHow>, Option<String>)> = sqlx::query_as(
        "select c.id, cu.language, c.topic, c.tags, c.assigned_how, c.assignment_note
           from conversations c join channels ch on ch.id = c.channel_id join customers cu on cu.id = c.customer_id
          where c.team_id = $1 and ch.kind = $2 and c.status = 'open' and c.assignee_id is null
          order by c.created_at, c.id limit $3
          for update of c skip locked",
    )
    .bind(team_id)
    .bind(kind)
    .bind(BATCH)
    .fetch_all(&mut *tx)
    .await?;
    if waiting.is_empty() {
        tx.commit().await?;
        return Ok(0);
    }
    // Open dialogues per agent and channel from the queue index alone (it carries the
    // channel), then per channel kind.
    let sql = format!(
        "with team as (
             select u.id, u.name, {ON_SHIFT} as on_shift, {PRESENT} as present,
                    floor(extract(epoch from u.last_assigned_at))::int8 as last_assigned
               from users u
              where u.team_id = $1 and u.active and u.role = 'operator' and u.desk = 'support'),
         per_channel as (
             select c.assignee_id as id, c.channel_id, count(*) as n
               from conversations c
              where c.status in ('open', 'postponed') and c.assignee_id in (select id from team)
              group by c.assignee_id, c.channel_id),
         held as (
             select p.id, sum(p.n) filter (where ch.kind = $2)::int8 as here, sum(p.n)::int8 as total
               from per_channel p join channels ch on ch.id = p.channel_id
              group by p.id)
         select t.id, t.name, t.on_shift, t.present, coalesce(h.here, 0), coalesce(h.total, 0), t.last_assigned
           from team t left join held h on h.id = t.id
          order by t.id"
    )
    .replace("$9", "$3");
    let rows: Vec<(i64, String, bool, bool, i64, i64, Option<i64>)> =
        sqlx::query_as(&sql).bind(team_id).bind(kind).bind(PRESENT_SECONDS).fetch_all(&mut *tx).await?;
    let mut skills = skills_of(&mut *tx, &rows.iter().map(|r| r.0).collect::<Vec<_>>()).await?;
    let names: HashMap<i64, String> = rows.iter().map(|r| (r.0, r.1.clone())).collect();
    let mut candidates: Vec<Candidate> = rows
        .into_iter()
        .map(|(id, _, on_shift, present, open_here, open_total, last_assigned)| Candidate {
            id,
            on_shift,
            present,
            open_here,
            open_total,
            last_assigned,
            skills: skills.remove(&id).unwrap_or_default(),
        })
        .collect();
    // Inside the batch, each assignment is later than the last (the round-robin order).
    let mut tick = i64::MAX / 2;
    let mut assigned = 0;
    for (id, language, topic, tags, how_before, note) in waiting {
        let needs = Needs { language, topic: Some(topic), tags };
        match assignment::choose(mode, capacity as i64, &kind.label().to_lowercase(), &needs, &candidates) {
            Choice::Agent { id: agent, how } => {
                let how = if how_before == Some(AssignedHow::ShiftHandover) { AssignedHow::ShiftHandover } else { how };
                let done = sqlx::query(
                    "update conversations set assignee_id = $2, claimed_at = now(), assigned_how = $3, assignment_note = null
                      where id = $1 and assignee_id is null and status = 'open'",
                )
                .bind(id)
                .bind(agent)
                .bind(how)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if done == 0 {
                    continue;
                }
                sqlx::query("update users set last_assigned_at = clock_timestamp() where id = $1").bind(agent).execute(&mut *tx).await?;
                let text = format!("to {} ({})", names.get(&agent).cloned().unwrap_or_default(), how.label().to_lowercase());
                sqlx::query("insert into conversation_events (conversation_id, kind, detail) values ($1, 'assigned', json_build_object('text', $2::text))")
                    .bind(id)
                    .bind(text)
                    .execute(&mut *tx)
                    .await?;
                if let Some(c) = candidates.iter_mut().find(|c| c.id == agent) {
                    c.open_here += 1;
                    c.open_total += 1;
                    tick += 1;
                    c.last_assigned = Some(tick);
                }
                assigned += 1;
            }
            Choice::Waiting(reason) => {
                if note.as_deref() != Some(reason.as_str()) {
                    sqlx::query("update conversations set assignment_note = $2 where id = $1").bind(id).bind(&reason).execute(&mut *tx).await?;
                }
            }
        }
    }
    tx.commit().await?;
    Ok(assigned)
}

/// Hands back, in teams that assign automatically, the unanswered dialogues (the last
/// public message is the customer's) of agents whose shift ended since they got them or
/// who are no longer present; sales reps keep theirs, and so does an agent who claimed one
/// while off shift and is still here. One statement, so each is handed back once.
pub async fn hand_back(pool: &PgPool) -> Result<u64, sqlx::Error> {
    let sql = format!(
        "with gone as (
             update conversations c set assignee_id = null, claimed_at = null, assigned_how = 'shift_handover'
               from channels ch, assignment_settings a, users u
              where ch.id = c.channel_id and a.team_id = c.team_id and a.channel_kind = ch.kind and a.mode <> 'manual'
                and u.id = c.assignee_id and u.desk = 'support' and c.status = 'open'
                -- Their shift ended since they got it (someone who claims one off shift
                -- keeps it), or they are away.
                and ((not {ON_SHIFT} and exists (select 1 from shifts e where e.user_id = u.id
                                                   and e.ends_at > c.claimed_at and e.ends_at <= now()))
                     or not {PRESENT})
                and (select m.author_kind from messages m where m.conversation_id = c.id and m.visibility = 'public'
                      order by m.created_at desc, m.id desc limit 1) = 'customer'
             returning c.id, u.name)
         insert into conversation_events (conversation_id, kind, detail)
         select id, 'released', json_build_object('text', 'back to the team: ' || name || ' is off shift or away') from gone"
    )
    .replace("$9", "$1");
    Ok(sqlx::query(&sql).bind(PRESENT_SECONDS).execute(pool).await?.rows_affected())
}

/// One run of the job: hand back, then assign for every team and channel that is not
/// manual. Returns how many dialogues were assigned.
pub async fn run(pool: &PgPool) -> Result<usize, sqlx::Error> {
    hand_back(pool).await?;
    let teams: Vec<(i64, ChannelKind)> =
        sqlx::query_as("select team_id, channel_kind from assignment_settings where mode <> 'manual' order by team_id, channel_kind")
            .fetch_all(pool)
            .await?;
    let mut total = 0;
    for (team, kind) in teams {
        total += assign_team(pool, team, kind).await?;
    }
    Ok(total)
}
