//! `/admin/channels` (owners): how customers reach the team. Each channel with what
//! connecting it takes (the chat page and its embed snippet, the mail-in command and
//! inbound address, the webhook URL and secret), the NPS question per inbox, and the
//! routing rules that place new dialogues, with a test of where a sample would go.

use crate::components::notice::{error_fallback, EmptyState, ErrorNotice, Loading};
use crate::model::admin::{ChannelInfo, RoutingView, RuleInput};
#[cfg(feature = "ssr")]
use crate::domain::access::Permission;
use crate::domain::channels::RoutingSample;
use crate::domain::dialogue::{ChannelKind, Topic};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[server(endpoint = "admin_channels")]
pub async fn admin_channels() -> Result<Vec<ChannelInfo>, AppError> {
    use crate::backend::{authorized, channels};
    authorized(Permission::ManageSettings, |state, _| async move { Ok(channels::admin_channels(&state.pool).await?) }).await
}

#[server(endpoint = "admin_channel_update")]
pub async fn admin_channel_update(id: i64, ask_nps: bool, callback_url: String, target_minutes: i64) -> Result<(), AppError> {
    use crate::backend::{audit, authorized, channels};
    use crate::domain::audit::AuditAction;
    authorized(Permission::ManageSettings, |state, user| async move {
        let url = Some(callback_url.trim()).filter(|u| !u.is_empty());
        channels::update_channel(&state.pool, id, ask_nps, url, target_minutes).await?;
        let detail = format!(
            "first response within {target_minutes} min; NPS question {}; callback {}",
            if ask_nps { "on" } else { "off" },
            url.unwrap_or("none")
        );
        Ok(audit::by(&state.pool, &user, AuditAction::SettingChanged, &format!("channel {id}"), &detail).await?)
    })
    .await
}

/// Adds a channel: an e-mail inbox, a chat page or a social account.
#[server(endpoint = "admin_channel_add")]
pub async fn admin_channel_add(kind: String, name: String, address: String, target_minutes: i64) -> Result<i64, AppError> {
    use crate::backend::{audit, authorized, channels};
    use crate::domain::audit::AuditAction;
    authorized(Permission::ManageSettings, |state, user| async move {
        let id = channels::add_channel(&state.pool, &kind, &name, &address, target_minutes).await?;
        audit::by(&state.pool, &user, AuditAction::SettingChanged, &format!("channel {id}"), &format!("added {kind} “{}” ({})", name.trim(), address.trim())).await?;
        Ok(id)
    })
    .await
}

/// Pauses or resumes a channel.
#[server(endpoint = "admin_channel_active")]
pub async fn admin_channel_active(id: i64, active: bool) -> Result<(), AppError> {
    use crate::backend::{audit, authorized, channels};
    use crate::domain::audit::AuditAction;
    authorized(Permission::ManageSettings, |state, user| async move {
        channels::set_active(&state.pool, id, active).await?;
        let what = if active { "resumed: new messages arrive again" } else { "paused: nothing new arrives" };
        Ok(audit::by(&state.pool, &user, AuditAction::SettingChanged, &format!("channel {id}"), what).await?)
    })
    .await
}

#[server(endpoint = "admin_channel_rotate")]
pub async fn admin_channel_rotate(id: i64) -> Result<(), AppError> {
    use crate::backend::{audit, channels, reauthorized};
    use crate::domain::audit::AuditAction;
    reauthorized(Permission::ManageSettings, |state, user| async move {
        channels::rotate_secret(&state.pool, id).await?;
        Ok(audit::by(&state.pool, &user, AuditAction::SecretRotated, &format!("channel {id}"), "the old secret stopped working").await?)
    })
    .await
}

#[server(endpoint = "routing_rules")]
pub async fn routing_rules() -> Result<RoutingView, AppError> {
    use crate::backend::{authorized, routing};
    authorized(Permission::ManageSettings, |state, _| async move { Ok(routing::routing_view(&state.pool).await?) }).await
}

