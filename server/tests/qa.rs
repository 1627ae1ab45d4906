//! QA on a real database: fair, reproducible samples; reviews that keep their meaning
//! when the scorecard changes; disputes; calibration; and who may read what.

mod common;

use app::model::user::CurrentUser;
use app::backend::{qa, qa_results};
use app::domain::access::Role;
use app::model::qa::{AnswerInput, ReviewInput, SampleRequest};
use axum::http::StatusCode;
use common::*;
use sqlx::PgPool;

fn me(id: i64, role: Role) -> CurrentUser {
    CurrentUser { id, email: String::new(), name: String::new(), role, time_zone: "UTC".into() }
}

/// `n` dialogues resolved yesterday by `agent`.
async fn resolved_by(pool: &PgPool, agent: i64, n: usize) -> Vec<i64> {
    let mut ids = Vec::new();
    for _ in 0..n {
        let id = dialogue(pool).await;
        sqlx::query("update conversations set status = 'resolved', assignee_id = $2, resolved_at = now() - interval '1 day' where id = $1")
            .bind(id)
            .bind(agent)
            .execute(pool)
            .await
            .unwrap();
        ids.push(id);
    }
    ids
}

/// A QA reviewer, with the manager's setting that lets reviewers open any resolved dialogue
/// (these tests score dialogues outside samples; `reviewers.rs`-style limits are tested in
/// `a_reviewer_scores_only_the_dialogues_of_their_job`).
async fn any_resolved_reviewer(pool: &PgPool) -> i64 {
    let id = user(pool, "qa@meridian.test", Role::Reviewer).await;
    qa::set_reviewers_any_resolved(pool, id, true).await.unwrap();
    id
}

fn request(per_agent: u32, seed: Option<i64>) -> SampleRequest {
    let day = |offset: i64| (chrono::Utc::now() + chrono::Duration::days(offset)).format("%Y-%m-%d").to_string();
    SampleRequest { per_agent, from: day(-7), to: day(0), seed, ..Default::default() }
}

fn answers(values: &[Option<u8>]) -> Vec<AnswerInput> {
    values.iter().map(|v| AnswerInput { value: *v, comment: String::new() }).collect()
}

/// All yes / top marks: 100.
const BEST: [Option<u8>; 8] = [Some(1), Some(4), Some(4), Some(1), Some(4), Some(1), Some(4), Some(5)];
/// Task not completed (critical): 0.
const FAILED: [Option<u8>; 8] = [Some(0), Some(4), Some(4), Some(1), Some(4), Some(1), Some(4), Some(5)];

async fn review(pool: &PgPool, reviewer: i64, conversation_id: i64, values: &[Option<u8>]) -> Result<i64, app::error::AppError> {
    let version = qa::current_scorecard(pool).await.unwrap().version_id;
    let input = ReviewInput {
        conversation_id,
        scorecard_version_id: version,
        answers: answers(values),
        comment: "Clear and kind.".into(),
        sample_id: None,
        repeat: false,
        calibration_id: None,
    };
    qa::submit_review(pool, reviewer, &input).await
}

// The same seed draws the same sample; every agent gets their share; another seed differs.
#[sqlx::test]
async fn samples_are_stratified_and_reproducible(pool: PgPool) {
    let reviewer = any_resolved_reviewer(&pool).await;
    let busy = user(&pool, "busy@meridian.test", Role::Operator).await;
    let quiet = user(&pool, "quiet@meridian.test", Role::Operator).await;
    resolved_by(&pool, busy, 30).await;
    resolved_by(&pool, quiet, 2).await;
    let who = me(reviewer, Role::Reviewer);

    let first = qa::draw_sample(&pool, &who, &request(5, Some(42))).await.unwrap();
    let again = qa::draw_sample(&pool, &who, &request(5, Some(42))).await.unwrap();
    let other = qa::draw_sample(&pool, &who, &request(5, Some(43))).await.unwrap();

    let share = |s: &app::model::qa::Sample, agent: i64| s.agents.iter().find(|a| a.agent_id == agent).map(|a| a.conversation_ids.clone()).unwrap_or_default();
    assert_eq!(share(&first, busy).len(), 5, "the busy agent gets exactly their share");
    assert_eq!(share(&first, quiet).len(), 2, "the quiet agent gets all they have, not more");
    assert_eq!(share(&first, busy), share(&again, busy), "same seed, same sample");
    assert_ne!(share(&first, busy), share(&other, busy), "another seed, another sample");
    let stored: i64 = sqlx::query_scalar("select seed from qa_samples where id = $1").bind(first.id).fetch_one(&pool).await.unwrap();
    assert_eq!(stored, 42, "the seed is stored with the sample");
    // The to-do list holds the sampled dialogues.
    assert!(qa::todo(&pool, reviewer).await.unwrap().len() >= 7);
}

