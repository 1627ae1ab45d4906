//! Knowledge-base rules: Markdown to safe HTML (the editor's live preview in the browser
//! and the stored article on the server use the same function), the plain text an agent
//! inserts into a reply, the line diff between revisions, search terms as typed, and the
//! highlighted snippets search returns.

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};
use serde::{Deserialize, Serialize};

named_enum!(
    /// Who may read an article: agents only, or everyone in the help centre too.
    Visibility {
        Internal => "internal", "Internal";
        Public => "public", "Public";
    }
);

/// A new article starts for agents only.
impl Default for Visibility {
    fn default() -> Self {
        Visibility::Internal
    }
}

named_enum!(
    /// A draft is read only by the knowledge base's editors and its owner.
    ArticleStatus {
        Draft => "draft", "Draft";
        Published => "published", "Published";
    }
);

impl Default for ArticleStatus {
    fn default() -> Self {
        ArticleStatus::Draft
    }
}

pub const MAX_TITLE: usize = 200;
pub const MAX_BODY: usize = 100_000;

fn parser(markdown: &str) -> Parser<'_> {
    Parser::new_ext(markdown, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS)
}

/// A link or image address we let through: web and mail links, and addresses on this site.
/// Anything else (`javascript:`, `data:`, `vbscript:` …) becomes `#`.
pub fn safe_url(url: &str) -> &str {
    let lower = url.trim().to_ascii_lowercase();
    let scheme_end = lower.find(|c: char| !(c.is_ascii_alphanumeric() || c == '+' || c == '-' || c == '.'));
    let has_scheme = scheme_end.is_some_and(|i| i > 0 && lower[i..].starts_with(':'));
    if !has_scheme || lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("mailto:") {
        url
    } else {
        "#"
    }
}

/// Markdown to HTML that is safe to insert into a page: raw HTML in the source is shown as
/// text (never interpreted), and link and image addresses pass [`safe_url`]. Everything
/// else is escaped by the renderer.
pub fn render_markdown(markdown: &str) -> String {
    let events = parser(markdown).map(|event| match event {
        Event::Html(html) | Event::InlineHtml(html) => Event::Text(html),
        Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
            let safe = safe_url(&dest_url).to_string();
            Event::Start(Tag::Link { link_type, dest_url: CowStr::from(safe), title, id })
        }
        Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
            let safe = safe_url(&dest_url).to_string();
            Event::Start(Tag::Image { link_type, dest_url: CowStr::from(safe), title, id })
        }
        other => other,
    });
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events);
    html
}

/// The article as plain text, for pasting into a reply: paragraphs separated by a blank
/// line, list items as "- ", links as "text (address)", no Markdown syntax left.
pub fn plain_text(markdown: &str) -> String {
    let mut out = String::new();
    let mut link: Vec<String> = Vec::new();
    let mut ordered: Vec<Option<u64>> = Vec::new();
    for event in parser(markdown) {
        match event {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => out.push_str(&t),
            Event::SoftBreak => out.push(' '),
            Event::HardBreak => out.push('\n'),
            Event::Start(Tag::List(start)) => ordered.push(start),
            Event::End(TagEnd::List(_)) => {
                ordered.pop();
                if ordered.is_empty() {
                    out.push('\n');
                }
            }
            Event::Start(Tag::Item) => {
                if !out.is_empty() && !out.ends_with('\n') {
                    out.push('\n');
                }
                out.push_str(&"  ".repeat(ordered.len().saturating_sub(1)));
                match ordered.last_mut() {
                    Some(Some(n)) => {
                        out.push_str(&format!("{n}. "));
                        *n += 1;
                    }
                    _ => out.push_str("- "),
                }
            }
            Event::Start(Tag::Link { dest_url, .. }) => link.push(dest_url.to_string()),
            Event::End(TagEnd::Link) => {
                if let Some(url) = link.pop() {
                    if !out.ends_with(&url) {
                        out.push_str(&format!(" ({url})"));
                    }
                }
            }
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::CodeBlock | TagEnd::Item | TagEnd::TableRow) => {
                if ordered.is_empty() {
                    out.push_str("\n\n");
                } else if !out.ends_with('\n') {
                    out.push('\n');
                }
            }
            Event::End(TagEnd::TableCell) => out.push('\t'),
            _ => {}
        }
    }
    let mut text = out.trim().to_string();
    while text.contains("\n\n\n") {
        text = text.replace("\n\n\n", "\n\n");
    }
    text
}

/// One line of a diff between two revisions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum DiffLine {
    Same(String),
    Added(String),
    Removed(String),
}

