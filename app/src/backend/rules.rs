//! Rules and time-based automations in PostgreSQL: the editor's reads and writes (in
//! order, each save one transaction, audited), the two jobs that fire them and the dry run.
//!
//! Event rules: `run_events` takes a batch of queued history lines with their dialogues
//! (FOR UPDATE SKIP LOCKED on both, so each event is taken once by one server process and
//! a dialogue a writer holds waits for the next run), asks `domain::rules::firing` which
//! rules fire, and applies their actions in the same transaction. The actions' own history
//! lines are queued in their turn, marked with the rule and one link deeper, so a rule is
//! never triggered by itself and a chain stops at `MAX_CHAIN_DEPTH`.
//!
//! Time-based automations: `run_waiting` finds, through the `awaiting` index, dialogues
//! that have waited long enough and have not had this rule for this wait; the unique key
//! of `rule_firings` makes each firing happen once, whatever the number of processes.

use super::audit;
use super::constraints::ConstraintExt;
use crate::domain::audit::AuditAction;
use crate::domain::dialogue::{format_waiting, ChannelKind, Priority, Topic};
use crate::domain::macros::{self, MacroContext};
use crate::domain::rules::{self, NotifyWho, RuleAction, RuleConditions, RuleFacts, RuleInput, Trigger, WaitState, When, MAX_CHAIN_DEPTH};
use crate::domain::sla::Facts;
use crate::error::AppError;
use crate::model::rules::{DryRun, DryRunMatch, Rule, RulesOverview};
use crate::model::user::CurrentUser;
use sqlx::{PgConnection, PgPool, QueryBuilder};

/// Events one run of the event job takes at most.
pub const EVENT_BATCH: i64 = 200;
/// Dialogues one time-based automation looks at per run at most.
const WAITING_BATCH: i64 = 200;
/// Open dialogues a dry run looks at.
const DRY_RUN_SCAN: i64 = 5_000;

#[derive(sqlx::FromRow)]
struct RuleRow {
    id: i64,
    position: i32,
    name: String,
    enabled: bool,
    run_on: String,
    triggers: Vec<Trigger>,
    wait_state: Option<WaitState>,
    wait_minutes: Option<i32>,
    conditions: sqlx::types::Json<RuleConditions>,
    actions: sqlx::types::Json<Vec<RuleAction>>,
    stop: bool,
    fired_last_week: i64,
    last_fired_epoch: Option<i64>,
}

impl RuleRow {
    fn into_rule(self) -> Result<Rule, AppError> {
        let when = match (self.run_on.as_str(), self.wait_state, self.wait_minutes) {
            ("event", _, _) => When::Event { triggers: self.triggers },
            ("waiting", Some(state), Some(minutes)) => When::Waiting { state, minutes },
            _ => {
                tracing::error!(rule = self.id, "a rule is neither an event rule nor a timed one");
                return Err(AppError::Internal);
            }
        };
        Ok(Rule {
            id: self.id,
            position: self.position,
            terms: RuleInput { name: self.name, enabled: self.enabled, when, conditions: self.conditions.0, actions: self.actions.0, stop: self.stop },
            fired_last_week: self.fired_last_week,
            last_fired_epoch: self.last_fired_epoch,
        })
    }
}

/// The rules in order: every one with its firing counts (the editor), or only the
/// enabled ones of one kind without them (the jobs).
async fn load(conn: &mut PgConnection, for_job: Option<&str>) -> Result<Vec<Rule>, AppError> {
    let stats = if for_job.is_some() {
        "0::int8 as fired_last_week, null::int8 as last_fired_epoch"
    } else {
        "(select count(*) from rule_firings f where f.rule_id = r.id and f.fired_at > now() - interval '7 days') as fired_last_week,
         (select floor(extract(epoch from max(f.fired_at)))::int8 from rule_firings f where f.rule_id = r.id) as last_fired_epoch"
    };
    let rows: Vec<RuleRow> = sqlx::query_as(&format!(
        "select r.id, r.position, r.name, r.enabled, r.run_on, r.triggers, r.wait_state, r.wait_minutes, r.conditions, r.actions, r.stop, {stats}
           from rules r where $1::text is null or (r.enabled and r.run_on = $1) order by r.position, r.id"
    ))
    .bind(for_job)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter().map(RuleRow::into_rule).collect()
}

