//! The rules of channels: where a new dialogue goes (routing), what an inbound webhook
//! message must hold, what a customer's rating may say, how reply addresses carry their
//! dialogue, and how long the outbox waits before trying again. Pure; the backend does
//! the I/O.

use super::dialogue::Topic;
use serde::{Deserialize, Serialize};

/// The largest raw e-mail accepted (inbound HTTP or `meridian mail-in`).
pub const MAX_EMAIL_BYTES: usize = 25 * 1024 * 1024;
/// The largest single attachment kept; larger ones are listed as dropped.
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;
/// The largest webhook body accepted.
pub const MAX_WEBHOOK_BYTES: usize = 256 * 1024;
/// The longest customer message text stored.
pub const MAX_TEXT_CHARS: usize = 50_000;

/// A routing rule: conditions (each empty one matches everything) and what a match sets.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RoutingRule {
    pub id: i64,
    pub name: String,
    /// Only messages on this channel (the source).
    pub channel_id: Option<i64>,
    /// Any of these words or phrases in the subject or text (case-insensitive, whole words).
    pub keywords: Vec<String>,
    /// Part of the address written to or written from, e.g. `billing@` or `@bigcorp.com`.
    pub address: String,
    pub topic: Topic,
    pub team_id: Option<i64>,
}

/// What routing looks at in a new message.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RoutingSample {
    pub channel_id: i64,
    /// The inbox address and the sender's address.
    pub addresses: Vec<String>,
    pub subject: String,
    pub text: String,
}

/// The first rule (in order) that matches, if any: first match wins.
pub fn route<'r>(rules: &'r [RoutingRule], sample: &RoutingSample) -> Option<&'r RoutingRule> {
    rules.iter().find(|rule| rule_matches(rule, sample))
}

fn rule_matches(rule: &RoutingRule, sample: &RoutingSample) -> bool {
    if rule.channel_id.is_some_and(|c| c != sample.channel_id) {
        return false;
    }
    let address = rule.address.trim().to_lowercase();
    if !address.is_empty() && !sample.addresses.iter().any(|a| a.to_lowercase().contains(&address)) {
        return false;
    }
    if rule.keywords.is_empty() {
        return true;
    }
    let text = words(&format!("{} {}", sample.subject, sample.text));
    rule.keywords.iter().any(|keyword| {
        let phrase = words(keyword);
        !phrase.is_empty() && text.windows(phrase.len()).any(|w| w == phrase.as_slice())
    })
}

/// Lower-cased words (letters and digits), for whole-word matching.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

/// A rule as typed in the admin form: trimmed name, keywords from a comma-separated list.
pub fn parse_rule_form(name: &str, keywords: &str, address: &str) -> Result<(String, Vec<String>, String), String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 120 {
        return Err("Give the rule a name (up to 120 characters).".into());
    }
    let keywords: Vec<String> =
        keywords.split(',').map(|k| k.trim().to_lowercase()).filter(|k| !k.is_empty()).collect();
    if keywords.len() > 50 || keywords.iter().any(|k| k.chars().count() > 80) {
        return Err("Up to 50 keywords, each up to 80 characters.".into());
    }
    let address = address.trim().to_lowercase();
    if address.chars().count() > 200 {
        return Err("The address part is too long.".into());
    }
    Ok((name.to_string(), keywords, address))
}

/// A message posted to a webhook channel by the social network's bridge.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WebhookMessage {
    /// Unique per message on this channel: a redelivery with the same id is stored once.
    pub message_id: String,
    /// The external conversation (thread) this message continues.
    pub conversation_id: String,
    pub user_id: String,
    pub name: String,
    pub text: String,
    /// RFC 3339; when the customer wrote it (defaults to when it arrived).
    #[serde(default)]
    pub sent_at: Option<String>,
}

impl WebhookMessage {
    /// Everything a webhook message must hold, with the answer the sender gets otherwise.
    pub fn check(&self) -> Result<(), String> {
        for (field, value) in [("message_id", &self.message_id), ("conversation_id", &self.conversation_id), ("user_id", &self.user_id)] {
            if value.trim().is_empty() || value.len() > 200 {
                return Err(format!("`{field}` must be 1 to 200 characters."));
            }
        }
        if self.name.trim().is_empty() || self.name.chars().count() > 200 {
            return Err("`name` must be 1 to 200 characters.".into());
        }
        if self.text.trim().is_empty() || self.text.chars().count() > MAX_TEXT_CHARS {
            return Err(format!("`text` must be 1 to {MAX_TEXT_CHARS} characters."));
        }
        if let Some(at) = &self.sent_at {
            if !is_rfc3339(at) {
                return Err("`sent_at` must be an RFC 3339 time such as 2026-11-23T09:30:00Z.".into());
            }
        }
        Ok(())
    }
}