/// The line-by-line difference from `old` to `new`: a longest common subsequence of lines,
/// after the common beginning and end are set aside (so the usual small edit of a long
/// article costs little). Reading the `Same` and `Removed` lines gives `old` back; reading
/// `Same` and `Added` gives `new`.
pub fn diff_lines(old: &str, new: &str) -> Vec<DiffLine> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..].iter().rev().zip(b[prefix..].iter().rev()).take_while(|(x, y)| x == y).count();
    let (ma, mb) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    // lcs[i][j]: length of the longest common subsequence of ma[i..] and mb[j..].
    let mut lcs = vec![vec![0u32; mb.len() + 1]; ma.len() + 1];
    for i in (0..ma.len()).rev() {
        for j in (0..mb.len()).rev() {
            lcs[i][j] = if ma[i] == mb[j] { lcs[i + 1][j + 1] + 1 } else { lcs[i + 1][j].max(lcs[i][j + 1]) };
        }
    }
    let mut out: Vec<DiffLine> = a[..prefix].iter().map(|l| DiffLine::Same(l.to_string())).collect();
    let (mut i, mut j) = (0, 0);
    while i < ma.len() || j < mb.len() {
        if i < ma.len() && j < mb.len() && ma[i] == mb[j] {
            out.push(DiffLine::Same(ma[i].to_string()));
            i += 1;
            j += 1;
        } else if j < mb.len() && (i == ma.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            out.push(DiffLine::Added(mb[j].to_string()));
            j += 1;
        } else {
            out.push(DiffLine::Removed(ma[i].to_string()));
            i += 1;
        }
    }
    out.extend(a[a.len() - suffix..].iter().map(|l| DiffLine::Same(l.to_string())));
    out
}

/// The words of a search as typed: lower case, letters and digits only (so they are safe
/// inside a `to_tsquery` expression), at most 8 words of at most 40 characters.
pub fn search_terms(query: &str) -> Vec<String> {
    query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.chars().take(40).collect::<String>().to_lowercase())
        .take(8)
        .collect()
}

/// The `to_tsquery` expression for search as you type: every word must match, and the last
/// one may be unfinished (`reset & passw:*`). `None` when there is nothing to search for.
pub fn prefix_tsquery(terms: &[String]) -> Option<String> {
    let (last, rest) = terms.split_last()?;
    let mut parts: Vec<String> = rest.to_vec();
    parts.push(format!("{last}:*"));
    Some(parts.join(" & "))
}

/// Where PostgreSQL's `ts_headline` marks a match (see the search query); control
/// characters that never occur in stored text.
pub const MARK_START: char = '\u{2}';
pub const MARK_END: char = '\u{3}';

/// A search snippet as pieces of text, each marked or not, so that the page renders the
/// highlight as `<mark>` without ever treating article text as HTML.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Snippet(pub Vec<(String, bool)>);

impl Snippet {
    pub fn parse(headline: &str) -> Snippet {
        let mut pieces: Vec<(String, bool)> = Vec::new();
        let mut marked = false;
        let mut current = String::new();
        for c in headline.chars() {
            if c == MARK_START || c == MARK_END {
                if !current.is_empty() {
                    pieces.push((std::mem::take(&mut current), marked));
                }
                marked = c == MARK_START;
            } else if !c.is_control() || c == ' ' {
                current.push(if c == '\n' { ' ' } else { c });
            } else {
                current.push(' ');
            }
        }
        if !current.is_empty() {
            pieces.push((current, marked));
        }
        Snippet(pieces)
    }

    pub fn text(&self) -> String {
        self.0.iter().map(|(t, _)| t.as_str()).collect()
    }
}

/// The Markdown of a new draft started from a dialogue: the customer's question, then the
/// answer the agent gave, for an editor to turn into an article.
pub fn draft_from_dialogue(question: &str, answer: &str) -> String {
    let quote = |s: &str| s.trim().lines().map(|l| format!("> {l}")).collect::<Vec<_>>().join("\n");
    let answer = if answer.trim().is_empty() { "_Write the answer here._".to_string() } else { answer.trim().to_string() };
    format!("## Question\n\n{}\n\n## Answer\n\n{answer}\n", quote(question))
}

