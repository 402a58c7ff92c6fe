//! Markdown to HTML that is safe to insert into a page: raw HTML in the source is shown as text,
//! and links or images with a scheme other than http, https, mailto or a relative path are dropped.

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, html};

/// Both languages of a text, rendered: `{"vi": html, "en": html}`.
pub fn render_text(t: &drillboard_scenario::Text) -> serde_json::Value {
    serde_json::json!({"vi": render(&t.vi), "en": render(&t.en)})
}

/// Render Markdown safely.
pub fn render(src: &str) -> String {
    let parser =
        Parser::new_ext(src, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH).map(|event| {
            match event {
                Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }) => Event::Start(Tag::Link {
                    link_type,
                    dest_url: safe_url(dest_url),
                    title,
                    id,
                }),
                Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }) => Event::Start(Tag::Image {
                    link_type,
                    dest_url: safe_url(dest_url),
                    title,
                    id,
                }),
                other => other,
            }
        });
    let mut out = String::new();
    html::push_html(&mut out, parser);
    out
}

fn safe_url(url: CowStr<'_>) -> CowStr<'_> {
    let lower: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_lowercase();
    let scheme = lower.split_once(':').map(|(s, _)| s);
    let relative = scheme.is_none()
        || lower
            .split_once(':')
            .is_some_and(|(s, _)| s.contains('/') || s.contains('?') || s.contains('#'));
    if relative || matches!(scheme, Some("http" | "https" | "mailto")) {
        url
    } else {
        CowStr::Borrowed("#")
    }
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn neutralises_html_and_script_links() {
        let out = render(
            "hi <script>alert(1)</script> <img src=x onerror=alert(1)>\n\n[a](javascript:alert(1)) [b](JaVaScRiPt:alert(1)) [c](java\tscript:x) ![i](data:text/html,x) [ok](https://x.example/a) [rel](/files/a.zip)",
        );
        assert!(!out.contains("<script"), "{out}");
        assert!(!out.contains("<img src=\"x\""), "{out}");
        assert!(out.contains("&lt;script&gt;"));
        assert!(!out.to_lowercase().contains("javascript:"), "{out}");
        assert!(!out.contains("data:text"), "{out}");
        assert!(out.contains("href=\"https://x.example/a\""));
        assert!(out.contains("href=\"/files/a.zip\""));
    }
}
