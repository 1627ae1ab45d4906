//! Macros (canned replies) and mass replies: placeholders filled per dialogue, what a
//! macro may change besides replying, how many dialogues one mass reply may reach per
//! role, and which words of waiting dialogues' subjects count as a trending topic.

use crate::domain::access::Role;
use serde::{Deserialize, Serialize};

named_enum!(
    /// What a trending topic is: a tag many waiting dialogues carry, or a word of their subjects.
    TopicKind {
        Tag => "tag", "Tag";
        Word => "word", "Word";
    }
);

/// The placeholders a macro may use, and what each is filled with.
pub const PLACEHOLDERS: [(&str, &str); 6] = [
    ("customer.first_name", "the customer's first name"),
    ("customer.name", "the customer's full name"),
    ("agent.name", "your name"),
    ("agent.first_name", "your first name"),
    ("dialogue.subject", "the dialogue's subject"),
    ("dialogue.id", "the dialogue's number"),
];

/// What a placeholder is filled with, for one dialogue and one agent.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MacroContext {
    pub customer_name: String,
    pub agent_name: String,
    pub subject: String,
    pub dialogue_id: i64,
}

fn first_name(name: &str) -> &str {
    name.split_whitespace().next().unwrap_or("")
}

impl MacroContext {
    fn value(&self, key: &str) -> Option<String> {
        Some(match key {
            "customer.first_name" => first_name(&self.customer_name).to_string(),
            "customer.name" => self.customer_name.trim().to_string(),
            "agent.name" => self.agent_name.trim().to_string(),
            "agent.first_name" => first_name(&self.agent_name).to_string(),
            "dialogue.subject" => self.subject.trim().to_string(),
            "dialogue.id" => self.dialogue_id.to_string(),
            _ => return None,
        })
    }
}

/// The placeholders in `template`, in order: `{{ name }}` with optional spaces. An unclosed
/// `{{` is an error.
fn placeholders(template: &str) -> Result<Vec<(usize, usize, String)>, String> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(open) = template[from..].find("{{").map(|i| from + i) {
        let close = template[open..].find("}}").map(|i| open + i).ok_or("A “{{” has no closing “}}”.")?;
        found.push((open, close + 2, template[open + 2..close].trim().to_string()));
        from = close + 2;
    }
    Ok(found)
}

/// Checks a macro's text: every placeholder must be one of [`PLACEHOLDERS`].
pub fn validate_template(template: &str) -> Result<(), String> {
    for (_, _, key) in placeholders(template)? {
        if !PLACEHOLDERS.iter().any(|(k, _)| *k == key) {
            let known = PLACEHOLDERS.iter().map(|(k, _)| format!("{{{{{k}}}}}")).collect::<Vec<_>>().join(", ");
            return Err(format!("“{{{{{key}}}}}” is not a placeholder. Use {known}."));
        }
    }
    Ok(())
}

/// The macro's text for one dialogue. An empty value (a customer without a name) leaves a
/// clean sentence: "Hi {{customer.first_name}}," becomes "Hi,", not "Hi ,".
pub fn fill(template: &str, ctx: &MacroContext) -> Result<String, String> {
    let mut out = String::with_capacity(template.len());
    let mut at = 0;
    for (start, end, key) in placeholders(template)? {
        let value = ctx.value(&key).ok_or_else(|| format!("“{{{{{key}}}}}” is not a placeholder."))?;
        let before = &template[at..start];
        if value.is_empty() && before.ends_with(' ') {
            out.push_str(&before[..before.len() - 1]);
        } else {
            out.push_str(before);
        }
        out.push_str(&value);
        at = end;
    }
    out.push_str(&template[at..]);
    Ok(out)
}

/// How many dialogues one mass reply may reach: agents answer an incident's wave, managers
/// anything the queue holds. Reviewers do not reply at all.
pub fn mass_reply_limit(role: Role) -> usize {
    match role {
        Role::Operator => 50,
        Role::Admin | Role::SuperAdmin => 1000,
        Role::Reviewer => 0,
    }
}

/// Words of waiting dialogues' subjects that make a topic: at least four letters, not a
/// greeting or filler, shared by at least `min_dialogues` dialogues.
pub fn is_topic_word(word: &str, dialogues: i64, min_dialogues: i64) -> bool {
    const FILLER: [&str; 40] = [
        "help", "please", "question", "issue", "problem", "hello", "thanks", "thank", "need", "cannot", "with", "from",
        "after", "your", "have", "that", "this", "what", "when", "does", "will", "about", "there", "their", "into",
        "just", "still", "some", "been", "were", "would", "could", "should", "since", "more", "than", "they", "then",
        "only", "also",
    ];
    dialogues >= min_dialogues && word.chars().count() >= 4 && word.chars().all(char::is_alphanumeric) && !FILLER.contains(&word)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ctx() -> MacroContext {
        MacroContext { customer_name: "Ana María Souza".into(), agent_name: "Alex Novak".into(), subject: "Charged twice".into(), dialogue_id: 42 }
    }

    #[test]
    fn placeholders_are_filled() {
        let text = fill("Hi {{customer.first_name}}, about “{{ dialogue.subject }}” (#{{dialogue.id}}): refunded. {{agent.first_name}}", &ctx()).unwrap();
        assert_eq!(text, "Hi Ana, about “Charged twice” (#42): refunded. Alex");
        assert_eq!(fill("{{customer.name}} / {{agent.name}}", &ctx()).unwrap(), "Ana María Souza / Alex Novak");
    }

    #[test]
    fn an_empty_name_leaves_a_clean_sentence() {
        let nameless = MacroContext { customer_name: "".into(), ..ctx() };
        assert_eq!(fill("Hi {{customer.first_name}}, thanks!", &nameless).unwrap(), "Hi, thanks!");
    }

    #[test]
    fn unknown_or_unclosed_placeholders_are_refused() {
        assert!(validate_template("Hi {{customer.first_name}}").is_ok());
        assert!(validate_template("Hi {{customer.age}}").unwrap_err().contains("{{customer.age}}"));
        assert!(validate_template("Hi {{customer.first_name").is_err());
        assert!(fill("{{nope}}", &ctx()).is_err());
    }

    #[test]
    fn limits_by_role() {
        assert_eq!(mass_reply_limit(Role::Operator), 50);
        assert!(mass_reply_limit(Role::Admin) > mass_reply_limit(Role::Operator));
        assert_eq!(mass_reply_limit(Role::Reviewer), 0);
    }

    #[test]
    fn topic_words() {
        assert!(is_topic_word("refund", 5, 3));
        assert!(!is_topic_word("refund", 2, 3));
        assert!(!is_topic_word("help", 50, 3));
        assert!(!is_topic_word("api", 50, 3));
    }

    proptest! {
        #[test]
        fn text_without_placeholders_is_unchanged(s in "[^{}]{0,80}") {
            prop_assert_eq!(fill(&s, &ctx()).unwrap(), s);
        }

        #[test]
        fn every_known_placeholder_is_replaced(i in 0usize..6, pre in "[a-z ]{0,10}", post in "[a-z ]{0,10}") {
            let key = PLACEHOLDERS[i].0;
            let out = fill(&format!("{pre}{{{{{key}}}}}{post}"), &ctx()).unwrap();
            prop_assert!(!out.contains("{{"));
        }
    }
}
