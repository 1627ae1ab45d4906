//! A page that explains how a section's figures are computed: a way back, a title and the
//! definitions, term by term. The router gates it by the section it explains.

use leptos::prelude::*;

#[component]
pub fn DocsPage(
    /// The page it explains: (path, name).
    back: (&'static str, &'static str),
    title: &'static str,
    definitions: &'static [(&'static str, &'static str)],
) -> impl IntoView {
    view! {
        <p class="breadcrumb"><a href=back.0>{back.1}</a></p>
        <h1>{title}</h1>
        <dl class="definitions">
            {definitions.iter().map(|(term, text)| view! { <dt>{*term}</dt><dd>{*text}</dd> }).collect_view()}
        </dl>
    }
}
