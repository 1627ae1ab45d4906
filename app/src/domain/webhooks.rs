//! Outgoing event webhooks: the events an integration (Slack, an issue tracker, a CRM) may
//! subscribe to, the signature every delivery carries (HMAC-SHA256 over a timestamp and the
//! body, so a receiver can refuse a replay) and the checks on a subscription. Pure; `backend::webhooks` stores and queues, the server's outbox sends.

named_enum!(
    /// What happened, as a subscription names it.
    WebhookEvent {
        DialogueCreated => "dialogue_created", "A dialogue is created";
        DialogueResolved => "dialogue_resolved", "A dialogue is resolved";
        MessageCreated => "message_created", "A public message is written (customer or agent)";
        SlaBreached => "sla_breached", "An SLA target is missed";
        RatingReceived => "rating_received", "A customer rates the help";
        RuleFired => "rule_fired", "A rule calls it (the rule's “call a webhook” action)";
    }
);

impl WebhookEvent {
    /// Whether a subscription may list it: `rule_fired` is sent only to the subscription a
    /// rule's action names.
    pub fn subscribable(self) -> bool {
        self != WebhookEvent::RuleFired
    }
}

named_enum!(
    /// Where one delivery stands.
    DeliveryState {
        Delivered => "delivered", "Delivered";
        Retrying => "retrying", "Retrying";
        GivenUp => "given_up", "Given up";
    }
);

impl DeliveryState {
    /// A delivery is given up once its attempts ran out, delivered once a receiver took it.
    pub fn of(sent: bool, given_up: bool) -> Self {
        if sent {
            DeliveryState::Delivered
        } else if given_up {
            DeliveryState::GivenUp
        } else {
            DeliveryState::Retrying
        }
    }
}

/// Attempts before a delivery is given up; between them the pause grows as the channels'
/// outbox's does (`channels::retry_delay`).
pub const MAX_ATTEMPTS: i32 = 10;
/// A receiver should refuse a delivery whose timestamp is further than this from its clock.
pub const TOLERANCE_SECONDS: i64 = 300;

/// The `X-Meridian-Signature` header of a delivery: `t=<unix seconds>,v1=<hex HMAC-SHA256
/// of "<t>.<body>" with the subscription's secret>`.
#[cfg(feature = "ssr")]
pub fn signature_header(secret: &str, timestamp: i64, body: &str) -> String {
    let mac = super::signing::sign(secret.as_bytes(), format!("{timestamp}.{body}").as_bytes());
    format!("t={timestamp},v1={}", super::channels::hex(&mac))
}

/// What a receiver does with the header: the signature is ours for this body and the
/// timestamp within [`TOLERANCE_SECONDS`] of `now` (an old delivery sent again is refused).
#[cfg(feature = "ssr")]
pub fn verify_signature(secret: &str, header: &str, body: &str, now: i64) -> bool {
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", x)) => t = x.parse::<i64>().ok(),
            Some(("v1", x)) => v1 = Some(x.to_string()),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else { return false };
    if (now - t).abs() > TOLERANCE_SECONDS {
        return false;
    }
    let Some(bytes) = super::channels::parse_signature(&v1) else { return false };
    super::signing::verify(secret.as_bytes(), format!("{t}.{body}").as_bytes(), &bytes)
}

/// Checks a subscription's address: http or https, a host, no spaces, at most 2,000
/// characters. Returns it trimmed.
pub fn validate_url(url: &str) -> Result<String, String> {
    let url = url.trim();
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    let Some(rest) = rest else {
        return Err("A webhook address starts with http:// or https://.".into());
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || host.starts_with(':') || host.starts_with('@') {
        return Err("The webhook address has no host.".into());
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("A webhook address has no spaces.".into());
    }
    if url.len() > 2_000 {
        return Err("A webhook address has at most 2,000 characters.".into());
    }
    Ok(url.to_string())
}

/// Checks the events a subscription names: at least one, each once.
pub fn validate_events(events: &[WebhookEvent]) -> Result<Vec<WebhookEvent>, String> {
    let mut out: Vec<WebhookEvent> = Vec::new();
    for e in events {
        if !e.subscribable() {
            return Err("“rule_fired” is not subscribed to: a rule's “call a webhook” action sends it to the subscription it names.".into());
        }
        if !out.contains(e) {
            out.push(*e);
        }
    }
    if out.is_empty() {
        return Err("Choose at least one event to send.".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_delivery_is_delivered_once_taken_given_up_once_out_of_attempts_else_retrying() {
        assert_eq!(DeliveryState::of(true, false), DeliveryState::Delivered);
        assert_eq!(DeliveryState::of(false, true), DeliveryState::GivenUp);
        assert_eq!(DeliveryState::of(false, false), DeliveryState::Retrying);
        assert_eq!(serde_json::to_string(&DeliveryState::GivenUp).unwrap(), "\"given_up\"");
    }

    #[test]
    fn only_http_addresses_with_a_host_are_taken() {
        assert_eq!(validate_url(" https://hooks.example.com/meridian ").unwrap(), "https://hooks.example.com/meridian");
        assert!(validate_url("http://127.0.0.1:8080/in").is_ok());
        for bad in ["ftp://example.com", "example.com/hook", "https://", "http:///path", "https://exa mple.com", "javascript:alert(1)"] {
            assert!(validate_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn events_are_needed_and_counted_once() {
        assert!(validate_events(&[]).is_err());
        assert_eq!(validate_events(&[WebhookEvent::SlaBreached, WebhookEvent::SlaBreached]).unwrap(), vec![WebhookEvent::SlaBreached]);
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn a_signature_verifies_for_its_body_and_time_only() {
        let header = signature_header("s3cret", 1_800_000_000, r#"{"event":"sla_breached"}"#);
        assert!(header.starts_with("t=1800000000,v1="));
        assert!(verify_signature("s3cret", &header, r#"{"event":"sla_breached"}"#, 1_800_000_100));
        assert!(!verify_signature("s3cret", &header, r#"{"event":"sla_breached "}"#, 1_800_000_100), "another body");
        assert!(!verify_signature("other", &header, r#"{"event":"sla_breached"}"#, 1_800_000_100), "another secret");
        assert!(!verify_signature("s3cret", &header, r#"{"event":"sla_breached"}"#, 1_800_000_000 + TOLERANCE_SECONDS + 1), "a replay later");
        assert!(!verify_signature("s3cret", "v1=00", "{}", 0));
    }
}
