use crate::auth::{sign_in_second_step, Auth, SecondFactorSignIn};
use crate::components::notice::{ErrorNotice, Loading};
use crate::domain::second_factor::REMEMBER_DAYS;
use crate::model::user::{SecondStep, TwoFactorEnrolment};
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

/// `/sign-in/second-factor`: the second step of a sign-in. A code from the authenticator
/// app (or a recovery code), with "Remember this browser for 30 days"; or, when the
/// person's role requires two-factor sign-in and they have not set it up, setting it up
/// (QR code, the app's first code), then the ten recovery codes shown once.
#[component]
pub fn SecondFactorPage() -> impl IntoView {
    let auth = Auth::expect();
    let step = Resource::new(|| (), |_| sign_in_second_step());
    let answer = auth.second_factor;
    view! {
        <Title text="Two-factor sign-in"/>
        <main id="main" class="sign-in">
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    if let Some(Ok(Some(codes))) = answer.value().get() {
                        return view! { <RecoveryCodes codes=codes continue_to=true/> }.into_any();
                    }
                    match step.await {
                        Err(e) => view! {
                            <h1>"Two-factor sign-in"</h1>
                            <ErrorNotice message=e.to_string()/>
                            <p><a href="/sign-in">"Sign in again"</a></p>
                        }.into_any(),
                        Ok(SecondStep::Verify { email }) => view! {
                            <h1>"Two-factor sign-in"</h1>
                            <p>{format!("Signing in as {email}. Open your authenticator app and type the six-digit code it shows for Meridian.")}</p>
                            <CodeForm answer=answer enrolling=false/>
                            <details>
                                <summary>"Lost your phone?"</summary>
                                <p>"Type one of the recovery codes you saved when you set up two-factor sign-in, in the same box; each works once. Without them, an owner can reset your two-factor sign-in."</p>
                            </details>
                        }.into_any(),
                        Ok(SecondStep::Enrol { email, enrolment }) => view! {
                            <h1>"Set up two-factor sign-in"</h1>
                            <p>{format!("Your role requires a second step at sign-in. Scan this QR code with an authenticator app (such as Aegis, Google Authenticator, 1Password or Microsoft Authenticator) to add Meridian for {email}, then type the code it shows.")}</p>
                            <Enrolment enrolment=enrolment/>
                            <CodeForm answer=answer enrolling=true/>
                        }.into_any(),
                    }
                })}
            </Transition>
        </main>
    }
}

/// The code box of the second step.
#[component]
fn CodeForm(answer: ServerAction<SecondFactorSignIn>, enrolling: bool) -> impl IntoView {
    let error = move || answer.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorNotice message=e.to_string()/> });
    let label = if enrolling { "Code from your app" } else { "Code from your app, or a recovery code" };
    view! {
        <ActionForm action=answer attr:class="stack" attr:aria-label="Second step">
            <label for="code">{label}</label>
            <input id="code" name="code" type="text" inputmode=if enrolling { "numeric" } else { "text" } autocomplete="one-time-code" required autofocus maxlength="20" spellcheck="false"/>
            <label class="check">
                <input type="checkbox" name="remember" value="yes"/>
                {format!(" Remember this browser for {REMEMBER_DAYS} days")}
            </label>
            {error}
            <button type="submit" class="button-primary" disabled=move || answer.pending().get()>
                {if enrolling { "Turn on and sign in" } else { "Verify" }}
            </button>
        </ActionForm>
    }
}

/// The QR code and the secret to type in by hand.
#[component]
pub fn Enrolment(enrolment: TwoFactorEnrolment) -> impl IntoView {
    view! {
        <div class="qr" role="img" aria-label="QR code to scan with your authenticator app" inner_html=enrolment.qr_svg></div>
        <p>"Cannot scan it? Type this key into the app instead (time-based): "<code class="secret" aria-label="Key to type in">{enrolment.secret}</code></p>
    }
}

/// The ten recovery codes, shown once.
#[component]
pub fn RecoveryCodes(codes: Vec<String>, continue_to: bool) -> impl IntoView {
    let text = codes.join("\n");
    view! {
        <section aria-labelledby="recovery-heading" class="recovery">
            <h2 id="recovery-heading">"Your recovery codes"</h2>
            <p>"Save these somewhere safe, away from your phone (a password manager, or on paper). Each signs you in once if you lose your phone. They are shown only now."</p>
            <ol class="recovery-codes" aria-label="Recovery codes">
                {codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
            </ol>
            <a class="button-quiet" download="meridian-recovery-codes.txt" href=format!("data:text/plain;charset=utf-8,{}", percent(&text))>"Download as a text file"</a>
            {continue_to.then(|| view! { <p><a class="button-primary" href="/" rel="external">"Continue to Meridian"</a></p> })}
        </section>
    }
}

/// Percent-encodes text for a `data:` address.
fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