/// Checks an article's title and body as submitted; returns them trimmed.
pub fn validate_article(title: &str, body: &str) -> Result<(String, String), String> {
    let title: String = title.chars().filter(|c| !c.is_control()).collect::<String>().trim().to_string();
    if title.is_empty() {
        return Err("Give the article a title.".into());
    }
    if title.chars().count() > MAX_TITLE {
        return Err(format!("A title has at most {MAX_TITLE} characters."));
    }
    let body: String = body.chars().filter(|c| !c.is_control() || *c == '\n' || *c == '\t').collect();
    if body.chars().count() > MAX_BODY {
        return Err(format!("An article has at most {MAX_BODY} characters."));
    }
    Ok((title, body.trim_end().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn markdown_renders_and_raw_html_is_only_text() {
        let html = render_markdown("# Reset\n\nClick **Forgot password**.\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>");
        assert!(html.contains("<h1>Reset</h1>"));
        assert!(html.contains("<strong>Forgot password</strong>"));
        assert!(!html.contains("<script"));
        assert!(html.contains("&lt;script&gt;"));
        assert!(!html.contains("<img src=x"));
    }

    #[test]
    fn dangerous_links_are_neutralised() {
        assert!(render_markdown("[x](javascript:alert(1))").contains("href=\"#\""));
        assert!(render_markdown("[x](JavaScript:alert(1))").contains("href=\"#\""));
        assert!(render_markdown("![x](data:text/html;base64,AAAA)").contains("src=\"#\""));
        assert!(render_markdown("[x](https://example.com/a?b=1)").contains("href=\"https://example.com/a?b=1\""));
        assert!(render_markdown("[x](/help/articles/3)").contains("href=\"/help/articles/3\""));
        assert!(render_markdown("[x](mailto:help@example.com)").contains("mailto:help@example.com"));
        assert_eq!(safe_url("page#a:b"), "page#a:b");
    }

    #[test]
    fn plain_text_reads_like_a_reply() {
        let text = plain_text("## Steps\n\n1. Open **Settings**.\n2. Click [Reset](https://x.test/r).\n\nDone.");
        assert_eq!(text, "Steps\n\n1. Open Settings.\n2. Click Reset (https://x.test/r).\n\nDone.");
        assert_eq!(plain_text("- a\n- b"), "- a\n- b");
    }

    #[test]
    fn diff_of_a_small_edit() {
        let d = diff_lines("a\nb\nc\nd", "a\nB\nc\nd\ne");
        assert_eq!(
            d,
            vec![
                DiffLine::Same("a".into()),
                DiffLine::Added("B".into()),
                DiffLine::Removed("b".into()),
                DiffLine::Same("c".into()),
                DiffLine::Same("d".into()),
                DiffLine::Added("e".into()),
            ]
        );
        assert!(diff_lines("same\ntext", "same\ntext").iter().all(|l| matches!(l, DiffLine::Same(_))));
    }

    #[test]
    fn search_terms_and_prefix_query() {
        let terms = search_terms("  Reset PASSW'ord; drop table--");
        assert_eq!(terms, ["reset", "passw", "ord", "drop", "table"]);
        assert_eq!(prefix_tsquery(&search_terms("reset passw")).as_deref(), Some("reset & passw:*"));
        assert_eq!(prefix_tsquery(&search_terms(" !! ")), None);
        assert_eq!(search_terms("a b c d e f g h i j").len(), 8);
    }

    #[test]
    fn snippets_keep_text_and_marks_apart() {
        let s = Snippet::parse("To \u{2}reset\u{3} your <b>password</b>");
        assert_eq!(s.0, vec![("To ".into(), false), ("reset".into(), true), (" your <b>password</b>".into(), false)]);
        assert_eq!(s.text(), "To reset your <b>password</b>");
    }

    #[test]
    fn a_draft_from_a_dialogue_quotes_the_question() {
        let md = draft_from_dialogue("How do I export?\nThanks", "Go to Settings → Export.");
        assert!(md.starts_with("## Question\n\n> How do I export?\n> Thanks\n\n## Answer\n\nGo to Settings → Export."));
    }

    #[test]
    fn validation_refuses_what_does_not_fit() {
        assert!(validate_article("  ", "body").is_err());
        assert!(validate_article(&"t".repeat(201), "body").is_err());
        assert!(validate_article("t", &"b".repeat(MAX_BODY + 1)).is_err());
        assert_eq!(validate_article(" Title\u{7} ", "body\n\n").unwrap(), ("Title".into(), "body".into()));
    }

    fn side(lines: &[DiffLine], keep_added: bool) -> Vec<String> {
        lines
            .iter()
            .filter_map(|l| match l {
                DiffLine::Same(s) => Some(s.clone()),
                DiffLine::Added(s) if keep_added => Some(s.clone()),
                DiffLine::Removed(s) if !keep_added => Some(s.clone()),
                _ => None,
            })
            .collect()
    }

    proptest! {
        #[test]
        fn a_diff_gives_back_both_texts(a in prop::collection::vec("[abc]{0,2}", 0..12), b in prop::collection::vec("[abc]{0,2}", 0..12)) {
            let (old, new) = (a.join("\n"), b.join("\n"));
            let d = diff_lines(&old, &new);
            prop_assert_eq!(side(&d, false), old.lines().map(String::from).collect::<Vec<_>>());
            prop_assert_eq!(side(&d, true), new.lines().map(String::from).collect::<Vec<_>>());
        }

        #[test]
        fn rendered_markdown_has_only_the_renderers_own_tags(s in "[<>a-z =\"'/:\\[\\]()!*#\n-]{0,80}") {
            const ALLOWED: [&str; 26] = ["p", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "a", "img", "ul", "ol", "li",
                "code", "pre", "blockquote", "hr", "br", "table", "thead", "tbody", "tr", "th", "td", "del"];
            let html = render_markdown(&s);
            for (i, _) in html.match_indices('<') {
                let name: String = html[i + 1..].trim_start_matches('/').chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
                prop_assert!(ALLOWED.contains(&name.as_str()), "<{} in {}", name, html);
            }
            prop_assert!(!html.contains("href=\"javascript") && !html.contains("src=\"javascript"));
        }

        #[test]
        fn search_terms_are_tsquery_safe(s in ".{0,60}") {
            for t in search_terms(&s) {
                prop_assert!(t.chars().all(char::is_alphanumeric));
            }
        }
    }
}