// Dialogues the reviewer already reviewed are left out, unless asked for.
#[sqlx::test]
async fn reviewed_dialogues_are_excluded(pool: PgPool) {
    let reviewer = any_resolved_reviewer(&pool).await;
    let agent = user(&pool, "agent@meridian.test", Role::Operator).await;
    let ids = resolved_by(&pool, agent, 3).await;
    review(&pool, reviewer, ids[0], &BEST).await.unwrap();
    let who = me(reviewer, Role::Reviewer);

    let sample = qa::draw_sample(&pool, &who, &request(10, Some(1))).await.unwrap();
    let drawn = &sample.agents[0].conversation_ids;
    assert_eq!(drawn.len(), 2);
    assert!(!drawn.contains(&ids[0]));

    let with = qa::draw_sample(&pool, &who, &SampleRequest { include_reviewed: true, ..request(10, Some(1)) }).await.unwrap();
    assert_eq!(with.agents[0].conversation_ids.len(), 3);
}

// Filters narrow the sample: only low ratings.
#[sqlx::test]
async fn low_ratings_can_be_sampled_alone(pool: PgPool) {
    let reviewer = any_resolved_reviewer(&pool).await;
    let agent = user(&pool, "agent@meridian.test", Role::Operator).await;
    let ids = resolved_by(&pool, agent, 6).await;
    sqlx::query("update conversations set csat = 1 where id = any($1)").bind(&ids[..2]).execute(&pool).await.unwrap();
    let s = qa::draw_sample(&pool, &me(reviewer, Role::Reviewer), &SampleRequest { low_csat_only: true, ..request(10, None) }).await.unwrap();
    let mut drawn = s.agents[0].conversation_ids.clone();
    drawn.sort();
    assert_eq!(drawn, ids[..2].to_vec());
}

// Bad requests get a sentence and write nothing.
#[sqlx::test]
async fn bad_sample_requests_are_refused(pool: PgPool) {
    let reviewer = any_resolved_reviewer(&pool).await;
    let who = me(reviewer, Role::Reviewer);
    for bad in [
        SampleRequest { per_agent: 0, ..request(1, None) },
        SampleRequest { from: "yesterday".into(), ..request(1, None) },
        SampleRequest { from: "2026-02-01".into(), to: "2026-01-01".into(), ..request(1, None) },
    ] {
        let err = qa::draw_sample(&pool, &who, &bad).await.unwrap_err();
        assert!(matches!(err, app::error::AppError::Invalid(_)), "{err:?}");
    }
    assert_eq!(count(&pool, "qa_samples").await, 0);
}

// Reviews are scored by the domain formula; a failed critical criterion makes 0.
#[sqlx::test]
async fn reviews_are_scored_and_critical_failures_are_zero(pool: PgPool) {
    let reviewer = any_resolved_reviewer(&pool).await;
    let agent = user(&pool, "agent@meridian.test", Role::Operator).await;
    let ids = resolved_by(&pool, agent, 2).await;
    let good = review(&pool, reviewer, ids[0], &BEST).await.unwrap();
    let bad = review(&pool, reviewer, ids[1], &FAILED).await.unwrap();
    let score = |id: i64| {
        let pool = pool.clone();
        async move { sqlx::query_scalar::<_, Option<f64>>("select score from qa_reviews where id = $1").bind(id).fetch_one(&pool).await.unwrap() }
    };
    assert_eq!(score(good).await, Some(100.0));
    assert_eq!(score(bad).await, Some(0.0));
    let s = qa_results::scores(&pool, "2000-01-01", "2000-12-31", "UTC", None).await.unwrap();
    assert!(s.overall.is_none(), "a period without reviews has no score, not 0");
}

