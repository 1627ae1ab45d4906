//! The report rollups in PostgreSQL (see `domain::rollup` for what they count): loading
//! dialogues as the rollups read them, applying the queue of changed dialogues, and
//! rebuilding everything from scratch.

use crate::domain::metrics::{BusinessHours, Entry};
use crate::domain::rollup::{contribution, Contribution, Counters, Grain, RatingFacts, Record, SlaResult, Timed};
use crate::domain::sla::Metric;
use crate::error::AppError;
use sqlx::{PgConnection, PgPool};
use std::collections::HashMap;

/// The time zone report days are counted in.
pub async fn time_zone(conn: &mut PgConnection) -> Result<String, sqlx::Error> {
    Ok(sqlx::query_scalar("select value from app_settings where key = 'report_time_zone'")
        .fetch_optional(conn)
        .await?
        .unwrap_or_else(|| "UTC".into()))
}

/// The reporting time zone and today's day number (days since 1970-01-01) in it.
pub async fn today(conn: &mut PgConnection) -> Result<(String, i64), sqlx::Error> {
    let tz = time_zone(&mut *conn).await?;
    let today: i32 = sqlx::query_scalar("select ((now() at time zone $1)::date - date '1970-01-01')").bind(&tz).fetch_one(&mut *conn).await?;
    Ok((tz, today as i64))
}

#[derive(sqlx::FromRow)]
struct DialogueRow {
    id: i64,
    created_at: i64,
    created_day: i32,
    channel_id: i64,
    team_id: i64,
    assignee: i64,
    status: String,
    resolved_at: Option<i64>,
    resolved_day: Option<i32>,
    csat: Option<i16>,
    ces: Option<i16>,
    nps: Option<i16>,
    rated_day: Option<i32>,
    converted: bool,
    offset_minutes: i64,
    open_minute: i64,
    close_minute: i64,
    work_days: i16,
}

