//! QA in PostgreSQL: the scorecard's versions, samples, reviews, disputes, calibration and
//! the roll-ups. The arithmetic is `domain::qa`; here are only queries and transactions.

use crate::model::user::CurrentUser;
use crate::domain::access::Permission;
use crate::domain::dialogue::parse_tags;
use crate::domain::qa::{self, Candidate, Criterion, DisputeStatus, Facts};
use crate::error::AppError;
use sqlx::{PgConnection, PgPool};
use std::collections::BTreeMap;
use crate::model::qa::{AnswerInput, Dispute, Review, ReviewInput, ReviewSheet, Sample, SampleRequest, SampledAgent, Scorecard, StoredAnswer, TodoItem};
use crate::backend::constraints::ConstraintExt;

const DEFAULT_SCORECARD: &str = "Default";

/// The scorecard reviewers score with now: the newest version of the default scorecard,
/// created from the checklist the first time it is asked for (safe to race: the unique
/// keys decide).
pub async fn current_scorecard(pool: &PgPool) -> Result<Scorecard, AppError> {
    let criteria = serde_json::to_value(qa::default_criteria()).map_err(|_| AppError::Internal)?;
    sqlx::query("insert into qa_scorecards (name) values ($1) on conflict (name) do nothing")
        .bind(DEFAULT_SCORECARD)
        .execute(pool)
        .await?;
    sqlx::query(
        "insert into qa_scorecard_versions (scorecard_id, version, criteria)
         select s.id, 1, $2 from qa_scorecards s
          where s.name = $1 and not exists (select 1 from qa_scorecard_versions v where v.scorecard_id = s.id)
         on conflict do nothing",
    )
    .bind(DEFAULT_SCORECARD)
    .bind(criteria)
    .execute(pool)
    .await?;
    let (version_id, version, name, criteria): (i64, i32, String, serde_json::Value) = sqlx::query_as(
        "select v.id, v.version, s.name, v.criteria from qa_scorecard_versions v join qa_scorecards s on s.id = v.scorecard_id
          where s.name = $1 order by v.version desc limit 1",
    )
    .bind(DEFAULT_SCORECARD)
    .fetch_one(pool)
    .await?;
    Ok(Scorecard { version_id, version, name, criteria: parse_criteria(criteria)? })
}

fn parse_criteria(value: serde_json::Value) -> Result<Vec<Criterion>, AppError> {
    serde_json::from_value(value).map_err(|err| {
        tracing::error!(error = %err, "unreadable scorecard version");
        AppError::Internal
    })
}

pub(super) async fn version_criteria(conn: &mut PgConnection, version_id: i64) -> Result<Vec<Criterion>, AppError> {
    let value: serde_json::Value =
        sqlx::query_scalar("select criteria from qa_scorecard_versions where id = $1").bind(version_id).fetch_one(conn).await?;
    parse_criteria(value)
}

/// Saves an edited scorecard as a new version; reviews made with older versions keep theirs.
pub async fn save_scorecard(pool: &PgPool, by: i64, criteria: &[Criterion]) -> Result<Scorecard, AppError> {
    qa::validate_criteria(criteria).map_err(AppError::Invalid)?;
    let current = current_scorecard(pool).await?;
    let mut tx = pool.begin().await?;
    // The scorecard row is the lock: two admins saving at once get versions n+1 and n+2.
    let scorecard_id: i64 = sqlx::query_scalar("select id from qa_scorecards where name = $1 for update")
        .bind(&current.name)
        .fetch_one(&mut *tx)
        .await?;
    let (version_id, version): (i64, i32) = sqlx::query_as(
        "insert into qa_scorecard_versions (scorecard_id, version, criteria, created_by)
         select $1, coalesce(max(version), 0) + 1, $2, $3 from qa_scorecard_versions where scorecard_id = $1
         returning id, version",
    )
    .bind(scorecard_id)
    .bind(serde_json::to_value(criteria).map_err(|_| AppError::Internal)?)
    .bind(by)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Scorecard { version_id, version, name: current.name, criteria: criteria.to_vec() })
}

