//! `meridian seed-demo`: a believable support team and its last months of dialogues.
//!
//! Arrivals follow a daily and weekly rhythm in each customer's own time zone (busy
//! weekday mornings and afternoons, quiet nights and weekends); agents in three regions
//! hand over to each other (follow the sun); replies, resolutions and ratings follow
//! each channel's pace. Large volumes go in with COPY, in batches, with a progress bar.

use crate::progress::Progress;
use crate::seed_data::*;
use crate::seed_settings::*;
pub use crate::seed_data::{SeedError, DEMO_PASSWORD, DEMO_SIGN_INS};
use app::backend::passwords;
use chrono::{DateTime, Datelike, Duration, Timelike, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::{Connection, PgConnection, PgPool};

/// How busy a local hour of a weekday is, relative to the busiest (1.0). Weekday index
/// 0 is Monday.
pub fn arrival_weight(local_hour: u32, weekday: u32) -> f64 {
    const HOURS: [f64; 24] = [
        0.15, 0.10, 0.07, 0.05, 0.05, 0.08, 0.20, 0.45, 0.75, 0.95, 1.00, 1.00, 0.85, 0.90, 0.95, 0.95, 0.90, 0.75,
        0.60, 0.50, 0.45, 0.40, 0.30, 0.22,
    ];
    const DAYS: [f64; 7] = [1.00, 0.97, 0.95, 0.93, 0.85, 0.45, 0.40];
    HOURS[local_hour as usize % 24] * DAYS[weekday as usize % 7]
}

/// Streams COPY text-format rows into PostgreSQL.
async fn copy_text(conn: &mut PgConnection, statement: &str, rows: &str) -> Result<u64, sqlx::Error> {
    let mut copy = conn.copy_in_raw(statement).await?;
    copy.send(rows.as_bytes()).await?;
    copy.finish().await
}

pub struct SeedOptions {
    pub dialogues: u64,
    pub days: u32,
    pub rng_seed: u64,
    /// Agents (operators) in all; beyond the nine named ones they are generated.
    pub agents: u32,
}

#[derive(Debug)]
pub struct SeedReport {
    pub users: u64,
    pub customers: u64,
    pub dialogues: u64,
    pub messages: u64,
    pub reviews: u64,
}

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T], share: impl Fn(&T) -> f64) -> &'a T {
    let total: f64 = items.iter().map(&share).sum();
    let mut x = rng.gen::<f64>() * total;
    for item in items {
        x -= share(item);
        if x <= 0.0 {
            return item;
        }
    }
    items.last().expect("non-empty")
}

/// A log-normal delay in seconds with the given median (seconds) and spread (sigma).
fn lognormal(rng: &mut StdRng, median: f64, sigma: f64) -> i64 {
    let (u1, u2): (f64, f64) = (rng.gen_range(1e-12..1.0), rng.gen());
    let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
    (median * (sigma * z).exp()).round().max(1.0) as i64
}

/// Appends one COPY text-format field (tab-separated, `\N` for NULL).
fn field(out: &mut String, value: Option<&str>) {
    match value {
        None => out.push_str("\\N"),
        Some(v) => {
            for c in v.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '\t' => out.push_str("\\t"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    c => out.push(c),
                }
            }
        }
    }
}

fn row(out: &mut String, fields: &[Option<&str>]) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push('\t');
        }
        field(out, *f);
    }
    out.push('\n');
}

fn ts(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S%.3f+00").to_string()
}

