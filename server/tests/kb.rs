//! The knowledge base on a real PostgreSQL: ranking, typo tolerance, freshness, safe
//! concurrent edits, what customers may reach, and articles recorded as sent.

mod common;

use app::model::user::CurrentUser;
use app::backend::kb::{self, Audience};
use app::backend::kb_history;
use app::backend::dialogue;
use app::domain::kb::{ArticleStatus, Visibility};
use app::domain::access::Role;
use app::error::AppError;
use app::model::kb::{ArticleInput, SearchRequest};
use axum::http::StatusCode;
use common::*;
use sqlx::PgPool;

async fn member(pool: &PgPool, email: &str, role: Role) -> CurrentUser {
    common::member(pool, email, "Test User", role).await
}

fn input(category: i64, title: &str, body: &str) -> ArticleInput {
    ArticleInput {
        category_id: category,
        title: title.into(),
        body: body.into(),
        tags: String::new(),
        visibility: Visibility::Public,
        status: ArticleStatus::Published,
        ..Default::default()
    }
}

fn search(q: &str) -> SearchRequest {
    SearchRequest { q: q.into(), ..Default::default() }
}

// A word in the title ranks above the same word in a body, and the last word is a prefix.
#[sqlx::test]
async fn a_title_match_ranks_above_a_body_match(pool: PgPool) {
    let editor = member(&pool, "editor@meridian.test", Role::Admin).await;
    let category = kb_category(&pool, 90).await;
    let body_match = kb::save(&pool, &editor, &input(category, "Account settings", "To change the refund address, open settings. Refunds refund refunds.")).await.unwrap();
    let title_match = kb::save(&pool, &editor, &input(category, "Refund policy", "Money back within 14 days.")).await.unwrap();
    let found = kb::search(&pool, Audience::Staff, None, &search("refund")).await.unwrap();
    let ids: Vec<i64> = found.articles.iter().map(|a| a.id).collect();
    assert_eq!(ids, [title_match.id, body_match.id]);
    // As typed: "refu" is a prefix of "refund"; stemming finds "refunds" from "refunding".
    assert_eq!(kb::search(&pool, Audience::Staff, None, &search("refu")).await.unwrap().articles.len(), 2);
    assert_eq!(kb::search(&pool, Audience::Staff, None, &search("refunding policy")).await.unwrap().articles[0].id, title_match.id);
    // Snippets mark the match and carry no HTML of their own.
    let snippet = found.articles[1].snippet.clone().unwrap();
    assert!(snippet.0.iter().any(|(t, marked)| *marked && t.to_lowercase().starts_with("refund")), "{snippet:?}");
}

// A misspelt query finds the article by trigram similarity when full text finds nothing.
#[sqlx::test]
async fn a_misspelt_query_still_finds_the_article(pool: PgPool) {
    let editor = member(&pool, "editor@meridian.test", Role::Admin).await;
    let category = kb_category(&pool, 90).await;
    let reset = kb::save(&pool, &editor, &input(category, "Reset your password", "Use Forgot password.")).await.unwrap();
    kb::save(&pool, &editor, &input(category, "Export your data", "Open Settings.")).await.unwrap();
    let found = kb::search(&pool, Audience::Staff, None, &search("pasword resett")).await.unwrap();
    assert!(found.near_matches);
    assert_eq!(found.articles.first().map(|a| a.id), Some(reset.id));
    // Customers get the same tolerance on the help centre.
    let public = kb::search(&pool, Audience::Public, None, &search("pasword")).await.unwrap();
    assert_eq!(public.articles.first().map(|a| a.id), Some(reset.id));
}