/// The dialogues `ids` as the rollups read them, with days in `tz`.
pub async fn records(conn: &mut PgConnection, ids: &[i64], tz: &str) -> Result<HashMap<i64, Record>, sqlx::Error> {
    let rows: Vec<DialogueRow> = sqlx::query_as(
        "select c.id, extract(epoch from c.created_at)::int8 as created_at,
                ((c.created_at at time zone $2)::date - date '1970-01-01') as created_day,
                c.channel_id, coalesce(c.team_id, 0) as team_id, coalesce(c.assignee_id, 0) as assignee, c.status,
                extract(epoch from c.resolved_at)::int8 as resolved_at,
                ((c.resolved_at at time zone $2)::date - date '1970-01-01') as resolved_day,
                c.csat, c.ces, c.nps,
                ((c.rated_at at time zone $2)::date - date '1970-01-01') as rated_day,
                coalesce(c.outcome = 'converted', false) as converted,
                coalesce((extract(epoch from (c.created_at at time zone t.time_zone) - (c.created_at at time zone 'UTC')) / 60)::int8, 0)
                    as offset_minutes,
                coalesce(extract(epoch from t.work_start)::int8 / 60, 540) as open_minute,
                coalesce(extract(epoch from t.work_end)::int8 / 60, 1020) as close_minute,
                coalesce(t.work_days, 31::int2) as work_days
           from conversations c left join teams t on t.id = c.team_id
          where c.id = any($1)",
    )
    .bind(ids)
    .bind(tz)
    .fetch_all(&mut *conn)
    .await?;
    let messages: Vec<(i64, String, Option<i64>, String, i64, i32)> = sqlx::query_as(
        "select conversation_id, author_kind, author_user_id, visibility, extract(epoch from created_at)::int8,
                ((created_at at time zone $2)::date - date '1970-01-01')
           from messages where conversation_id = any($1) order by conversation_id, created_at, id",
    )
    .bind(ids)
    .bind(tz)
    .fetch_all(&mut *conn)
    .await?;
    let events: Vec<(i64, String, Option<i64>, i64, i32)> = sqlx::query_as(
        "select conversation_id, kind, actor_user_id, extract(epoch from created_at)::int8,
                ((created_at at time zone $2)::date - date '1970-01-01')
           from conversation_events
          where conversation_id = any($1) and kind in ('resolved', 'reopened', 'outcome_changed')
          order by conversation_id, created_at, id",
    )
    .bind(ids)
    .bind(tz)
    .fetch_all(&mut *conn)
    .await?;
    // Decided SLA targets: met on the day the clock stopped, missed on the day it fell due.
    let sla: Vec<(i64, i64, Metric, i32, bool)> = sqlx::query_as(
        "select conversation_id, coalesce(policy_id, 0), metric,
                (((case when met then stopped_at else coalesce(due_at, stopped_at) end) at time zone $2)::date - date '1970-01-01'),
                coalesce(met, false)
           from sla_clocks
          where conversation_id = any($1) and (met is not null or breached_at is not null)",
    )
    .bind(ids)
    .bind(tz)
    .fetch_all(&mut *conn)
    .await?;
    let mut sla_of: HashMap<i64, Vec<SlaResult>> = HashMap::new();
    for (id, policy, metric, day, met) in sla {
        sla_of.entry(id).or_default().push(SlaResult { policy, metric, day, met });
    }
    let holidays: Vec<(i64, i32)> = sqlx::query_as("select coalesce(team_id, 0), (day - date '1970-01-01') from holidays")
        .fetch_all(&mut *conn)
        .await?;

    let mut entries: HashMap<i64, Vec<Timed>> = HashMap::new();
    for (id, kind, author, visibility, at, day) in messages {
        let entry = match (kind.as_str(), visibility.as_str()) {
            ("customer", _) => Entry::CustomerMessage { at },
            ("agent", "public") => Entry::AgentReply { at, automatic: false },
            // Sent by Meridian itself: never a response.
            ("system", "public") => Entry::AgentReply { at, automatic: true },
            _ => Entry::Note { at },
        };
        entries.entry(id).or_default().push(Timed { entry, day, actor: author.unwrap_or(0) });
    }
    let mut last_outcome: HashMap<i64, (i32, i64)> = HashMap::new();
    let mut last_state: HashMap<i64, &str> = HashMap::new();
    for (id, kind, actor, at, day) in &events {
        let actor = actor.unwrap_or(0);
        let entry = match kind.as_str() {
            "resolved" => Entry::Resolved { at: *at },
            "reopened" => Entry::Reopened { at: *at },
            _ => {
                last_outcome.insert(*id, (*day, actor));
                continue;
            }
        };
        last_state.insert(*id, kind);
        entries.entry(*id).or_default().push(Timed { entry, day: *day, actor });
    }

    let mut out = HashMap::new();
    for r in rows {
        let mut timed = entries.remove(&r.id).unwrap_or_default();
        // Dialogues imported or seeded resolved, without the event: their resolution time.
        if r.status == "resolved" && last_state.get(&r.id) != Some(&"resolved") {
            if let (Some(at), Some(day)) = (r.resolved_at, r.resolved_day) {
                timed.push(Timed { entry: Entry::Resolved { at }, day, actor: r.assignee });
            }
        }
        let team_holidays = holidays.iter().filter(|(team, _)| *team == 0 || *team == r.team_id).map(|(_, day)| *day as i64).collect();
        let hours = BusinessHours {
            utc_offset_minutes: r.offset_minutes,
            days: crate::domain::team::days_from_mask(r.work_days),
            open_minute: r.open_minute,
            close_minute: r.close_minute,
            holidays: team_holidays,
        };
        let rating = r.rated_day.map(|day| RatingFacts {
            day,
            csat: r.csat.map(|v| v as u8),
            ces: r.ces.map(|v| v as u8),
            nps: r.nps.map(|v| v as u8),
        });
        let converted = r.converted.then(|| {
            last_outcome
                .get(&r.id)
                .copied()
                .filter(|(_, actor)| *actor != 0)
                .unwrap_or((r.resolved_day.unwrap_or(r.created_day), r.assignee))
        });
        out.insert(
            r.id,
            Record {
                created_at: r.created_at,
                created_day: r.created_day,
                channel: r.channel_id,
                team: r.team_id,
                assignee: r.assignee,
                hours,
                entries: timed,
                rating,
                converted,
                sla: sla_of.remove(&r.id).unwrap_or_default(),
            },
        );
    }
    Ok(out)
}