/// Draws a stratified random sample of resolved dialogues and assigns it to a reviewer.
pub async fn draw_sample(pool: &PgPool, requester: &CurrentUser, req: &SampleRequest) -> Result<Sample, AppError> {
    if !(1..=100).contains(&req.per_agent) {
        return Err(AppError::Invalid("Ask for between 1 and 100 dialogues per agent.".into()));
    }
    let (from, to) = super::day_span(&req.from, &req.to, 366)?;
    let tag = match req.tag.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        None => None,
        Some(t) => match parse_tags(t).map_err(AppError::Invalid)?.as_slice() {
            [one] => Some(one.clone()),
            _ => return Err(AppError::Invalid("Filter by one tag at a time.".into())),
        },
    };
    let reviewer_id = req.reviewer_id.unwrap_or(requester.id);
    let reviewer_role: Option<String> = sqlx::query_scalar("select role from users where id = $1 and active")
        .bind(reviewer_id)
        .fetch_optional(pool)
        .await?;
    let may_review = reviewer_role.and_then(|r| r.parse::<crate::domain::access::Role>().ok()).is_some_and(|r| r.can(Permission::ReviewDialogues));
    if !may_review {
        return Err(AppError::Invalid("Assign the sample to someone who reviews dialogues.".into()));
    }
    let seed = req.seed.unwrap_or_else(|| rand::random::<i64>() & i64::MAX);

    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "select c.assignee_id, c.id
           from conversations c
           join channels ch on ch.id = c.channel_id
           join users u on u.id = c.assignee_id
          where c.status = 'resolved'
            and c.resolved_at >= ($1::date::timestamp at time zone $2)
            and c.resolved_at < (($3::date + 1)::timestamp at time zone $2)
            and (cardinality($4::text[]) = 0 or ch.kind = any($4))
            and ($5::bigint is null or u.team_id = $5)
            and ($6::bigint is null or c.assignee_id = $6)
            and (not $7 or c.csat = 1)
            and ($8::text is null or c.tags @> array[$8::text])
            and ($9 or not exists (select 1 from qa_reviews r
                                    where r.conversation_id = c.id and r.reviewer_id = $10 and r.calibration_id is null))",
    )
    .bind(from)
    .bind(&requester.time_zone)
    .bind(to)
    .bind(&req.channels)
    .bind(req.team_id)
    .bind(req.agent_id)
    .bind(req.low_csat_only)
    .bind(&tag)
    .bind(req.include_reviewed)
    .bind(reviewer_id)
    .fetch_all(pool)
    .await?;
    let candidates: Vec<Candidate> = rows.into_iter().map(|(agent_id, conversation_id)| Candidate { agent_id, conversation_id }).collect();
    let drawn = qa::stratified_sample(&candidates, req.per_agent as usize, seed as u64);
    if drawn.is_empty() {
        return Err(AppError::NotFound("No resolved dialogues match: widen the period or the filters.".into()));
    }

    let filters = serde_json::json!({
        "channels": req.channels, "team_id": req.team_id, "agent_id": req.agent_id,
        "low_csat_only": req.low_csat_only, "tag": tag, "include_reviewed": req.include_reviewed,
    });
    let mut tx = pool.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "insert into qa_samples (created_by, reviewer_id, seed, per_agent, period_from, period_to, filters)
         values ($1, $2, $3, $4, $5::date::timestamp at time zone $7, ($6::date + 1)::timestamp at time zone $7, $8) returning id",
    )
    .bind(requester.id)
    .bind(reviewer_id)
    .bind(seed)
    .bind(req.per_agent as i32)
    .bind(from)
    .bind(to)
    .bind(&requester.time_zone)
    .bind(filters)
    .fetch_one(&mut *tx)
    .await?;
    let conversation_ids: Vec<i64> = drawn.iter().map(|c| c.conversation_id).collect();
    let agent_ids: Vec<i64> = drawn.iter().map(|c| c.agent_id).collect();
    sqlx::query(
        "insert into qa_sample_items (sample_id, conversation_id, agent_id, position)
         select $1, c, a, p::int from unnest($2::bigint[], $3::bigint[]) with ordinality as t(c, a, p)",
    )
    .bind(id)
    .bind(&conversation_ids)
    .bind(&agent_ids)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;

    let names: BTreeMap<i64, String> = sqlx::query_as("select id, name from users where id = any($1)")
        .bind(&agent_ids)
        .fetch_all(pool)
        .await?
        .into_iter()
        .collect();
    let mut agents: Vec<SampledAgent> = Vec::new();
    for c in drawn {
        match agents.last_mut() {
            Some(a) if a.agent_id == c.agent_id => a.conversation_ids.push(c.conversation_id),
            _ => agents.push(SampledAgent {
                agent_id: c.agent_id,
                agent: names.get(&c.agent_id).cloned().unwrap_or_default(),
                conversation_ids: vec![c.conversation_id],
            }),
        }
    }
    Ok(Sample { id, seed, per_agent: req.per_agent, agents })
}

