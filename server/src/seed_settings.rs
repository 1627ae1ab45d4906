//! The part of `meridian seed-demo` that comes after the dialogues: what a team has set up
//! around them (service levels, automatic assignment, rules, a sales rep, the roster) and
//! the work done on them (QA reviews, an incident, a one-to-one).

use crate::progress::Progress;
use crate::seed_data::{SeedError, DEMO_PASSWORD};
use app::backend::passwords;
use chrono::{DateTime, Utc};
use rand::rngs::StdRng;
use rand::Rng;
use sqlx::PgPool;

/// Once per database: an open incident over the newest waiting billing dialogues (no update
/// sent yet), and Alex's one-to-one page: a note from Marcus and this week's plan.
pub(crate) async fn seed_incident_and_one_to_one(pool: &PgPool) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    let incident: Option<i64> = sqlx::query_scalar(
        "insert into incidents (title, summary, declared_by)
         select 'Card payments declined for some banks',
                'The payment provider declines cards of some European banks since this morning; they are on it.',
                (select id from users where email = 'manager@meridian.test')
          where not exists (select 1 from incidents)
         returning id",
    )
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(id) = incident {
        sqlx::query(
            "insert into incident_dialogues (incident_id, conversation_id, linked_by)
             select $1, c.id, (select id from users where email = 'manager@meridian.test') from conversations c
              where c.status = 'open' and c.assignee_id is null and c.tags @> '{billing}'
              order by c.created_at desc limit 12",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query(
        "insert into agent_notes (agent_id, author_id, body)
         select a.id, m.id, 'Customers love the refund explanations (CSAT up). Next: take the e-mail queue on Fridays, and keep first replies on chat under two minutes.'
           from users a, users m
          where a.email = 'agent@meridian.test' and m.email = 'manager@meridian.test' and not exists (select 1 from agent_notes)",
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        r#"insert into agent_plans (agent_id, week, items, updated_by)
           select id, date_trunc('week', now() at time zone coalesce((select value from app_settings where key = 'report_time_zone'), 'UTC'))::date,
                  '[{"text": "Finish the refunds course", "done": true}, {"text": "Shadow Lena on the e-mail queue", "done": false}]', id
             from users where email = 'agent@meridian.test'
           on conflict do nothing"#,
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Three SLA policies (enterprise customers first, then chat, then everything else, whose
/// breaches notify the team's managers), and the clocks of the dialogues still in work and
/// of the last two weeks' resolved ones. The seeded history's warnings and breaches
/// are stamped as already past, so a fresh demo does not fire hundreds of them at once;
/// from then on the server's job fires each one as it falls due.
pub(crate) async fn seed_service_levels(pool: &PgPool) -> Result<(), SeedError> {
    sqlx::raw_sql(
        "insert into sla_policies (position, name, customer_plan, business_hours, warn_minutes, escalation) values
             (1, 'Enterprise', 'enterprise', false, 15, 'raise_priority') on conflict (name) do nothing;
         insert into sla_policies (position, name, channel_kind, business_hours, warn_minutes, escalation) values
             (2, 'Chat', 'chat', false, 2, 'none') on conflict (name) do nothing;
         insert into sla_policies (position, name, business_hours, warn_minutes, escalation) values
             (3, 'Standard', true, 30, 'notify_manager') on conflict (name) do nothing;
         insert into sla_targets (policy_id, priority, metric, minutes)
         select p.id, t.priority, t.metric, t.minutes
           from sla_policies p
           join (values
               ('Enterprise', 'low', 'first_response', 240), ('Enterprise', 'normal', 'first_response', 60),
               ('Enterprise', 'high', 'first_response', 30), ('Enterprise', 'urgent', 'first_response', 15),
               ('Enterprise', 'normal', 'next_response', 120), ('Enterprise', 'high', 'next_response', 60),
               ('Enterprise', 'urgent', 'next_response', 30),
               ('Enterprise', 'normal', 'resolution', 1440), ('Enterprise', 'urgent', 'resolution', 240),
               ('Chat', 'low', 'first_response', 10), ('Chat', 'normal', 'first_response', 5),
               ('Chat', 'high', 'first_response', 3), ('Chat', 'urgent', 'first_response', 2),
               ('Chat', 'normal', 'next_response', 5), ('Chat', 'high', 'next_response', 3),
               ('Standard', 'low', 'first_response', 1440), ('Standard', 'normal', 'first_response', 480),
               ('Standard', 'high', 'first_response', 240), ('Standard', 'urgent', 'first_response', 60),
               ('Standard', 'normal', 'resolution', 4320), ('Standard', 'high', 'resolution', 1440)
           ) as t(policy, priority, metric, minutes) on t.policy = p.name
         on conflict do nothing;
         -- The last two weeks of resolved history get their clocks (the reports' SLA
         -- achievement); older history keeps none, so a large seed stays quick.
         delete from sla_dirty d using conversations c
          where c.id = d.conversation_id and c.status = 'resolved' and c.resolved_at < now() - interval '14 days';",
    )
    .execute(pool)
    .await?;
    while app::backend::sla::refresh_dirty(pool, 500).await? > 0 {}
    sqlx::query(
        "update sla_clocks set warned_at = now(), breached_at = case when due_at <= now() then now() end
          where stopped_at is null and warn_at <= now()",
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Round-robin on chat for Asia-Pacific (three chats at once per agent), and the APAC
/// agents' languages: when one of them is on shift and signed in, the team's waiting chats
/// reach them without a claim. Europe and the Americas stay manual.
pub(crate) async fn seed_assignment(pool: &PgPool) -> Result<(), SeedError> {
    sqlx::raw_sql(
        "insert into assignment_settings (team_id, channel_kind, mode, capacity)
         select id, 'chat', 'round_robin', 3 from teams where name = 'Asia-Pacific'
         on conflict do nothing;
         insert into agent_skills (user_id, kind, value, level)
         select u.id, 'language', s.value, s.level
           from users u join (values
               ('hana.sato@meridian.test', 'ja', 5), ('hana.sato@meridian.test', 'en', 4),
               ('arjun.mehta@meridian.test', 'hi', 5), ('arjun.mehta@meridian.test', 'en', 5),
               ('mei.lin.tan@meridian.test', 'zh', 5), ('mei.lin.tan@meridian.test', 'en', 4)
           ) as s(email, value, level) on s.email = u.email
         on conflict do nothing;",
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Two rules (refunds and double charges go high and are tagged; an enterprise customer's
/// missed target puts a note on the dialogue and tells the managers) and two time-based
/// automations on e-mail (a reminder after three days waiting for the customer, resolved
/// after seven), with the reminder's macro. The seeded history's waits count as handled,
/// as the SLA warnings do, so a fresh demo does not remind and resolve hundreds of
/// dialogues the moment it starts. And a webhook subscription to the local test receiver
/// (`meridian webhook-receiver`).
pub(crate) async fn seed_rules(pool: &PgPool) -> Result<(), SeedError> {
    sqlx::raw_sql(
        r#"insert into macros (name, body) values ('Still waiting for you',
             'Hi {{customer.first_name}}, we have not heard back from you about "{{dialogue.subject}}". Is there anything else we can do? Just reply to this message; if we do not hear from you within a few days, we will close it.')
         on conflict (name) do nothing;
         insert into rules (position, name, run_on, triggers, conditions, actions)
         values (1, 'Refunds and double charges go high', 'event', '{created,customer_replied}',
                 '{"words": ["refund", "charged twice", "chargeback"]}',
                 '[{"do": "set_priority", "priority": "high"}, {"do": "add_tags", "tags": ["refund"]}]'),
                (2, 'Enterprise breaches: tell the managers', 'event', '{sla_breached}',
                 '{"customer_plan": "enterprise"}',
                 '[{"do": "add_note", "text": "An enterprise customer''s target was missed: call them before replying."}, {"do": "notify", "who": "managers", "text": "An enterprise target was missed"}]')
         on conflict (name) do nothing;
         insert into rules (position, name, run_on, wait_state, wait_minutes, conditions, actions)
         select 3, 'Remind after 3 days waiting for the customer', 'waiting', 'waiting_for_customer', 4320, '{"channel_kind": "email"}',
                jsonb_build_array(jsonb_build_object('do', 'send_macro', 'macro_id', m.id), '{"do": "add_tags", "tags": ["reminded"]}'::jsonb)
           from macros m where m.name = 'Still waiting for you'
         on conflict (name) do nothing;
         insert into rules (position, name, run_on, wait_state, wait_minutes, conditions, actions)
         values (4, 'Resolve after 7 days without the customer', 'waiting', 'waiting_for_customer', 10080, '{"channel_kind": "email"}',
                 '[{"do": "resolve"}]')
         on conflict (name) do nothing;
         insert into webhook_subscriptions (url, events, description, secret)
         select 'http://127.0.0.1:3900/hook', '{dialogue_created,dialogue_resolved,sla_breached,rating_received}',
                'The local test receiver: meridian webhook-receiver', 'whsec_demo-receiver'
          where not exists (select 1 from webhook_subscriptions);
         insert into rule_firings (rule_id, conversation_id, wait_since, fired_at, did)
         select r.id, c.id, c.awaiting_since, c.awaiting_since + make_interval(mins => r.wait_minutes), 'before the demo began'
           from rules r join conversations c on c.status <> 'resolved'
                 and c.awaiting = case r.wait_state when 'unanswered' then 'agent' else 'customer' end
                 and c.awaiting_since <= now() - make_interval(mins => r.wait_minutes)
          where r.run_on = 'waiting'
         on conflict do nothing;"#,
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// A sales rep (Europe) who holds the newest open partnership dialogues: the queue's
/// "sales-owned" dialogues, which colleagues acknowledge and forward but never take over.
/// Added after the roster and the dialogues, so they do not change the seeded history.
pub(crate) async fn seed_sales_rep(pool: &PgPool) -> Result<u64, SeedError> {
    let hash = passwords::hash(DEMO_PASSWORD.to_string()).await?;
    let added = sqlx::query(
        "insert into users (email, name, role, team_id, time_zone, password_hash, desk)
         values ('nora.quinn@meridian.test', 'Nora Quinn', 'operator', (select id from teams where name = 'Europe'), 'Europe/London', $1, 'sales')
         on conflict ((lower(email))) do nothing",
    )
    .bind(hash)
    .execute(pool)
    .await?
    .rows_affected();
    sqlx::query(
        "with picked as (
             update conversations set assignee_id = (select id from users where lower(email) = 'nora.quinn@meridian.test'), claimed_at = now()
              -- The newest open partnership dialogues; at an hour when the seeded history has
              -- none open, the three newest open ones, so the demo always has sales-owned ones.
              where id in (
                  (select id from conversations where status = 'open' and topic = 'partnerships' order by created_at desc limit 12)
                  union all
                  (select id from conversations
                    where status = 'open' and not exists (select 1 from conversations where status = 'open' and topic = 'partnerships')
                    order by created_at desc limit 3))
          returning id, assignee_id)
         insert into conversation_events (conversation_id, actor_user_id, kind, detail)
         select id, assignee_id, 'claimed', '{\"text\": \"\"}'::jsonb from picked",
    )
    .execute(pool)
    .await?;
    Ok(added)
}

/// A roster for this week and the next, generated from the chat forecast (follow-the-sun:
/// each team works its own daytime).
pub(crate) async fn seed_roster(pool: &PgPool) -> Result<(), SeedError> {
    use app::backend::planning;
    use app::domain::wfm::{staff_live, LiveInput};
    let Some(manager): Option<i64> = sqlx::query_scalar("select id from users where lower(email) = 'manager@meridian.test'").fetch_optional(pool).await? else {
        return Ok(());
    };
    let query = app::model::wfm::PlanningQuery { time_zone: "UTC".into(), channel: "chat".into(), team_id: None, weeks: 4, interval_minutes: 30 };
    let plan = planning::planning(pool, &query).await?;
    let base = LiveInput { interval_seconds: 1800.0, aht_seconds: plan.aht_seconds, concurrency: 2, ..LiveInput::default() };
    for (weeks_ahead, forecast) in [(0, &plan.this_week), (1, &plan.next_week)] {
        let required: Vec<u32> = forecast.iter().map(|a| staff_live(&LiveInput { arrivals: *a, ..base }).scheduled_agents).collect();
        planning::generate_roster_for(pool, manager, "UTC", 30, &required, weeks_ahead, app::domain::roster::SupportModel::FollowTheSun).await?;
    }
    Ok(())
}

/// QA reviews by the demo reviewer over the last 90 days: up to `count` resolved dialogues
/// picked at random, scored with the default scorecard. Each agent has their own level, so
/// the results page shows real differences (and real uncertainty).
pub(crate) async fn seed_reviews(pool: &PgPool, rng: &mut StdRng, count: i64) -> Result<u64, SeedError> {
    use app::backend::qa;
    use app::domain::qa::{review_score, suggest};
    let Some(reviewer): Option<i64> = sqlx::query_scalar("select id from users where lower(email) = 'qa@meridian.test'").fetch_optional(pool).await? else {
        return Ok(0);
    };
    let scorecard = qa::current_scorecard(pool).await?;
    let picked: Vec<(i64, i64, DateTime<Utc>)> = sqlx::query_as(
        "select id, assignee_id, resolved_at from conversations
          where status = 'resolved' and assignee_id is not null and resolved_at > now() - interval '90 days'
            and not exists (select 1 from qa_reviews r where r.conversation_id = conversations.id)
          order by md5(id::text) limit $1",
    )
    .bind(count)
    .fetch_all(pool)
    .await?;
    let mut progress = Progress::new("QA reviews", picked.len() as u64);
    let mut conn = pool.acquire().await?;
    let mut done = 0;
    for (conversation, agent, resolved_at) in picked {
        // An agent's level: 0.55–0.95, fixed per agent.
        let level = 0.55 + ((agent as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40) as f64 / (1u64 << 24) as f64 * 0.4;
        let facts = qa::facts(&mut conn, conversation).await?;
        let answers: Vec<serde_json::Value> = scorecard
            .criteria
            .iter()
            .map(|c| {
                let suggested = c.signal.and_then(|s| suggest(s, c.scale, &facts));
                let value = if c.allow_na && rng.gen_bool(0.08) {
                    None
                } else if let Some(s) = suggested.filter(|_| rng.gen_bool(0.85)) {
                    Some(s)
                } else {
                    let quality: f64 = (level + rng.gen_range(-0.25..0.25)).clamp(0.0, 1.0);
                    Some(c.scale.nearest(quality))
                };
                serde_json::json!({ "value": value, "comment": "", "suggested": suggested, "changed": suggested.is_some() && suggested != value })
            })
            .collect();
        let values: Vec<Option<u8>> = answers.iter().map(|a| a["value"].as_u64().map(|v| v as u8)).collect();
        let score = review_score(&scorecard.criteria, &values);
        let at = (resolved_at + chrono::Duration::hours(rng.gen_range(2..96))).min(Utc::now());
        done += sqlx::query(
            "insert into qa_reviews (conversation_id, agent_id, reviewer_id, scorecard_version_id, answers, score, created_at, updated_at)
             values ($1, $2, $3, $4, $5, $6, $7, $7) on conflict do nothing",
        )
        .bind(conversation)
        .bind(agent)
        .bind(reviewer)
        .bind(scorecard.version_id)
        .bind(serde_json::Value::Array(answers))
        .bind(score)
        .bind(at)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        progress.advance(1);
    }
    progress.finish();
    Ok(done)
}