// A scorecard edit adds a version; old reviews keep their version and score, and a review
// made against the old version after the edit is refused.
#[sqlx::test]
async fn a_scorecard_edit_leaves_old_reviews_unchanged(pool: PgPool) {
    let reviewer = any_resolved_reviewer(&pool).await;
    let manager = user(&pool, "manager@meridian.test", Role::Admin).await;
    let agent = user(&pool, "agent@meridian.test", Role::Operator).await;
    let ids = resolved_by(&pool, agent, 2).await;
    let old = qa::current_scorecard(&pool).await.unwrap();
    let first = review(&pool, reviewer, ids[0], &FAILED).await.unwrap();

    let mut criteria = old.criteria.clone();
    criteria[0].critical = false;
    criteria[0].weight = 0;
    let new = qa::save_scorecard(&pool, manager, &criteria).await.unwrap();
    assert_eq!(new.version, old.version + 1);

    let (version, score): (i64, Option<f64>) =
        sqlx::query_as("select scorecard_version_id, score from qa_reviews where id = $1").bind(first).fetch_one(&pool).await.unwrap();
    assert_eq!((version, score), (old.version_id, Some(0.0)), "the old review keeps its version and its score");

    let stale = ReviewInput {
        conversation_id: ids[1],
        scorecard_version_id: old.version_id,
        answers: answers(&FAILED),
        comment: String::new(),
        sample_id: None,
        repeat: false,
        calibration_id: None,
    };
    assert!(matches!(qa::submit_review(&pool, reviewer, &stale).await, Err(app::error::AppError::Conflict(_))));
    // Under the new version the same answers no longer fail: the criterion is neither critical nor weighted.
    let second = review(&pool, reviewer, ids[1], &FAILED).await.unwrap();
    let score: Option<f64> = sqlx::query_scalar("select score from qa_reviews where id = $1").bind(second).fetch_one(&pool).await.unwrap();
    assert_eq!(score, Some(100.0));
    // An invalid scorecard is refused and adds no version.
    criteria.iter_mut().for_each(|c| c.weight = 0);
    assert!(qa::save_scorecard(&pool, manager, &criteria).await.is_err());
    assert_eq!(count(&pool, "qa_scorecard_versions").await, 2);
}

// The same reviewer cannot review a dialogue twice by accident, even in a race; a second
// review asked for explicitly is allowed.
#[sqlx::test]
async fn a_dialogue_is_not_reviewed_twice_by_the_same_reviewer(pool: PgPool) {
    let reviewer = any_resolved_reviewer(&pool).await;
    let agent = user(&pool, "agent@meridian.test", Role::Operator).await;
    let id = resolved_by(&pool, agent, 1).await[0];
    qa::current_scorecard(&pool).await.unwrap();

    let (a, b) = tokio::join!(review(&pool, reviewer, id, &BEST), review(&pool, reviewer, id, &FAILED));
    assert_eq!([a.is_ok(), b.is_ok()].iter().filter(|ok| **ok).count(), 1, "exactly one of two simultaneous reviews is stored");
    assert_eq!(count(&pool, "qa_reviews").await, 1);

    let version = qa::current_scorecard(&pool).await.unwrap().version_id;
    let again = ReviewInput {
        conversation_id: id,
        scorecard_version_id: version,
        answers: answers(&BEST),
        comment: String::new(),
        sample_id: None,
        repeat: true,
        calibration_id: None,
    };
    let replaced = qa::submit_review(&pool, reviewer, &again).await.unwrap();
    // A second opinion of the same reviewer replaces the first (kept as a revision): the
    // agent's score counts it once.
    assert_eq!(count(&pool, "qa_reviews").await, 1);
    assert_eq!(count(&pool, "qa_review_revisions").await, 1);
    let score: Option<f64> = sqlx::query_scalar("select score from qa_reviews where id = $1").bind(replaced).fetch_one(&pool).await.unwrap();
    assert_eq!(score, Some(100.0));
}