// Past its category's interval an article is stale, in lists and for its owner; one click
// ("Mark reviewed") makes it fresh again.
#[sqlx::test]
async fn a_stale_article_is_flagged_after_its_interval(pool: PgPool) {
    let owner = member(&pool, "owner.agent@meridian.test", Role::Operator).await;
    let editor = member(&pool, "editor@meridian.test", Role::Admin).await;
    let category = kb_category(&pool, 30).await;
    let mut i = input(category, "Rate limits", "300 a minute.");
    i.owner_id = Some(owner.id);
    let a = kb::save(&pool, &editor, &i).await.unwrap();
    assert!(!a.stale);
    sqlx::query("update kb_articles set reviewed_at = now() - interval '31 days' where id = $1").bind(a.id).execute(&pool).await.unwrap();
    assert!(kb::staff_article(&pool, a.id).await.unwrap().stale);
    let mine = SearchRequest { stale_only: true, mine: true, ..Default::default() };
    let listed = kb::search(&pool, Audience::Staff, Some(owner.id), &mine).await.unwrap();
    assert_eq!(listed.articles.iter().map(|a| a.id).collect::<Vec<_>>(), [a.id]);
    assert!(listed.articles[0].stale);
    assert!(kb::search(&pool, Audience::Staff, Some(editor.id), &mine).await.unwrap().articles.is_empty());
    // Another agent may not mark it reviewed; the owner may.
    let other = member(&pool, "other.agent@meridian.test", Role::Operator).await;
    assert_eq!(kb::mark_reviewed(&pool, &other, a.id).await.unwrap_err(), AppError::Forbidden);
    let reviewed = kb::mark_reviewed(&pool, &owner, a.id).await.unwrap();
    assert!(!reviewed.stale);
    assert_eq!(reviewed.reviewed_by.as_deref(), Some("Test User"));
}

// Two people save the same version at once: exactly one wins, the other is told who saved,
// and nothing is overwritten.
#[sqlx::test]
async fn a_concurrent_save_is_refused_and_nothing_is_lost(pool: PgPool) {
    let first = member(&pool, "first@meridian.test", Role::Admin).await;
    let second = member(&pool, "second@meridian.test", Role::SuperAdmin).await;
    let category = kb_category(&pool, 90).await;
    let a = kb::save(&pool, &first, &input(category, "Invoices", "Version one.")).await.unwrap();
    let edit = |body: &str| ArticleInput { id: Some(a.id), base_version: Some(a.version), ..input(category, "Invoices", body) };
    let (one, two) = (edit("First's text."), edit("Second's text."));
    let (x, y) = tokio::join!(kb::save(&pool, &first, &one), kb::save(&pool, &second, &two));
    let (won, lost) = match (x, y) {
        (Ok(w), Err(l)) | (Err(l), Ok(w)) => (w, l),
        other => panic!("exactly one save must win: {other:?}"),
    };
    assert!(matches!(&lost, AppError::Conflict(m) if m.contains("saved version 2")), "{lost:?}");
    let now = kb::staff_article(&pool, a.id).await.unwrap();
    assert_eq!((now.version, now.body.as_str()), (2, won.body.as_str()));
    assert_eq!(kb_history::revisions(&pool, a.id).await.unwrap().len(), 2);
    // The loser saves again on top of version 2: both texts are in the history.
    let again = ArticleInput { base_version: Some(2), ..edit("Merged text.") };
    assert_eq!(kb::save(&pool, &second, &again).await.unwrap().version, 3);
    let diff = kb_history::diff(&pool, a.id, 2, 3).await.unwrap();
    assert!(diff.lines.iter().any(|l| matches!(l, app::domain::kb::DiffLine::Added(t) if t == "Merged text.")));
}

// Customers reach only published public articles: not internal ones, not drafts, by id or
// by search, on the help centre or the API.
#[sqlx::test]
async fn a_customer_cannot_read_an_internal_or_draft_article(pool: PgPool) {
    let public = kb_article(&pool, "Zebra setup public", "Visible.", "public", "published").await;
    let internal = kb_article(&pool, "Zebra setup internal", "Secret playbook.", "internal", "published").await;
    let draft = kb_article(&pool, "Zebra setup draft", "Unfinished.", "public", "draft").await;
    let app = app(&pool);
    assert_eq!(page(&app, &format!("/help/articles/{public}"), None).await.status, StatusCode::OK);
    for hidden in [internal, draft] {
        let res = page(&app, &format!("/help/articles/{hidden}"), None).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "article {hidden}");
        assert!(!res.body.contains("Zebra"));
        assert!(kb::article(&pool, Audience::Public, hidden).await.unwrap().is_none());
        assert_eq!(api_get(&app, &format!("/api/v1/kb/articles/{hidden}"), None).await.status, StatusCode::UNAUTHORIZED);
        let res = api_send(&app, "POST", &format!("/help/articles/{hidden}/vote"), None, "").await;
        assert!(res.status.is_client_error());
    }
    for q in ["zebra", "zebr", "secret playbook", "unfinished", "zebar"] {
        let res = page(&app, &format!("/help?q={}", q.replace(' ', "+")), None).await;
        assert_eq!(res.status, StatusCode::OK);
        assert!(!res.body.contains("internal") && !res.body.contains("draft"), "{q}: {}", res.body);
        let found = kb::search(&pool, Audience::Public, None, &search(q)).await.unwrap();
        assert!(found.articles.iter().all(|a| a.id == public), "{q}");
    }
    // Lists without words, by category, too.
    let all = kb::search(&pool, Audience::Public, None, &SearchRequest { limit: Some(100), ..Default::default() }).await.unwrap();
    assert_eq!(all.articles.iter().map(|a| a.id).collect::<Vec<_>>(), [public]);
}