/// A cheap shape check of an RFC 3339 timestamp (PostgreSQL parses it for real).
fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 20
        && b.len() <= 35
        && b[4] == b'-'
        && b[7] == b'-'
        && (b[10] == b'T' || b[10] == b't' || b[10] == b' ')
        && b[13] == b':'
        && b[16] == b':'
        && (s.ends_with('Z') || s.ends_with('z') || s[19..].contains(['+', '-']))
}

/// The customer's answers at the end of a dialogue.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating {
    /// 1 bad, 2 good, 3 excellent.
    pub csat: u8,
    #[serde(default)]
    pub comment: String,
    /// "How easy was it to get your issue handled?", 1 (very difficult) to 7 (very easy).
    #[serde(default)]
    pub ces: Option<u8>,
    /// "How likely are you to recommend us?", 0 to 10, where the inbox asks it.
    #[serde(default)]
    pub nps: Option<u8>,
}

/// The CSAT answers, as stored (1..=3) and shown.
pub const CSAT_CHOICES: [(u8, &str); 3] = [(1, "Bad"), (2, "Good"), (3, "Excellent")];

/// The CES scale, 1..=7. 5 and above count as "easy".
pub const CES_CHOICES: [(u8, &str); 7] = [
    (1, "Very difficult"),
    (2, "Difficult"),
    (3, "Somewhat difficult"),
    (4, "Neither"),
    (5, "Somewhat easy"),
    (6, "Easy"),
    (7, "Very easy"),
];

pub fn csat_label(csat: u8) -> &'static str {
    CSAT_CHOICES.iter().find(|(v, _)| *v == csat).map(|(_, l)| *l).unwrap_or("Unrated")
}

impl Rating {
    /// Checks the answers; the comment comes back trimmed.
    pub fn check(mut self, asks_nps: bool) -> Result<Rating, String> {
        if !(1..=3).contains(&self.csat) {
            return Err("Choose bad, good or excellent.".into());
        }
        if self.ces.is_some_and(|c| !(1..=7).contains(&c)) {
            return Err("The ease answer runs from 1 to 7.".into());
        }
        if !asks_nps {
            self.nps = None;
        }
        if self.nps.is_some_and(|n| n > 10) {
            return Err("The recommendation answer runs from 0 to 10.".into());
        }
        self.comment = self.comment.trim().to_string();
        if self.comment.chars().count() > 2000 {
            return Err("Keep the comment under 2,000 characters.".into());
        }
        Ok(self)
    }
}

/// The address a customer's reply should go to so it finds its dialogue even without
/// `In-Reply-To`: `support+c42.<tag>@example.com`. `None` for an inbox without `@`.
pub fn reply_address(inbox: &str, conversation_id: i64, tag: &str) -> Option<String> {
    let (local, domain) = inbox.rsplit_once('@')?;
    let local = local.split('+').next().unwrap_or(local);
    Some(format!("{local}+c{conversation_id}.{tag}@{domain}"))
}

/// The dialogue and tag a reply address carries, if it is one of ours.
pub fn parse_reply_address(address: &str) -> Option<(i64, &str)> {
    let (local, _) = address.trim().rsplit_once('@')?;
    let (_, token) = local.split_once('+')?;
    let rest = token.strip_prefix('c')?;
    let (id, tag) = rest.split_once('.')?;
    let id: i64 = id.parse().ok()?;
    (id > 0 && !tag.is_empty()).then_some((id, tag))
}

/// `Re: ` before a subject that does not have it yet.
pub fn reply_subject(subject: &str) -> String {
    let s = subject.trim();
    if s.is_empty() {
        "Re: your message".into()
    } else if s.len() >= 3 && s[..3].eq_ignore_ascii_case("re:") {
        s.to_string()
    } else {
        format!("Re: {s}")
    }
}

/// How many times the outbox tries before it gives up and tells the agent.
pub const MAX_ATTEMPTS: i32 = 12;