/// Adds `delta` to the rollup tables, in chunks.
pub async fn apply(conn: &mut PgConnection, delta: &Contribution) -> Result<(), sqlx::Error> {
    let mut days = Vec::new();
    let mut agents = Vec::new();
    let mut hours = Vec::new();
    let mut slas = Vec::new();
    for (grain, counters) in &delta.0 {
        match *grain {
            Grain::Day(day, channel, team) => days.push((vec![day as i64, channel, team], counters)),
            Grain::Agent(day, agent) => agents.push((vec![day as i64, agent], counters)),
            Grain::Hour(hour, channel, team) => hours.push((vec![hour, channel, team], counters)),
            Grain::Sla(day, policy, metric, channel, team) => slas.push((vec![day as i64, policy, metric, channel, team], counters)),
        }
    }
    for (table, rows) in [(Table::Days, days), (Table::AgentDays, agents), (Table::Hours, hours), (Table::Sla, slas)] {
        for chunk in rows.chunks(2000) {
            upsert(conn, table, chunk).await?;
        }
    }
    Ok(())
}

#[derive(Clone, Copy)]
enum Table {
    Days,
    AgentDays,
    Hours,
    Sla,
}

/// The SLA table's stored target names, in [`crate::domain::rollup::sla_metric_code`] order.
const SLA_METRICS: &str = "array['first_response', 'next_response', 'resolution']";

fn bins_literal(bins: &[i64]) -> String {
    format!("{{{}}}", bins.iter().map(|b| b.to_string()).collect::<Vec<_>>().join(","))
}

/// One statement per chunk: the keys and every counter as arrays, unnested, added to the
/// rows that exist.
async fn upsert(conn: &mut PgConnection, table: Table, rows: &[(Vec<i64>, &Counters)]) -> Result<(), sqlx::Error> {
    let columns: &[&str] = match table {
        Table::Hours => &["created"],
        Table::Sla => &["sla_met", "sla_breached"],
        _ => Counters::COLUMNS,
    };
    let sla_key = format!("date '1970-01-01' + k0::int4, k1, ({SLA_METRICS})[k2 + 1], k3, k4");
    let (name, keys, key_exprs) = match table {
        Table::Days => ("rollup_days", "day, channel_id, team_id", "date '1970-01-01' + k0::int4, k1, k2"),
        Table::AgentDays => ("rollup_agent_days", "day, agent_id", "date '1970-01-01' + k0::int4, k1"),
        Table::Hours => ("rollup_hours", "hour, channel_id, team_id", "to_timestamp(k0), k1, k2"),
        Table::Sla => ("rollup_sla_days", "day, policy_id, metric, channel_id, team_id", sla_key.as_str()),
    };
    let key_count = keys.split(',').count();
    let bins = matches!(table, Table::Days);
    let n = columns.len();
    let mut unnest: Vec<String> = (0..key_count).map(|i| format!("${}::int8[]", i + 1)).collect();
    unnest.extend((0..n).map(|i| format!("${}::int8[]", key_count + i + 1)));
    let mut aliases: Vec<String> = (0..key_count).map(|i| format!("k{i}")).collect();
    aliases.extend((0..n).map(|i| format!("v{i}")));
    let mut insert_columns = columns.join(", ");
    let mut values = (0..n).map(|i| format!("v{i}")).collect::<Vec<_>>().join(", ");
    let mut updates = columns.iter().map(|c| format!("{c} = t.{c} + excluded.{c}")).collect::<Vec<_>>();
    if bins {
        unnest.push(format!("${}::text[]", key_count + n + 1));
        unnest.push(format!("${}::text[]", key_count + n + 2));
        aliases.push("fb".into());
        aliases.push("rb".into());
        insert_columns.push_str(", fr_bins, res_bins");
        values.push_str(", fb::int8[], rb::int8[]");
        updates.push("fr_bins = bins_add(t.fr_bins, excluded.fr_bins)".into());
        updates.push("res_bins = bins_add(t.res_bins, excluded.res_bins)".into());
    }
    let sql = format!(
        "insert into {name} as t ({keys}, {insert_columns})
         select {key_exprs}, {values} from unnest({}) as u({})
         on conflict ({keys}) do update set {}",
        unnest.join(", "),
        aliases.join(", "),
        updates.join(", ")
    );
    let mut query = sqlx::query(&sql);
    for k in 0..key_count {
        query = query.bind(rows.iter().map(|(key, _)| key[k]).collect::<Vec<i64>>());
    }
    for i in 0..columns.len() {
        let values: Vec<i64> = match table {
            Table::Hours => rows.iter().map(|(_, c)| c.created).collect(),
            Table::Sla => rows.iter().map(|(_, c)| if i == 0 { c.sla_met } else { c.sla_breached }).collect(),
            _ => rows.iter().map(|(_, c)| c.values()[i]).collect(),
        };
        query = query.bind(values);
    }
    if bins {
        query = query.bind(rows.iter().map(|(_, c)| bins_literal(&c.fr_bins.0)).collect::<Vec<_>>());
        query = query.bind(rows.iter().map(|(_, c)| bins_literal(&c.res_bins.0)).collect::<Vec<_>>());
    }
    query.execute(conn).await?;
    Ok(())
}