// Markdown from an article reaches the help centre as safe HTML: no script, no javascript: links.
#[sqlx::test]
async fn an_article_is_sanitized_before_it_is_shown(pool: PgPool) {
    let id = kb_article(&pool, "Tricky <b>title</b>", "Hello <script>alert(1)</script> [x](javascript:alert(2))", "public", "published").await;
    let res = page(&app(&pool), &format!("/help/articles/{id}"), None).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(!res.body.contains("<script>alert"), "{}", res.body);
    assert!(!res.body.contains("javascript:alert"));
    assert!(res.body.contains("Tricky &lt;b&gt;title&lt;/b&gt;"));
    assert!(res.headers.get("content-security-policy").unwrap().to_str().unwrap().contains("script-src 'none'"));
}

// The help centre counts views and votes, which the owner then sees: one answer per
// visitor and article (its cookie, or the address without one), a second one replacing it.
#[sqlx::test]
async fn help_centre_votes_and_views_are_counted(pool: PgPool) {
    let id = kb_article(&pool, "Download invoices", "Billing, Invoices.", "public", "published").await;
    let app = app(&pool);
    let first = page(&app, &format!("/help/articles/{id}"), None).await;
    let cookie = first.set_cookie().expect("the article gives a visitor cookie");
    assert!(cookie.starts_with("meridian_help=") && cookie.contains("HttpOnly") && cookie.contains("Path=/help"), "{cookie}");
    let vote = |cookie: Option<String>, helpful: &'static str| {
        let app = app.clone();
        async move {
            let mut req = axum::http::Request::post(format!("/help/articles/{id}/vote"))
                .header("host", "127.0.0.1:3000")
                .header("origin", "http://127.0.0.1:3000")
                .header("content-type", "application/x-www-form-urlencoded");
            if let Some(c) = cookie {
                req = req.header("cookie", c.split(';').next().unwrap().to_string());
            }
            let res = answer(tower::ServiceExt::oneshot(app, req.body(axum::body::Body::from(format!("helpful={helpful}"))).unwrap()).await.unwrap()).await;
            assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
            res
        }
    };
    let counts = || async { let a = kb::staff_article(&pool, id).await.unwrap(); (a.views, a.helpful_yes, a.helpful_no) };
    // The same visitor answering "yes" three times (two of them at once) counts once.
    let (a, b) = tokio::join!(vote(Some(cookie.clone()), "yes"), vote(Some(cookie.clone()), "yes"));
    assert!(a.set_cookie().is_none() && b.set_cookie().is_none());
    vote(Some(cookie.clone()), "yes").await;
    assert_eq!(counts().await, (1, 1, 0));
    // Changing their mind moves their one answer.
    vote(Some(cookie.clone()), "no").await;
    assert_eq!(counts().await, (1, 0, 1));
    // Two other visitors; a client without cookies counts once for its address.
    for other in ["meridian_help=second-visitor", "meridian_help=third-visitor"] {
        vote(Some(other.to_string()), "yes").await;
    }
    let cookieless = vote(None, "yes").await;
    assert!(cookieless.set_cookie().is_some_and(|c| c.starts_with("meridian_help=")));
    vote(None, "yes").await;
    assert_eq!(kb_votes(&pool, id).await, 4);
    assert_eq!(counts().await, (1, 3, 1));
    // "No" offers a way to a person: the team's e-mail inbox.
    sqlx::query("insert into channels (kind, name, address, first_response_target) values ('email', 'Support e-mail', 'support@meridian.test', interval '4 hours')")
        .execute(&pool)
        .await
        .unwrap();
    let sorry = page(&app, &format!("/help/articles/{id}?voted=no"), None).await;
    assert!(sorry.body.contains("Sorry this did not help. <a href=\"mailto:support@meridian.test\">Write to us</a>"), "{}", sorry.body);
    // With a chat page, the way to a person is the chat.
    sqlx::query("insert into channels (kind, name, address, first_response_target) values ('chat', 'Website chat', 'website', interval '2 minutes')")
        .execute(&pool)
        .await
        .unwrap();
    let sorry = page(&app, &format!("/help/articles/{id}?voted=no"), None).await;
    assert!(sorry.body.contains("<a href=\"/chat/website\">Write to us</a>"), "{}", sorry.body);
}

