use crate::auth::Auth;
use crate::components::notice::ErrorNotice;
use crate::domain::access::Section;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

/// `/sign-in`: e-mail and password. Already signed in? Straight to the start page.
#[component]
pub fn SignInPage() -> impl IntoView {
    let auth = Auth::expect();
    let error = move || {
        auth.sign_in
            .value()
            .get()
            .and_then(|r| r.err())
            .map(|e| view! { <ErrorNotice message=e.to_string()/> })
    };
    view! {
        <Title text="Sign in"/>
        <Transition>
            {move || Suspend::new(async move {
                auth.user.await.ok().flatten().map(|u| view! { <Redirect path=Section::home_for(u.role).path()/> })
            })}
        </Transition>
        <main id="main" class="sign-in">
            <h1>"Sign in to Meridian"</h1>
            <ActionForm action=auth.sign_in attr:class="stack" attr:aria-label="Sign in">
                <label for="email">"E-mail"</label>
                <input id="email" type="email" name="email" autocomplete="username" required autofocus/>
                <label for="password">"Password"</label>
                <input id="password" type="password" name="password" autocomplete="current-password" required/>
                {error}
                <button type="submit" class="button-primary" disabled=move || auth.sign_in.pending().get()>
                    "Sign in"
                </button>
            </ActionForm>
            <p><a href="/forgot-password" rel="external">"Forgot your password?"</a></p>
        </main>
    }
}
