//! The permission matrix: every server function, API route and section page, called
//! as each role and as nobody, gets exactly the answer that role deserves, and a
//! refused call changes nothing.

mod common;

use app::backend::tokens;
use app::domain::access::Role;
use axum::http::StatusCode;
use common::*;
use sqlx::PgPool;
use std::collections::BTreeSet;

/// Callers in column order.
const CALLERS: [Option<Role>; 5] = [Some(Role::SuperAdmin), Some(Role::Admin), Some(Role::Reviewer), Some(Role::Operator), None];

const OK: u16 = 200;
const NO: u16 = 403;
const WHO: u16 = 401;

/// (server function endpoint, form body, status for super_admin, admin, reviewer, operator, nobody).
/// Placeholders are filled fresh for each call by [`fill`]: `{id}` an open dialogue,
/// `{resolved}` a resolved one with an agent, `{version}` the current scorecard version,
/// `{answers}` valid answers to it, `{yesterday}` / `{tomorrow}` dates.
const SERVER_FUNCTIONS: &[(&str, &str, [u16; 5])] = &[
    ("current_user", "", [OK, OK, OK, OK, OK]),
    ("queue_list", "view=unassigned", [OK, OK, NO, OK, WHO]),
    ("dialogue", "id={id}", [OK, OK, NO, OK, WHO]),
    ("claim_dialogue", "id={id}&take_over=false", [OK, OK, NO, OK, WHO]),
    ("send_message", "id={id}&body=Hello&internal=false", [OK, OK, NO, OK, WHO]),
    ("postpone_dialogue", "id={id}", [OK, OK, NO, OK, WHO]),
    ("resolve_dialogue", "id={id}", [OK, OK, NO, OK, WHO]),
    ("reopen_dialogue", "id={id}", [OK, OK, NO, OK, WHO]),
    ("dialogue_presence", "id={id}&typing=false", [OK, OK, NO, OK, WHO]),
    ("tag_dialogue", "id={id}&tags=billing%2C+refund", [OK, OK, NO, OK, WHO]),
    ("set_dialogue_details", "id={id}&priority=high&outcome=converted", [OK, OK, NO, OK, WHO]),
    ("reassign_dialogue", "id={id}&agent_id={agent}", [OK, OK, NO, OK, WHO]),
    // Nobody in sales holds a fresh dialogue: a sentence (409) for those who work the queue.
    ("acknowledge_dialogue", "id={id}", [409, 409, NO, 409, WHO]),
    // The fresh dialogue is no answer held apart: a sentence (409) for those who work the queue.
    ("accept_sender", "id={id}", [409, 409, NO, 409, WHO]),
    ("reports_report", "", [OK, OK, NO, NO, WHO]),
    ("reports_agents_week", "", [OK, OK, NO, NO, WHO]),
    ("list_users", "", [OK, NO, NO, NO, WHO]),
    ("admin_teams", "", [OK, NO, NO, NO, WHO]),
    ("admin_invite_user", r#"{"input": {"name": "New Person", "email": "new.{n}@meridian.test", "role": "operator", "team_id": null}}"#, [OK, NO, NO, NO, WHO]),
    ("admin_update_user", "id={agent}&role=operator&active=true", [OK, NO, NO, NO, WHO]),
    // Forcing a reset ends the person's sessions, so the matrix asks for nobody's (404 is
    // past the gate); the whole flow is in accounts.rs.
    ("admin_force_password_reset", "id=999999", [404, NO, NO, NO, WHO]),
    // Everyone signed in has Account settings; a wrong current password is a 400.
    ("account_sessions", "", [OK, OK, OK, OK, WHO]),
    ("change_password", "current=not+my+password&new=a+brand+new+password&again=a+brand+new+password", [400, 400, 400, 400, WHO]),
    ("sign_out_elsewhere", "", [OK, OK, OK, OK, WHO]),
    ("confirm_password", "password=not+my+password", [400, 400, 400, 400, WHO]),
    // Two-factor sign-in, for everyone signed in (off for all of them here: turning off
    // and renewing codes are 409s with a sentence; a wrong first code is a 400).
    ("two_factor", "", [OK, OK, OK, OK, WHO]),
    ("two_factor_begin", "", [OK, OK, OK, OK, WHO]),
    ("two_factor_confirm", "code=000000", [400, 400, 400, 400, WHO]),
    ("two_factor_renew_codes", "", [409, 409, 409, 409, WHO]),
    ("two_factor_disable", "", [409, 409, 409, 409, WHO]),
    ("admin_two_factor_reset", "id=999999", [404, NO, NO, NO, WHO]),
    ("admin_two_factor_policy", "", [OK, NO, NO, NO, WHO]),
    ("admin_two_factor_policy_set", r#"{"roles": []}"#, [OK, NO, NO, NO, WHO]),
    // The sign-in's second step is public; without a challenge cookie there is none (404).
    ("sign_in_second_step", "", [404, 404, 404, 404, 404]),
    ("second_factor_sign_in", "code=123456", [404, 404, 404, 404, 404]),
    ("qa_overview", "", [OK, OK, OK, OK, WHO]),
    ("qa_draw_sample", r#"{"request": {"per_agent": 1, "from": "{yesterday}", "to": "{tomorrow}"}}"#, [OK, OK, OK, NO, WHO]),
    // A QA reviewer scores only the dialogues of their samples and calibrations (404 with a
    // sentence for any other); managers and owners any.
    ("qa_review_sheet", "conversation_id={resolved}", [OK, OK, 404, NO, WHO]),
    ("qa_submit_review", r#"{"input": {"conversation_id": {resolved}, "scorecard_version_id": {version}, "answers": {answers}}}"#, [OK, OK, 404, NO, WHO]),
    ("qa_reviewer_access", "", [OK, OK, NO, NO, WHO]),
    ("qa_reviewer_access_set", "any_resolved=false", [OK, OK, NO, NO, WHO]),
    // Nobody may dispute a review that is not of their own dialogue: "not found" for all.
    ("qa_dispute", "review_id=999999&reason=Unfair", [404, 404, 404, 404, WHO]),
    ("qa_decide_dispute", r#"{"dispute_id": 999999, "accept": false, "answers": [], "note": ""}"#, [404, 404, 404, NO, WHO]),
    ("qa_scores", "", [OK, OK, OK, NO, WHO]),
    ("qa_calibration", "", [OK, OK, OK, NO, WHO]),
    ("qa_create_calibration", "conversation_id={resolved}", [OK, OK, NO, NO, WHO]),
    ("qa_scorecard", "", [OK, OK, OK, NO, WHO]),
    ("wfm_planning", "", [OK, OK, NO, NO, WHO]),
    ("wfm_sla_staffing", "zone=UTC&interval=30", [OK, OK, NO, NO, WHO]),
    ("wfm_todays_risk", "zone=UTC&interval=30", [OK, OK, NO, NO, WHO]),
    ("wfm_add_holiday", "day={tomorrow}&name=Founders+Day&factor=0.5", [OK, 409, NO, NO, WHO]),
    ("wfm_generate_roster", r#"{"zone": "UTC", "interval_minutes": 30, "required": {week}, "model": "around_the_clock"}"#, [OK, OK, NO, NO, WHO]),
    ("schedule_overview", "", [OK, OK, OK, OK, WHO]),
    ("calendar_link", "", [OK, OK, OK, OK, WHO]),
    ("request_time_off", "from=2030-01-01&to=2030-01-02&reason=Holiday", [OK, OK, OK, OK, WHO]),
    // Nothing is pending: managers get 409, the others are refused first.
    ("decide_time_off", "id=999999&approve=true", [409, 409, NO, NO, WHO]),
    // Agent 0 does not exist: a sentence for managers, a refusal for the others.
    ("add_shift", "agent=0&day={tomorrow}&start=09%3A00&hours=8", [400, 400, NO, NO, WHO]),
    ("delete_shift", "id=999999", [404, 404, NO, NO, WHO]),
    ("offer_swap", "shift=999999&to=1", [404, 404, 404, 404, WHO]),
    ("decide_swap", "id=999999&approve=true", [409, 409, NO, NO, WHO]),
    // The matrix's users are in no region: a sentence, and nothing written.
    ("save_handover", "body=All+quiet", [400, 400, 400, 400, WHO]),
    ("kb_categories", "", [OK, OK, OK, OK, WHO]),
    ("kb_search", r#"{"req": {"q": "password"}}"#, [OK, OK, OK, OK, WHO]),
    ("kb_search_dialogues", "q=login", [OK, OK, NO, OK, WHO]),
    ("kb_article", "id={article}", [OK, OK, OK, OK, WHO]),
    ("kb_editor_start", "id={article}", [OK, OK, OK, OK, WHO]),
    // Everyone who reads may write a draft; only editors publish.
    ("kb_save", r#"{"input": {"category_id": {category}, "title": "A draft", "body": "Text", "visibility": "internal", "status": "draft"}}"#, [OK, OK, OK, OK, WHO]),
    ("kb_save", r#"{"input": {"category_id": {category}, "title": "Published", "body": "Text", "visibility": "public", "status": "published"}}"#, [OK, OK, NO, NO, WHO]),
    ("kb_save", r#"{"input": {"id": {article}, "base_version": 1, "category_id": {category}, "title": "Changed", "body": "Text", "visibility": "public", "status": "published"}}"#, [OK, OK, NO, NO, WHO]),
    ("kb_suggest", r#"{"id": {article}, "base_version": 1, "title": "Better title", "body": "Better text", "note": "Clearer"}"#, [OK, OK, OK, OK, WHO]),
    // The matrix's callers do not own the article: only editors mark it reviewed.
    ("kb_mark_reviewed", "id={article}", [OK, OK, NO, NO, WHO]),
    ("kb_decide_suggestion", "id={suggestion}&apply=true", [OK, OK, NO, NO, WHO]),
    ("kb_revisions", "id={article}", [OK, OK, OK, OK, WHO]),
    ("kb_diff", "id={article}&from=1&to=1", [OK, OK, OK, OK, WHO]),
    ("kb_restore", "id={article}&version=1&base_version=1", [OK, OK, NO, NO, WHO]),
    ("escalate_dialogue", r#"{"id": {id}, "to": {agent}, "report": {"steps": "Open it", "expected": "Works", "actual": "Fails", "impact": "high"}}"#, [OK, OK, NO, OK, WHO]),
    ("mentions_list", "", [OK, OK, NO, OK, WHO]),
    ("mentions_unread", "", [OK, OK, NO, OK, WHO]),
    ("mentions_read", "", [OK, OK, NO, OK, WHO]),
    ("macros_list", "", [OK, OK, NO, OK, WHO]),
    ("macros_save", r#"{"input": {"name": "Refund {n}", "body": "Hi {{customer.first_name}}, refunded."}}"#, [OK, OK, NO, NO, WHO]),
    ("macros_delete", "id={macro}", [OK, OK, NO, NO, WHO]),
    ("sla_overview", "", [OK, OK, NO, OK, WHO]),
    ("sla_alerts", "", [OK, OK, NO, OK, WHO]),
    ("sla_save", r#"{"id": null, "input": {"name": "Policy {n}", "warn_minutes": 15, "escalation": "none", "targets": [{"priority": "normal", "metric": "first_response", "minutes": 60}]}}"#, [OK, OK, NO, NO, WHO]),
    ("sla_move", "id={policy}&up=true", [OK, OK, NO, NO, WHO]),
    ("sla_delete", "id={policy}", [OK, OK, NO, NO, WHO]),
    ("webhooks_overview", "", [OK, NO, NO, NO, WHO]),
    ("webhook_create", r#"{"input": {"url": "http://127.0.0.1:9/hook", "events": ["dialogue_created", "sla_breached"]}}"#, [OK, NO, NO, NO, WHO]),
    ("webhook_set_active", "id={webhook}&active=false", [OK, NO, NO, NO, WHO]),
    ("webhook_delete", "id={webhook}", [OK, NO, NO, NO, WHO]),
    ("rules_overview", "", [OK, OK, NO, OK, WHO]),
    ("rule_save", r#"{"id": null, "input": {"name": "Rule {n}", "when": "event", "triggers": ["created"], "actions": [{"do": "set_priority", "priority": "high"}]}}"#, [OK, OK, NO, NO, WHO]),
    ("rule_dry_run", r#"{"input": {"name": "Try", "when": "waiting", "state": "unanswered", "minutes": 60, "actions": [{"do": "resolve"}]}}"#, [OK, OK, NO, NO, WHO]),
    ("rule_move", "id={automation}&up=true", [OK, OK, NO, NO, WHO]),
    ("rule_delete", "id={automation}", [OK, OK, NO, NO, WHO]),
    ("assignment_overview", "", [OK, OK, NO, OK, WHO]),
    ("assignment_save", r#"{"input": {"team_id": {team}, "channel_kind": "chat", "mode": "round_robin", "capacity": 3}}"#, [OK, OK, NO, NO, WHO]),
    ("skills_save", "user_id={agent}&languages=de+5&topics=billing+3&tags=vip", [OK, OK, NO, NO, WHO]),
    ("queue_trending", "", [OK, OK, NO, OK, WHO]),
    ("queue_topic", "kind=tag&value=billing", [OK, OK, NO, OK, WHO]),
    ("macro_preview", "macro_id={macro}&conversation_id={id}", [OK, OK, NO, OK, WHO]),
    ("mass_reply", r#"{"request_key": "matrix-{n}", "macro_id": {macro}, "conversation_ids": [{id}]}"#, [OK, OK, NO, OK, WHO]),
    ("qa_save_scorecard", r#"{"criteria": [{"name": "Polite", "description": "", "scale": "yes_no", "weight": 10, "critical": false, "allow_na": false, "signal": null}]}"#, [OK, OK, NO, NO, WHO]),
    // Wrong credentials are wrong for everyone; sign-in itself is public.
    ("agent_performance", "", [OK, OK, NO, OK, WHO]),
    // Someone else's plan: managers may write it with them; another agent may not.
    ("agent_plan_save", r#"{"agent_id": {agent}, "items": [{"text": "Learn the refund flow", "done": false}]}"#, [OK, OK, NO, NO, WHO]),
    ("agent_note_add", "agent_id={agent}&body=Good+week", [OK, OK, NO, NO, WHO]),
    ("dialogue_incidents", "id={id}", [OK, OK, NO, OK, WHO]),
    ("incidents_list", "", [OK, OK, NO, NO, WHO]),
    ("incident_declare", "title=Payments+failing&summary=Card+payments+in+Europe", [OK, OK, NO, NO, WHO]),
    ("incident_get", "id={incident}", [OK, OK, NO, NO, WHO]),
    ("incident_link", "id={incident}&numbers=%23{id}", [OK, OK, NO, NO, WHO]),
    ("incident_link_topic", "id={incident}&kind=tag&value=billing", [OK, OK, NO, NO, WHO]),
    ("incident_unlink", "id={incident}&conversation_id={id}", [OK, OK, NO, NO, WHO]),
    ("incident_preview", "id={incident}&body=Hi+%7B%7Bcustomer.first_name%7D%7D%2C+fixed.", [OK, OK, NO, NO, WHO]),
    ("incident_send", "id={incident}&request_key=matrix-{n}&body=Fixed.&close=true", [OK, OK, NO, NO, WHO]),
    ("audit_log", r#"{"query": {"q": "", "limit": 10}}"#, [OK, OK, NO, NO, WHO]),
    ("admin_channels", "", [OK, NO, NO, NO, WHO]),
    ("admin_channel_update", "id={channel}&ask_nps=true&callback_url=https%3A%2F%2Fbridge.example.com%2Fhook&target_minutes=45", [OK, NO, NO, NO, WHO]),
    ("admin_tokens", "", [OK, NO, NO, NO, WHO]),
    ("admin_token_create", "user_id={agent}&name=CRM+sync&scopes=queue%3Aread&days=90", [OK, NO, NO, NO, WHO]),
    ("admin_token_revoke", "id={token}", [OK, NO, NO, NO, WHO]),
    ("admin_team_settings", "", [OK, NO, NO, NO, WHO]),
    ("admin_team_save", r#"{"input": {"id": null, "name": "Team {n}", "region": "Asia", "time_zone": "Asia/Tokyo", "work_start": "09:00", "work_end": "18:00", "work_days": [true, true, true, true, true, true, false]}}"#, [OK, NO, NO, NO, WHO]),
    ("admin_holiday_add", "day=2031-07-04&name=Founders+Day&factor=0.4", [OK, NO, NO, NO, WHO]),
    ("admin_holiday_delete", "id={holiday}", [OK, NO, NO, NO, WHO]),
    ("support_promise", "", [OK, OK, OK, OK, WHO]),
    ("admin_set_promise", "text=Every+chat+answered+within+2+minutes", [OK, NO, NO, NO, WHO]),
    ("admin_channel_add", "kind=email&name=Billing+{n}&address=billing{n}%40example.com&target_minutes=240", [OK, NO, NO, NO, WHO]),
    ("admin_channel_active", "id={channel}&active=false", [OK, NO, NO, NO, WHO]),
    ("admin_channel_rotate", "id={channel}", [OK, NO, NO, NO, WHO]),
    ("routing_rules", "", [OK, NO, NO, NO, WHO]),
    ("routing_rule_add", r#"{"input": {"name": "Money", "channel_id": null, "keywords": "refund, invoice", "address": "", "topic": "billing", "team_id": null}}"#, [OK, NO, NO, NO, WHO]),
    ("routing_rule_delete", "id={rule}", [OK, NO, NO, NO, WHO]),
    ("routing_rule_move", "id={rule}&up=true", [OK, NO, NO, NO, WHO]),
    ("routing_test", r#"{"sample": {"channel_id": 1, "addresses": [], "subject": "A refund", "text": ""}}"#, [OK, NO, NO, NO, WHO]),
    ("sign_in", "email=someone%40meridian.test&password=wrong", [WHO, WHO, WHO, WHO, WHO]),
    ("sign_out", "", [OK, OK, OK, OK, OK]),
];

/// (method, REST route as documented, JSON body, status per caller). `{id}` is a fresh dialogue.
const API_ROUTES: &[(&str, &str, &str, [u16; 5])] = &[
    ("get", "/api/v1/me", "", [OK, OK, OK, OK, WHO]),
    ("get", "/api/v1/openapi.json", "", [OK, OK, OK, OK, OK]),
    ("get", "/api/v1/conversations", "", [OK, OK, NO, OK, WHO]),
    ("get", "/api/v1/conversations/{id}", "", [OK, OK, NO, OK, WHO]),
    ("post", "/api/v1/conversations/{id}/claim", "{}", [OK, OK, NO, OK, WHO]),
    ("post", "/api/v1/conversations/{id}/messages", r#"{"body": "Hello", "internal": false}"#, [201, 201, NO, 201, WHO]),
    ("post", "/api/v1/conversations/{id}/postpone", r#"{"until_customer_reply": true}"#, [204, 204, NO, 204, WHO]),
    ("post", "/api/v1/conversations/{id}/resolve", "", [204, 204, NO, 204, WHO]),
    ("post", "/api/v1/conversations/{id}/assign", r#"{"agent_id": {agent}}"#, [204, 204, NO, 204, WHO]),
    ("get", "/api/v1/qa/scorecard", "", [OK, OK, OK, NO, WHO]),
    ("post", "/api/v1/qa/samples", r#"{"per_agent": 2, "from": "{yesterday}", "to": "{tomorrow}"}"#, [201, 201, 201, NO, WHO]),
    ("post", "/api/v1/qa/reviews", r#"{"conversation_id": {resolved}, "answers": {answers}}"#, [201, 201, 404, NO, WHO]),
    ("get", "/api/v1/qa/scores", "", [OK, OK, OK, NO, WHO]),
    ("get", "/api/v1/incidents", "", [OK, OK, NO, NO, WHO]),
    ("post", "/api/v1/incidents", r#"{"title": "Checkout failing"}"#, [201, 201, NO, NO, WHO]),
    ("get", "/api/v1/incidents/{id}", "", [OK, OK, NO, NO, WHO]),
    ("post", "/api/v1/incidents/{id}/dialogues", r#"{"conversation_ids": [{id}]}"#, [OK, OK, NO, NO, WHO]),
    ("post", "/api/v1/incidents/{id}/updates", r#"{"request_key": "matrix-{n}", "body": "We are on it."}"#, [201, 201, NO, NO, WHO]),
    ("get", "/api/v1/metrics", "", [OK, OK, NO, NO, WHO]),
    ("get", "/api/v1/metrics.csv", "", [OK, OK, NO, NO, WHO]),
    ("post", "/api/v1/wfm/erlang-c", r#"{"arrivals": 100, "interval_seconds": 1800, "aht_seconds": 180}"#, [OK, OK, NO, NO, WHO]),
    ("get", "/api/v1/wfm/forecast", "", [OK, OK, NO, NO, WHO]),
    ("get", "/api/v1/wfm/shifts", "", [OK, OK, OK, OK, WHO]),
    ("get", "/api/v1/wfm/coverage", "", [OK, OK, NO, NO, WHO]),
    ("get", "/api/v1/wfm/sla-staffing", "", [OK, OK, NO, NO, WHO]),
    ("get", "/api/v1/wfm/todays-risk", "", [OK, OK, NO, NO, WHO]),
    ("get", "/api/v1/macros", "", [OK, OK, NO, OK, WHO]),
    ("get", "/api/v1/sla/policies", "", [OK, OK, NO, OK, WHO]),
    ("post", "/api/v1/sla/policies", r#"{"name": "Policy {n}", "warn_minutes": 15, "escalation": "none", "targets": [{"priority": "normal", "metric": "first_response", "minutes": 60}]}"#, [201, 201, NO, NO, WHO]),
    // `{id}` under /sla is a fresh policy.
    ("put", "/api/v1/sla/policies/{id}", r#"{"name": "Policy {n}", "warn_minutes": 5, "escalation": "unassign", "targets": [{"priority": "high", "metric": "resolution", "minutes": 600}]}"#, [204, 204, NO, NO, WHO]),
    ("delete", "/api/v1/sla/policies/{id}", "", [204, 204, NO, NO, WHO]),
    ("get", "/api/v1/conversations/{id}/sla", "", [OK, OK, NO, OK, WHO]),
    // Owner-level: no API token, whatever its scopes (an owner's session may; see webhooks.rs).
    ("get", "/api/v1/webhooks", "", [NO, NO, NO, NO, WHO]),
    ("post", "/api/v1/webhooks", r#"{"url": "https://hooks.example.com/m", "events": ["message_created"], "description": "Slack"}"#, [NO, NO, NO, NO, WHO]),
    ("delete", "/api/v1/webhooks/{id}", "", [NO, NO, NO, NO, WHO]),
    ("get", "/api/v1/webhooks/deliveries", "", [NO, NO, NO, NO, WHO]),
    ("get", "/api/v1/rules", "", [OK, OK, NO, OK, WHO]),
    ("post", "/api/v1/rules", r#"{"name": "API rule {n}", "when": "event", "triggers": ["sla_breached"], "actions": [{"do": "notify", "who": "managers", "text": "Missed"}]}"#, [201, 201, NO, NO, WHO]),
    ("put", "/api/v1/rules/{id}", r#"{"name": "API rule {n}", "when": "waiting", "state": "waiting_for_customer", "minutes": 4320, "actions": [{"do": "resolve"}]}"#, [204, 204, NO, NO, WHO]),
    ("delete", "/api/v1/rules/{id}", "", [204, 204, NO, NO, WHO]),
    ("post", "/api/v1/rules/dry-run", r#"{"name": "Try", "when": "event", "triggers": ["created"], "actions": [{"do": "add_tags", "tags": ["new"]}]}"#, [OK, OK, NO, NO, WHO]),
    ("get", "/api/v1/assignment/settings", "", [OK, OK, NO, OK, WHO]),
    ("put", "/api/v1/assignment/settings", r#"{"team_id": {team}, "channel_kind": "email", "mode": "balanced", "capacity": 12}"#, [204, 204, NO, NO, WHO]),
    ("get", "/api/v1/assignment/skills", "", [OK, OK, NO, OK, WHO]),
    // `{user_id}` is an agent.
    ("put", "/api/v1/assignment/skills/{user_id}", r#"[{"kind": "language", "value": "de", "level": 4}]"#, [204, 204, NO, NO, WHO]),
    ("post", "/api/v1/mass-replies", r#"{"request_key": "matrix-{n}", "macro_id": {macro}, "conversation_ids": [{id}]}"#, [201, 201, NO, 201, WHO]),
    ("get", "/api/v1/kb/search?q=password", "", [OK, OK, OK, OK, WHO]),
    ("get", "/api/v1/kb/articles", "", [OK, OK, OK, OK, WHO]),
    ("post", "/api/v1/kb/articles", r#"{"category_id": {category}, "title": "A draft", "body": "Text", "visibility": "internal", "status": "draft"}"#, [201, 201, 201, 201, WHO]),
    // `{id}` under /kb is a fresh published article (version 1) that nobody in the matrix owns.
    ("get", "/api/v1/kb/articles/{id}", "", [OK, OK, OK, OK, WHO]),
    // Signed by the channel's secret, not by a token: unsigned (and without a known inbox or
    // channel, answered like a wrong signature), 401 for everyone.
    ("post", "/api/v1/channels/email/inbound?inbox=nobody%40meridian.test", "From: a@b.c\r\n\r\nHi", [401, 401, 401, 401, 401]),
    ("post", "/api/v1/channels/{id}/inbound", r#"{"message_id": "m", "conversation_id": "t", "user_id": "u", "name": "N", "text": "Hi"}"#, [401, 401, 401, 401, 401]),
    ("put", "/api/v1/kb/articles/{id}", r#"{"base_version": 1, "category_id": {category}, "title": "Changed", "body": "Text", "visibility": "public", "status": "published"}"#, [OK, OK, NO, NO, WHO]),
];

/// (page, status per caller; nobody is redirected to sign in)
const PAGES: &[(&str, [u16; 5])] = &[
    ("/queue", [OK, OK, NO, OK, 302]),
    ("/queue?view=resolved", [OK, OK, NO, OK, 302]),
    ("/dialogue?id={id}", [OK, OK, NO, OK, 302]),
    ("/queue/macros", [OK, OK, NO, OK, 302]),
    ("/queue/service-levels", [OK, OK, NO, OK, 302]),
    ("/queue/assignment", [OK, OK, NO, OK, 302]),
    ("/queue/rules", [OK, OK, NO, OK, 302]),
    ("/admin/webhooks", [OK, NO, NO, NO, 302]),
    ("/mentions", [OK, OK, NO, OK, 302]),
    ("/account", [OK, OK, OK, OK, 302]),
    // The password doors are public.
    ("/forgot-password", [OK, OK, OK, OK, OK]),
    ("/kb", [OK, OK, OK, OK, 302]),
    ("/kb/article?id={article}", [OK, OK, OK, OK, 302]),
    ("/kb/edit", [OK, OK, OK, OK, 302]),
    ("/kb/history?id={article}", [OK, OK, OK, OK, 302]),
    // The help centre is public.
    ("/help", [OK, OK, OK, OK, OK]),
    ("/help/articles/{article}", [OK, OK, OK, OK, OK]),
    ("/qa", [OK, OK, OK, OK, 302]),
    ("/qa/docs", [OK, OK, OK, OK, 302]),
    ("/schedule/docs", [OK, OK, OK, OK, 302]),
    ("/schedule", [OK, OK, OK, OK, 302]),
    ("/reports", [OK, OK, NO, NO, 302]),
    ("/reports/audit", [OK, OK, NO, NO, 302]),
    ("/reports/incidents", [OK, OK, NO, NO, 302]),
    ("/admin/teams", [OK, NO, NO, NO, 302]),
    ("/admin/tokens", [OK, NO, NO, NO, 302]),
    ("/agent", [OK, OK, NO, OK, 302]),
    ("/admin", [OK, NO, NO, NO, 302]),
    ("/admin/channels", [OK, NO, NO, NO, 302]),
    // The customer chat page is public.
    ("/chat/website", [OK, OK, OK, OK, OK]),
];

struct Caller {
    role: Option<Role>,
    cookie: Option<String>,
    token: Option<String>,
}

async fn callers(pool: &PgPool) -> Vec<Caller> {
    let mut out = Vec::new();
    for role in CALLERS {
        out.push(match role {
            Some(role) => {
                let id = user(pool, &format!("{}@meridian.test", role.as_str()), role).await;
                let (_, token) = tokens::create(pool, id, "matrix", &app::backend::tokens::Grant::default()).await.unwrap();
                Caller { role: Some(role), cookie: Some(session_cookie(pool, id).await), token: Some(token) }
            }
            None => Caller { role: None, cookie: None, token: None },
        });
    }
    out
}

/// Row counts of every table a refused call could have touched.
async fn fingerprint(pool: &PgPool) -> Vec<String> {
    let mut v = Vec::new();
    for t in [
        "users", "api_tokens", "customers", "channels", "conversations", "messages", "teams", "conversation_events",
        "qa_samples", "qa_reviews", "qa_disputes", "qa_calibrations", "qa_scorecard_versions", "shifts", "time_off", "calendar_tokens", "holidays", "shift_swaps", "handover_notes",
        "kb_categories", "kb_articles", "kb_revisions", "kb_suggestions", "kb_article_uses",
        "macros", "mass_replies", "mass_reply_targets", "notifications", "escalations",
        "agent_notes", "agent_plans", "incidents", "incident_dialogues", "incident_updates", "incident_deliveries",
        "routing_rules", "outbox", "message_refs", "chat_visitors", "attachments", "channel_threads", "customer_identities",
        "sla_policies", "sla_targets", "assignment_settings", "agent_skills", "rules", "rule_firings", "webhook_subscriptions", "webhook_deliveries",
    ] {
        v.push(count(pool, t).await.to_string());
    }
    let state: Option<String> = sqlx::query_scalar(
        "select md5(string_agg(id || status || coalesce(assignee_id, 0) || coalesce(first_response_at::text, ''), ',' order by id)) from conversations",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    v.push(state.unwrap_or_default());
    let articles: Option<String> = sqlx::query_scalar(
        "select md5(string_agg(id || ':' || version || status || reviewed_at::text, ',' order by id)) from kb_articles",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    v.push(articles.unwrap_or_default());
    let channels: Option<String> = sqlx::query_scalar(
        "select md5(string_agg(id || secret || ask_nps || active || coalesce(callback_url, ''), ',' order by id)) from channels",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    v.push(channels.unwrap_or_default());
    let promise: Option<String> = sqlx::query_scalar("select md5(string_agg(key || value, ',')) from app_settings").fetch_one(pool).await.unwrap();
    v.push(promise.unwrap_or_default());
    let rules: Option<String> =
        sqlx::query_scalar("select md5(string_agg(id || ':' || position, ',' order by id)) from routing_rules").fetch_one(pool).await.unwrap();
    v.push(rules.unwrap_or_default());
    let suggestions: Option<String> =
        sqlx::query_scalar("select md5(string_agg(id || status, ',' order by id)) from kb_suggestions").fetch_one(pool).await.unwrap();
    v.push(suggestions.unwrap_or_default());
    v
}

/// Fills a body's placeholders (see [`SERVER_FUNCTIONS`]) with fresh data.
async fn fill(pool: &PgPool, body: &str) -> String {
    let mut body = body.to_string();
    if body.contains("{id}") {
        body = body.replace("{id}", &dialogue(pool).await.to_string());
    }
    if body.contains("{resolved}") {
        body = body.replace("{resolved}", &resolved_dialogue(pool).await.to_string());
    }
    if body.contains("{n}") {
        let n: i64 = sqlx::query_scalar("select nextval(pg_get_serial_sequence('users', 'id'))").fetch_one(pool).await.unwrap();
        body = body.replace("{n}", &format!("{n:08}"));
    }
    if body.contains("{token}") {
        let owner: i64 = sqlx::query_scalar("select id from users where role = 'operator' order by id limit 1").fetch_one(pool).await.unwrap();
        let (id, _) = tokens::create(pool, owner, "Matrix", &app::backend::tokens::Grant::default()).await.unwrap();
        body = body.replace("{token}", &id.to_string());
    }
    if body.contains("{holiday}") {
        let id: i64 = sqlx::query_scalar("insert into holidays (day, name) select coalesce(max(day), current_date) + 400, 'Bridge day' from holidays returning id")
            .fetch_one(pool)
            .await
            .unwrap();
        body = body.replace("{holiday}", &id.to_string());
    }
    if body.contains("{incident}") {
        // An open incident with one waiting dialogue tagged `billing` linked to it.
        let linked = dialogue(pool).await;
        sqlx::query("update conversations set tags = '{billing}' where id = $1").bind(linked).execute(pool).await.unwrap();
        let id: i64 = sqlx::query_scalar("insert into incidents (title) values ('Payments failing') returning id").fetch_one(pool).await.unwrap();
        sqlx::query("insert into incident_dialogues (incident_id, conversation_id) values ($1, $2)").bind(id).bind(linked).execute(pool).await.unwrap();
        body = body.replace("{incident}", &id.to_string());
    }
    if body.contains("{team}") {
        let id: i64 = sqlx::query_scalar("insert into teams (name, region, time_zone) values ('Team ' || gen_random_uuid(), 'EMEA', 'UTC') returning id")
            .fetch_one(pool)
            .await
            .unwrap();
        body = body.replace("{team}", &id.to_string());
    }
    if body.contains("{policy}") {
        let id: i64 = sqlx::query_scalar(
            "insert into sla_policies (position, name) values ((select coalesce(max(position), 0) + 1 from sla_policies), 'Policy ' || gen_random_uuid()) returning id",
        )
        .fetch_one(pool)
        .await
        .unwrap();
        body = body.replace("{policy}", &id.to_string());
    }
    if body.contains("{webhook}") {
        let id: i64 = sqlx::query_scalar(
            "insert into webhook_subscriptions (url, events, secret) values ('http://127.0.0.1:9/hook', '{dialogue_created}', 'whsec_test') returning id",
        )
        .fetch_one(pool)
        .await
        .unwrap();
        body = body.replace("{webhook}", &id.to_string());
    }
    if body.contains("{automation}") {
        let id: i64 = sqlx::query_scalar(
            "insert into rules (position, name, run_on, triggers, actions)
             values ((select coalesce(max(position), 0) + 1 from rules), 'Rule ' || gen_random_uuid(), 'event', '{created}', '[{\"do\": \"resolve\"}]')
             returning id",
        )
        .fetch_one(pool)
        .await
        .unwrap();
        body = body.replace("{automation}", &id.to_string());
    }
    if body.contains("{macro}") {
        let id: i64 = sqlx::query_scalar(
            "insert into macros (name, body, add_tags) values ('Macro ' || gen_random_uuid(), 'Hi {{customer.first_name}}, on it.', '{billing}') returning id",
        )
        .fetch_one(pool)
        .await
        .unwrap();
        body = body.replace("{macro}", &id.to_string());
    }
    if body.contains("{channel}") {
        let id: i64 = sqlx::query_scalar(
            "insert into channels (kind, name, address, first_response_target) values ('social', 'Social ' || gen_random_uuid(), '@x', interval '1 hour') returning id",
        )
        .fetch_one(pool)
        .await
        .unwrap();
        body = body.replace("{channel}", &id.to_string());
    }
    if body.contains("{rule}") {
        for name in ["First", "Second"] {
            sqlx::query("insert into routing_rules (position, name, topic) values ((select coalesce(max(position), 0) + 1 from routing_rules), $1, 'legal')")
                .bind(name)
                .execute(pool)
                .await
                .unwrap();
        }
        let id: i64 = sqlx::query_scalar("select max(id) from routing_rules").fetch_one(pool).await.unwrap();
        body = body.replace("{rule}", &id.to_string());
    }
    if body.contains("{article}") {
        let article = kb_article(pool, "Reset your password", "Use **Forgot password**.", "public", "published").await;
        body = body.replace("{article}", &article.to_string());
    }
    if body.contains("{category}") {
        body = body.replace("{category}", &kb_category(pool, 90).await.to_string());
    }
    if body.contains("{suggestion}") {
        let article = kb_article(pool, "Export your data", "Open Settings.", "public", "published").await;
        let suggestion: i64 = sqlx::query_scalar(
            "insert into kb_suggestions (article_id, base_version, title, body) values ($1, 1, 'Export your data', 'Open Settings, Data.') returning id",
        )
        .bind(article)
        .fetch_one(pool)
        .await
        .unwrap();
        body = body.replace("{suggestion}", &suggestion.to_string());
    }
    if body.contains("{version}") {
        let version = app::backend::qa::current_scorecard(pool).await.unwrap().version_id;
        body = body.replace("{version}", &version.to_string());
    }
    let day = |offset: i64| (chrono::Utc::now() + chrono::Duration::days(offset)).format("%Y-%m-%d").to_string();
    let week = format!("[{}]", vec!["1"; 336].join(","));
    body.replace("{week}", &week).replace("{answers}", LOWEST_ANSWERS).replace("{yesterday}", &day(-1)).replace("{tomorrow}", &day(1))
}

// Every registered server function is in the matrix, and each answers each caller as it should.
#[sqlx::test]
async fn every_server_function_answers_each_role_as_it_deserves(pool: PgPool) {
    let registered: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.trim_start_matches("/api/").to_string())
        .collect();
    let listed: BTreeSet<String> = SERVER_FUNCTIONS.iter().map(|(e, ..)| e.to_string()).collect();
    assert_eq!(registered, listed, "a server function is missing from the role matrix (or listed but gone)");

    let app = app(&pool);
    let callers = callers(&pool).await;
    let agent = user(&pool, "target.agent@meridian.test", Role::Operator).await;
    for (endpoint, body, expected) in SERVER_FUNCTIONS {
        for (caller, want) in callers.iter().zip(expected) {
            // sign_out ends the session; give each call a fresh one.
            let cookie = match (caller.role, *endpoint) {
                (Some(_), "sign_out") => {
                    let id: i64 = sqlx::query_scalar("select id from users where role = $1")
                        .bind(caller.role.unwrap().as_str())
                        .fetch_one(&pool)
                        .await
                        .unwrap();
                    Some(session_cookie(&pool, id).await)
                }
                _ => caller.cookie.clone(),
            };
            let body = fill(&pool, &body.replace("{agent}", &agent.to_string())).await;
            let before = fingerprint(&pool).await;
            let res = call(&app, endpoint, cookie.as_deref(), &body).await;
            assert_eq!(res.status.as_u16(), *want, "{endpoint} as {:?}: {}", caller.role, res.body);
            if *want >= 400 {
                assert_eq!(fingerprint(&pool).await, before, "{endpoint} as {:?} was refused but changed data", caller.role);
            }
        }
    }
}

// Every route in the OpenAPI document is in the matrix, and each answers each token as it should.
#[sqlx::test]
async fn every_api_route_answers_each_role_as_it_deserves(pool: PgPool) {
    let doc = meridian::api::openapi();
    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, ops)| ops.as_object().unwrap().keys().map(move |m| (m.clone(), format!("/api/v1{path}"))))
        .collect();
    let listed: BTreeSet<(String, String)> =
        API_ROUTES.iter().map(|(m, p, ..)| (m.to_string(), p.split('?').next().unwrap().to_string())).collect();
    assert_eq!(documented, listed, "an API route is missing from the role matrix");

    let app = app(&pool);
    let callers = callers(&pool).await;
    let agent = user(&pool, "target.agent@meridian.test", Role::Operator).await;
    for (method, path, body, expected) in API_ROUTES {
        for (caller, want) in callers.iter().zip(expected) {
            let (path, body) = route_call(&pool, path, body, agent).await;
            let before = fingerprint(&pool).await;
            let res = match *method {
                "get" => api_get(&app, &path, caller.token.as_deref()).await,
                m => api_send(&app, &m.to_uppercase(), &path, caller.token.as_deref(), &body).await,
            };
            assert_eq!(res.status.as_u16(), *want, "{method} {path} as {:?}: {}", caller.role, res.body);
            if *want >= 400 {
                assert_eq!(fingerprint(&pool).await, before, "{path} as {:?} was refused but changed data", caller.role);
                assert!(res.json()["error"].is_string());
            }
        }
    }
}

/// A route's path and body with fresh data for one call.
async fn route_call(pool: &PgPool, path: &str, body: &str, agent: i64) -> (String, String) {
    let id = if path.starts_with("/api/v1/kb/") {
        fill(pool, "{article}").await
    } else if path.starts_with("/api/v1/incidents/") {
        fill(pool, "{incident}").await
    } else if path.starts_with("/api/v1/sla/") {
        fill(pool, "{policy}").await
    } else if path.starts_with("/api/v1/rules/{id}") {
        fill(pool, "{automation}").await
    } else if path.starts_with("/api/v1/webhooks/{id}") {
        fill(pool, "{webhook}").await
    } else {
        dialogue(pool).await.to_string()
    };
    let path = path.replace("{id}", &id).replace("{user_id}", &agent.to_string());
    (path, fill(pool, &body.replace("{agent}", &agent.to_string())).await)
}

// An owner's token narrowed by its scopes: with every area to read, it reads what the
// owner reads and changes nothing; with only the audit log's area, it does nothing but
// say who it is. Each refusal is a 403 that names the scope missing, and writes nothing.
#[sqlx::test]
async fn a_token_does_only_what_its_scopes_allow(pool: PgPool) {
    use app::backend::tokens::Grant;
    use app::domain::token_scope::Scopes;
    let app = app(&pool);
    let owner = user(&pool, "super_admin@meridian.test", Role::SuperAdmin).await;
    let agent = user(&pool, "target.agent@meridian.test", Role::Operator).await;
    let grant = |scopes: &[&str]| Grant { scopes: Scopes::parse(scopes.iter().copied()).unwrap(), ..Grant::default() };
    let every_read: Vec<String> = app::domain::token_scope::Area::ALL.iter().map(|a| format!("{}:read", a.as_str())).collect();
    let (_, reader) = tokens::create(&pool, owner, "reader", &grant(&every_read.iter().map(String::as_str).collect::<Vec<_>>())).await.unwrap();
    let (_, auditor) = tokens::create(&pool, owner, "auditor", &grant(&["admin:read"])).await.unwrap();
    let mut checked = 0;
    for (method, path, body, expected) in API_ROUTES {
        let full = expected[0];
        // Public routes, the signed inbound routes and who-am-I answer tokens alike.
        if *path == "/api/v1/me" || expected[4] != 401 || full >= 400 {
            continue;
        }
        for (token, may) in [(&reader, *method == "get"), (&auditor, false)] {
            let (path, body) = route_call(&pool, path, body, agent).await;
            let before = fingerprint(&pool).await;
            let res = match *method {
                "get" => api_get(&app, &path, Some(token)).await,
                m => api_send(&app, &m.to_uppercase(), &path, Some(token), &body).await,
            };
            if may {
                assert_eq!(res.status.as_u16(), full, "{method} {path} with every area to read: {}", res.body);
            } else {
                assert_eq!(res.status, StatusCode::FORBIDDEN, "{method} {path}: {}", res.body);
                let error = res.json()["error"].as_str().unwrap().to_string();
                assert!(error.starts_with("This API token has no ") && error.ends_with(" scope."), "{method} {path}: {error}");
                assert_eq!(fingerprint(&pool).await, before, "{method} {path} was refused but changed data");
            }
            checked += 1;
        }
    }
    assert!(checked > 60, "{checked}");
    assert_eq!(api_get(&app, "/api/v1/me", Some(&auditor)).await.status, StatusCode::OK);
}

// Each section page is served to the roles that may open it, refused (403) to the others,
// and sends visitors to the sign-in page.
#[sqlx::test]
async fn every_section_page_answers_each_role_as_it_deserves(pool: PgPool) {
    let app = app(&pool);
    let callers = callers(&pool).await;
    let id = dialogue(&pool).await.to_string();
    let article = fill(&pool, "{article}").await;
    for (path, expected) in PAGES {
        let path = &path.replace("{id}", &id).replace("{article}", &article);
        for (caller, want) in callers.iter().zip(expected) {
            let res = page(&app, path, caller.cookie.as_deref()).await;
            assert_eq!(res.status.as_u16(), *want, "{path} as {:?}", caller.role);
            match *want {
                302 => assert_eq!(res.headers.get("location").unwrap(), "/sign-in"),
                403 => assert!(res.body.contains("You do not have permission to open"), "{path}"),
                _ => assert!(!res.body.contains("You do not have permission"), "{path}"),
            }
        }
    }
}

// The navigation lists exactly the sections of the signed-in role.
#[sqlx::test]
async fn the_navigation_shows_only_what_the_role_may_open(pool: PgPool) {
    let app = app(&pool);
    let callers = callers(&pool).await;
    for caller in callers.iter().filter(|c| c.role.is_some()) {
        let res = page(&app, "/kb", caller.cookie.as_deref()).await;
        let nav = &res.body[res.body.find("<nav").unwrap()..res.body.find("</nav>").unwrap()];
        for section in app::domain::access::Section::ALL {
            let shown = nav.contains(&format!(">{}</a>", section.label()));
            assert_eq!(shown, caller.role.unwrap().can(section.permission()), "{section:?} for {:?}", caller.role);
        }
    }
}

// An unknown address is a 404 page, not a blank one.
#[sqlx::test]
async fn an_unknown_page_is_a_404_with_a_sentence(pool: PgPool) {
    let res = page(&app(&pool), "/no/such/page", None).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert!(res.body.contains("Page not found"));
}