// Wrong answers are refused with a sentence and store nothing.
#[sqlx::test]
async fn bad_answers_are_refused(pool: PgPool) {
    let reviewer = any_resolved_reviewer(&pool).await;
    let agent = user(&pool, "agent@meridian.test", Role::Operator).await;
    let id = resolved_by(&pool, agent, 1).await[0];
    for bad in [&BEST[..7], &[None, Some(4), Some(4), Some(1), Some(4), Some(1), Some(4), Some(5)][..], &[Some(7); 8][..]] {
        assert!(matches!(review(&pool, reviewer, id, bad).await, Err(app::error::AppError::Invalid(_))));
    }
    let open = dialogue(&pool).await;
    assert!(matches!(review(&pool, reviewer, open, &BEST).await, Err(app::error::AppError::NotFound(_))), "a reviewer never scores an open dialogue");
    let manager = user(&pool, "manager@meridian.test", Role::Admin).await;
    assert!(matches!(review(&pool, manager, open, &BEST).await, Err(app::error::AppError::Invalid(_))), "no agent, nothing to review");
    assert_eq!(count(&pool, "qa_reviews").await, 0);
}

// Suggestions come from the data and the review records which ones the reviewer changed.
#[sqlx::test]
async fn suggestions_are_recorded_with_what_the_reviewer_changed(pool: PgPool) {
    let reviewer = any_resolved_reviewer(&pool).await;
    let agent = user(&pool, "agent@meridian.test", Role::Operator).await;
    let id = resolved_by(&pool, agent, 1).await[0];
    sqlx::query("update conversations set csat = 3 where id = $1").bind(id).execute(&pool).await.unwrap();

    let sheet = qa::review_sheet(&pool, id, reviewer, None).await.unwrap();
    assert_eq!(sheet.suggestions[0], Some(1), "not reopened: task completed");
    assert_eq!(sheet.suggestions[1], Some(4), "rated excellent: happy");
    assert_eq!(sheet.suggestions[3], None, "nothing records knowledge-base use yet");

    // The reviewer disagrees about happiness (3 instead of the suggested 4).
    let mut values = BEST;
    values[1] = Some(3);
    let review_id = review(&pool, reviewer, id, &values).await.unwrap();
    let answers: serde_json::Value = sqlx::query_scalar("select answers from qa_reviews where id = $1").bind(review_id).fetch_one(&pool).await.unwrap();
    assert_eq!(answers[1]["suggested"], 4);
    assert_eq!(answers[1]["changed"], true);
    assert_eq!(answers[0]["changed"], false);
}

// An agent disputes; accepting re-scores the review (history kept) and moves the IQS.
#[sqlx::test]
async fn an_accepted_dispute_changes_the_iqs(pool: PgPool) {
    let reviewer = any_resolved_reviewer(&pool).await;
    let agent = user(&pool, "agent@meridian.test", Role::Operator).await;
    let ids = resolved_by(&pool, agent, 2).await;
    let failed = review(&pool, reviewer, ids[0], &FAILED).await.unwrap();
    review(&pool, reviewer, ids[1], &BEST).await.unwrap();
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let iqs = || {
        let (pool, today) = (pool.clone(), today.clone());
        async move { qa_results::scores(&pool, &today, &today, "UTC", Some(agent)).await.unwrap().overall.unwrap().mean }
    };
    assert_eq!(iqs().await, 50.0);

    let dispute = qa::dispute(&pool, agent, failed, "The customer confirmed it worked the next day.").await.unwrap();
    assert!(matches!(qa::dispute(&pool, agent, failed, "Again").await, Err(app::error::AppError::Conflict(_))), "one open dispute at a time");
    let other = user(&pool, "other.agent@meridian.test", Role::Operator).await;
    assert!(matches!(qa::dispute(&pool, other, failed, "Not mine").await, Err(app::error::AppError::NotFound(_))));

    // Another reviewer may not decide it; the review's reviewer may.
    let stranger = user(&pool, "stranger@meridian.test", Role::Reviewer).await;
    let refused = qa::decide_dispute(&pool, &me(stranger, Role::Reviewer), dispute, true, Some(&answers(&BEST)), "").await;
    assert_eq!(refused, Err(app::error::AppError::Forbidden));
    qa::decide_dispute(&pool, &me(reviewer, Role::Reviewer), dispute, true, Some(&answers(&BEST)), "Agreed, my mistake.").await.unwrap();

    assert_eq!(iqs().await, 100.0);
    assert_eq!(count(&pool, "qa_review_revisions").await, 1, "the old answers are kept");
    let status: String = sqlx::query_scalar("select status from qa_disputes where id = $1").bind(dispute).fetch_one(&pool).await.unwrap();
    assert_eq!(status, "accepted");
    // Decided once only.
    assert!(matches!(
        qa::decide_dispute(&pool, &me(reviewer, Role::Reviewer), dispute, false, None, "").await,
        Err(app::error::AppError::Conflict(_))
    ));
}