/// The enabled rules of one kind as this process last read them, keyed by the database
/// and its `rules_version`.
type Cached = Option<(String, i64, std::sync::Arc<Vec<Rule>>, std::sync::Arc<Vec<Rule>>)>;
static CACHE: std::sync::Mutex<Cached> = std::sync::Mutex::new(None);

/// The enabled event rules and time-based automations, read from the database only when a
/// rule changed since this process last read them.
async fn for_jobs(conn: &mut PgConnection) -> Result<(std::sync::Arc<Vec<Rule>>, std::sync::Arc<Vec<Rule>>), AppError> {
    let (db, version): (String, i64) = sqlx::query_as("select current_database()::text, version from rules_version").fetch_one(&mut *conn).await?;
    if let Some((d, v, events, waiting)) = CACHE.lock().expect("the rules cache").as_ref() {
        if *d == db && *v == version {
            return Ok((events.clone(), waiting.clone()));
        }
    }
    let events = std::sync::Arc::new(load(&mut *conn, Some("event")).await?);
    let waiting = std::sync::Arc::new(load(&mut *conn, Some("waiting")).await?);
    *CACHE.lock().expect("the rules cache") = Some((db, version, events.clone(), waiting.clone()));
    Ok((events, waiting))
}

/// Every rule, in the order they are tried.
pub async fn list(pool: &PgPool) -> Result<Vec<Rule>, AppError> {
    let mut conn = pool.acquire().await?;
    load(&mut conn, None).await
}

/// SQL: a webhook subscription's name, its description or else its address.
const WEBHOOK_NAME: &str = "case when description <> '' then description else url end";

/// The editor's page: the rules and the teams, agents, macros and webhooks its choices name.
pub async fn overview(pool: &PgPool, can_manage: bool) -> Result<RulesOverview, AppError> {
    Ok(RulesOverview {
        rules: list(pool).await?,
        teams: super::teams::names(pool).await?,
        agents: sqlx::query_as("select id, name from users where active and role in ('operator', 'admin', 'super_admin') order by name, id")
            .fetch_all(pool)
            .await?,
        macros: sqlx::query_as("select id, name from macros order by name, id").fetch_all(pool).await?,
        webhooks: sqlx::query_as(&format!("select id, {WEBHOOK_NAME} from webhook_subscriptions order by id")).fetch_all(pool).await?,
        can_manage,
    })
}

/// Checks the names an action refers to (a team, an agent who works the queue, a macro).
async fn check_references(conn: &mut PgConnection, input: &RuleInput) -> Result<(), AppError> {
    if let Some(team) = input.conditions.dialogue.team_id {
        let known: bool = sqlx::query_scalar("select exists (select 1 from teams where id = $1)").bind(team).fetch_one(&mut *conn).await?;
        if !known {
            return Err(AppError::Invalid("There is no such team.".into()));
        }
    }
    for a in &input.actions {
        let (sql, what) = match a {
            RuleAction::SetTeam { team_id } => ("select exists (select 1 from teams where id = $1)", (*team_id, "There is no such team.")),
            RuleAction::Assign { user_id } => (
                "select exists (select 1 from users where id = $1 and active and role in ('operator', 'admin', 'super_admin'))",
                (*user_id, "Assign to an active person who works the queue."),
            ),
            RuleAction::SendMacro { macro_id } => ("select exists (select 1 from macros where id = $1)", (*macro_id, "There is no such macro.")),
            RuleAction::CallWebhook { webhook_id } => {
                ("select exists (select 1 from webhook_subscriptions where id = $1)", (*webhook_id, "There is no such webhook subscription."))
            }
            _ => continue,
        };
        let known: bool = sqlx::query_scalar(sql).bind(what.0).fetch_one(&mut *conn).await?;
        if !known {
            return Err(AppError::Invalid(what.1.into()));
        }
    }
    Ok(())
}

async fn audit_in(conn: &mut PgConnection, by: &CurrentUser, name: &str, what: &str) -> Result<(), sqlx::Error> {
    super::ordering::audit(conn, super::ordering::Ordered::Rules, by, name, what).await
}