/// Creates the teams, staff and channels if missing, then adds `dialogues` dialogues
/// over the last `days` days.
pub async fn seed_demo(pool: &PgPool, options: &SeedOptions) -> Result<SeedReport, SeedError> {
    let mut rng = StdRng::seed_from_u64(options.rng_seed);
    let days = options.days.max(1) as i64;

    for (name, region, tz) in TEAMS {
        sqlx::query("insert into teams (name, region, time_zone) values ($1, $2, $3) on conflict (name) do nothing")
            .bind(name)
            .bind(region)
            .bind(tz)
            .execute(pool)
            .await?;
    }
    let team_ids: Vec<i64> = {
        let mut ids = Vec::new();
        for (name, _, _) in TEAMS {
            ids.push(sqlx::query_scalar("select id from teams where name = $1").bind(name).fetch_one(pool).await?);
        }
        ids
    };

    // Regional holidays around the demo period (the forecast scales the days they fall on).
    for (day, name, team, factor) in HOLIDAYS {
        sqlx::query(
            "insert into holidays (team_id, day, name, factor)
             values ((select id from teams where name = $1), $2::date, $3, $4) on conflict do nothing",
        )
        .bind(team)
        .bind(day)
        .bind(name)
        .bind(factor)
        .execute(pool)
        .await?;
    }

    let mut users = 0;
    for (email, name, role, team) in STAFF {
        let hash = passwords::hash(DEMO_PASSWORD.to_string()).await?;
        let done = sqlx::query(
            "insert into users (email, name, role, team_id, time_zone, password_hash)
             values ($1, $2, $3, $4, $5, $6) on conflict ((lower(email))) do nothing",
        )
        .bind(email)
        .bind(name)
        .bind(role)
        .bind(team_ids[team])
        .bind(TEAMS[team].2)
        .bind(hash)
        .execute(pool)
        .await?;
        users += done.rows_affected();
    }
    // More agents, spread over the three regions, for large-team benchmarks.
    let named_agents = STAFF.iter().filter(|s| s.2 == "operator").count() as u32;
    if options.agents > named_agents {
        let hash = passwords::hash(DEMO_PASSWORD.to_string()).await?;
        for i in 0..(options.agents - named_agents) {
            let first = FIRST_NAMES[i as usize % FIRST_NAMES.len()];
            let last = LAST_NAMES[(i as usize / FIRST_NAMES.len() + i as usize * 7) % LAST_NAMES.len()];
            let team = i as usize % TEAMS.len();
            let done = sqlx::query(
                "insert into users (email, name, role, team_id, time_zone, password_hash)
                 values ($1, $2, 'operator', $3, $4, $5) on conflict ((lower(email))) do nothing",
            )
            .bind(format!("agent-{:03}@meridian.test", i + 1))
            .bind(format!("{first} {last}"))
            .bind(team_ids[team])
            .bind(TEAMS[team].2)
            .bind(&hash)
            .execute(pool)
            .await?;
            users += done.rows_affected();
        }
    }

    // Agents by team, for follow-the-sun assignment.
    let mut agents_by_team: Vec<Vec<(i64, String)>> = vec![Vec::new(); TEAMS.len()];
    for (team, ids) in team_ids.iter().enumerate() {
        let rows: Vec<(i64, String)> =
            sqlx::query_as("select id, name from users where team_id = $1 and role = 'operator' and active order by id")
                .bind(ids)
                .fetch_all(pool)
                .await?;
        agents_by_team[team] = rows;
    }

    for (name, kind, address, target, _) in CHANNELS {
        sqlx::query(
            "insert into channels (kind, name, address, first_response_target)
             values ($1, $2, $3, make_interval(secs => $4)) on conflict (name) do nothing",
        )
        .bind(kind)
        .bind(name)
        .bind(address)
        .bind(target as f64)
        .execute(pool)
        .await?;
    }
    // Routing rules for what arrives from now on (the demo's own dialogues carry their topic).
    let has_rules: bool = sqlx::query_scalar("select exists (select 1 from routing_rules)").fetch_one(pool).await?;
    if !has_rules {
        for (position, (name, keywords, address, topic)) in ROUTING_RULES.iter().enumerate() {
            sqlx::query("insert into routing_rules (position, name, keywords, address, topic) values ($1, $2, $3, $4, $5)")
                .bind(position as i32 + 1)
                .bind(name)
                .bind(keywords.iter().map(|k| k.to_string()).collect::<Vec<_>>())
                .bind(address)
                .bind(topic)
                .execute(pool)
                .await?;
        }
    }
    let mut channel_ids = Vec::new();
    for (name, ..) in CHANNELS {
        channel_ids.push(sqlx::query_scalar::<_, i64>("select id from channels where name = $1").bind(name).fetch_one(pool).await?);
    }

    if options.dialogues == 0 {
        return Ok(SeedReport { users, customers: 0, dialogues: 0, messages: 0, reviews: 0 });
    }

    // Customers: about one per three dialogues, so many come back more than once.
    let customer_count = (options.dialogues / 3).max(20);
    let first_customer: i64 =
        sqlx::query_scalar("select coalesce(max(id), 0) + 1 from customers").fetch_one(pool).await?;
    let mut customer_offsets = Vec::with_capacity(customer_count as usize);
    let mut progress = Progress::new("customers", customer_count);
    let mut conn = pool.acquire().await?;
    let mut buf = String::new();
    for i in 0..customer_count {
        let id = first_customer + i as i64;
        let first = FIRST_NAMES[rng.gen_range(0..FIRST_NAMES.len())];
        let last = LAST_NAMES[rng.gen_range(0..LAST_NAMES.len())];
        let zone = pick(&mut rng, &ZONES, |z| z.2);
        let plan = pick(&mut rng, &PLANS, |p| p.1).0;
        customer_offsets.push(zone.1);
        let email = format!("{}.{}{}@example.com", first.to_lowercase(), last.to_lowercase(), id);
        let phone = rng.gen_bool(0.4).then(|| format!("+{} {:03} {:04}", rng.gen_range(1..99), rng.gen_range(100..999), rng.gen_range(0..9999)));
        let created = ts(Utc::now() - Duration::days(days + rng.gen_range(0..700)));
        row(&mut buf, &[
            Some(&id.to_string()), Some(&format!("{first} {last}")), Some(&email), phone.as_deref(),
            Some(zone.0), Some(plan), Some(&created), Some(&created),
        ]);
        if buf.len() > 1 << 20 || i + 1 == customer_count {
            copy_text(&mut conn, "copy customers (id, name, email, phone, time_zone, plan, created_at, updated_at) from stdin", &buf)
                .await?;
            buf.clear();
        }
        progress.advance(1);
    }
    progress.finish();
    sqlx::query("select setval(pg_get_serial_sequence('customers', 'id'), (select max(id) from customers))")
        .execute(&mut *conn)
        .await?;

    let first_dialogue: i64 =
        sqlx::query_scalar("select coalesce(max(id), 0) + 1 from conversations").fetch_one(&mut *conn).await?;
    let mut next_message: i64 =
        sqlx::query_scalar("select coalesce(max(id), 0) + 1 from messages").fetch_one(&mut *conn).await?;
    let now = Utc::now();
    let period_start = now - Duration::days(days);
    let mut progress = Progress::new("dialogues", options.dialogues);
    let (mut conversations, mut messages) = (String::new(), String::new());
    let mut message_count = 0u64;
    let mut reported = 0u64;
    const BATCH: u64 = 5_000;

    for i in 0..options.dialogues {
        let id = first_dialogue + i as i64;
        // Returning customers are more likely to write again.
        let customer_index = ((rng.gen::<f64>().powf(1.6)) * customer_count as f64) as usize;
        let customer_index = customer_index.min(customer_count as usize - 1);
        let customer_id = first_customer + customer_index as i64;
        let offset = customer_offsets[customer_index];

        // Arrival: uniform over the period, kept with the probability of its local
        // hour and weekday (rejection sampling), so the rhythm is in local time.
        let created = loop {
            let t = period_start + Duration::seconds(rng.gen_range(0..days * 86_400));
            let local = t + Duration::hours(offset);
            if rng.gen::<f64>() < arrival_weight(local.hour(), local.weekday().num_days_from_monday()) {
                break t;
            }
        };
        let age = now - created;

        let channel_index = {
            let c = pick(&mut rng, &CHANNELS, |c| c.4);
            CHANNELS.iter().position(|x| x.0 == c.0).expect("listed")
        };
        let (_, kind, _, target, _) = CHANNELS[channel_index];
        let topic = if CHANNELS[channel_index].0 == "Billing e-mail" {
            &TOPICS[2]
        } else {
            pick(&mut rng, &TOPICS, |t| t.1)
        };
        let (subject, opening, answer) = topic.2[rng.gen_range(0..topic.2.len())];
        let priority = *pick(&mut rng, &[("normal", 0.70), ("low", 0.12), ("high", 0.14), ("urgent", 0.04)], |p| p.1);

        // Follow the sun: APAC 00–08 UTC, Europe 08–16, Americas 16–24.
        let team = (created.hour() / 8) as usize;
        let agents = &agents_by_team[team];
        let agent = (!agents.is_empty()).then(|| &agents[rng.gen_range(0..agents.len())]);

        // Capped: a dialogue waiting longer than this would have been escalated.
        let first_response_delay = match kind {
            "chat" => lognormal(&mut rng, 75.0, 0.8).min(30 * 60),
            "email" => lognormal(&mut rng, target as f64 * 0.4, 0.9).min(2 * 86_400),
            _ => lognormal(&mut rng, 20.0 * 60.0, 0.9).min(86_400),
        };
        let first_response = created + Duration::seconds(first_response_delay);
        let second_round = rng.gen_bool(0.28);
        let handling = match kind {
            "chat" => lognormal(&mut rng, 12.0 * 60.0, 0.6),
            "email" => lognormal(&mut rng, 6.0 * 3600.0, 0.8),
            _ => lognormal(&mut rng, 90.0 * 60.0, 0.8),
        };
        let resolved_at = first_response + Duration::seconds(handling * if second_round { 2 } else { 1 });

        // Old dialogues are nearly all resolved; only recent ones wait for a first reply.
        let resolve_share = if age > Duration::days(3) { 0.985 } else { 0.80 };
        let (status, answered) = if resolved_at < now && rng.gen_bool(resolve_share) {
            ("resolved", true)
        } else if first_response >= now || (age < Duration::hours(12) && rng.gen_bool(0.5)) {
            ("open", false)
        } else if rng.gen_bool(0.5) {
            ("postponed", true)
        } else {
            ("open", true)
        };
        let assignee = if answered { agent } else { None };
        let first_response_at = answered.then_some(first_response);
        let resolved = (status == "resolved").then_some(resolved_at);
        let postponed_until = (status == "postponed").then(|| now + Duration::hours(rng.gen_range(1..48)));
        let csat = (status == "resolved" && rng.gen_bool(0.55))
            .then(|| *pick(&mut rng, &[(1, 0.10), (2, 0.35), (3, 0.55)], |r| r.1))
            .map(|r| r.0.to_string());
        let outcome = (status == "resolved" && matches!(topic.0, "billing" | "partnerships") && rng.gen_bool(0.12))
            .then_some("converted");
        let updated = resolved.or(first_response_at).unwrap_or(created);
        // Rated a while after the resolution (no random draw, so the rest of the data stays
        // as it was): easy when the rating is good, a comment when it is bad.
        let rated_at = csat.as_ref().zip(resolved).map(|(_, at)| (at + Duration::minutes((id % 360) as i64 + 5)).min(now));
        let ces = csat.as_deref().map(|c| match c {
            "1" => "2".to_string(),
            "2" => "5".to_string(),
            _ => (6 + id % 2).to_string(),
        });
        let comment = (csat.as_deref() == Some("1")).then_some("It took too long to get an answer.");

        // A PostgreSQL array literal: the topic, and a second tag now and then.
        let tags = match rng.gen_range(0..6) {
            0 => format!("{{{},urgent-fix}}", topic.0),
            1 => format!("{{{},feedback}}", topic.0),
            _ => format!("{{{}}}", topic.0),
        };
        // Whose turn it is once the messages below are in, as the messages' trigger would
        // set it: written with the dialogue, so the trigger finds nothing to change (an
        // update of every dialogue would double the seed's time).
        let mut turn: Option<(&str, DateTime<Utc>)> = None;
        let mut message = |author: &str, user: Option<i64>, visibility: &str, body: &str, at: DateTime<Utc>| {
            row(&mut messages, &[
                Some(&next_message.to_string()),
                Some(&id.to_string()),
                Some(author),
                user.map(|u| u.to_string()).as_deref(),
                Some(visibility),
                Some(body),
                Some(&ts(at)),
            ]);
            next_message += 1;
            message_count += 1;
            if visibility == "public" {
                turn = match (author, turn) {
                    ("customer", Some(("agent", since))) => Some(("agent", since)),
                    ("customer", _) => Some(("agent", at)),
                    _ => Some(("customer", at)),
                };
            }
        };
        message("customer", None, "public", opening, created);
        if let (Some(at), Some(agent)) = (first_response_at, assignee) {
            let greeting = format!("Hi, this is {}. {answer}", agent.1.split(' ').next().unwrap_or("your agent"));
            message("agent", Some(agent.0), "public", &greeting, at);
            if rng.gen_bool(0.08) {
                message("agent", Some(agent.0), "internal", NOTES[rng.gen_range(0..NOTES.len())], at + Duration::seconds(30));
            }
            if second_round && (resolved.is_some() || rng.gen_bool(0.5)) {
                let asked = at + Duration::seconds(handling / 2);
                if asked < now {
                    message("customer", None, "public", FOLLOW_UPS[rng.gen_range(0..FOLLOW_UPS.len())], asked);
                    if resolved.is_some() {
                        let replied = asked + Duration::seconds(first_response_delay.min(handling / 2).max(30));
                        message("agent", Some(agent.0), "public", SECOND_REPLIES[rng.gen_range(0..SECOND_REPLIES.len())], replied);
                    }
                }
            }
        }

        row(&mut conversations, &[
            Some(&id.to_string()),
            Some(&channel_ids[channel_index].to_string()),
            Some(&customer_id.to_string()),
            Some(&team_ids[team].to_string()),
            Some(subject),
            Some(topic.0),
            Some(status),
            Some(priority.0),
            assignee.map(|a| a.0.to_string()).as_deref(),
            Some(&ts(created)),
            Some(&ts(updated)),
            first_response_at.map(ts).as_deref(),
            resolved.map(ts).as_deref(),
            postponed_until.map(ts).as_deref(),
            csat.as_deref(),
            comment,
            ces.as_deref(),
            rated_at.map(ts).as_deref(),
            outcome,
            Some(&tags),
            turn.map(|t| t.0),
            turn.map(|t| ts(t.1)).as_deref(),
        ]);

        if (i + 1) % BATCH == 0 || i + 1 == options.dialogues {
            let mut tx = conn.begin().await?;
            // The contact chains are computed once, after the last batch.
            sqlx::query("set local meridian.bulk_load = 'on'").execute(&mut *tx).await?;
            copy_text(
                &mut tx,
                "copy conversations (id, channel_id, customer_id, team_id, subject, topic, status, priority, assignee_id,
                 created_at, updated_at, first_response_at, resolved_at, postponed_until, csat, csat_comment, ces, rated_at, outcome, tags,
                 awaiting, awaiting_since)
                 from stdin",
                &conversations,
            )
            .await?;
            copy_text(
                &mut tx,
                "copy messages (id, conversation_id, author_kind, author_user_id, visibility, body, created_at) from stdin",
                &messages,
            )
            .await?;
            tx.commit().await?;
            conversations.clear();
            messages.clear();
            progress.advance(i + 1 - reported);
            reported = i + 1;
        }
    }
    progress.finish();
    let started = std::time::Instant::now();
    sqlx::query("select contact_chain_refresh(array(select distinct customer_id from conversations where id >= $1))")
        .bind(first_dialogue)
        .execute(&mut *conn)
        .await?;
    println!("Linked each dialogue to its customer's previous one (the contact ratio's chain) in {:.1} s.", started.elapsed().as_secs_f64());
    for table in ["conversations", "messages"] {
        sqlx::query(&format!(
            "select setval(pg_get_serial_sequence('{table}', 'id'), (select max(id) from {table}))"
        ))
        .execute(&mut *conn)
        .await?;
    }
    sqlx::raw_sql("analyze customers; analyze conversations; analyze messages; analyze contact_chain").execute(&mut *conn).await?;
    drop(conn);
    let reviews = seed_reviews(pool, &mut rng, 300).await?;
    seed_roster(pool).await?;
    let users = users + seed_sales_rep(pool).await?;
    seed_incident_and_one_to_one(pool).await?;
    seed_service_levels(pool).await?;
    seed_assignment(pool).await?;
    seed_rules(pool).await?;
    Ok(SeedReport { users, customers: customer_count, dialogues: options.dialogues, messages: message_count, reviews })
}