// Calibration reviews measure reviewers: several may score the same dialogue, and none of
// it counts towards the agent's IQS.
#[sqlx::test]
async fn calibration_reviews_do_not_count_towards_iqs(pool: PgPool) {
    let manager = user(&pool, "manager@meridian.test", Role::Admin).await;
    let r1 = user(&pool, "qa1@meridian.test", Role::Reviewer).await;
    let r2 = user(&pool, "qa2@meridian.test", Role::Reviewer).await;
    let agent = user(&pool, "agent@meridian.test", Role::Operator).await;
    let id = resolved_by(&pool, agent, 1).await[0];
    let session = qa_results::create_calibration(&pool, manager, id).await.unwrap();
    let version = qa::current_scorecard(&pool).await.unwrap().version_id;
    for (reviewer, values) in [(r1, BEST), (r2, FAILED)] {
        let input = ReviewInput {
            conversation_id: id,
            scorecard_version_id: version,
            answers: answers(&values),
            comment: String::new(),
            sample_id: None,
            repeat: false,
            calibration_id: Some(session),
        };
        qa::submit_review(&pool, reviewer, &input).await.unwrap();
    }
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    assert!(qa_results::scores(&pool, &today, &today, "UTC", None).await.unwrap().overall.is_none());
    let agreement = qa_results::agreement(&pool).await.unwrap();
    let task = agreement.iter().find(|a| a.criterion == "Task completed").unwrap();
    assert_eq!(task.mean_spread, Some(100.0), "one said yes, one said no");
    assert_eq!(task.ratings, 2);
    let sessions = qa_results::calibrations(&pool, r1).await.unwrap();
    assert_eq!(sessions[0].reviewers.len(), 2);
    assert!(sessions[0].done_by_me);
}

// An agent reads only reviews of their own dialogues, by every route.
#[sqlx::test]
async fn an_agent_cannot_read_another_agents_reviews(pool: PgPool) {
    let reviewer = any_resolved_reviewer(&pool).await;
    let alex = user(&pool, "alex@meridian.test", Role::Operator).await;
    let lena = user(&pool, "lena@meridian.test", Role::Operator).await;
    let alex_dialogue = resolved_by(&pool, alex, 1).await[0];
    let lena_dialogue = resolved_by(&pool, lena, 1).await[0];
    review(&pool, reviewer, alex_dialogue, &BEST).await.unwrap();
    review(&pool, reviewer, lena_dialogue, &FAILED).await.unwrap();
    let app = app(&pool);
    let cookie = session_cookie(&pool, alex).await;

    let overview = call(&app, "qa_overview", Some(&cookie), "").await;
    assert_eq!(overview.status, StatusCode::OK);
    let o = overview.json();
    assert_eq!(o["mine"].as_array().unwrap().len(), 1);
    assert_eq!(o["mine"][0]["conversation_id"], alex_dialogue);
    assert!(o["todo"].as_array().unwrap().is_empty() && o["disputes"].as_array().unwrap().is_empty());

    let sheet = call(&app, "qa_review_sheet", Some(&cookie), &format!("conversation_id={lena_dialogue}")).await;
    assert_eq!(sheet.status, StatusCode::FORBIDDEN);
    assert_eq!(call(&app, "qa_scores", Some(&cookie), "").await.status, StatusCode::FORBIDDEN);
    let (_, token) = app::backend::tokens::create(&pool, alex, "t", &app::backend::tokens::Grant::default()).await.unwrap();
    assert_eq!(api_get(&app, "/api/v1/qa/scores?group_by=agent", Some(&token)).await.status, StatusCode::FORBIDDEN);
    let lena_review: i64 = sqlx::query_scalar("select id from qa_reviews where agent_id = $1").bind(lena).fetch_one(&pool).await.unwrap();
    let dispute = call(&app, "qa_dispute", Some(&cookie), &format!("review_id={lena_review}&reason=mine+now")).await;
    assert_eq!(dispute.status, StatusCode::NOT_FOUND);
    assert!(!dispute.body.contains("Failed") && count(&pool, "qa_disputes").await == 0);
}