/// The reviewer's to-do list: sampled dialogues they have not reviewed for that sample yet.
pub async fn todo(pool: &PgPool, reviewer: i64) -> Result<Vec<TodoItem>, AppError> {
    Ok(sqlx::query_as(
        "select i.sample_id, i.conversation_id, c.subject, u.name as agent, ch.kind as channel_kind,
                extract(epoch from c.resolved_at)::bigint as resolved_epoch, c.csat
           from qa_sample_items i
           join qa_samples s on s.id = i.sample_id
           join conversations c on c.id = i.conversation_id
           join channels ch on ch.id = c.channel_id
           join users u on u.id = i.agent_id
          where s.reviewer_id = $1
            and not exists (select 1 from qa_reviews r
                             where r.conversation_id = i.conversation_id and r.reviewer_id = $1
                               and r.calibration_id is null and (r.sample_id = i.sample_id or r.created_at >= s.created_at))
          order by s.created_at, i.position
          limit 500",
    )
    .bind(reviewer)
    .fetch_all(pool)
    .await?)
}

/// What the dialogue's data says, for suggestions.
pub async fn facts(conn: &mut PgConnection, conversation_id: i64) -> Result<Facts, AppError> {
    let row: Option<(Option<i16>, Option<i64>, Option<i64>, Option<bool>)> = sqlx::query_as(
        "select c.csat,
                extract(epoch from c.resolved_at - c.created_at)::bigint,
                extract(epoch from ch.resolution_target)::bigint,
                case when c.resolved_at is null then null else exists (
                    select 1 from conversation_events e
                     where e.conversation_id = c.id and e.kind = 'reopened'
                       and e.created_at > first.at and e.created_at <= first.at + interval '7 days') end
           from conversations c
           join channels ch on ch.id = c.channel_id
           cross join lateral (select coalesce(
                (select min(e.created_at) from conversation_events e where e.conversation_id = c.id and e.kind = 'resolved'),
                c.resolved_at) as at) first
          where c.id = $1",
    )
    .bind(conversation_id)
    .fetch_optional(&mut *conn)
    .await?;
    let (csat, resolution_seconds, resolution_target_seconds, reopened_within_7_days) =
        row.ok_or_else(|| AppError::NotFound("There is no such dialogue.".into()))?;
    // Articles sent suggest "yes"; none sent suggests nothing: whether one would have helped
    // is the reviewer's call.
    let sent: i64 = sqlx::query_scalar("select count(*) from kb_article_uses where conversation_id = $1")
        .bind(conversation_id)
        .fetch_one(&mut *conn)
        .await?;
    let articles_sent = (sent > 0).then_some(sent as u32);
    Ok(Facts { csat, resolution_seconds, resolution_target_seconds, reopened_within_7_days, articles_sent })
}

fn suggestions(criteria: &[Criterion], facts: &Facts) -> Vec<Option<u8>> {
    criteria.iter().map(|c| c.signal.and_then(|s| qa::suggest(s, c.scale, facts))).collect()
}

/// Keeps what a review says now as a revision, before it is scored again (a repeat review
/// or an accepted dispute): history is never lost.
async fn keep_revision(tx: &mut PgConnection, review_id: i64, by: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into qa_review_revisions (review_id, scorecard_version_id, answers, comment, score, changed_by)
         select id, scorecard_version_id, answers, comment, score, $2 from qa_reviews where id = $1",
    )
    .bind(review_id)
    .bind(by)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// The setting that lets QA reviewers open any resolved dialogue, not only their samples'
/// and calibration sessions'.
const ANY_RESOLVED: &str = "qa_reviewers_any_resolved";

/// Whether QA reviewers may open any resolved dialogue (a manager's setting; off at first).
pub async fn reviewers_any_resolved(pool: &PgPool) -> Result<bool, sqlx::Error> {
    Ok(super::settings::get(pool, ANY_RESOLVED).await?.as_deref() == Some("true"))
}

/// Sets [`reviewers_any_resolved`] (audited by the caller).
pub async fn set_reviewers_any_resolved(pool: &PgPool, by: i64, allow: bool) -> Result<(), sqlx::Error> {
    super::settings::set(pool, ANY_RESOLVED, if allow { "true" } else { "false" }, by).await
}