#[server(endpoint = "routing_rule_add", input = Json)]
pub async fn routing_rule_add(input: RuleInput) -> Result<(), AppError> {
    use crate::backend::{audit, authorized, routing};
    use crate::domain::audit::AuditAction;
    authorized(Permission::ManageSettings, |state, user| async move {
        let (name, keywords, address) =
            crate::domain::channels::parse_rule_form(&input.name, &input.keywords, &input.address).map_err(AppError::Invalid)?;
        let topic = Topic::parse(&input.topic).ok_or_else(|| AppError::Invalid("Choose what the dialogue is about.".into()))?;
        let rule = crate::domain::channels::RoutingRule { id: 0, name, channel_id: input.channel_id, keywords, address, topic, team_id: input.team_id };
        let id = routing::add_rule(&state.pool, &rule).await?;
        let detail = format!("{}; words: {}", rule.topic.label(), rule.keywords.join(", "));
        Ok(audit::by(&state.pool, &user, AuditAction::SettingChanged, &format!("routing rule {id} “{}” added", rule.name), &detail).await?)
    })
    .await
}

#[server(endpoint = "routing_rule_delete")]
pub async fn routing_rule_delete(id: i64) -> Result<(), AppError> {
    use crate::backend::{audit, authorized, routing};
    use crate::domain::audit::AuditAction;
    authorized(Permission::ManageSettings, |state, user| async move {
        routing::delete_rule(&state.pool, id).await?;
        Ok(audit::by(&state.pool, &user, AuditAction::Deleted, &format!("routing rule {id}"), "").await?)
    })
    .await
}

#[server(endpoint = "routing_rule_move")]
pub async fn routing_rule_move(id: i64, up: bool) -> Result<(), AppError> {
    use crate::backend::{audit, authorized, routing};
    use crate::domain::audit::AuditAction;
    authorized(Permission::ManageSettings, |state, user| async move {
        routing::move_rule(&state.pool, id, up).await?;
        Ok(audit::by(&state.pool, &user, AuditAction::SettingChanged, &format!("routing rule {id}"), if up { "moved up" } else { "moved down" }).await?)
    })
    .await
}

/// Where a sample message would go: a sentence.
#[server(endpoint = "routing_test", input = Json)]
pub async fn routing_test(sample: RoutingSample) -> Result<String, AppError> {
    use crate::backend::{authorized, routing};
    authorized(Permission::ManageSettings, |state, _| async move {
        let view = routing::routing_view(&state.pool).await?;
        Ok(describe_route(&view, crate::domain::channels::route(&view.rules, &sample)))
    })
    .await
}

#[cfg(feature = "ssr")]
fn describe_route(view: &RoutingView, rule: Option<&crate::domain::channels::RoutingRule>) -> String {
    match rule {
        Some(r) => {
            let team = r.team_id.and_then(|t| view.teams.iter().find(|(id, _)| *id == t)).map(|(_, n)| n.as_str());
            format!(
                "Rule “{}” matches: {}{}.",
                r.name,
                r.topic.label(),
                team.map(|t| format!(", team {t}")).unwrap_or_else(|| ", no team".into())
            )
        }
        None => "No rule matches: Support, no team.".into(),
    }
}

