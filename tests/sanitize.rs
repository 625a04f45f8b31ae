//! Untrusted content cannot run code in readers' browsers; `trusted_html: true` lets
//! raw HTML through for sites whose every author is trusted.

mod common;

use common::Site;

const HOSTILE_BODY: &str = "---\ntitle: Hostile note\n---\n\n\
<script>alert(1)</script>\n\n\
<img src=\"x.png\" onerror=\"alert(2)\">\n\n\
[click me](javascript:alert(3)) and <a href=\"javascript:alert(4)\">raw link</a>\n\n\
<iframe src=\"https://evil.example/\"></iframe>\n\n\
<p onclick=\"alert(5)\">Plain words survive.</p>\n";

#[test]
fn scripts_handlers_and_javascript_links_are_removed() {
    let site = Site::from_files(&[("notes/hostile.md", HOSTILE_BODY)]);
    let page = site.build().page("notes/hostile/index.html");
    let content = page.section(r#"<div class="content">"#, "</div>\n");
    content
        .lacks("<script")
        .lacks("onerror")
        .lacks("onclick")
        .lacks("javascript:")
        .lacks("<iframe")
        // The harmless parts stay.
        .contains("click me")
        .contains("raw link")
        .contains("Plain words survive.")
        .contains(r#"<img src="x.png">"#);
    page.lacks("<script")
        .lacks("onerror")
        .lacks("javascript:")
        .lacks("<iframe");
}

#[test]
fn trusted_html_lets_raw_html_through() {
    let site = Site::from_files(&[
        ("cyclebook.yml", "title: Trusted\ntrusted_html: true\n"),
        ("notes/hostile.md", HOSTILE_BODY),
    ]);
    site.build()
        .page("notes/hostile/index.html")
        .contains("<script>alert(1)</script>")
        .contains(r#"onerror="alert(2)""#)
        .contains(r#"<a href="javascript:alert(4)">raw link</a>"#)
        .contains("<iframe");
}

#[test]
fn front_matter_text_is_escaped_on_every_page() {
    let site = Site::from_files(&[
        (
            "cycles/x.md",
            "---\ntitle: \"<img src=x onerror=alert(1)>\"\nstatus: doing\nsummary: \"<script>alert(2)</script>\"\ntags: [\"<b>bold</b>\"]\n---\n",
        ),
        ("notes/n.md", "---\ntitle: N\n---\n\nSee [[x]].\n"),
    ]);
    let built = site.build();
    let mut pages = 0;
    for (name, bytes) in built.tree() {
        if !name.ends_with(".html") {
            continue;
        }
        pages += 1;
        let html = String::from_utf8(bytes).unwrap();
        assert!(
            !html.contains("<img src=x"),
            "{name} has unescaped front matter:\n{html}"
        );
        assert!(
            !html.contains("<script>alert"),
            "{name} has unescaped front matter:\n{html}"
        );
        assert!(
            !html.contains("<b>bold</b>"),
            "{name} has an unescaped tag:\n{html}"
        );
    }
    assert!(pages > 5);
    built
        .page("cycles/x/index.html")
        .contains("<h1>&lt;img src=x onerror=alert(1)&gt;</h1>");
    // The wiki link shows the title as text.
    built
        .page("notes/n/index.html")
        .contains("&lt;img src=x onerror=alert(1)&gt;</a>");
}

#[test]
fn markdown_attributes_and_table_styles_carry_nothing_that_runs() {
    let site = Site::from_files(&[(
        "notes/n.md",
        "---\ntitle: N\n---\n\n## Plan {#plan .wide onclick=alert(1) style=position:fixed}\n\n\
| a | b |\n|:-:|---|\n| <span style=\"position:fixed\">1</span> | <td style=\"color:red\">2 |\n\n\
[x](javascript:alert(2) \"t\") ![y](javascript:alert(3))\n",
    )]);
    let page = site.build().page("notes/n/index.html");
    let content = page.section(r#"<div class="content">"#, "</div>\n");
    content
        .contains(r#"<h2 id="plan" class="wide">Plan</h2>"#)
        .contains(r#"<th style="text-align:center">a</th>"#)
        .lacks("onclick")
        .lacks("position:fixed")
        .lacks("color:red")
        .lacks("javascript:");
}

#[test]
fn raw_html_nested_past_reason_is_shown_as_text_not_parsed() {
    let body = format!(
        "---\ntitle: N\n---\n\n{}<img src=x onerror=alert(1)>{}\n",
        "<div>".repeat(1_000),
        "</div>".repeat(1_000)
    );
    let site = Site::from_files(&[("notes/n.md", body.as_str())]);
    let page = site.build().page("notes/n/index.html");
    page.lacks("<img src=x")
        .contains("&lt;div&gt;&lt;div&gt;")
        .contains("&lt;img src=x onerror=alert(1)&gt;");
}
