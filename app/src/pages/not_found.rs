use leptos::prelude::*;
use leptos_meta::Title;

/// Any address Meridian does not know, answered with HTTP 404.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::backend::set_status_for(&crate::error::AppError::NotFound(String::new()));
    view! {
        <Title text="Page not found"/>
        <main id="main" class="centered">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address. It may have moved, or the link may be mistyped."</p>
            <p><a href="/">"Go to your start page"</a></p>
        </main>
    }
}