/// Refuses a QA reviewer a dialogue outside their job (`domain::qa_access`): open ones, and
/// resolved ones in none of their samples or this calibration, unless a manager allows any.
/// Managers and owners pass. A refusal is a 404 with its sentence (ids are not probed).
async fn check_reach(conn: &mut PgConnection, conversation_id: i64, reviewer: i64, calibration_id: Option<i64>) -> Result<(), AppError> {
    use crate::domain::access::Role;
    use crate::domain::qa_access::{may_review, Reach};
    let row: Option<(String, bool, bool, bool, bool)> = sqlx::query_as(
        "select u.role, c.status = 'resolved',
                exists (select 1 from qa_sample_items i join qa_samples s on s.id = i.sample_id
                         where i.conversation_id = c.id and s.reviewer_id = u.id),
                $3::int8 is not null and exists (select 1 from qa_calibrations k where k.id = $3 and k.conversation_id = c.id),
                coalesce((select value = 'true' from app_settings where key = $4), false)
           from conversations c, users u where c.id = $1 and u.id = $2",
    )
    .bind(conversation_id)
    .bind(reviewer)
    .bind(calibration_id)
    .bind(ANY_RESOLVED)
    .fetch_optional(&mut *conn)
    .await?;
    let (role, resolved, sampled, calibrating, any_resolved) = row.ok_or_else(|| AppError::NotFound("There is no such dialogue.".into()))?;
    let role: Role = role.parse().map_err(|_| AppError::Internal)?;
    may_review(role, Reach { resolved, sampled, calibrating, any_resolved }).map_err(|refusal| AppError::NotFound(refusal.to_string()))
}

/// The review screen for `conversation_id`, scored with the current scorecard, or with the
/// calibration session's version. A QA reviewer gets only the dialogues of their job.
pub async fn review_sheet(pool: &PgPool, conversation_id: i64, reviewer: i64, calibration_id: Option<i64>) -> Result<ReviewSheet, AppError> {
    check_reach(&mut *pool.acquire().await?, conversation_id, reviewer, calibration_id).await?;
    let dialogue = super::dialogue_view::dialogue(pool, conversation_id, reviewer)
        .await?
        .ok_or_else(|| AppError::NotFound("There is no such dialogue.".into()))?;
    let scorecard = match calibration_id {
        None => current_scorecard(pool).await?,
        Some(cal) => {
            let (version_id, version, name): (i64, i32, String) = sqlx::query_as(
                "select v.id, v.version, s.name from qa_calibrations k
                   join qa_scorecard_versions v on v.id = k.scorecard_version_id
                   join qa_scorecards s on s.id = v.scorecard_id
                  where k.id = $1 and k.conversation_id = $2",
            )
            .bind(cal)
            .bind(conversation_id)
            .fetch_optional(pool)
            .await?
            .ok_or_else(|| AppError::NotFound("There is no such calibration session.".into()))?;
            let mut conn = pool.acquire().await?;
            Scorecard { version_id, version, name, criteria: version_criteria(&mut conn, version_id).await? }
        }
    };
    let mut conn = pool.acquire().await?;
    let facts = facts(&mut conn, conversation_id).await?;
    let suggestions = suggestions(&scorecard.criteria, &facts);
    let mine_id: Option<i64> = sqlx::query_scalar(
        "select id from qa_reviews where conversation_id = $1 and reviewer_id = $2
            and calibration_id is not distinct from $3 order by created_at desc limit 1",
    )
    .bind(conversation_id)
    .bind(reviewer)
    .bind(calibration_id)
    .fetch_optional(&mut *conn)
    .await?;
    let mine = match mine_id {
        Some(id) => load_review(&mut conn, id).await?,
        None => None,
    };
    let agent = dialogue.assignee.clone();
    Ok(ReviewSheet { dialogue, now: chrono::Utc::now().timestamp(), agent, scorecard, facts, suggestions, mine })
}

