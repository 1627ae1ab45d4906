//! The public doors (what anyone can reach without signing in) and how often each may be
//! used: a request is matched to its door by method and path, and each door has a quota
//! per client address, some also per chat visitor. The server's `doors` middleware keeps
//! the counts (in memory, per process) and answers 429 with `Retry-After` past them.
//!
//! Every anonymous request also counts against [`Door::Visitor`], the door of the whole
//! site, so that no path is unlimited; signed-in people are not counted here (sign-in and
//! re-authentication have their own failure throttles in PostgreSQL).

/// One public door.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Door {
    /// Anything anonymous: pages, the help centre, the chat page, server functions.
    Visitor,
    /// Signing in: the password step and the second factor.
    SignIn,
    /// "Forgot your password?", choosing a new one by its link, accepting an invitation,
    /// confirming a chat visitor's e-mail.
    AccountLink,
    /// Starting a chat.
    ChatStart,
    /// Writing in a chat.
    ChatMessage,
    /// Reading a chat's state (after each live update).
    ChatRead,
    /// Opening a chat's live event stream.
    ChatEvents,
    /// Searching the help centre.
    HelpSearch,
    /// "Was this helpful?" on a help-centre article.
    HelpVote,
    /// Rating a resolved dialogue (the chat's form and the e-mail's links).
    Rating,
    /// Messages delivered by mail relays and social bridges (signed).
    Inbound,
}

/// How often a door may be used by one client: `burst` at once, then `per_minute`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quota {
    pub per_minute: u32,
    pub burst: u32,
}

/// Event streams one chat visitor may hold open at once (a few tabs).
pub const STREAMS_PER_VISITOR: usize = 4;
/// Event streams one client address may hold open at once.
pub const STREAMS_PER_ADDRESS: usize = 200;

impl Door {
    pub const ALL: [Door; 11] = [
        Door::Visitor,
        Door::SignIn,
        Door::AccountLink,
        Door::ChatStart,
        Door::ChatMessage,
        Door::ChatRead,
        Door::ChatEvents,
        Door::HelpSearch,
        Door::HelpVote,
        Door::Rating,
        Door::Inbound,
    ];

    /// The door a request goes through besides [`Door::Visitor`], if any. `query` is the
    /// URL's query string (a help-centre page is a search when it has a `q`).
    pub fn of(method: &str, path: &str, query: Option<&str>) -> Option<Door> {
        let post = method.eq_ignore_ascii_case("POST");
        let get = method.eq_ignore_ascii_case("GET") || method.eq_ignore_ascii_case("HEAD");
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        match (post, get, segments.as_slice()) {
            (true, _, ["api", "sign_in" | "second_factor_sign_in"]) => Some(Door::SignIn),
            (true, _, ["forgot-password"] | ["reset-password", _] | ["invite", _] | ["chat", _, "confirm", _]) => Some(Door::AccountLink),
            (true, _, ["chat", _, "start"]) => Some(Door::ChatStart),
            (true, _, ["chat", _, "messages"]) => Some(Door::ChatMessage),
            (true, _, ["chat", _, "rating"] | ["rate", _, _]) => Some(Door::Rating),
            (true, _, ["help", "articles", _, "vote"]) => Some(Door::HelpVote),
            (true, _, ["api", "v1", "channels", _, "inbound"]) => Some(Door::Inbound),
            (_, true, ["chat", _, "state"]) => Some(Door::ChatRead),
            (_, true, ["chat", _, "events"]) => Some(Door::ChatEvents),
            (_, true, ["help"]) if is_search(query) => Some(Door::HelpSearch),
            _ => None,
        }
    }

    /// How often one client address may use the door.
    pub fn per_address(self) -> Quota {
        let q = |per_minute, burst| Quota { per_minute, burst };
        match self {
            // A whole office behind one address loads pages; a flood does not.
            Door::Visitor => q(600, 300),
            // Everyone in an office signing in at nine.
            Door::SignIn => q(60, 60),
            Door::AccountLink => q(10, 10),
            Door::ChatStart => q(10, 20),
            Door::ChatMessage => q(300, 100),
            Door::ChatRead => q(600, 200),
            Door::ChatEvents => q(120, 60),
            Door::HelpSearch => q(60, 30),
            Door::HelpVote => q(20, 10),
            Door::Rating => q(20, 10),
            // Mail relays and social bridges deliver in batches.
            Door::Inbound => q(1200, 600),
        }
    }

    /// How often one chat visitor (by their cookie) may use the door, for the chat's own.
    pub fn per_visitor(self) -> Option<Quota> {
        let q = |per_minute, burst| Some(Quota { per_minute, burst });
        match self {
            Door::ChatMessage => q(30, 20),
            Door::ChatRead => q(120, 60),
            Door::ChatEvents => q(20, 10),
            _ => None,
        }
    }

