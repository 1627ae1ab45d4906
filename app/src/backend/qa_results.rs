//! QA results in PostgreSQL: scores over a period (IQS per agent, team, week and criterion),
//! calibration sessions and how far reviewers agree. The arithmetic is `domain::qa`.

use crate::domain::qa::{self, Criterion};
use crate::error::AppError;
use super::qa::{current_scorecard, version_criteria};
use crate::model::qa::{Agreement, Calibration, CriterionLine, ScoreLine, Scores, StoredAnswer};
use sqlx::PgPool;
use std::collections::BTreeMap;

/// The results page's default period: the last 12 weeks up to today, in `time_zone`.
pub async fn default_period(pool: &PgPool, time_zone: &str) -> Result<(String, String), AppError> {
    Ok(days_up_to_today(pool, time_zone, 83).await?)
}

/// The day `days` before today and today (`YYYY-MM-DD`), in `time_zone`.
pub async fn days_up_to_today(pool: &PgPool, time_zone: &str, days: i32) -> Result<(String, String), sqlx::Error> {
    sqlx::query_as(
        "select to_char(now() at time zone $1 - make_interval(days => $2), 'YYYY-MM-DD'), to_char(now() at time zone $1, 'YYYY-MM-DD')",
    )
    .bind(time_zone)
    .bind(days)
    .fetch_one(pool)
    .await
}

/// Scores over a period of whole days (in `time_zone`): IQS per agent, team and week, and
/// per criterion. Calibration reviews and reviews without a score are left out.
pub async fn scores(pool: &PgPool, from: &str, to: &str, time_zone: &str, agent: Option<i64>) -> Result<Scores, AppError> {
    let (first, last) = super::day_span(from, to, 366)?;
    let rows: Vec<(i64, String, Option<i64>, Option<String>, f64, i64, serde_json::Value, i64)> = sqlx::query_as(
        "select r.agent_id, a.name, a.team_id, t.name, r.score,
                extract(epoch from date_trunc('week', r.created_at at time zone $3) at time zone $3)::bigint,
                r.answers, r.scorecard_version_id
           from qa_reviews r
           join users a on a.id = r.agent_id
           left join teams t on t.id = a.team_id
          where r.calibration_id is null and r.score is not null
            and r.created_at >= ($1::date::timestamp at time zone $3)
            and r.created_at < (($2::date + 1)::timestamp at time zone $3)
            and ($4::bigint is null or r.agent_id = $4)",
    )
    .bind(first)
    .bind(last)
    .bind(time_zone)
    .bind(agent)
    .fetch_all(pool)
    .await?;

    let mut versions: BTreeMap<i64, Vec<Criterion>> = BTreeMap::new();
    let mut conn = pool.acquire().await?;
    for (.., version) in &rows {
        if !versions.contains_key(version) {
            versions.insert(*version, version_criteria(&mut conn, *version).await?);
        }
    }

    let group = |key: &dyn Fn(&(i64, String, Option<i64>, Option<String>, f64, i64, serde_json::Value, i64)) -> Option<(i64, String)>| {
        let mut groups: BTreeMap<(i64, String), Vec<f64>> = BTreeMap::new();
        for row in &rows {
            if let Some(k) = key(row) {
                groups.entry(k).or_default().push(row.4);
            }
        }
        groups
            .into_iter()
            .filter_map(|((id, name), scores)| qa::iqs(&scores).map(|iqs| ScoreLine { id, name, iqs }))
            .collect::<Vec<_>>()
    };
    let mut agents = group(&|r| Some((r.0, r.1.clone())));
    agents.sort_by(|a, b| a.name.cmp(&b.name));
    let mut teams = group(&|r| r.2.map(|id| (id, r.3.clone().unwrap_or_default())));
    teams.sort_by(|a, b| a.name.cmp(&b.name));
    let weeks = group(&|r| Some((r.5, String::new())));

    // Per criterion, by name (a criterion keeps its name across versions).
    let mut names: Vec<String> = Vec::new();
    let mut per_criterion: BTreeMap<(i64, String), Vec<f64>> = BTreeMap::new();
    for (agent_id, _, _, _, _, _, answers, version) in &rows {
        let answers: Vec<StoredAnswer> = serde_json::from_value(answers.clone()).unwrap_or_default();
        for (c, a) in versions[version].iter().zip(answers) {
            if !names.contains(&c.name) {
                names.push(c.name.clone());
            }
            if let Some(v) = a.value {
                let s = qa::criterion_score(c.scale, v);
                per_criterion.entry((0, c.name.clone())).or_default().push(s);
                per_criterion.entry((*agent_id, c.name.clone())).or_default().push(s);
            }
        }
    }
    let mean = |v: &Vec<f64>| v.iter().sum::<f64>() / v.len() as f64;
    let criteria = names
        .iter()
        .map(|n| {
            let v = per_criterion.get(&(0, n.clone()));
            CriterionLine { name: n.clone(), mean: v.map(mean).unwrap_or(0.0), reviews: v.map_or(0, |v| v.len() as u32) }
        })
        .collect();
    let agent_criteria =
        agents.iter().map(|a| names.iter().map(|n| per_criterion.get(&(a.id, n.clone())).map(mean)).collect()).collect();
    let all: Vec<f64> = rows.iter().map(|r| r.4).collect();
    Ok(Scores { from: first.to_string(), to: last.to_string(), overall: qa::iqs(&all), agents, teams, weeks, criteria, agent_criteria })
}