/// Creates (no `id`, placed last) or changes a rule, in one transaction; returns its id.
/// Bad input writes nothing.
pub async fn save(pool: &PgPool, by: &CurrentUser, id: Option<i64>, input: &RuleInput) -> Result<i64, AppError> {
    let rule = rules::validate_rule(input).map_err(AppError::Invalid)?;
    let mut tx = pool.begin().await?;
    check_references(&mut tx, &rule).await?;
    let (run_on, triggers, wait_state, wait_minutes) = match &rule.when {
        When::Event { triggers } => ("event", triggers.clone(), None, None),
        When::Waiting { state, minutes } => ("waiting", Vec::new(), Some(*state), Some(*minutes)),
    };
    let saved: Option<i64> = match id {
        None => sqlx::query_scalar(
            "insert into rules (position, name, enabled, run_on, triggers, wait_state, wait_minutes, conditions, actions, stop)
             values ((select coalesce(max(position), 0) + 1 from rules), $1, $2, $3, $4, $5, $6, $7, $8, $9) returning id",
        ),
        Some(_) => sqlx::query_scalar(
            "update rules set name = $1, enabled = $2, run_on = $3, triggers = $4, wait_state = $5, wait_minutes = $6,
                    conditions = $7, actions = $8, stop = $9, updated_at = now()
              where id = $10 returning id",
        ),
    }
    .bind(&rule.name)
    .bind(rule.enabled)
    .bind(run_on)
    .bind(&triggers)
    .bind(wait_state)
    .bind(wait_minutes)
    .bind(sqlx::types::Json(&rule.conditions))
    .bind(sqlx::types::Json(&rule.actions))
    .bind(rule.stop)
    .bind(id)
    .fetch_optional(&mut *tx)
    .await
    .on_unique(|| "A rule with this name exists already.".into())?;
    let saved = saved.ok_or_else(|| AppError::NotFound("There is no such rule.".into()))?;
    audit_in(&mut tx, by, &rule.name, if id.is_some() { "changed" } else { "created" }).await?;
    tx.commit().await?;
    Ok(saved)
}

/// Deletes a rule (its firings go with it; the dialogues' history keeps its lines).
pub async fn delete(pool: &PgPool, by: &CurrentUser, id: i64) -> Result<(), AppError> {
    super::ordering::delete(pool, by, super::ordering::Ordered::Rules, id).await
}

/// Moves a rule one place earlier (`up`) or later in the order.
pub async fn reorder(pool: &PgPool, by: &CurrentUser, id: i64, up: bool) -> Result<(), AppError> {
    super::ordering::reorder(pool, by, super::ordering::Ordered::Rules, id, up).await
}

/// A dialogue as the conditions read it.
#[derive(sqlx::FromRow)]
struct FactsRow {
    id: i64,
    channel_kind: ChannelKind,
    topic: Topic,
    team_id: Option<i64>,
    priority: Priority,
    tags: Vec<String>,
    customer_plan: Option<String>,
    subject: String,
    customer: String,
    text: String,
    local_hour: i32,
    holder_on_shift: Option<bool>,
    awaiting: Option<String>,
    waited_seconds: Option<i64>,
    awaiting_since: Option<chrono::DateTime<chrono::Utc>>,
}

impl FactsRow {
    fn facts(&self) -> RuleFacts<'_> {
        RuleFacts {
            dialogue: Facts {
                channel_kind: self.channel_kind,
                topic: Some(self.topic),
                team_id: self.team_id,
                priority: self.priority,
                tags: &self.tags,
                customer_plan: self.customer_plan.as_deref(),
            },
            subject: &self.subject,
            text: &self.text,
            local_hour: self.local_hour.clamp(0, 23) as u8,
            holder_on_shift: self.holder_on_shift,
        }
    }
}

fn facts_query(condition: &str) -> String {
    format!(
        "select c.id, ch.kind as channel_kind, c.topic, c.team_id, c.priority, c.tags, cu.plan as customer_plan, c.subject, cu.name as customer,
                coalesce((select m.body from messages m where m.conversation_id = c.id and m.author_kind = 'customer'
                           order by m.created_at desc, m.id desc limit 1), '') as text,
                extract(hour from now() at time zone coalesce(t.time_zone, 'UTC'))::int4 as local_hour,
                case when c.assignee_id is null then null else {on_shift} end as holder_on_shift,
                c.awaiting, floor(extract(epoch from now() - c.awaiting_since))::int8 as waited_seconds, c.awaiting_since
           from conversations c join channels ch on ch.id = c.channel_id join customers cu on cu.id = c.customer_id
           left join teams t on t.id = c.team_id left join users u on u.id = c.assignee_id
          where {condition}",
        on_shift = super::assignment::ON_SHIFT,
    )
}

