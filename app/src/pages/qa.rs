//! `/qa`: quality reviews. Reviewers and managers will score samples here; agents read
//! their own reviews. Built by the QA issue.

use crate::auth::Auth;
use crate::components::shell::RequireSection;
use crate::domain::access::{Permission, Section};
use leptos::prelude::*;

#[component]
pub fn QaPage() -> impl IntoView {
    let auth = Auth::expect();
    view! {
        <RequireSection section=Section::Qa>
            <h1>"QA"</h1>
            <Transition>
                {move || Suspend::new(async move {
                    let reviews = auth.user.await.ok().flatten().is_some_and(|u| u.role.can(Permission::ReviewDialogues));
                    if reviews {
                        "Pull a random sample of resolved dialogues per agent and score each against the checklist."
                    } else {
                        "Reviews of your dialogues will appear here, with each criterion's score and the reviewer's comments."
                    }
                })}
            </Transition>
            <div class="notice notice-info" role="status">"No reviews yet. Scorecards and sampling are being built."</div>
        </RequireSection>
    }
}