/// A manager opens a calibration session on a dialogue, scored with the current scorecard.
pub async fn create_calibration(pool: &PgPool, by: i64, conversation_id: i64) -> Result<i64, AppError> {
    let scorecard = current_scorecard(pool).await?;
    let id: Option<i64> = sqlx::query_scalar(
        "insert into qa_calibrations (conversation_id, scorecard_version_id, created_by)
         select id, $2, $3 from conversations where id = $1 and assignee_id is not null returning id",
    )
    .bind(conversation_id)
    .bind(scorecard.version_id)
    .bind(by)
    .fetch_optional(pool)
    .await?;
    id.ok_or_else(|| AppError::NotFound("There is no such dialogue with an agent to calibrate on.".into()))
}

pub async fn calibrations(pool: &PgPool, me: i64) -> Result<Vec<Calibration>, AppError> {
    let rows: Vec<(i64, i64, String, i64, Vec<String>, bool)> = sqlx::query_as(
        "select k.id, k.conversation_id, c.subject, extract(epoch from k.created_at)::bigint,
                coalesce(array_agg(u.name order by u.name) filter (where u.id is not null), '{}'),
                coalesce(bool_or(r.reviewer_id = $1), false)
           from qa_calibrations k
           join conversations c on c.id = k.conversation_id
           left join qa_reviews r on r.calibration_id = k.id
           left join users u on u.id = r.reviewer_id
          group by k.id, c.subject
          order by k.created_at desc limit 50",
    )
    .bind(me)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, conversation_id, subject, created_epoch, reviewers, done_by_me)| Calibration {
            id,
            conversation_id,
            subject,
            created_epoch,
            reviewers,
            done_by_me,
        })
        .collect())
}

/// How far reviewers agree, per criterion, over every calibration session.
pub async fn agreement(pool: &PgPool) -> Result<Vec<Agreement>, AppError> {
    let rows: Vec<(i64, i64, serde_json::Value)> =
        sqlx::query_as("select calibration_id, scorecard_version_id, answers from qa_reviews where calibration_id is not null order by calibration_id")
            .fetch_all(pool)
            .await?;
    let mut versions: BTreeMap<i64, Vec<Criterion>> = BTreeMap::new();
    let mut conn = pool.acquire().await?;
    // criterion name -> session -> scores
    let mut by_criterion: Vec<(String, BTreeMap<i64, Vec<f64>>)> = Vec::new();
    for (session, version, answers) in rows {
        if !versions.contains_key(&version) {
            versions.insert(version, version_criteria(&mut conn, version).await?);
        }
        let answers: Vec<StoredAnswer> = serde_json::from_value(answers).unwrap_or_default();
        for (c, a) in versions[&version].iter().zip(answers) {
            let index = match by_criterion.iter().position(|(n, _)| *n == c.name) {
                Some(i) => i,
                None => {
                    by_criterion.push((c.name.clone(), BTreeMap::new()));
                    by_criterion.len() - 1
                }
            };
            if let Some(v) = a.value {
                by_criterion[index].1.entry(session).or_default().push(qa::criterion_score(c.scale, v));
            }
        }
    }
    Ok(by_criterion
        .into_iter()
        .map(|(criterion, sessions)| {
            let units: Vec<Vec<f64>> = sessions.into_values().collect();
            let spreads: Vec<f64> = units
                .iter()
                .filter(|u| u.len() >= 2)
                .map(|u| u.iter().cloned().fold(f64::MIN, f64::max) - u.iter().cloned().fold(f64::MAX, f64::min))
                .collect();
            Agreement {
                criterion,
                mean_spread: (!spreads.is_empty()).then(|| spreads.iter().sum::<f64>() / spreads.len() as f64),
                alpha: qa::krippendorff_alpha(&units),
                ratings: units.iter().map(|u| u.len() as u32).sum(),
            }
        })
        .collect())
}