async fn facts_of(conn: &mut PgConnection, ids: &[i64]) -> Result<Vec<FactsRow>, sqlx::Error> {
    sqlx::query_as(&facts_query("c.id = any($1)")).bind(ids).fetch_all(&mut *conn).await
}

/// A line on the dialogue's history written by Meridian (no person), which every browser
/// showing it hears of.
async fn history(conn: &mut PgConnection, id: i64, kind: &str, text: &str) -> Result<(), sqlx::Error> {
    sqlx::query("insert into conversation_events (conversation_id, kind, detail) values ($1, $2, $3)")
        .bind(id)
        .bind(kind)
        .bind(serde_json::json!({ "text": text }))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// What one action changed, in words, or `None` when there was nothing to do (the
/// priority was already so, the dialogue is resolved, a sales rep holds it).
async fn apply_action(conn: &mut PgConnection, id: i64, rule: &str, action: &RuleAction) -> Result<Option<String>, AppError> {
    let by = format!("(rule “{rule}”)");
    let (status, holder, holder_in_sales, tags): (String, Option<i64>, bool, Vec<String>) = sqlx::query_as(
        "select c.status, c.assignee_id, coalesce(u.desk = 'sales', false), c.tags
           from conversations c left join users u on u.id = c.assignee_id where c.id = $1",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    let open = status != "resolved";
    let changed = |n: u64| n > 0;
    Ok(match action {
        RuleAction::SetTeam { team_id } => {
            let n = sqlx::query("update conversations set team_id = $2 where id = $1 and team_id is distinct from $2")
                .bind(id)
                .bind(team_id)
                .execute(&mut *conn)
                .await?
                .rows_affected();
            let name: Option<String> = sqlx::query_scalar("select name from teams where id = $1").bind(team_id).fetch_optional(&mut *conn).await?;
            changed(n).then(|| format!("moved to team {}", name.unwrap_or_else(|| format!("#{team_id}"))))
        }
        RuleAction::SetTopic { topic } => {
            let n = sqlx::query("update conversations set topic = $2 where id = $1 and topic <> $2").bind(id).bind(topic).execute(&mut *conn).await?.rows_affected();
            changed(n).then(|| format!("purpose set to {}", topic.label()))
        }
        RuleAction::SetPriority { priority } => {
            let n = sqlx::query("update conversations set priority = $2 where id = $1 and priority <> $2")
                .bind(id)
                .bind(priority)
                .execute(&mut *conn)
                .await?
                .rows_affected();
            if changed(n) {
                history(conn, id, "priority_changed", &format!("to {} {by}", priority.label())).await?;
            }
            changed(n).then(|| format!("priority set to {}", priority.label()))
        }
        RuleAction::AddTags { tags: add } | RuleAction::RemoveTags { tags: add } => {
            let adding = matches!(action, RuleAction::AddTags { .. });
            let mut new = tags.clone();
            if adding {
                new.extend(add.iter().filter(|t| !tags.contains(t)).cloned());
                new.truncate(10);
            } else {
                new.retain(|t| !add.contains(t));
            }
            if new == tags {
                None
            } else {
                sqlx::query("update conversations set tags = $2 where id = $1").bind(id).bind(&new).execute(&mut *conn).await?;
                let text = if new.is_empty() { format!("cleared the tags {by}") } else { format!("as {} {by}", new.join(", ")) };
                history(conn, id, "tagged", &text).await?;
                Some(if adding { format!("tagged {}", add.join(", ")) } else { format!("untagged {}", add.join(", ")) })
            }
        }
        RuleAction::Assign { user_id } => {
            if !open || holder == Some(*user_id) || holder_in_sales {
                None
            } else {
                let name: Option<String> = sqlx::query_scalar(
                    "update conversations c set assignee_id = u.id, claimed_at = now(), assigned_how = 'rule', assignment_note = null
                       from users u where c.id = $1 and u.id = $2 and u.active returning u.name",
                )
                .bind(id)
                .bind(user_id)
                .fetch_optional(&mut *conn)
                .await?;
                match name {
                    Some(name) => {
                        history(conn, id, "assigned", &format!("to {name} {by}")).await?;
                        Some(format!("assigned to {name}"))
                    }
                    None => None,
                }
            }
        }
        RuleAction::Unassign => {
            if !open || holder.is_none() || holder_in_sales {
                None
            } else {
                sqlx::query("update conversations set assignee_id = null, claimed_at = null, assigned_how = null where id = $1").bind(id).execute(&mut *conn).await?;
                history(conn, id, "released", &format!("back to the queue {by}")).await?;
                Some("handed back to the queue".into())
            }
        }
        RuleAction::SendMacro { macro_id } => {
            let found: Option<(String, String, String, String)> = sqlx::query_as(
                "select m.name, m.body, cu.name, c.subject from macros m, conversations c join customers cu on cu.id = c.customer_id
                  where m.id = $1 and c.id = $2",
            )
            .bind(macro_id)
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
            match found {
                Some((name, body, customer_name, subject)) if open => {
                    let ctx = MacroContext { customer_name, agent_name: "The support team".into(), subject, dialogue_id: id };
                    let text = macros::fill(&body, &ctx).map_err(AppError::Invalid)?;
                    let message_id: i64 = sqlx::query_scalar(
                        "insert into messages (conversation_id, author_kind, visibility, body) values ($1, 'system', 'public', $2) returning id",
                    )
                    .bind(id)
                    .bind(&text)
                    .fetch_one(&mut *conn)
                    .await?;
                    super::outbox::enqueue_reply(&mut *conn, id, message_id).await?;
                    Some(format!("sent the macro “{name}”"))
                }
                _ => None,
            }
        }
        RuleAction::AddNote { text } => {
            sqlx::query("insert into messages (conversation_id, author_kind, visibility, body) values ($1, 'system', 'internal', $2)")
                .bind(id)
                .bind(text)
                .execute(&mut *conn)
                .await?;
            Some("added a note".into())
        }
        RuleAction::Notify { who, text } => {
            let detail: String = format!("{rule}: {text}").chars().take(300).collect();
            // The holder, or when nobody holds it (or managers are asked) the managers of
            // the dialogue's team; with none there, every manager and owner.
            let n = sqlx::query(
                "insert into notifications (user_id, kind, conversation_id, detail)
                 select u.id, 'rule', c.id, $3 from conversations c join users u on u.active and (
                        ($2 and u.id = c.assignee_id)
                        or ((not $2 or c.assignee_id is null) and (
                              (u.role = 'admin' and u.team_id = c.team_id)
                              or (u.role in ('admin', 'super_admin') and not exists (
                                     select 1 from users m where m.active and m.role = 'admin' and m.team_id = c.team_id)))))
                  where c.id = $1",
            )
            .bind(id)
            .bind(*who == NotifyWho::Assignee)
            .bind(&detail)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            changed(n).then(|| format!("notified {n} {}", if n == 1 { "person" } else { "people" }))
        }
        RuleAction::CallWebhook { webhook_id } => {
            // Through the outbox like every delivery; a paused subscription gets nothing.
            let called: Option<(Option<i64>, String)> = sqlx::query_as(&format!(
                "select webhook_call($1, $2, jsonb_build_object('rule', jsonb_build_object('name', $3::text))), {WEBHOOK_NAME}
                   from webhook_subscriptions where id = $1"
            ))
            .bind(webhook_id)
            .bind(id)
            .bind(rule)
            .fetch_optional(&mut *conn)
            .await?;
            match called {
                Some((Some(_), name)) => Some(format!("called the webhook “{name}”")),
                _ => None,
            }
        }
        RuleAction::Resolve => super::dialogue::mark_resolved(&mut *conn, id, None, &by).await?.then(|| "resolved".to_string()),
    })
}

/// Applies one rule's actions to a locked dialogue and records the firing on its history,
/// in `rule_firings` and in the audit log. The changes' own history lines are queued as
/// events one link deeper, caused by this rule. Returns what it did (empty: nothing to do,
/// and nothing is recorded).
async fn fire(conn: &mut PgConnection, rule: &Rule, id: i64, depth: i16, wait_since: Option<chrono::DateTime<chrono::Utc>>) -> Result<Vec<String>, AppError> {
    // The decision comes first: a time-based automation fires once per wait, and the
    // unique key says which process got there (the other does nothing).
    let firing: Option<i64> = sqlx::query_scalar(
        "insert into rule_firings (rule_id, conversation_id, wait_since, did) values ($1, $2, $3, '')
         on conflict (rule_id, conversation_id, wait_since) where wait_since is not null do nothing returning id",
    )
    .bind(rule.id)
    .bind(id)
    .bind(wait_since)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(firing) = firing else { return Ok(Vec::new()) };
    sqlx::query("select set_config('meridian.rule_depth', $1, true), set_config('meridian.rule_id', $2, true)")
        .bind((depth + 1).to_string())
        .bind(rule.id.to_string())
        .execute(&mut *conn)
        .await?;
    let mut did = Vec::new();
    for action in &rule.terms.actions {
        if let Some(what) = apply_action(conn, id, &rule.terms.name, action).await? {
            did.push(what);
        }
    }
    sqlx::query("select set_config('meridian.rule_depth', '', true), set_config('meridian.rule_id', '', true)").execute(&mut *conn).await?;
    let text: String = if did.is_empty() { "nothing to change".to_string() } else { did.join("; ") }.chars().take(900).collect();
    sqlx::query("update rule_firings set did = $2 where id = $1").bind(firing).bind(&text).execute(&mut *conn).await?;
    // An event rule that found nothing to change did not fire (its count stays true); a
    // time-based one keeps its row, which is what makes it once per wait.
    if did.is_empty() && wait_since.is_none() {
        sqlx::query("delete from rule_firings where id = $1").bind(firing).execute(&mut *conn).await?;
        return Ok(did);
    }
    if !did.is_empty() {
        history(conn, id, "rule_fired", &format!("“{}”: {text}", rule.terms.name)).await?;
        audit::record(&mut *conn, None, "Meridian", AuditAction::RuleFired, &format!("Rule “{}”", rule.terms.name), &format!("dialogue #{id}: {text}"), "job")
            .await?;
    }
    Ok(did)
}

/// Fires the event rules on up to `limit` queued events, oldest first, in one transaction;
/// returns how many events were taken.
pub async fn run_events(pool: &PgPool, limit: i64) -> Result<usize, AppError> {
    let mut tx = pool.begin().await?;
    let events: Vec<(i64, i64, String, bool, i16, Option<i64>)> = sqlx::query_as(
        "delete from rule_events where id in (
             select e.id from rule_events e join conversations c on c.id = e.conversation_id
              order by e.id limit $1
              for update of e skip locked for no key update of c skip locked)
         returning id, conversation_id, kind, by_customer, depth, caused_by_rule",
    )
    .bind(limit)
    .fetch_all(&mut *tx)
    .await?;
    if events.is_empty() {
        return Ok(0);
    }
    let mut events = events;
    events.sort_by_key(|e| e.0);
    let (rules, _) = for_jobs(&mut tx).await?;
    if !rules.is_empty() {
        for (_, conversation_id, kind, by_customer, depth, caused_by) in &events {
            if *depth >= MAX_CHAIN_DEPTH {
                tracing::warn!(conversation_id, depth, "a chain of rules stopped at its depth limit");
                history(&mut tx, *conversation_id, "rule_fired", &format!("no more: {depth} rule changes in a row stop here (loop protection)")).await?;
                continue;
            }
            let Some(row) = facts_of(&mut tx, &[*conversation_id]).await?.pop() else { continue };
            for trigger in Trigger::from_event(kind, *by_customer) {
                let firing = rules::firing(&rules, |r| (r.id, &r.terms), *trigger, &row.facts(), *caused_by);
                for rule in firing {
                    fire(&mut tx, rule, *conversation_id, *depth, None).await?;
                }
            }
        }
    }
    tx.commit().await?;
    Ok(events.len())
}

/// The SQL filter of the conditions a column can answer (channel, purpose, team,
/// priorities, tags); the rest is checked on the facts.
fn push_conditions(q: &mut QueryBuilder<'_, sqlx::Postgres>, c: &RuleConditions) {
    let d = &c.dialogue;
    if let Some(k) = d.channel_kind {
        q.push(" and ch.kind = ").push_bind(k.as_str());
    }
    if let Some(t) = d.topic {
        q.push(" and c.topic = ").push_bind(t.as_str());
    }
    if let Some(t) = d.team_id {
        q.push(" and c.team_id = ").push_bind(t);
    }
    if !d.priorities.is_empty() {
        q.push(" and c.priority = any(").push_bind(d.priorities.iter().map(|p| p.as_str().to_string()).collect::<Vec<_>>()).push(")");
    }
    if !d.tags.is_empty() {
        q.push(" and c.tags && ").push_bind(d.tags.clone());
    }
}

/// Fires the time-based automations on the dialogues that have waited long enough, once
/// per rule and wait; returns how many firings.
pub async fn run_waiting(pool: &PgPool) -> Result<usize, AppError> {
    let mut conn = pool.acquire().await?;
    let (_, rules) = for_jobs(&mut conn).await?;
    drop(conn);
    let mut fired = 0;
    for rule in rules.iter() {
        let When::Waiting { state, minutes } = rule.terms.when else { continue };
        let awaiting = match state {
            WaitState::WaitingForCustomer => "customer",
            WaitState::Unanswered => "agent",
        };
        let mut tx = pool.begin().await?;
        let mut q = QueryBuilder::new(
            "select c.id from conversations c join channels ch on ch.id = c.channel_id
              where c.status <> 'resolved' and c.awaiting = ",
        );
        q.push_bind(awaiting)
            .push(" and c.awaiting_since <= now() - make_interval(mins => ")
            .push_bind(minutes)
            // A wait is looked at for a day after its time came (then its conditions may
            // still come to hold); older ones are behind us, so a run reads one day of the
            // index, not the whole history.
            .push(") and c.awaiting_since > now() - interval '1 day' - make_interval(mins => ")
            .push_bind(minutes)
            .push(") and not exists (select 1 from rule_firings f where f.rule_id = ")
            .push_bind(rule.id)
            .push(" and f.conversation_id = c.id and f.wait_since = c.awaiting_since)");
        push_conditions(&mut q, &rule.terms.conditions);
        q.push(" order by c.awaiting_since, c.id limit ").push_bind(WAITING_BATCH).push(" for no key update of c skip locked");
        let ids: Vec<i64> = q.build_query_scalar().fetch_all(&mut *tx).await?;
        if ids.is_empty() {
            continue;
        }
        for row in facts_of(&mut tx, &ids).await? {
            if !rule.terms.conditions.matches(&row.facts()) {
                continue;
            }
            if row.awaiting_since.is_some() {
                fire(&mut tx, rule, row.id, 0, row.awaiting_since).await?;
                fired += 1;
            }
        }
        tx.commit().await?;
    }
    Ok(fired)
}

/// Which open dialogues `input` would match now (of the most recently changed 5,000) and
/// what it would do; writes nothing.
pub async fn dry_run(pool: &PgPool, input: &RuleInput) -> Result<DryRun, AppError> {
    let rule = rules::validate_rule(input).map_err(AppError::Invalid)?;
    let mut conn = pool.acquire().await?;
    check_references(&mut conn, &rule).await?;
    let rows: Vec<FactsRow> = sqlx::query_as(&facts_query(&format!(
        "c.id in (select id from conversations where status <> 'resolved' order by updated_at desc, id desc limit {DRY_RUN_SCAN})"
    )))
    .fetch_all(&mut *conn)
    .await?;
    let examined = rows.len() as i64;
    let mut matched: Vec<DryRunMatch> = Vec::new();
    let mut count = 0;
    for row in &rows {
        if !rule.conditions.matches(&row.facts()) {
            continue;
        }
        let note = match &rule.when {
            When::Event { .. } => String::new(),
            When::Waiting { state, minutes } => {
                let want = match state {
                    WaitState::WaitingForCustomer => "customer",
                    WaitState::Unanswered => "agent",
                };
                let waited = row.waited_seconds.unwrap_or(0);
                if row.awaiting.as_deref() != Some(want) || waited < *minutes as i64 * 60 {
                    continue;
                }
                format!("{} {}", state.label().to_lowercase(), format_waiting(waited))
            }
        };
        count += 1;
        if matched.len() < 50 {
            matched.push(DryRunMatch { conversation_id: row.id, subject: row.subject.clone(), customer: row.customer.clone(), note });
        }
    }
    let names = names(&mut conn).await?;
    let would = rule.actions.iter().map(|a| a.describe(|what, id| names.iter().find(|n| n.0 == what && n.1 == id).map(|n| n.2.clone()))).collect();
    Ok(DryRun { examined, matched: count, dialogues: matched, would })
}

async fn names(conn: &mut PgConnection) -> Result<Vec<(String, i64, String)>, sqlx::Error> {
    sqlx::query_as(
        &format!(
            "select 'team'::text, id, name from teams union all select 'user', id, name from users union all select 'macro', id, name from macros
             union all select 'webhook', id, {WEBHOOK_NAME} from webhook_subscriptions"
        ),
    )
    .fetch_all(conn)
    .await
}