/// Seconds to wait after the `attempts`-th failure: 15 s, 30 s, 1 min, … capped at an hour.
pub fn retry_delay(attempts: i32) -> i64 {
    let exp = attempts.clamp(1, 20) - 1;
    (15i64 << exp).min(3600)
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The bytes of a signature header `sha256=<hex>` (or bare hex).
pub fn parse_signature(header: &str) -> Option<Vec<u8>> {
    let h = header.trim();
    let h = h.strip_prefix("sha256=").unwrap_or(h);
    if h.len() != 64 {
        return None;
    }
    (0..h.len()).step_by(2).map(|i| u8::from_str_radix(&h[i..i + 2], 16).ok()).collect()
}

/// A new channel as an owner types it: its kind, a name people recognise, and the address
/// customers use (an e-mail inbox, the chat page's slug, or the social handle). Returns
/// them cleaned; e-mail addresses and slugs lower-cased.
pub fn new_channel(kind: &str, name: &str, address: &str) -> Result<(String, String, String), String> {
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() || name.chars().count() > 100 {
        return Err("Give the channel a name of at most 100 characters, e.g. “Billing e-mail”.".into());
    }
    let address = address.trim();
    let address = match kind {
        "email" => {
            let a = address.to_lowercase();
            let ok = a.len() <= 254
                && a.split_once('@').is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.'))
                && !a.chars().any(|c| c.is_whitespace() || c == '<' || c == '>' || c == ',')
                && a.matches('@').count() == 1;
            if !ok {
                return Err(format!("“{address}” is not an e-mail address like billing@example.com."));
            }
            a
        }
        "chat" => {
            let a = address.to_lowercase();
            if a.is_empty() || a.len() > 60 || !a.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') || a.starts_with('-') {
                return Err("The chat page's address is letters, digits and dashes, e.g. “pricing” (its page is /chat/pricing).".into());
            }
            a
        }
        "social" => {
            if address.is_empty() || address.chars().count() > 100 || address.chars().any(char::is_whitespace) {
                return Err("Give the account's handle, e.g. @examplehelp.".into());
            }
            address.to_string()
        }
        _ => return Err("A channel is e-mail, chat or social.".into()),
    };
    Ok((kind.to_string(), name, address))
}