// An article inserted into a reply is recorded on the dialogue (as a link when the reply
// carries its address); a note records nothing.
#[sqlx::test]
async fn inserted_articles_are_recorded_on_the_dialogue(pool: PgPool) {
    let agent = user(&pool, "agent@meridian.test", Role::Operator).await;
    let linked = kb_article(&pool, "Reset your password", "Use Forgot password.", "public", "published").await;
    let pasted = kb_article(&pool, "Two-factor", "Use a backup code.", "internal", "published").await;
    let id = dialogue(&pool).await;
    dialogue::write_message(&pool, id, agent, "Internal: see the playbook", true, false, &[pasted]).await.unwrap();
    assert!(kb::uses(&pool, id).await.unwrap().is_empty());
    let reply = format!("Here is how: http://127.0.0.1:3000/help/articles/{linked}\n\nUse a backup code.");
    dialogue::write_message(&pool, id, agent, &reply, false, false, &[linked, pasted]).await.unwrap();
    let uses = kb::uses(&pool, id).await.unwrap();
    assert_eq!(uses, [(linked, "Reset your password".into(), "link".into()), (pasted, "Two-factor".into(), "text".into())]);
}

// An agent's suggestion becomes a new revision when an editor applies it; an agent cannot
// publish or edit a published article directly, but may write and edit their own drafts.
#[sqlx::test]
async fn agents_write_drafts_and_suggest_editors_publish(pool: PgPool) {
    let agent = member(&pool, "agent@meridian.test", Role::Operator).await;
    let editor = member(&pool, "editor@meridian.test", Role::Admin).await;
    let category = kb_category(&pool, 90).await;
    let published = kb::save(&pool, &editor, &input(category, "Seats", "Every member is a seat.")).await.unwrap();
    let change = ArticleInput { id: Some(published.id), base_version: Some(1), ..input(category, "Seats", "Changed.") };
    assert_eq!(kb::save(&pool, &agent, &change).await.unwrap_err(), AppError::Forbidden);
    assert_eq!(kb::save(&pool, &agent, &input(category, "Mine", "x")).await.unwrap_err(), AppError::Forbidden);
    let draft = kb::save(&pool, &agent, &ArticleInput { status: ArticleStatus::Draft, ..input(category, "Guests", "Guests are free.") }).await.unwrap();
    assert_eq!((draft.status.as_str(), draft.owner_id), ("draft", Some(agent.id)));
    let edited = ArticleInput { id: Some(draft.id), base_version: Some(1), status: ArticleStatus::Draft, ..input(category, "Guests", "Guests are free, always.") };
    assert_eq!(kb::save(&pool, &agent, &edited).await.unwrap().version, 2);

    let sid = kb_history::suggest(&pool, &agent, published.id, 1, "Seats", "Every active member is a seat; guests are free.", "Guests").await.unwrap();
    assert_eq!(kb_history::suggestions(&pool, published.id).await.unwrap().len(), 1);
    let applied = kb_history::decide_suggestion(&pool, &editor, sid, true).await.unwrap();
    assert_eq!(applied.version, 2);
    assert!(applied.body.contains("guests are free"));
    assert!(kb_history::suggestions(&pool, published.id).await.unwrap().is_empty());
    assert_eq!(kb_history::revisions(&pool, published.id).await.unwrap()[0].note, "Suggested by Test User");
    // Restoring version 1 is a new version 3 with the old text.
    let restored = kb_history::restore(&pool, &editor, published.id, 1, 2).await.unwrap();
    assert_eq!((restored.version, restored.body.as_str()), (3, "Every member is a seat."));
}