/// Applies up to `batch` changed dialogues from the queue; returns how many. Safe with
/// several server processes: each takes its own rows (`skip locked`), and the stored
/// contributions are locked while a dialogue's difference is applied, so a dialogue taken
/// again by another process waits and then diffs against what this one stored.
pub async fn process_queue(pool: &PgPool, batch: i64) -> Result<usize, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let mut ids: Vec<i64> = sqlx::query_scalar(
        "delete from rollup_queue where conversation_id in
            (select conversation_id from rollup_queue order by conversation_id limit $1 for update skip locked)
         returning conversation_id",
    )
    .bind(batch)
    .fetch_all(&mut *tx)
    .await?;
    if ids.is_empty() {
        return Ok(0);
    }
    ids.sort_unstable();
    sqlx::query(
        "insert into rollup_contributions (conversation_id, contribution)
         select id, '[]' from conversations where id = any($1) on conflict do nothing",
    )
    .bind(&ids)
    .execute(&mut *tx)
    .await?;
    let stored: Vec<(i64, String)> = sqlx::query_as(
        "select conversation_id, contribution from rollup_contributions where conversation_id = any($1)
          order by conversation_id for update",
    )
    .bind(&ids)
    .fetch_all(&mut *tx)
    .await?;
    let tz = time_zone(&mut tx).await?;
    let records = records(&mut tx, &ids, &tz).await?;
    let mut delta = Contribution::default();
    let mut updated_ids = Vec::new();
    let mut updated = Vec::new();
    for (id, before) in stored {
        let before: Contribution = serde_json::from_str(&before).unwrap_or_default();
        let now = records.get(&id).map(contribution).unwrap_or_default();
        if now != before {
            delta.add(&now.minus(&before), 1);
            updated_ids.push(id);
            updated.push(serde_json::to_string(&now).unwrap_or_default());
        }
    }
    apply(&mut tx, &delta).await?;
    sqlx::query(
        "update rollup_contributions r set contribution = u.c
           from unnest($1::int8[], $2::text[]) as u(id, c) where r.conversation_id = u.id",
    )
    .bind(&updated_ids)
    .bind(&updated)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(ids.len())
}

/// Applies the whole queue (tests, and after a bulk change).
pub async fn drain(pool: &PgPool) -> Result<usize, sqlx::Error> {
    let mut total = 0;
    loop {
        let n = process_queue(pool, 500).await?;
        if n == 0 {
            return Ok(total);
        }
        total += n;
    }
}

/// Everything from scratch, in `time_zone` if given (it becomes the reporting time zone),
/// in one transaction: reports read the old rollups until it commits. `progress` hears
/// (done, total) dialogues.
pub async fn rebuild(pool: &PgPool, time_zone: Option<&str>, mut progress: impl FnMut(u64, u64)) -> Result<u64, AppError> {
    let mut tx = pool.begin().await?;
    if let Some(tz) = time_zone {
        super::check_zone(&mut *tx, tz).await?;
        sqlx::query(
            "insert into app_settings (key, value) values ('report_time_zone', $1)
             on conflict (key) do update set value = excluded.value, updated_at = now()",
        )
        .bind(tz)
        .execute(&mut *tx)
        .await?;
    }
    let tz = self::time_zone(&mut tx).await?;
    // Changes committed while this runs stay queued and are applied after it.
    sqlx::query("delete from rollup_queue").execute(&mut *tx).await?;
    sqlx::query("truncate rollup_days, rollup_agent_days, rollup_hours, rollup_sla_days, rollup_contributions").execute(&mut *tx).await?;
    let total: i64 = sqlx::query_scalar("select count(*) from conversations").fetch_one(&mut *tx).await?;
    let mut totals = Contribution::default();
    let (mut done, mut last) = (0u64, 0i64);
    progress(0, total as u64);
    loop {
        let ids: Vec<i64> = sqlx::query_scalar("select id from conversations where id > $1 order by id limit 5000")
            .bind(last)
            .fetch_all(&mut *tx)
            .await?;
        let Some(&max) = ids.last() else { break };
        last = max;
        let records = records(&mut tx, &ids, &tz).await?;
        let mut json = Vec::with_capacity(ids.len());
        for id in &ids {
            let c = records.get(id).map(contribution).unwrap_or_default();
            totals.add(&c, 1);
            json.push(serde_json::to_string(&c).unwrap_or_default());
        }
        sqlx::query("insert into rollup_contributions (conversation_id, contribution) select * from unnest($1::int8[], $2::text[])")
            .bind(&ids)
            .bind(&json)
            .execute(&mut *tx)
            .await?;
        done += ids.len() as u64;
        progress(done, total as u64);
    }
    apply(&mut tx, &totals).await?;
    tx.commit().await?;
    Ok(done)
}