/// Checks answers and comments against the criteria and records what the data suggested.
fn stored_answers(criteria: &[Criterion], answers: &[AnswerInput], suggested: &[Option<u8>]) -> Result<Vec<StoredAnswer>, AppError> {
    let values: Vec<Option<u8>> = answers.iter().map(|a| a.value).collect();
    qa::check_answers(criteria, &values).map_err(|e| AppError::Invalid(e.to_string()))?;
    answers
        .iter()
        .zip(suggested)
        .map(|(a, s)| {
            Ok(StoredAnswer {
                value: a.value,
                comment: qa::clean_text(&a.comment, 2_000, "A comment").map_err(AppError::Invalid)?,
                suggested: *s,
                changed: s.is_some() && *s != a.value,
            })
        })
        .collect()
}

/// Stores a review. The scorecard version must be the one the reviewer saw; the agent is
/// whoever holds the dialogue; a QA reviewer scores only the dialogues of their job. A
/// second review by the same reviewer needs `repeat`, and replaces the first (which is
/// kept as a revision): one reviewer's opinion of one dialogue counts once.
pub async fn submit_review(pool: &PgPool, reviewer: i64, input: &ReviewInput) -> Result<i64, AppError> {
    let comment = qa::clean_text(&input.comment, 5_000, "The overall comment").map_err(AppError::Invalid)?;
    let mut tx = pool.begin().await?;
    check_reach(&mut tx, input.conversation_id, reviewer, input.calibration_id).await?;
    let agent_id: Option<i64> = sqlx::query_scalar("select assignee_id from conversations where id = $1")
        .bind(input.conversation_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| AppError::NotFound("There is no such dialogue.".into()))?;
    let agent_id = agent_id.ok_or_else(|| AppError::Invalid("Nobody handled this dialogue, so there is no agent to review.".into()))?;
    let expected_version: i64 = match input.calibration_id {
        Some(cal) => sqlx::query_scalar("select scorecard_version_id from qa_calibrations where id = $1 and conversation_id = $2")
            .bind(cal)
            .bind(input.conversation_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| AppError::NotFound("There is no such calibration session.".into()))?,
        None => current_scorecard(pool).await?.version_id,
    };
    if expected_version != input.scorecard_version_id {
        return Err(AppError::Conflict("The scorecard changed while you were reviewing. Reload the page to score with the new version.".into()));
    }
    if let Some(sample) = input.sample_id {
        let ok: bool = sqlx::query_scalar(
            "select exists (select 1 from qa_sample_items i join qa_samples s on s.id = i.sample_id
                             where i.sample_id = $1 and i.conversation_id = $2 and s.reviewer_id = $3)",
        )
        .bind(sample)
        .bind(input.conversation_id)
        .bind(reviewer)
        .fetch_one(&mut *tx)
        .await?;
        if !ok {
            return Err(AppError::Invalid("That dialogue is not in a sample assigned to you.".into()));
        }
    }
    let criteria = version_criteria(&mut tx, input.scorecard_version_id).await?;
    let facts = facts(&mut tx, input.conversation_id).await?;
    let answers = stored_answers(&criteria, &input.answers, &suggestions(&criteria, &facts))?;
    let values: Vec<Option<u8>> = answers.iter().map(|a| a.value).collect();
    let score = qa::review_score(&criteria, &values);
    if input.repeat && input.calibration_id.is_none() {
        let earlier: Option<i64> = sqlx::query_scalar(
            "select id from qa_reviews where conversation_id = $1 and reviewer_id = $2 and calibration_id is null
              order by created_at desc, id desc limit 1 for update",
        )
        .bind(input.conversation_id)
        .bind(reviewer)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(id) = earlier {
            keep_revision(&mut tx, id, reviewer).await?;
            sqlx::query(
                "update qa_reviews set agent_id = $2, scorecard_version_id = $3, sample_id = coalesce($4, sample_id), answers = $5,
                        comment = $6, score = $7, created_at = now() where id = $1",
            )
            .bind(id)
            .bind(agent_id)
            .bind(input.scorecard_version_id)
            .bind(input.sample_id)
            .bind(serde_json::to_value(&answers).map_err(|_| AppError::Internal)?)
            .bind(&comment)
            .bind(score)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            return Ok(id);
        }
    }
    let id: i64 = sqlx::query_scalar(
        "insert into qa_reviews (conversation_id, agent_id, reviewer_id, scorecard_version_id, sample_id, calibration_id, repeat, answers, comment, score)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning id",
    )
    .bind(input.conversation_id)
    .bind(agent_id)
    .bind(reviewer)
    .bind(input.scorecard_version_id)
    .bind(input.sample_id)
    .bind(input.calibration_id)
    // A repeat replaced the earlier review above; a first review is never a repeat.
    .bind(false)
    .bind(serde_json::to_value(&answers).map_err(|_| AppError::Internal)?)
    .bind(&comment)
    .bind(score)
    .fetch_one(&mut *tx)
    .await
    .on_unique(|| "You have already reviewed this dialogue. Ask for a second review to score it again.".into())?;
    tx.commit().await?;
    Ok(id)
}