/// What agents read about a reply that could not be delivered: a sentence of ours, never
/// the words of the mail server, the bridge or the database (those are logged and kept in
/// the outbox row for whoever runs the server). `raw` is the sender's own description.
pub fn delivery_problem(raw: &str) -> &'static str {
    if raw.starts_with("SMTP") || raw.contains("MERIDIAN_SMTP_URL") {
        "the mail server could not be reached or did not accept the e-mail"
    } else if raw.contains("customer's address") || raw.starts_with("the address") {
        "the customer's address is not a valid e-mail address"
    } else if raw.contains("inbox address") {
        "the inbox's own address is not a valid e-mail address (Admin → Channels)"
    } else if raw.starts_with("the callback answered") {
        "the channel's callback refused it"
    } else if raw.contains("callback") {
        "the channel's callback could not be reached"
    } else {
        "something went wrong on our side; it has been logged"
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn delivery_problems_are_told_in_our_words() {
        use super::delivery_problem;
        assert_eq!(delivery_problem("SMTP: permanent error (550): 5.1.1 <x@y> user unknown in relay recipient table"), "the mail server could not be reached or did not accept the e-mail");
        assert_eq!(delivery_problem("the customer's address is not valid: Missing domain"), "the customer's address is not a valid e-mail address");
        assert_eq!(delivery_problem("the callback answered 500 Internal Server Error"), "the channel's callback refused it");
        assert_eq!(delivery_problem("callback: error trying to connect: tcp connect error: Connection refused (os error 111)"), "the channel's callback could not be reached");
        let db = delivery_problem("database: error returned from database: relation \"outbox\" does not exist");
        assert!(!db.contains("relation"), "{db}");
    }
    use super::*;

    #[test]
    fn a_new_channel_is_checked_and_cleaned() {
        assert_eq!(new_channel("email", " Billing  e-mail ", " Billing@Example.com "), Ok(("email".into(), "Billing e-mail".into(), "billing@example.com".into())));
        assert_eq!(new_channel("chat", "Pricing chat", "Pricing-Page").unwrap().2, "pricing-page");
        assert_eq!(new_channel("social", "X", "@examplehelp").unwrap().2, "@examplehelp");
        for (kind, address) in [("email", "billing"), ("email", "a@b"), ("email", "a@@b.com"), ("email", "a b@c.com"), ("chat", "a/b"), ("chat", "-x"), ("social", "two words"), ("fax", "123")] {
            assert!(new_channel(kind, "Name", address).is_err(), "{kind} {address}");
        }
        assert!(new_channel("chat", "  ", "pricing").is_err());
    }
    use proptest::prelude::*;

    fn rule(id: i64, channel: Option<i64>, keywords: &[&str], address: &str, topic: Topic) -> RoutingRule {
        RoutingRule {
            id,
            name: format!("rule {id}"),
            channel_id: channel,
            keywords: keywords.iter().map(|k| k.to_string()).collect(),
            address: address.into(),
            topic,
            team_id: None,
        }
    }

    fn sample(channel: i64, addresses: &[&str], subject: &str, text: &str) -> RoutingSample {
        RoutingSample {
            channel_id: channel,
            addresses: addresses.iter().map(|a| a.to_string()).collect(),
            subject: subject.into(),
            text: text.into(),
        }
    }

    #[test]
    fn first_match_wins_in_order() {
        let rules = vec![
            rule(1, None, &["refund", "invoice"], "", Topic::Billing),
            rule(2, None, &["gdpr"], "", Topic::Legal),
            rule(3, Some(7), &[], "", Topic::Technical),
        ];
        let s = sample(7, &["support@x.test"], "Invoice and GDPR", "");
        assert_eq!(route(&rules, &s).map(|r| r.id), Some(1));
        let s = sample(7, &["support@x.test"], "GDPR request", "please delete my data");
        assert_eq!(route(&rules, &s).map(|r| r.id), Some(2));
        let s = sample(7, &[], "Hello", "the app crashes");
        assert_eq!(route(&rules, &s).map(|r| r.id), Some(3));
        let s = sample(8, &[], "Hello", "the app crashes");
        assert_eq!(route(&rules, &s), None);
    }

    #[test]
    fn keywords_are_whole_words_and_phrases_any_case() {
        let rules = vec![rule(1, None, &["refund", "legal notice"], "", Topic::Billing)];
        assert!(route(&rules, &sample(1, &[], "", "I want a REFUND now")).is_some());
        assert!(route(&rules, &sample(1, &[], "", "refunded already")).is_none(), "a part of a word is not the word");
        assert!(route(&rules, &sample(1, &[], "Legal  Notice!", "")).is_some());
        assert!(route(&rules, &sample(1, &[], "legal stuff, notice", "")).is_none());
    }

    #[test]
    fn address_matches_the_inbox_or_the_sender() {
        let rules = vec![rule(1, None, &[], "billing@", Topic::Billing), rule(2, None, &[], "@bigcorp.com", Topic::Partnerships)];
        assert_eq!(route(&rules, &sample(1, &["Billing@meridian.test", "a@b.c"], "", "")).map(|r| r.id), Some(1));
        assert_eq!(route(&rules, &sample(1, &["support@meridian.test", "ceo@BigCorp.com"], "", "")).map(|r| r.id), Some(2));
        assert_eq!(route(&rules, &sample(1, &["support@meridian.test"], "", "")), None);
    }

    #[test]
    fn all_conditions_must_hold() {
        let rules = vec![rule(1, Some(2), &["refund"], "billing@", Topic::Billing)];
        assert!(route(&rules, &sample(2, &["billing@x"], "refund", "")).is_some());
        assert!(route(&rules, &sample(3, &["billing@x"], "refund", "")).is_none());
        assert!(route(&rules, &sample(2, &["support@x"], "refund", "")).is_none());
        assert!(route(&rules, &sample(2, &["billing@x"], "hello", "")).is_none());
    }

    #[test]
    fn the_rule_form_is_parsed() {
        assert_eq!(
            parse_rule_form(" Billing ", "Refund, invoice ,, ", " Billing@ ").unwrap(),
            ("Billing".to_string(), vec!["refund".to_string(), "invoice".to_string()], "billing@".to_string())
        );
        assert!(parse_rule_form("  ", "", "").is_err());
    }

    fn webhook() -> WebhookMessage {
        WebhookMessage {
            message_id: "m1".into(),
            conversation_id: "t1".into(),
            user_id: "u1".into(),
            name: "Ada".into(),
            text: "Hi".into(),
            sent_at: Some("2026-11-23T09:30:00Z".into()),
        }
    }

    #[test]
    fn webhook_messages_are_checked() {
        assert!(webhook().check().is_ok());
        assert!(WebhookMessage { sent_at: Some("2026-11-23T09:30:00+01:00".into()), ..webhook() }.check().is_ok());
        assert!(WebhookMessage { message_id: " ".into(), ..webhook() }.check().is_err());
        assert!(WebhookMessage { text: "".into(), ..webhook() }.check().is_err());
        assert!(WebhookMessage { sent_at: Some("yesterday".into()), ..webhook() }.check().is_err());
        assert!(WebhookMessage { name: "x".repeat(201), ..webhook() }.check().is_err());
    }

    #[test]
    fn ratings_are_checked() {
        let ok = Rating { csat: 3, comment: "  thanks ".into(), ces: Some(7), nps: Some(10) };
        assert_eq!(ok.clone().check(true).unwrap().comment, "thanks");
        assert_eq!(ok.clone().check(false).unwrap().nps, None, "an inbox that does not ask NPS stores none");
        assert!(Rating { csat: 0, ..ok.clone() }.check(true).is_err());
        assert!(Rating { csat: 4, ..ok.clone() }.check(true).is_err());
        assert!(Rating { ces: Some(8), ..ok.clone() }.check(true).is_err());
        assert!(Rating { nps: Some(11), ..ok.clone() }.check(true).is_err());
        assert_eq!(csat_label(3), "Excellent");
    }

    #[test]
    fn reply_addresses_round_trip() {
        let a = reply_address("support@meridian.test", 42, "ab12").unwrap();
        assert_eq!(a, "support+c42.ab12@meridian.test");
        assert_eq!(parse_reply_address(&a), Some((42, "ab12")));
        assert_eq!(reply_address("website", 1, "x"), None);
        assert_eq!(parse_reply_address("support@meridian.test"), None);
        assert_eq!(parse_reply_address("support+cx.1@meridian.test"), None);
        assert_eq!(parse_reply_address("support+c7.@meridian.test"), None);
    }

    #[test]
    fn subjects_get_one_re() {
        assert_eq!(reply_subject("Refund"), "Re: Refund");
        assert_eq!(reply_subject("RE: Refund"), "RE: Refund");
        assert_eq!(reply_subject(""), "Re: your message");
    }

    #[test]
    fn retries_back_off_to_an_hour() {
        assert_eq!(retry_delay(1), 15);
        assert_eq!(retry_delay(2), 30);
        assert_eq!(retry_delay(3), 60);
        assert_eq!(retry_delay(12), 3600);
        assert_eq!(retry_delay(0), 15);
    }

    #[test]
    fn signatures_parse() {
        let hex64 = "ab".repeat(32);
        assert_eq!(parse_signature(&format!("sha256={hex64}")).unwrap(), vec![0xab; 32]);
        assert_eq!(parse_signature(&hex64).unwrap().len(), 32);
        assert!(parse_signature("sha256=zz").is_none());
        assert!(parse_signature(&"g".repeat(64)).is_none());
        assert_eq!(hex(&[0, 15, 255]), "000fff");
    }

    proptest! {
        #[test]
        fn routing_returns_the_earliest_matching_rule(
            topics in proptest::collection::vec(0usize..5, 0..8),
            channels in proptest::collection::vec(proptest::option::of(1i64..4), 8),
            channel in 1i64..4,
        ) {
            let rules: Vec<RoutingRule> = topics.iter().enumerate()
                .map(|(i, t)| rule(i as i64, channels[i], &[], "", Topic::ALL[*t]))
                .collect();
            let s = sample(channel, &[], "", "");
            let got = route(&rules, &s).map(|r| r.id);
            let expected = rules.iter().position(|r| r.channel_id.is_none_or(|c| c == channel)).map(|i| i as i64);
            prop_assert_eq!(got, expected);
        }

        #[test]
        fn delays_never_shrink(a in 0i32..40) {
            prop_assert!(retry_delay(a + 1) >= retry_delay(a));
            prop_assert!(retry_delay(a) <= 3600);
        }
    }
}
