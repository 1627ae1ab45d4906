//! One agent's page on a real PostgreSQL: this week's figures from the rollups, QA reviews
//! and the schedule; the weekly plan with the fixed task counted; managers' notes; and who
//! may see whose page.

mod common;

use app::backend::{dialogue, performance, rollup};
use app::domain::access::Role;
use app::domain::performance::PlanItem;
use app::error::AppError;
use common::*;
use sqlx::PgPool;

#[sqlx::test]
async fn an_agents_week_plan_and_notes_for_a_one_to_one(pool: PgPool) {
    let manager = member(&pool, "manager@meridian.test", "Marcus Webb", Role::Admin).await;
    let alex = member(&pool, "agent@meridian.test", "Alex Novak", Role::Operator).await;
    let lena = member(&pool, "lena@meridian.test", "Lena Fischer", Role::Operator).await;
    sqlx::query("insert into shifts (user_id, starts_at, ends_at, generated) values ($1, now() - interval '1 hour', now() + interval '1 hour', false)")
        .bind(alex.id)
        .execute(&pool)
        .await
        .unwrap();
    // Answered, resolved, rated excellent and reviewed at 80.
    let answered = dialogue(&pool).await;
    dialogue::claim(&pool, answered, alex.id, false).await.unwrap();
    dialogue::write_message(&pool, answered, alex.id, "Fixed it for you.", false, false, &[]).await.unwrap();
    dialogue::resolve(&pool, answered, alex.id).await.unwrap();
    sqlx::query("update conversations set csat = 3, rated_at = now() where id = $1").bind(answered).execute(&pool).await.unwrap();
    let version = app::backend::qa::current_scorecard(&pool).await.unwrap().version_id;
    sqlx::query("insert into qa_reviews (conversation_id, agent_id, reviewer_id, scorecard_version_id, answers, score) values ($1, $2, $3, $4, '[]', 80)")
        .bind(answered)
        .bind(alex.id)
        .bind(manager.id)
        .bind(version)
        .execute(&pool)
        .await
        .unwrap();
    // Claimed and not answered yet: the fixed task is not done.
    let waiting = dialogue(&pool).await;
    dialogue::claim(&pool, waiting, alex.id, false).await.unwrap();
    rollup::drain(&pool).await.unwrap();

    let page = performance::page(&pool, &alex, alex.id).await.unwrap();
    assert_eq!(page.weeks.len(), 12);
    let week = page.weeks.last().unwrap();
    assert_eq!((week.replies, week.resolutions, week.rated), (1, 1, 1));
    assert_eq!((week.csat_percent, week.qa_score, week.reviews, week.adherence), (Some(100.0), Some(80.0), 1, Some(100.0)));
    assert!(page.weeks[..11].iter().all(|w| w.replies == 0 && w.qa_score.is_none()));
    assert_eq!((page.plan.assigned_open, page.plan.assigned_waiting), (1, 1));
    assert!(!page.may_write_notes);

    // The agent writes their own tasks; blanks go, a sixth task does not fit.
    let item = |t: &str, done| PlanItem { text: t.into(), done };
    performance::save_plan(&pool, &alex, alex.id, &[item("Finish the refund course", true), item("  ", false)]).await.unwrap();
    let too_many: Vec<PlanItem> = (0..5).map(|i| item(&format!("Task {i}"), false)).collect();
    assert!(matches!(performance::save_plan(&pool, &alex, alex.id, &too_many).await, Err(AppError::Invalid(_))));
    // Answering the waiting dialogue completes the fixed task.
    dialogue::write_message(&pool, waiting, alex.id, "On it.", false, false, &[]).await.unwrap();
    let page = performance::page(&pool, &alex, alex.id).await.unwrap();
    assert_eq!(page.plan.items, vec![item("Finish the refund course", true)]);
    assert_eq!(page.plan.assigned_waiting, 0);

    // Managers see anyone's page and write notes; another agent sees neither.
    assert!(matches!(performance::page(&pool, &lena, alex.id).await, Err(AppError::Forbidden)));
    assert!(matches!(performance::save_plan(&pool, &lena, alex.id, &[]).await, Err(AppError::Forbidden)));
    performance::add_note(&pool, &manager, alex.id, "Great CSAT; next: shadow the e-mail queue.").await.unwrap();
    assert!(matches!(performance::add_note(&pool, &manager, alex.id, "   ").await, Err(AppError::Invalid(_))));
    assert!(matches!(performance::add_note(&pool, &manager, 999_999, "Hi").await, Err(AppError::NotFound(_))));
    let seen = performance::page(&pool, &manager, alex.id).await.unwrap();
    assert!(seen.may_write_notes);
    assert_eq!(seen.notes.iter().map(|n| (n.author.as_str(), n.body.as_str())).collect::<Vec<_>>(), [("Marcus Webb", "Great CSAT; next: shadow the e-mail queue.")]);
}