    /// What a refused client reads (followed by when to try again).
    pub fn sentence(self) -> &'static str {
        match self {
            Door::Visitor => "Too many requests from your network.",
            Door::SignIn => "Too many sign-ins from your network.",
            Door::AccountLink => "Too many password, invitation and confirmation requests from your network.",
            Door::ChatStart => "Too many chats started from your network.",
            Door::ChatMessage => "You are sending messages faster than we can read them.",
            Door::ChatRead | Door::ChatEvents => "This chat is being reloaded too often.",
            Door::HelpSearch => "Too many searches from your network.",
            Door::HelpVote => "Too many votes from your network.",
            Door::Rating => "Too many ratings from your network.",
            Door::Inbound => "Too many messages delivered from this address.",
        }
    }

    /// The door's name in logs and figures.
    pub fn name(self) -> &'static str {
        match self {
            Door::Visitor => "visitor",
            Door::SignIn => "sign-in",
            Door::AccountLink => "account-link",
            Door::ChatStart => "chat-start",
            Door::ChatMessage => "chat-message",
            Door::ChatRead => "chat-read",
            Door::ChatEvents => "chat-events",
            Door::HelpSearch => "help-search",
            Door::HelpVote => "help-vote",
            Door::Rating => "rating",
            Door::Inbound => "inbound",
        }
    }
}

/// A help-centre page with a non-empty `q` is a search.
fn is_search(query: Option<&str>) -> bool {
    query.unwrap_or_default().split('&').any(|kv| kv.strip_prefix("q=").is_some_and(|v| !v.trim_matches('+').is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn requests_find_their_doors() {
        assert_eq!(Door::of("POST", "/api/sign_in", None), Some(Door::SignIn));
        assert_eq!(Door::of("POST", "/api/second_factor_sign_in", None), Some(Door::SignIn));
        assert_eq!(Door::of("POST", "/forgot-password", None), Some(Door::AccountLink));
        assert_eq!(Door::of("POST", "/reset-password/abc", None), Some(Door::AccountLink));
        assert_eq!(Door::of("POST", "/invite/abc", None), Some(Door::AccountLink));
        assert_eq!(Door::of("POST", "/chat/support/confirm/abc", None), Some(Door::AccountLink));
        assert_eq!(Door::of("POST", "/chat/support/start", None), Some(Door::ChatStart));
        assert_eq!(Door::of("POST", "/chat/support/messages", None), Some(Door::ChatMessage));
        assert_eq!(Door::of("GET", "/chat/support/state", None), Some(Door::ChatRead));
        assert_eq!(Door::of("GET", "/chat/support/events", None), Some(Door::ChatEvents));
        assert_eq!(Door::of("POST", "/chat/support/rating", None), Some(Door::Rating));
        assert_eq!(Door::of("POST", "/rate/12/abcdef", None), Some(Door::Rating));
        assert_eq!(Door::of("POST", "/help/articles/7/vote", None), Some(Door::HelpVote));
        assert_eq!(Door::of("POST", "/api/v1/channels/3/inbound", None), Some(Door::Inbound));
        assert_eq!(Door::of("POST", "/api/v1/channels/email/inbound", Some("inbox=a%40b.c")), Some(Door::Inbound));
        assert_eq!(Door::of("GET", "/help", Some("q=refund")), Some(Door::HelpSearch));
        assert_eq!(Door::of("GET", "/help", Some("category=2&q=refund+policy")), Some(Door::HelpSearch));
    }

    #[test]
    fn reading_pages_is_only_the_visitor_door() {
        assert_eq!(Door::of("GET", "/help", None), None);
        assert_eq!(Door::of("GET", "/help", Some("q=")), None);
        assert_eq!(Door::of("GET", "/help", Some("q=++")), None);
        assert_eq!(Door::of("GET", "/help/articles/7", None), None);
        assert_eq!(Door::of("GET", "/chat/support", None), None);
        assert_eq!(Door::of("GET", "/sign-in", None), None);
        assert_eq!(Door::of("GET", "/api/sign_in", None), None);
        assert_eq!(Door::of("GET", "/chat/support/start", None), None);
    }

    #[test]
    fn every_door_lets_a_person_through_and_stops_a_flood() {
        for door in Door::ALL {
            let q = door.per_address();
            assert!(q.burst >= 10 && q.per_minute >= 10, "{door:?} would stop people");
            assert!(q.per_minute <= 1200, "{door:?} would not stop a flood");
            assert!(!door.sentence().is_empty() && door.sentence().ends_with('.'));
            if let Some(v) = door.per_visitor() {
                assert!(v.per_minute <= q.per_minute && v.burst <= q.burst, "{door:?}: a visitor gets less than their address");
            }
        }
        let names: std::collections::BTreeSet<_> = Door::ALL.iter().map(|d| d.name()).collect();
        assert_eq!(names.len(), Door::ALL.len());
    }

    proptest! {
        /// Any path that is not one of the named doors is only the visitor door, and
        /// nothing panics on odd paths.
        #[test]
        fn unknown_paths_have_no_door(path in "/[a-z/_-]{0,40}", method in "(GET|POST|PUT|DELETE)") {
            let door = Door::of(&method, &path, None);
            if let Some(d) = door {
                prop_assert!(Door::ALL.contains(&d));
                prop_assert!(path.starts_with("/api/") || path.starts_with("/chat/") || path.starts_with("/help") || path.starts_with("/rate/")
                    || path.starts_with("/forgot-password") || path.starts_with("/reset-password/") || path.starts_with("/invite/"));
            }
        }
    }
}