#[derive(sqlx::FromRow)]
struct ReviewRow {
    id: i64,
    conversation_id: i64,
    subject: String,
    agent_id: i64,
    agent: String,
    reviewer_id: i64,
    reviewer: String,
    score: Option<f64>,
    created_epoch: i64,
    scorecard_version: i32,
    criteria: serde_json::Value,
    answers: serde_json::Value,
    comment: String,
    revisions: i64,
    dispute_id: Option<i64>,
    dispute_reason: Option<String>,
    dispute_status: Option<DisputeStatus>,
    dispute_note: Option<String>,
    dispute_epoch: Option<i64>,
}

const REVIEW_SELECT: &str = "
    select r.id, r.conversation_id, c.subject, r.agent_id, a.name as agent, r.reviewer_id, rv.name as reviewer, r.score,
           extract(epoch from r.created_at)::bigint as created_epoch, v.version as scorecard_version, v.criteria, r.answers, r.comment,
           (select count(*) from qa_review_revisions x where x.review_id = r.id) as revisions,
           d.id as dispute_id, d.reason as dispute_reason, d.status as dispute_status, d.decision_note as dispute_note,
           extract(epoch from d.created_at)::bigint as dispute_epoch
      from qa_reviews r
      join conversations c on c.id = r.conversation_id
      join users a on a.id = r.agent_id
      join users rv on rv.id = r.reviewer_id
      join qa_scorecard_versions v on v.id = r.scorecard_version_id
      left join lateral (select * from qa_disputes d where d.review_id = r.id order by d.created_at desc, d.id desc limit 1) d on true";

fn review_from(row: ReviewRow) -> Result<Review, AppError> {
    let answers: Vec<StoredAnswer> = serde_json::from_value(row.answers).map_err(|_| AppError::Internal)?;
    Ok(Review {
        id: row.id,
        conversation_id: row.conversation_id,
        subject: row.subject,
        agent_id: row.agent_id,
        agent: row.agent,
        reviewer_id: row.reviewer_id,
        reviewer: row.reviewer,
        score: row.score,
        created_epoch: row.created_epoch,
        scorecard_version: row.scorecard_version,
        criteria: parse_criteria(row.criteria)?,
        answers,
        comment: row.comment,
        revisions: row.revisions,
        dispute: row.dispute_id.map(|id| Dispute {
            id,
            reason: row.dispute_reason.unwrap_or_default(),
            status: row.dispute_status.unwrap_or(DisputeStatus::Open),
            decision_note: row.dispute_note.unwrap_or_default(),
            created_epoch: row.dispute_epoch.unwrap_or_default(),
        }),
    })
}

pub async fn load_review(conn: &mut PgConnection, id: i64) -> Result<Option<Review>, AppError> {
    let row: Option<ReviewRow> = sqlx::query_as(&format!("{REVIEW_SELECT} where r.id = $1")).bind(id).fetch_optional(conn).await?;
    row.map(review_from).transpose()
}

/// Which reviews a list shows.
#[derive(Clone, Copy, Debug)]
pub enum ReviewScope {
    /// Reviews of this agent's dialogues (what an agent may read).
    OfAgent(i64),
    /// Reviews this reviewer wrote.
    By(i64),
    /// Reviews with an open dispute that this user may decide (their own, or all for managers).
    OpenDisputesFor(i64, bool),
}

/// The newest 100 reviews in a scope, calibration reviews left out.
pub async fn reviews(pool: &PgPool, scope: ReviewScope) -> Result<Vec<Review>, AppError> {
    let (filter, id, all) = match scope {
        ReviewScope::OfAgent(id) => ("r.agent_id = $1", id, false),
        ReviewScope::By(id) => ("r.reviewer_id = $1", id, false),
        ReviewScope::OpenDisputesFor(id, all) => ("d.status = 'open' and ($2 or r.reviewer_id = $1)", id, all),
    };
    let rows: Vec<ReviewRow> =
        sqlx::query_as(&format!("{REVIEW_SELECT} where r.calibration_id is null and {filter} order by r.created_at desc, r.id desc limit 100"))
            .bind(id)
            .bind(all)
            .fetch_all(pool)
            .await?;
    rows.into_iter().map(review_from).collect()
}

