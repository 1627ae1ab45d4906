//! `/kb`: the knowledge base. Articles, search and the help centre arrive with the
//! knowledge-base issue; until then the page says so.

use crate::components::shell::RequireSection;
use crate::domain::access::Section;
use leptos::prelude::*;

#[component]
pub fn KnowledgeBasePage() -> impl IntoView {
    view! {
        <RequireSection section=Section::KnowledgeBase>
            <h1>"Knowledge base"</h1>
            <p class="lede">"Articles in categories, written in Markdown, internal or public, each with an owner and a review date."</p>
            <div class="notice notice-info" role="status">
                "No articles yet. Search, freshness flags, revision history and the public help centre are being built."
            </div>
        </RequireSection>
    }
}
