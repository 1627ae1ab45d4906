//! Meridian's Leptos application: pages, components, server functions and the pure
//! domain code. Built with `ssr` into the `meridian` server and with `hydrate` into
//! the WebAssembly bundle.

pub mod auth;
pub mod components;
pub mod domain;
pub mod error;
pub mod model;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod backend;

use auth::Auth;
use components::shell::{RequireSection, Shell};
use domain::access::Section;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{ParentRoute, Route, Router, Routes},
    path, SsrMode,
};

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <link rel="icon" type="image/svg+xml" href="/favicon.svg"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    #[cfg(feature = "ssr")]
    backend::content_security_policy();
    Auth::provide();
    // Lets tests and people with slow connections know the page is interactive.
    Effect::new(move |_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });

    view! {
        <Stylesheet id="leptos" href="/pkg/meridian.css"/>
        <Title formatter=|page: String| if page.is_empty() { "Meridian".to_string() } else { format!("{page} · Meridian") }/>
        <Router>
            // Async SSR: the whole page resolves before the status line is sent, so
            // redirects and 401/403/404 statuses set while rendering reach the browser.
            <Routes fallback=pages::not_found::NotFound>
                <Route path=path!("/sign-in") view=pages::sign_in::SignInPage ssr=SsrMode::Async/>
                <Route path=path!("/sign-in/second-factor") view=pages::sign_in::SecondFactorPage ssr=SsrMode::Async/>
                <ParentRoute path=path!("") view=Shell ssr=SsrMode::Async>
                    <Route path=path!("") view=pages::home::Home ssr=SsrMode::Async/>
                    <Route path=path!("/account") view=pages::account::AccountPage ssr=SsrMode::Async/>
                    <Route path=path!("/queue") view=|| gated(Section::Queue, pages::queue::QueuePage) ssr=SsrMode::Async/>
                    <Route path=path!("/queue/macros") view=|| gated(Section::Queue, pages::macros::MacrosPage) ssr=SsrMode::Async/>
                    <Route path=path!("/queue/service-levels") view=|| gated(Section::Queue, pages::service_levels::ServiceLevelsPage) ssr=SsrMode::Async/>
                    <Route path=path!("/queue/rules") view=|| gated(Section::Queue, pages::rules::RulesPage) ssr=SsrMode::Async/>
                    <Route path=path!("/queue/assignment") view=|| gated(Section::Queue, pages::assignment::AssignmentPage) ssr=SsrMode::Async/>
                    <Route path=path!("/mentions") view=|| gated(Section::Queue, pages::mentions::MentionsPage) ssr=SsrMode::Async/>
                    <Route path=path!("/dialogue") view=|| gated(Section::Queue, pages::dialogue::DialoguePage) ssr=SsrMode::Async/>
                    <Route path=path!("/kb") view=|| gated(Section::KnowledgeBase, pages::knowledge_base::KnowledgeBasePage) ssr=SsrMode::Async/>
                    <Route path=path!("/kb/article") view=|| gated(Section::KnowledgeBase, pages::kb_article::KbArticlePage) ssr=SsrMode::Async/>
                    <Route path=path!("/kb/edit") view=|| gated(Section::KnowledgeBase, pages::kb_article::KbEditPage) ssr=SsrMode::Async/>
                    <Route path=path!("/kb/history") view=|| gated(Section::KnowledgeBase, pages::kb_article::KbHistoryPage) ssr=SsrMode::Async/>
                    <Route path=path!("/qa") view=|| gated(Section::Qa, pages::qa::QaPage) ssr=SsrMode::Async/>
                    <Route path=path!("/qa/review") view=|| gated(Section::Qa, pages::qa_review::QaReviewPage) ssr=SsrMode::Async/>
                    <Route path=path!("/qa/results") view=|| gated(Section::Qa, pages::qa_results::QaResultsPage) ssr=SsrMode::Async/>
                    <Route path=path!("/qa/calibration") view=|| gated(Section::Qa, pages::qa_results::QaCalibrationPage) ssr=SsrMode::Async/>
                    <Route path=path!("/qa/scorecard") view=|| gated(Section::Qa, pages::qa_scorecard::QaScorecardPage) ssr=SsrMode::Async/>
                    <Route path=path!("/qa/docs") view=|| gated(Section::Qa, pages::qa_results::QaDocsPage) ssr=SsrMode::Async/>
                    <Route path=path!("/schedule") view=|| gated(Section::Schedule, pages::schedule::SchedulePage) ssr=SsrMode::Async/>
                    <Route path=path!("/schedule/plan") view=|| gated(Section::Schedule, pages::planning::PlanningPage) ssr=SsrMode::Async/>
                    <Route path=path!("/schedule/docs") view=|| gated(Section::Schedule, pages::planning::PlanningDocsPage) ssr=SsrMode::Async/>
                    <Route path=path!("/reports") view=|| gated(Section::Reports, pages::reports::ReportsPage) ssr=SsrMode::Async/>
                    <Route path=path!("/agent") view=|| gated(Section::Queue, pages::performance::AgentPage) ssr=SsrMode::Async/>
                    <Route path=path!("/reports/audit") view=|| gated(Section::Reports, pages::audit::AuditPage) ssr=SsrMode::Async/>
                    <Route path=path!("/reports/incidents") view=|| gated(Section::Reports, pages::incidents::IncidentsPage) ssr=SsrMode::Async/>
                    <Route path=path!("/reports/incident") view=|| gated(Section::Reports, pages::incidents::IncidentPage) ssr=SsrMode::Async/>
                    <Route path=path!("/admin") view=|| gated(Section::Admin, pages::admin::AdminPage) ssr=SsrMode::Async/>
                    <Route path=path!("/admin/channels") view=|| gated(Section::Admin, pages::channels_admin::ChannelsAdminPage) ssr=SsrMode::Async/>
                    <Route path=path!("/admin/tokens") view=|| gated(Section::Admin, pages::tokens_admin::TokensAdminPage) ssr=SsrMode::Async/>
                    <Route path=path!("/admin/webhooks") view=|| gated(Section::Admin, pages::webhooks_admin::WebhooksAdminPage) ssr=SsrMode::Async/>
                    <Route path=path!("/admin/teams") view=|| gated(Section::Admin, pages::teams_admin::TeamsAdminPage) ssr=SsrMode::Async/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// A page only a role that may open `section` sees: the gate is written here, beside the
/// route, so the router reads as the map of who may open what.
fn gated<V: IntoView + 'static>(section: Section, page: fn() -> V) -> impl IntoView {
    view! { <RequireSection section>{move || page()}</RequireSection> }
}

/// The WebAssembly entry point: attaches the app to the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
}