/// An agent disputes a review of their own dialogue.
pub async fn dispute(pool: &PgPool, agent: i64, review_id: i64, reason: &str) -> Result<i64, AppError> {
    let reason = qa::clean_text(reason, 2_000, "The reason").map_err(AppError::Invalid)?;
    if reason.is_empty() {
        return Err(AppError::Invalid("Say why you disagree with the review.".into()));
    }
    // Someone else's review is "not found", so its existence does not leak.
    let mine = "select exists (select 1 from qa_reviews where id = $1 and agent_id = $2 and calibration_id is null)";
    super::constraints::require(pool, mine, review_id, agent, AppError::NotFound("There is no such review of your dialogues.".into())).await?;
    sqlx::query_scalar("insert into qa_disputes (review_id, raised_by, reason) values ($1, $2, $3) returning id")
        .bind(review_id)
        .bind(agent)
        .bind(&reason)
        .fetch_one(pool)
        .await
        .on_unique(|| "This review already has an open dispute.".into())
}

/// The review's reviewer, or a manager, decides a dispute. Accepting re-scores the review
/// with `answers` (the old version is kept as a revision); rejecting leaves it as it was.
pub async fn decide_dispute(
    pool: &PgPool,
    user: &CurrentUser,
    dispute_id: i64,
    accept: bool,
    answers: Option<&[AnswerInput]>,
    note: &str,
) -> Result<(), AppError> {
    let note = qa::clean_text(note, 2_000, "The note").map_err(AppError::Invalid)?;
    let mut tx = pool.begin().await?;
    let found: Option<(i64, i64, String)> = sqlx::query_as(
        "select d.review_id, r.reviewer_id, d.status from qa_disputes d join qa_reviews r on r.id = d.review_id where d.id = $1 for update of d",
    )
    .bind(dispute_id)
    .fetch_optional(&mut *tx)
    .await?;
    let (review_id, reviewer_id, status) = found.ok_or_else(|| AppError::NotFound("There is no such dispute.".into()))?;
    if reviewer_id != user.id && !user.role.can(Permission::ManageQa) {
        return Err(AppError::Forbidden);
    }
    if status != "open" {
        return Err(AppError::Conflict(format!("This dispute was already {status}.")));
    }
    if accept {
        let answers = answers.ok_or_else(|| AppError::Invalid("Accepting a dispute means scoring the review again.".into()))?;
        let (conversation_id, version_id): (i64, i64) =
            sqlx::query_as("select conversation_id, scorecard_version_id from qa_reviews where id = $1 for update")
                .bind(review_id)
                .fetch_one(&mut *tx)
                .await?;
        let criteria = version_criteria(&mut tx, version_id).await?;
        let facts = facts(&mut tx, conversation_id).await?;
        let stored = stored_answers(&criteria, answers, &suggestions(&criteria, &facts))?;
        let values: Vec<Option<u8>> = stored.iter().map(|a| a.value).collect();
        keep_revision(&mut tx, review_id, user.id).await?;
        sqlx::query("update qa_reviews set answers = $2, score = $3 where id = $1")
            .bind(review_id)
            .bind(serde_json::to_value(&stored).map_err(|_| AppError::Internal)?)
            .bind(qa::review_score(&criteria, &values))
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("update qa_disputes set status = $2, decided_by = $3, decided_at = now(), decision_note = $4 where id = $1")
        .bind(dispute_id)
        .bind(if accept { "accepted" } else { "rejected" })
        .bind(user.id)
        .bind(&note)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The review a dispute is about, if the dispute exists and is about this dialogue.
pub async fn disputed_review(pool: &PgPool, dispute_id: i64, conversation_id: i64) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("select d.review_id from qa_disputes d join qa_reviews r on r.id = d.review_id where d.id = $1 and r.conversation_id = $2")
        .bind(dispute_id)
        .bind(conversation_id)
        .fetch_optional(pool)
        .await
}

/// A stored review's score (`None` when every criterion was not applicable).
pub async fn review_score(pool: &PgPool, id: i64) -> Result<Option<f64>, sqlx::Error> {
    sqlx::query_scalar("select score from qa_reviews where id = $1").bind(id).fetch_one(pool).await
}