// A new draft from a dialogue carries its subject, the customer's question and the reply.
#[sqlx::test]
async fn a_draft_from_a_dialogue_is_prefilled(pool: PgPool) {
    let agent = user(&pool, "agent@meridian.test", Role::Operator).await;
    let id = dialogue(&pool).await;
    dialogue::write_message(&pool, id, agent, "Clear your cookies once, then sign in.", false, false, &[]).await.unwrap();
    let draft = kb::draft_from_dialogue(&pool, id).await.unwrap();
    assert_eq!(draft.title, "Cannot log in");
    assert!(draft.body.contains("> I cannot log in since this morning."));
    assert!(draft.body.contains("Clear your cookies once, then sign in."));
    assert_eq!((draft.status.as_str(), draft.visibility.as_str()), ("draft", "internal"));
}

// Agents find dialogues by words of their subject or messages.
#[sqlx::test]
async fn dialogues_are_found_by_subject_and_messages(pool: PgPool) {
    let id = dialogue(&pool).await;
    let by_subject = kb::search_dialogues(&pool, "cannot log", 10).await.unwrap();
    assert_eq!(by_subject.iter().map(|h| h.id).collect::<Vec<_>>(), [id]);
    let by_message = kb::search_dialogues(&pool, "morning", 10).await.unwrap();
    assert_eq!(by_message.iter().map(|h| h.id).collect::<Vec<_>>(), [id]);
    assert!(kb::search_dialogues(&pool, "invoice", 10).await.unwrap().is_empty());
}

// The REST API: search, create, and a stale version number is a 409 that changes nothing.
#[sqlx::test]
async fn the_api_searches_and_refuses_a_stale_version(pool: PgPool) {
    let editor = user(&pool, "editor@meridian.test", Role::Admin).await;
    let (_, token) = app::backend::tokens::create(&pool, editor, "test", &app::backend::tokens::Grant::default()).await.unwrap();
    let category = kb_category(&pool, 90).await;
    let app = app(&pool);
    let created = api_send(&app, "POST", "/api/v1/kb/articles", Some(&token),
        &format!(r#"{{"category_id": {category}, "title": "Webhook retries", "body": "Retried for 24 hours.", "visibility": "public", "status": "published"}}"#)).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.json()["id"].as_i64().unwrap();
    let found = api_get(&app, "/api/v1/kb/search?q=webhook&limit=5", Some(&token)).await.json();
    assert_eq!(found["articles"][0]["id"].as_i64(), Some(id));
    let put = |base: i32, body: &'static str| {
        format!(r#"{{"base_version": {base}, "category_id": {category}, "title": "Webhook retries", "body": "{body}", "visibility": "public", "status": "published"}}"#)
    };
    let path = format!("/api/v1/kb/articles/{id}");
    assert_eq!(api_send(&app, "PUT", &path, Some(&token), &put(1, "Retried with backoff.")).await.status, StatusCode::OK);
    let stale = api_send(&app, "PUT", &path, Some(&token), &put(1, "Lost edit?")).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.json()["error"].as_str().unwrap().contains("Nothing was overwritten"));
    let now = api_get(&app, &path, Some(&token)).await.json();
    assert_eq!((now["version"].as_i64(), now["body"].as_str()), (Some(2), Some("Retried with backoff.")));
    assert_eq!(api_get(&app, "/api/v1/kb/search", Some(&token)).await.status, StatusCode::BAD_REQUEST);
}

// QA's "used the knowledge base" criterion is suggested from the articles sent.
#[sqlx::test]
async fn qa_suggests_knowledge_base_use_from_articles_sent(pool: PgPool) {
    let agent = user(&pool, "agent@meridian.test", Role::Operator).await;
    let article = kb_article(&pool, "Reset your password", "Use Forgot password.", "public", "published").await;
    let id = dialogue(&pool).await;
    let mut conn = pool.acquire().await.unwrap();
    assert_eq!(app::backend::qa::facts(&mut conn, id).await.unwrap().articles_sent, None);
    dialogue::write_message(&pool, id, agent, "See the article.", false, false, &[article]).await.unwrap();
    assert_eq!(app::backend::qa::facts(&mut conn, id).await.unwrap().articles_sent, Some(1));
}

async fn kb_votes(pool: &PgPool, article: i64) -> i64 {
    sqlx::query_scalar("select count(*) from kb_votes where article_id = $1").bind(article).fetch_one(pool).await.unwrap()
}