/// What the rollup tables hold now, as one contribution (tests compare it with a rebuild).
pub async fn tables(pool: &PgPool) -> Result<Contribution, sqlx::Error> {
    let list = Counters::COLUMNS.join(", ");
    let mut c = Contribution::default();
    let rows: Vec<sqlx::postgres::PgRow> =
        sqlx::query(&format!("select (day - date '1970-01-01') as d, channel_id, team_id, {list}, fr_bins, res_bins from rollup_days"))
            .fetch_all(pool)
            .await?;
    for row in rows {
        let (grain, counters) = day_row(&row)?;
        c.add(&Contribution([(grain, counters)].into_iter().collect()), 1);
    }
    let rows: Vec<sqlx::postgres::PgRow> =
        sqlx::query(&format!("select (day - date '1970-01-01') as d, agent_id, {list} from rollup_agent_days")).fetch_all(pool).await?;
    for row in rows {
        use sqlx::Row;
        let grain = Grain::Agent(row.try_get("d")?, row.try_get("agent_id")?);
        c.add(&Contribution([(grain, counters(&row, false)?)].into_iter().collect()), 1);
    }
    let rows: Vec<(i64, i64, i64, i64)> =
        sqlx::query_as("select extract(epoch from hour)::int8, channel_id, team_id, created from rollup_hours").fetch_all(pool).await?;
    for (hour, channel, team, created) in rows {
        let counters = Counters { created, ..Default::default() };
        c.add(&Contribution([(Grain::Hour(hour, channel, team), counters)].into_iter().collect()), 1);
    }
    let rows: Vec<(i32, i64, i64, i64, i64, i64, i64)> = sqlx::query_as(&format!(
        "select (day - date '1970-01-01'), policy_id, (array_position({SLA_METRICS}, metric) - 1)::int8, channel_id, team_id, sla_met, sla_breached
           from rollup_sla_days"
    ))
    .fetch_all(pool)
    .await?;
    for (day, policy, metric, channel, team, sla_met, sla_breached) in rows {
        let counters = Counters { sla_met, sla_breached, ..Default::default() };
        c.add(&Contribution([(Grain::Sla(day, policy, metric, channel, team), counters)].into_iter().collect()), 1);
    }
    Ok(c)
}

/// A row's counters, selected under their column names (and `fr_bins`, `res_bins` when
/// `bins`).
pub fn counters(row: &sqlx::postgres::PgRow, bins: bool) -> Result<Counters, sqlx::Error> {
    use sqlx::Row;
    let values: Vec<i64> = Counters::COLUMNS.iter().map(|col| row.try_get::<i64, _>(*col)).collect::<Result<_, _>>()?;
    let (fr, res) = if bins { (row.try_get("fr_bins")?, row.try_get("res_bins")?) } else { (vec![], vec![]) };
    Ok(Counters::from_values(&values, fr, res))
}

/// A `rollup_days` row (selected with `d` as the day number) as its grain and counters.
pub fn day_row(row: &sqlx::postgres::PgRow) -> Result<(Grain, Counters), sqlx::Error> {
    use sqlx::Row;
    let grain = Grain::Day(row.try_get("d")?, row.try_get("channel_id")?, row.try_get("team_id")?);
    Ok((grain, counters(row, true)?))
}