// The REST API: draw a sample, review it, read the scores.
#[sqlx::test]
async fn the_api_samples_reviews_and_scores(pool: PgPool) {
    let reviewer = any_resolved_reviewer(&pool).await;
    let agent = user(&pool, "agent@meridian.test", Role::Operator).await;
    resolved_by(&pool, agent, 4).await;
    let (_, token) = app::backend::tokens::create(&pool, reviewer, "t", &app::backend::tokens::Grant::default()).await.unwrap();
    let app = app(&pool);
    let day = |offset: i64| (chrono::Utc::now() + chrono::Duration::days(offset)).format("%Y-%m-%d").to_string();

    let res = api_post(&app, "/api/v1/qa/samples", Some(&token), &format!(r#"{{"per_agent": 3, "from": "{}", "to": "{}", "seed": 7, "channels": ["chat"]}}"#, day(-7), day(0))).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let sample = res.json();
    let fax = api_post(&app, "/api/v1/qa/samples", Some(&token), &format!(r#"{{"per_agent": 3, "from": "{}", "to": "{}", "channels": ["fax"]}}"#, day(-7), day(0))).await;
    assert_eq!(fax.status, StatusCode::BAD_REQUEST, "{}", fax.body);
    assert!(fax.body.contains("unknown variant `fax`"), "{}", fax.body);
    assert_eq!(sample["seed"], 7);
    let ids = sample["agents"][0]["conversation_ids"].as_array().unwrap().clone();
    assert_eq!(ids.len(), 3);

    let res = api_post(&app, "/api/v1/qa/reviews", Some(&token), &format!(r#"{{"conversation_id": {}, "answers": {LOWEST_ANSWERS}}}"#, ids[0])).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    assert_eq!(res.json()["score"], 0.0);
    let res = api_post(&app, "/api/v1/qa/reviews", Some(&token), r#"{"conversation_id": 1, "answers": "nope"}"#).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);

    let res = api_get(&app, &format!("/api/v1/qa/scores?from={}&to={}&group_by=agent", day(-1), day(1)), Some(&token)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let body = res.json();
    assert_eq!(body["items"][0]["iqs"]["reviews"], 1);
    assert_eq!(body["overall"]["mean"], 0.0);
    let res = api_get(&app, "/api/v1/qa/scores?group_by=planet", Some(&token)).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
}

// A QA reviewer opens and scores the resolved dialogues of their own samples and of
// calibration sessions, never an open one and not another resolved one, until a manager
// lets reviewers open any resolved dialogue. A manager is never limited.
#[sqlx::test]
async fn a_reviewer_scores_only_the_dialogues_of_their_job(pool: PgPool) {
    let reviewer = user(&pool, "qa@meridian.test", Role::Reviewer).await;
    let manager = user(&pool, "manager@meridian.test", Role::Admin).await;
    let resolved = resolved_dialogue(&pool).await;
    let open = dialogue(&pool).await;
    qa::current_scorecard(&pool).await.unwrap();

    let not_theirs = qa::review_sheet(&pool, resolved, reviewer, None).await.err().unwrap();
    assert!(not_theirs.to_string().contains("none of your samples"), "{not_theirs}");
    assert!(review(&pool, reviewer, resolved, &BEST).await.is_err());
    let open_one = qa::review_sheet(&pool, open, reviewer, None).await.err().unwrap();
    assert!(open_one.to_string().contains("resolved dialogues only"), "{open_one}");
    assert_eq!(count(&pool, "qa_reviews").await, 0);
    assert!(qa::review_sheet(&pool, resolved, manager, None).await.is_ok(), "managers are not limited");

    // In a calibration session of the dialogue: allowed for that session.
    let version = qa::current_scorecard(&pool).await.unwrap().version_id;
    let cal: i64 = sqlx::query_scalar("insert into qa_calibrations (conversation_id, scorecard_version_id, created_by) values ($1, $2, $3) returning id")
        .bind(resolved)
        .bind(version)
        .bind(manager)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(qa::review_sheet(&pool, resolved, reviewer, Some(cal)).await.is_ok());

    // The manager's setting opens every resolved one, still never an open one.
    qa::set_reviewers_any_resolved(&pool, manager, true).await.unwrap();
    assert!(qa::review_sheet(&pool, resolved, reviewer, None).await.is_ok());
    assert!(review(&pool, reviewer, resolved, &BEST).await.is_ok());
    assert!(qa::review_sheet(&pool, open, reviewer, None).await.is_err());
}
