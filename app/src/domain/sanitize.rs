//! What customers send, made safe before it is stored or shown: HTML through an allow-list,
//! text without control characters and cut at the longest kept, file names and content types
//! that cannot break a header. Pure.

use super::channels::MAX_TEXT_CHARS;

/// Customer HTML made safe to show: an allow-list of formatting tags and attributes; no
/// scripts, styles, event handlers, forms or `javascript:` URLs; links open safely.
pub fn sanitize_html(html: &str) -> String {
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer nofollow"))
        .url_schemes(["http", "https", "mailto", "cid"].into_iter().collect())
        .clean(html)
        .to_string()
}

/// Customer text as stored: control characters (but newlines and tabs) removed, CRLF
/// folded, trimmed, and cut at the longest text kept.
pub fn clean_text(text: &str) -> String {
    let text: String = text
        .replace("\r\n", "\n")
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect();
    let text = text.trim();
    if text.chars().count() > MAX_TEXT_CHARS {
        let cut: String = text.chars().take(MAX_TEXT_CHARS).collect();
        format!("{cut}\n[…the rest of this message was cut]")
    } else {
        text.to_string()
    }
}

pub fn display_name(name: &str, fallback: &str) -> String {
    let name = clean_text(name);
    let name = if name.is_empty() { fallback.to_string() } else { name };
    name.chars().take(200).collect()
}

pub fn subject_for(subject: &str, text: &str) -> String {
    let subject = clean_text(subject).replace('\n', " ");
    let subject = if subject.is_empty() { text.lines().next().unwrap_or_default().to_string() } else { subject };
    let mut s: String = subject.chars().take(200).collect();
    if s.is_empty() {
        s = "(no subject)".into();
    }
    s
}

/// A file name safe to show and to send back in `Content-Disposition`.
pub fn clean_filename(name: &str) -> String {
    let name = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let name: String = name.chars().filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>')).take(200).collect();
    let name = name.trim().to_string();
    if name.is_empty() {
        "attachment".into()
    } else {
        name
    }
}

/// A content type we can send back as it came, or `application/octet-stream`.
pub fn clean_content_type(ct: &str) -> String {
    let ct = ct.trim().to_ascii_lowercase();
    let ok = !ct.is_empty() && ct.len() <= 100 && ct.contains('/') && ct.chars().all(|c| c.is_ascii_alphanumeric() || "/.+-".contains(c));
    if ok {
        ct
    } else {
        "application/octet-stream".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitizing_removes_everything_that_runs() {
        for payload in [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<svg><script>alert(1)</script></svg>",
            "<iframe src=\"https://evil\"></iframe>",
            "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
            "<body onload=alert(1)>",
            "<style>*{}</style><form action=x><input></form>",
        ] {
            let clean = sanitize_html(payload).to_lowercase();
            assert!(!clean.contains("<script"), "{payload} → {clean}");
            assert!(!clean.contains("onerror") && !clean.contains("onload"), "{payload} → {clean}");
            assert!(!clean.contains("javascript:"), "{payload} → {clean}");
            assert!(!clean.contains("<iframe") && !clean.contains("<form") && !clean.contains("<style"), "{payload} → {clean}");
        }
        assert_eq!(sanitize_html("<p>Hi <b>there</b></p>"), "<p>Hi <b>there</b></p>");
    }

    #[test]
    fn text_is_cleaned() {
        assert_eq!(clean_text(" a\r\nb\u{0}\u{7} "), "a\nb");
        assert!(clean_text(&"x".repeat(MAX_TEXT_CHARS + 5)).ends_with("cut]"));
        assert_eq!(clean_filename("../../etc/pa\"ss<wd>"), "passwd");
        assert_eq!(clean_filename(""), "attachment");
        assert_eq!(clean_content_type("image/png"), "image/png");
        assert_eq!(clean_content_type("text/html; charset=x"), "application/octet-stream");
    }
}
