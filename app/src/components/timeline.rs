//! A dialogue as the dialogue page and the QA review show it: the customer's whole timeline across channels and the customer card beside it.

use crate::domain::dialogue::{format_waiting, ChannelKind};
use crate::model::dialogue::{CustomerCard, TimelineEntry};
use leptos::either::Either;
use leptos::prelude::*;

/// "12 KB", "3.4 MB".
pub fn file_size(bytes: i32) -> String {
    match bytes {
        b if b < 1024 => format!("{b} bytes"),
        b if b < 1024 * 1024 => format!("{} KB", b / 1024),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

pub fn timeline_view(entries: Vec<TimelineEntry>, current: i64, now: i64) -> impl IntoView {
    let mut last_conversation = None;
    entries
        .into_iter()
        .map(|entry| match entry {
            TimelineEntry::Message { id, conversation_id, subject, channel_kind, author_kind, author, internal, body, html, delivery, attachments, sender, at_epoch } => {
                let divider = (last_conversation != Some(conversation_id)).then(|| {
                    last_conversation = Some(conversation_id);
                    let kind = ChannelKind::parse(&channel_kind).map(|k| k.label()).unwrap_or("Other");
                    let label = if conversation_id == current {
                        format!("This dialogue · {kind}")
                    } else {
                        format!("Other dialogue: {subject} · {kind}")
                    };
                    view! { <li class="timeline-divider"><a href=format!("/dialogue?id={conversation_id}")>{label}</a></li> }
                });
                let who = match (author_kind.as_str(), author) {
                    // Which address or handle wrote, on every customer message.
                    ("customer", _) => match sender.filter(|s| !s.is_empty()) {
                        Some(from) => format!("Customer · {from}"),
                        None => "Customer".to_string(),
                    },
                    (_, Some(name)) => name,
                    _ => "Meridian".to_string(),
                };
                let class = if internal { "message message-internal".to_string() } else { format!("message message-{author_kind}") };
                let label = if internal { Some(view! { <span class="note-label">"Internal note"</span> }) } else { None };
                Either::Left(view! {
                    {divider}
                    <li class=class id=format!("message-{id}")>
                        <p class="message-meta">{label} <strong>{who}</strong> " · " {format_waiting(now - at_epoch)} " ago"</p>
                        {match html {
                            // Sanitized on arrival (customers) or rendered from Markdown (agents).
                            Some(html) => Either::Left(view! { <div class="message-body message-html" inner_html=html></div> }),
                            None => Either::Right(view! { <p class="message-body">{body}</p> }),
                        }}
                        {(!attachments.is_empty()).then(|| view! {
                            <ul class="attachments" aria-label="Attachments">
                                {attachments.into_iter().map(|(aid, name, size)| view! {
                                    <li><a href=format!("/attachments/{aid}") download=name.clone()>{name.clone()}</a>
                                        <span class="muted">{format!(" · {}", file_size(size))}</span></li>
                                }).collect_view()}
                            </ul>
                        })}
                        {delivery.map(|d| view! { <p class="message-delivery muted">{d}</p> })}
                    </li>
                })
            }
            TimelineEntry::Event { kind, actor, detail, at_epoch, .. } => {
                let text = format!(
                    "{} {}{}",
                    actor.unwrap_or_else(|| "Meridian".into()),
                    kind.replace('_', " ").replace("sla ", "SLA "),
                    if detail.is_empty() { String::new() } else { format!(" {detail}") }
                );
                Either::Right(view! {
                    <li class="timeline-event">{text} " · " {format_waiting(now - at_epoch)} " ago"</li>
                })
            }
        })
        .collect_view()
}

#[component]
pub fn CustomerAside(card: CustomerCard, now: i64) -> impl IntoView {
    let rated = card.ratings_bad + card.ratings_good + card.ratings_excellent;
    let ratings = (rated > 0).then(|| {
        format!("{} excellent, {} good, {} bad", card.ratings_excellent, card.ratings_good, card.ratings_bad)
    });
    let past = card
        .past
        .into_iter()
        .map(|p| {
            let rating = p.csat.map(|r| match r { 1 => " · rated bad", 2 => " · rated good", _ => " · rated excellent" });
            view! {
                <li>
                    <a href=format!("/dialogue?id={}", p.id)>{p.subject}</a>
                    <span class="muted">" · " {p.status.as_str()} " · " {format_waiting(now - p.created_epoch)} " ago" {rating}</span>
                </li>
            }
        })
        .collect_view();
    view! {
        <aside class="customer-card" aria-label="Customer">
            <h2>{card.name}</h2>
            {card.unverified_email.map(|e| view! {
                <p class="notice notice-warning" role="note">"Unverified: says they are " <strong>{e}</strong>
                    ". A new contact until they open the link we e-mailed to that address; none of its history is shown."</p>
            })}
            <dl>
                {card.email.map(|e| view! { <dt>"E-mail"</dt><dd>{e}</dd> })}
                {card.phone.map(|p| view! { <dt>"Phone"</dt><dd>{p}</dd> })}
                <dt>"Time zone"</dt>
                <dd>{card.time_zone} {card.local_time.map(|t| format!(" · local time {t}"))}</dd>
                {card.plan.map(|p| view! { <dt>"Plan"</dt><dd>{p}</dd> })}
                <dt>"Ratings"</dt>
                <dd>{ratings.unwrap_or_else(|| "None yet".into())}</dd>
            </dl>
            <h3>"Past dialogues"</h3>
            <ul class="past-dialogues">{past}</ul>
        </aside>
    }
}