#[component]
pub fn ChannelsAdminPage() -> impl IntoView {
    let update = ServerAction::<AdminChannelUpdate>::new();
    let rotate = ServerAction::<AdminChannelRotate>::new();
    let add_channel = ServerAction::<AdminChannelAdd>::new();
    let pause = ServerAction::<AdminChannelActive>::new();
    let add = ServerAction::<RoutingRuleAdd>::new();
    let delete = ServerAction::<RoutingRuleDelete>::new();
    let reorder = ServerAction::<RoutingRuleMove>::new();
    let data = Resource::new(
        move || {
            let channels = (update.version().get(), rotate.version().get(), add_channel.version().get(), pause.version().get());
            (channels, add.version().get(), delete.version().get(), reorder.version().get())
        },
        |_| async move { Ok::<_, AppError>((admin_channels().await?, routing_rules().await?)) },
    );
    // Where this installation is reached, for the snippets (known in the browser).
    let origin = RwSignal::new(String::from("https://your-meridian"));
    Effect::new(move |_| {
        if let Ok(o) = window().location().origin() {
            origin.set(o);
        }
    });
    let errors = move || {
        [update.value().get(), rotate.value().get(), pause.value().get(), add.value().get(), delete.value().get(), reorder.value().get()]
            .into_iter()
            .flatten()
            .find_map(|r| r.err())
            .or_else(|| add_channel.value().get().and_then(|r| r.err()))
            .map(|e| view! { <ErrorNotice message=e.to_string()/> })
    };
    view! {
        <p class="breadcrumb"><a href="/admin">"Admin"</a></p>
        <h1>"Channels and routing"</h1>
        {errors}
        <Transition fallback=Loading>
            <ErrorBoundary fallback=error_fallback>
                {move || Suspend::new(async move {
                    let (channels, routing) = data.await?;
                    let cards = channels.into_iter().map(|c| view! { <ChannelCard info=c origin update rotate pause/> }).collect_view();
                    Ok::<_, AppError>(view! {
                        <section aria-labelledby="channels-title">
                            <h2 id="channels-title">"Channels"</h2>
                            <div class="channel-cards">{cards}</div>
                            <NewChannel add=add_channel/>
                        </section>
                        <Routing routing add delete reorder/>
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn ChannelCard(
    info: ChannelInfo,
    origin: RwSignal<String>,
    update: ServerAction<AdminChannelUpdate>,
    rotate: ServerAction<AdminChannelRotate>,
    pause: ServerAction<AdminChannelActive>,
) -> impl IntoView {
    let ChannelInfo { channel, active, target_minutes } = info;
    let id = channel.id;
    let ask_nps = RwSignal::new(channel.ask_nps);
    let callback = RwSignal::new(channel.callback_url.clone().unwrap_or_default());
    let target = RwSignal::new(target_minutes);
    let address = channel.address.clone();
    let secret = channel.secret.clone();
    let setup = match channel.kind.as_str() {
        "chat" => {
            let page = Signal::derive(move || format!("{}/chat/{}", origin.get(), address));
            let script = move || format!("<script src=\"{}/embed.js\" async></script>", page.get());
            let frame = move || format!("<iframe src=\"{}\" title=\"Chat\" style=\"width:380px;height:560px;border:0\"></iframe>", page.get());
            view! {
                <p>"Customer page: " <a href=page target="_blank" rel="noopener">{page}</a></p>
                <label>"Embed on your site (a chat button)"<textarea readonly rows="3" class="snippet" prop:value=script></textarea></label>
                <label>"Or as a frame"<textarea readonly rows="3" class="snippet" prop:value=frame></textarea></label>
                <p>"Visitors are new contacts until they confirm their e-mail by a link we send. For people signed in on your site, "
                    "vouch for them instead: add " <code>"data-email"</code> ", " <code>"data-name"</code> " and "
                    <code>"data-identity=\"t=<unix expiry>,v1=<hex HMAC-SHA256 of \"<t>.<e-mail in lower case>\" with the secret>\""</code>
                    " to the script (or " <code>"?email=…&name=…&identity=…"</code> " to the frame's address), made on your server; their chats then join their history at once."</p>
                <p>"Identity secret: " <code class="secret">{secret.clone()}</code></p>
            }
            .into_any()
        }
        "email" => {
            let pipe = format!("\"|meridian mail-in --inbox {address}\"");
            let url = move || format!("{}/api/v1/channels/email/inbound?inbox={}", origin.get(), address);
            view! {
                <p>"Pipe mail to it (Postfix alias): " <code>{pipe}</code></p>
                <p>"Or have a relay POST the raw message to " <code>{url}</code> ", signed with the secret below."</p>
                <p>"Signing secret: " <code class="secret">{secret.clone()}</code></p>
            }
            .into_any()
        }
        _ => {
            let url = move || format!("{}/api/v1/channels/{id}/inbound", origin.get());
            view! {
                <p>"Webhook: POST messages to " <code>{url}</code></p>
                <p>"Signing secret (HMAC-SHA256 of the body, header " <code>"X-Meridian-Signature: sha256=…"</code> "): " <code class="secret">{secret.clone()}</code></p>
                <label>"Replies go to (callback URL)"<input type="url" placeholder="https://bridge.example.com/meridian"
                    prop:value=move || callback.get() on:input=move |e| callback.set(event_target_value(&e))/></label>
            }
            .into_any()
        }
    };
    let name = channel.name.clone();
    let kind = channel.kind.label();
    view! {
        <article class="channel-card" aria-label=name.clone()>
            <h3>{name.clone()} " " <span class=format!("channel channel-{}", channel.kind.as_str())>{kind}</span></h3>
            {(!active).then(|| view! { <p class="meta">"Paused: nothing new arrives on it."</p> }) }
            <label>"First-response target (minutes)"<input type="number" min="1" max="10080" required
                prop:value=move || target.get().to_string() on:input=move |e| target.set(event_target_value(&e).parse().unwrap_or(0))/></label>
            {setup}
            <label class="inline-field"><input type="checkbox" prop:checked=move || ask_nps.get() on:change=move |e| ask_nps.set(event_target_checked(&e))/>
                " Ask “would you recommend us?” (NPS) after a resolution"</label>
            <div class="toolbar">
                <button type="button" on:click=move |_| { update.dispatch(AdminChannelUpdate { id, ask_nps: ask_nps.get_untracked(), callback_url: callback.get_untracked(), target_minutes: target.get_untracked() }); }>
                    {format!("Save {name}")}</button>
                {(channel.kind != ChannelKind::Chat).then(|| view! {
                    <button type="button" on:click=move |_| { rotate.dispatch(AdminChannelRotate { id }); }>"New secret"</button>
                })}
                <button type="button" on:click=move |_| { pause.dispatch(AdminChannelActive { id, active: !active }); }>
                    {format!("{} {name}", if active { "Pause" } else { "Resume" })}</button>
            </div>
        </article>
    }
}

/// Adds an inbox, a chat page or a social account.
#[component]
fn NewChannel(add: ServerAction<AdminChannelAdd>) -> impl IntoView {
    let kind = RwSignal::new(String::from("email"));
    let name = RwSignal::new(String::new());
    let address = RwSignal::new(String::new());
    let target = RwSignal::new(240i64);
    let hint = move || match kind.get().as_str() {
        "email" => "The inbox customers write to, e.g. billing@example.com",
        "chat" => "The chat page's address: /chat/<this>",
        _ => "The account's handle, e.g. @examplehelp",
    };
    view! {
        <h3>"Add a channel"</h3>
        <form class="form-grid" aria-label="Add a channel" on:submit=move |e| {
            e.prevent_default();
            add.dispatch(AdminChannelAdd { kind: kind.get_untracked(), name: name.get_untracked(), address: address.get_untracked(), target_minutes: target.get_untracked() });
        }>
            <label>"Kind"<select on:change=move |e| kind.set(event_target_value(&e))>
                <option value="email" selected=true>"E-mail inbox"</option>
                <option value="chat">"Chat page"</option>
                <option value="social">"Social (webhook)"</option>
            </select></label>
            <label>"Name"<input type="text" required maxlength="100" placeholder="Billing e-mail" on:input=move |e| name.set(event_target_value(&e))/></label>
            <label>"Address"<input type="text" required maxlength="254" placeholder=hint on:input=move |e| address.set(event_target_value(&e))/></label>
            <label>"First-response target (minutes)"<input type="number" min="1" max="10080" required prop:value="240"
                on:input=move |e| target.set(event_target_value(&e).parse().unwrap_or(0))/></label>
            <button type="submit" class="button-primary" disabled=move || add.pending().get()>"Add channel"</button>
        </form>
        {move || add.value().get().and_then(|r| r.ok()).map(|_| view! { <p role="status">"Channel added."</p> })}
    }
}

#[component]
fn Routing(
    routing: RoutingView,
    add: ServerAction<RoutingRuleAdd>,
    delete: ServerAction<RoutingRuleDelete>,
    reorder: ServerAction<RoutingRuleMove>,
) -> impl IntoView {
    let input = RwSignal::new(RuleInput { topic: "billing".into(), ..Default::default() });
    let sample = RwSignal::new(RoutingSample::default());
    let test = ServerAction::<RoutingTest>::new();
    let name_of = |list: &[(i64, String)], id: Option<i64>| id.and_then(|i| list.iter().find(|(x, _)| *x == i)).map(|(_, n)| n.clone());
    let count = routing.rules.len();
    let rows = routing
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let id = r.id;
            let when = [
                name_of(&routing.channels, r.channel_id).map(|c| format!("on {c}")),
                (!r.keywords.is_empty()).then(|| format!("words: {}", r.keywords.join(", "))),
                (!r.address.is_empty()).then(|| format!("address contains {}", r.address)),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · ");
            let then = format!("{}{}", r.topic.label(), name_of(&routing.teams, r.team_id).map(|t| format!(" · {t}")).unwrap_or_default());
            let name = r.name.clone();
            view! {
                <tr>
                    <td>{i + 1}</td>
                    <th scope="row">{r.name.clone()}</th>
                    <td>{if when.is_empty() { "every message".to_string() } else { when }}</td>
                    <td>{then}</td>
                    <td><div class="toolbar">
                        <button type="button" disabled=i == 0 aria-label=format!("Move {name} up") on:click=move |_| { reorder.dispatch(RoutingRuleMove { id, up: true }); }>"↑"</button>
                        <button type="button" disabled=i + 1 == count aria-label=format!("Move {name} down") on:click=move |_| { reorder.dispatch(RoutingRuleMove { id, up: false }); }>"↓"</button>
                        <button type="button" on:click=move |_| { delete.dispatch(RoutingRuleDelete { id }); }>{format!("Delete {name}")}</button>
                    </div></td>
                </tr>
            }
        })
        .collect_view();
    let channel_options = |list: Vec<(i64, String)>, prompt: &'static str| {
        view! {
            <option value="">{prompt}</option>
            {list.into_iter().map(|(id, n)| view! { <option value=id.to_string()>{n}</option> }).collect_view()}
        }
    };
    let topics = Topic::ALL
        .iter()
        .map(|t| view! { <option value=t.as_str() selected=t.as_str() == "billing">{t.label()}</option> })
        .collect_view();
    view! {
        <section aria-labelledby="routing-title">
            <h2 id="routing-title">"Routing rules"</h2>
            <p class="lede">"A new dialogue takes the purpose and team of the first rule it matches, top to bottom. Without a match it is Support, with no team."</p>
            {if count == 0 {
                view! { <EmptyState title="No rules yet" detail="Every new dialogue is Support until you add one."/> }.into_any()
            } else {
                view! {
                    <table class="data-table" aria-label="Routing rules">
                        <thead><tr><th scope="col">"#"</th><th scope="col">"Rule"</th><th scope="col">"When"</th><th scope="col">"Then"</th><th scope="col"></th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                }.into_any()
            }}
            <h3>"New rule"</h3>
            <form class="form-grid" aria-label="New rule" on:submit=move |e| { e.prevent_default(); add.dispatch(RoutingRuleAdd { input: input.get_untracked() }); }>
                <label>"Rule name"<input type="text" required maxlength="120" on:input=move |e| input.update(|r| r.name = event_target_value(&e))/></label>
                <label>"Source channel"<select on:change=move |e| input.update(|r| r.channel_id = event_target_value(&e).parse().ok())>
                    {channel_options(routing.channels.clone(), "Any channel")}</select></label>
                <label>"Keywords (comma-separated)"<input type="text" placeholder="refund, invoice" on:input=move |e| input.update(|r| r.keywords = event_target_value(&e))/></label>
                <label>"Address contains"<input type="text" placeholder="billing@ or @bigcorp.com" on:input=move |e| input.update(|r| r.address = event_target_value(&e))/></label>
                <label>"Purpose"<select on:change=move |e| input.update(|r| r.topic = event_target_value(&e))>{topics}</select></label>
                <label>"Team"<select on:change=move |e| input.update(|r| r.team_id = event_target_value(&e).parse().ok())>
                    {channel_options(routing.teams.clone(), "No team")}</select></label>
                <button type="submit" class="button-primary" disabled=move || add.pending().get()>"Add rule"</button>
            </form>
            <h3>"Where would this message go?"</h3>
            <form class="form-grid" aria-label="Test the rules" on:submit=move |e| { e.prevent_default(); test.dispatch(RoutingTest { sample: sample.get_untracked() }); }>
                <label>"Arrives on"<select on:change=move |e| sample.update(|s| s.channel_id = event_target_value(&e).parse().unwrap_or(0))>
                    {channel_options(routing.channels.clone(), "Choose a channel")}</select></label>
                <label>"From or to address"<input type="text" on:input=move |e| sample.update(|s| s.addresses = vec![event_target_value(&e)])/></label>
                <label>"Subject"<input type="text" on:input=move |e| sample.update(|s| s.subject = event_target_value(&e))/></label>
                <label>"Message"<textarea rows="3" on:input=move |e| sample.update(|s| s.text = event_target_value(&e))></textarea></label>
                <button type="submit">"Test"</button>
                <p role="status" class="route-result">{move || test.value().get().map(|r| match r { Ok(s) => s, Err(e) => e.to_string() })}</p>
            </form>
        </section>
    }
}
