//! Hostile content: a site written by many hands must never run code in readers'
//! browsers, read files outside itself, destroy files, hang, or crash.
//!
//! - XSS: known payload classes in every place content reaches a page (bodies, titles,
//!   tags, summaries, team names, predictions, driver titles, CSV notes, measure units
//!   and definitions, `cyclebook.yml`, git commit messages), checked on every built
//!   page, SVG and feed by a small HTML tokenizer ([`assert_inert`]).
//! - Paths: links, chart blocks, themes and symbolic links cannot reach outside the
//!   site; odd file names cannot place output outside the output folder; `-o` refuses
//!   files, the site, the file system's root and folders cyclebook did not make.
//! - Limits: YAML alias bombs, huge and deeply nested files, other encodings, NUL
//!   bytes, byte-order marks, CRLF line endings, tabs, empty files.

mod common;

use common::{cyclebook, entries, place, render_all, tree, Site};
use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------
// Payloads
// ---------------------------------------------------------------------------------

/// One-line payloads: used in Markdown bodies and in every front-matter text, CSV note
/// and `cyclebook.yml` text.
const PAYLOADS: &[&str] = &[
    // Script tags, in every case and spacing, and split to survive naive filters.
    "<script>alert('xss-script')</script>",
    "<SCRIPT>alert('xss-upper')</SCRIPT>",
    "<ScRiPt >alert('xss-mixed')</sCrIpT >",
    "<script/src=//evil.example/x.js></script>",
    "<script src=\"data:text/javascript,alert('xss-src')\"></script>",
    "<scr<script>ipt>alert('xss-split')</scr</script>ipt>",
    "<<script>script>alert('xss-double')<</script>/script>",
    // Event handlers on images, SVG, body, details and anything else.
    "<img src=x onerror=alert('xss-img')>",
    "<img src=\"x\" ONERROR=\"alert('xss-img-upper')\">",
    "<img/src=x/onerror=alert('xss-img-slash')>",
    "<img src=x onerror  =  alert('xss-img-space')>",
    "<svg onload=alert('xss-svg')>",
    "<svg/onload=alert('xss-svg-slash')>",
    "<body onload=alert('xss-body')>",
    "<details open ontoggle=alert('xss-details')>",
    "<div onmouseover=\"alert('xss-hover')\">hover me</div>",
    "<a href=\"#\" onclick=\"alert('xss-click')\">click</a>",
    "<input type=checkbox onclick=alert('xss-input') autofocus onfocus=alert('xss-focus')>",
    "<video><source onerror=\"alert('xss-source')\"></video>",
    "<marquee onstart=alert('xss-marquee')>m</marquee>",
    // Dangerous URLs, spelled every way a browser still understands.
    "<a href=\"javascript:alert('xss-js')\">js</a>",
    "<a href=\"JaVaScRiPt:alert('xss-js-case')\">js</a>",
    "<a href=\" javascript:alert('xss-js-space')\">js</a>",
    "<a href=\"jav&#x09;ascript:alert('xss-js-tab')\">js</a>",
    "<a href=\"jav&#9;ascript:alert('xss-js-tab10')\">js</a>",
    "<a href=\"jav&Tab;ascript:alert('xss-js-named')\">js</a>",
    "<a href=\"javascript&colon;alert('xss-js-colon')\">js</a>",
    "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert('xss-js-dec')\">js</a>",
    "<a href=\"&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert('xss-js-hex')\">js</a>",
    "<a href=\"vbscript:msgbox('xss-vb')\">vb</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">data</a>",
    "<a href=\"DATA:text/html,<script>alert('xss-data')</script>\">data</a>",
    "<img src=\"javascript:alert('xss-img-js')\">",
    "<img src=\"x.png\" srcset=\"javascript:alert('xss-srcset') 1x\">",
    // Frames, plugins and the things that reconfigure the page.
    "<iframe src=\"https://evil.example/\"></iframe>",
    "<iframe srcdoc=\"<script>alert('xss-srcdoc')</script>\"></iframe>",
    "<iframe src=\"data:text/html,<script>alert('xss-iframe-data')</script>\"></iframe>",
    "<object data=\"javascript:alert('xss-object')\"></object>",
    "<embed src=\"javascript:alert('xss-embed')\">",
    "<base href=\"https://evil.example/\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert('xss-meta')\">",
    "<link rel=\"stylesheet\" href=\"javascript:alert('xss-link')\">",
    "<form action=\"javascript:alert('xss-form')\"><button formaction=\"javascript:alert('xss-button')\">go</button></form>",
    "<isindex action=javascript:alert('xss-isindex') type=image>",
    // Style: scripts in CSS, and page-covering overlays for phishing.
    "<style>body{background:url(\"javascript:alert('xss-style')\")}</style>",
    "<p style=\"position:fixed;top:0;left:0;width:100%;height:100%\">overlay</p>",
    "<div style=\"background-image:url(javascript:alert('xss-style-attr'))\">bg</div>",
    "<p style=\"color:expression(alert('xss-expression'))\">ie</p>",
    "<td style=\"position:fixed;text-align:left\">cell</td>",
    // SVG and MathML: foreign content and namespace confusion (mXSS).
    "<svg><script>alert('xss-svg-script')</script></svg>",
    "<svg><a xlink:href=\"javascript:alert('xss-xlink')\"><text x=\"0\" y=\"10\">x</text></a></svg>",
    "<svg><animate attributeName=\"href\" values=\"javascript:alert('xss-animate')\"/></svg>",
    "<svg><set attributeName=\"onmouseover\" to=\"alert('xss-set')\"/></svg>",
    "<svg><use href=\"data:image/svg+xml,<svg id='x' xmlns='http://www.w3.org/2000/svg'><image href='1' onerror='alert(1)'/></svg>#x\"/></svg>",
    "<svg><foreignObject><iframe src=\"javascript:alert('xss-foreign')\"></iframe></foreignObject></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('xss-mglyph')></style></mglyph></table></mtext></math>",
    "<math><a xlink:href=\"javascript:alert('xss-math')\">m</a></math>",
    "<math><maction actiontype=\"statusline\" xlink:href=\"javascript:alert('xss-maction')\">x</maction></math>",
    "<form><math><mtext></form><form><mglyph><svg><mtext><style><path id=\"</style><img onerror=alert('xss-form-math') src>\">",
    // Raw-text elements and comments that end early.
    "<noscript><p title=\"</noscript><img src=x onerror=alert('xss-noscript')>\"></noscript>",
    "<template><script>alert('xss-template')</script></template>",
    "<xmp><img src=x onerror=alert('xss-xmp')></xmp>",
    "<textarea><img src=x onerror=alert('xss-textarea')></textarea>",
    "<title><img src=x onerror=alert('xss-title')></title>",
    "<!-- x --><script>alert('xss-comment')</script>",
    "<!--><img src=x onerror=alert('xss-comment-short')>-->",
    "<!-- --!><img src=x onerror=alert('xss-comment-bang')> -->",
    "<!--[if gte IE 4]><script>alert('xss-conditional')</script><![endif]-->",
    "<![CDATA[<script>alert('xss-cdata')</script>]]>",
    // Breaking out of attributes and elements that templates put text into.
    "\"><script>alert('xss-attr-dq')</script>",
    "'><script>alert('xss-attr-sq')</script>",
    "\" onmouseover=\"alert('xss-attr-handler')",
    "' onmouseover='alert(1)' x='",
    "</title><script>alert('xss-end-title')</script>",
    "</textarea></style></script><script>alert('xss-end-all')</script>",
    "]]></content><script>alert('xss-end-feed')</script>",
    "{{ site.title }}{% raw %}<script>alert('xss-template-syntax')</script>",
    // Markdown's own ways to write links and images.
    "[md link](javascript:alert('xss-md-link'))",
    "[md angle](<javascript:alert('xss-md-angle')>)",
    "[md case](JAVASCRIPT:alert('xss-md-case'))",
    "[md colon](javascript&colon;alert('xss-md-colon'))",
    "[md vb](vbscript:msgbox('xss-md-vb'))",
    "[md data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![md image](javascript:alert('xss-md-image'))",
    "[md title](https://ok.example/ \"a\\\" onmouseover=\\\"alert('xss-md-title')\")",
    "<javascript:alert('xss-autolink')>",
    "<vbscript:msgbox('xss-autolink-vb')>",
    "<data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==>",
    "[[p0|<img src=x onerror=alert('xss-wiki-label')>]]",
];

/// Payloads that `check` reports as broken links (E0202), so a site holding them is not
/// built: they are checked where they are rendered, and for the error.
const REJECTED_LINKS: &[&str] = &[
    "[md entity](jav&#x09;ascript:alert('xss-md-entity'))",
    "![md image onerror](x.png\"onerror=\"alert('xss-md-quote'))",
    "[[javascript:alert('xss-wiki-id')]]",
    "[ref entity][evil2]\n\n[evil2]: jav&#x09;ascript:alert('xss-md-ref-entity')",
    "[up](../../../../etc/passwd)",
    "![up](../../../../etc/passwd.png)",
];

/// The payload holding `marker`.
fn payload(marker: &str) -> &'static str {
    PAYLOADS
        .iter()
        .find(|p| p.contains(marker))
        .unwrap_or_else(|| panic!("no payload with {marker}"))
}

/// Payloads that need Markdown structure around them (several lines, reference
/// definitions, heading attributes, code): used in bodies only.
const BODY_PAYLOADS: &[&str] = &[
    "[ref link][evil]\n\n[evil]: javascript:alert('xss-md-ref')",
    "## Heading {onclick=alert('xss-heading-attr') style=position:fixed}",
    "## Other heading {#x .y onmouseover=alert('xss-heading-attr2')}",
    "<div\nonmouseover=\"alert('xss-newline-attr')\">split over lines</div>",
    "<a href=\"java\nscript:alert('xss-newline-url')\">split url</a>",
    "<script\n>alert('xss-newline-script')</script\n>",
    "<svg>\n<script>\nalert('xss-svg-lines')\n</script>\n</svg>",
    "```html\n<script>alert('shown-as-code')</script>\n```",
    "| a | b |\n|---|:-:|\n| <img src=x onerror=alert('xss-table')> | <span style=\"position:fixed\">c</span> |",
    "- [x] <input type=checkbox onclick=alert('xss-task')>done",
    "Footnote[^evil].\n\n[^evil]: <img src=x onerror=alert('xss-footnote')>",
    "\u{E000}0\u{E000}",
];

// ---------------------------------------------------------------------------------
// Checking pages: a small tokenizer that finds what would run in a browser
// ---------------------------------------------------------------------------------

/// The `<script>` and `<style>` blocks of the default theme: the only ones allowed.
fn theme_blocks() -> BTreeSet<String> {
    fn walk(dir: &Path, out: &mut BTreeSet<String>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if let Ok(text) = fs::read_to_string(&path) {
                for tag in ["script", "style"] {
                    let lower = text.to_ascii_lowercase();
                    let mut at = 0;
                    while let Some(i) = lower[at..].find(&format!("<{tag}")) {
                        let start = at + i;
                        let end = lower[start..]
                            .find(&format!("</{tag}>"))
                            .map_or(text.len(), |e| start + e + tag.len() + 3);
                        out.insert(text[start..end].to_string());
                        at = end;
                    }
                }
                // The theme's own forms (the search forms): their opening tags.
                let mut at = 0;
                while let Some(i) = text[at..].find("<form ") {
                    let start = at + i;
                    let end = text[start..]
                        .find('>')
                        .map_or(text.len(), |e| start + e + 1);
                    out.insert(text[start..end].to_string());
                    at = end;
                }
            }
        }
    }
    let mut blocks = BTreeSet::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates"),
        &mut blocks,
    );
    blocks
}

/// Whether `found` is one of the theme's blocks (or form tags), where each `{{ root }}`
/// of the template became the page's way to the site root: `""`, `../` repeated, or an
/// absolute path (`/`, `/ward9/`) on `404.html`.
fn is_theme_block(found: &str, allowed: &BTreeSet<String>) -> bool {
    fn is_root(r: &str) -> bool {
        let relative = r.len().is_multiple_of(3) && r.as_bytes().chunks(3).all(|c| c == b"../");
        let absolute = r.starts_with('/')
            && r.ends_with('/')
            && (r == "/" || !r.contains("//"))
            && r.split('/').all(|s| {
                s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            });
        relative || absolute
    }
    fn matches(found: &str, parts: &[&str]) -> bool {
        match parts {
            [] => found.is_empty(),
            [last] => found == *last,
            [part, rest @ ..] => {
                let Some(after) = found.strip_prefix(part) else {
                    return false;
                };
                // The root is some (short) text before the next literal part.
                (0..=after.len().min(200))
                    .filter(|i| after.is_char_boundary(*i))
                    .any(|i| is_root(&after[..i]) && matches(&after[i..], rest))
            }
        }
    }
    allowed.contains(found)
        || allowed.iter().any(|block| {
            block.contains("{{ root }}")
                && matches(found, &block.split("{{ root }}").collect::<Vec<_>>())
        })
}

/// Decodes the character references a browser decodes in an attribute value.
fn decode_entities(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i + 1..];
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '#'))
            .unwrap_or(rest.len());
        let name = &rest[..end];
        let decoded = if let Some(num) = name.strip_prefix("#x").or(name.strip_prefix("#X")) {
            u32::from_str_radix(num, 16).ok().and_then(char::from_u32)
        } else if let Some(num) = name.strip_prefix('#') {
            num.parse::<u32>().ok().and_then(char::from_u32)
        } else {
            match name {
                "colon" => Some(':'),
                "Tab" => Some('\t'),
                "NewLine" => Some('\n'),
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "lpar" => Some('('),
                "rpar" => Some(')'),
                "sol" => Some('/'),
                _ => None,
            }
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end..];
                rest = rest.strip_prefix(';').unwrap_or(rest);
            }
            None => out.push('&'),
        }
    }
    out.push_str(rest);
    out
}

/// A URL as a browser reads its scheme: entities decoded, tabs, newlines and control
/// characters removed, lower case.
fn url_scheme_view(value: &str) -> String {
    decode_entities(value)
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase()
}

const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "srcset",
    "action",
    "formaction",
    "xlink:href",
    "data",
    "poster",
    "background",
    "cite",
    "codebase",
    "manifest",
    "lowsrc",
    "dynsrc",
    "ping",
    "values",
    "to",
    "from",
    "by",
    "content",
];

const FORBIDDEN_ELEMENTS: &[&str] = &[
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "base",
    "form",
    "isindex",
    "portal",
    "math",
    "noscript",
    "template",
    "xmp",
    "noembed",
    "noframes",
    "plaintext",
    "textarea",
    "keygen",
    "listing",
    "marquee",
    "video",
    "audio",
    "source",
    "foreignobject",
    "animate",
    "set",
    "use",
    "handler",
    "listener",
];

/// Asserts that nothing in `html` (a page, an SVG file or a feed) would run code or
/// take over the page: no script or style but the theme's, no event handler, no
/// `javascript:`, `vbscript:` or `data:` HTML URL, no frame, plugin, form, `<base>` or
/// refresh, no style attribute but Markdown's table alignment.
#[track_caller]
fn assert_inert(name: &str, html: &str, allowed_blocks: &BTreeSet<String>) {
    let fail = |why: String, at: usize| -> ! {
        let from = html[..at]
            .char_indices()
            .rev()
            .nth(200)
            .map_or(0, |(i, _)| i);
        let to = html[at..]
            .char_indices()
            .nth(300)
            .map_or(html.len(), |(i, _)| at + i);
        panic!("{name}: {why}\n…{}…", &html[from..to]);
    };
    let bytes = html.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'<' {
            i += 1;
            continue;
        }
        if html[i..].starts_with("<!--") {
            i = html[i + 4..]
                .find("-->")
                .map_or(bytes.len(), |e| i + 4 + e + 3);
            continue;
        }
        if html[i..].starts_with("<![CDATA[") {
            fail("CDATA section in the output".into(), i);
        }
        let Some(&next) = bytes.get(i + 1) else { break };
        if !next.is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        let name_end = html[i..]
            .find(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>')
            .map_or(bytes.len(), |e| i + e);
        let tag = html[i..name_end].to_ascii_lowercase();
        i = name_end;
        let mut attributes: Vec<(String, String)> = Vec::new();
        loop {
            while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
                i += 1;
            }
            if i >= bytes.len() || bytes[i] == b'>' {
                i += 1;
                break;
            }
            let attr_end = html[i + 1..]
                .find(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>' || c == '=')
                .map_or(bytes.len(), |e| i + 1 + e);
            let attr = html[i..attr_end].to_ascii_lowercase();
            i = attr_end;
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            let mut value = String::new();
            if bytes.get(i) == Some(&b'=') {
                i += 1;
                while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                    i += 1;
                }
                match bytes.get(i) {
                    Some(&q) if q == b'"' || q == b'\'' => {
                        let end = html[i + 1..]
                            .find(q as char)
                            .map_or(bytes.len(), |e| i + 1 + e);
                        value = html[i + 1..end].to_string();
                        i = end + 1;
                    }
                    _ => {
                        let end = html[i..]
                            .find(|c: char| c.is_ascii_whitespace() || c == '>')
                            .map_or(bytes.len(), |e| i + e);
                        value = html[i..end].to_string();
                        i = end;
                    }
                }
            }
            attributes.push((attr, value));
        }
        if tag == "script" || tag == "style" {
            let lower = html[start..].to_ascii_lowercase();
            let end = lower
                .find(&format!("</{tag}>"))
                .map_or(html.len(), |e| start + e + tag.len() + 3);
            if !is_theme_block(&html[start..end], allowed_blocks) {
                fail(format!("a <{tag}> that is not the theme's"), start);
            }
            i = end;
            continue;
        }
        let theme_form =
            tag == "form" && is_theme_block(&html[start..i.min(bytes.len())], allowed_blocks);
        if FORBIDDEN_ELEMENTS.contains(&tag.as_str()) && !theme_form {
            fail(format!("a <{tag}> element"), start);
        }
        // A <meta>'s content is text (a description, an Open Graph title) unless the meta
        // names an address (`og:url`, `og:image`); a refresh is caught as http-equiv.
        let meta_text = tag == "meta"
            && attributes.iter().any(|(a, v)| {
                let v = v.to_ascii_lowercase();
                (a == "name" || a == "property") && !v.ends_with("url") && !v.contains("image")
            });
        for (attr, value) in &attributes {
            if attr.starts_with("on") {
                fail(format!("an event handler `{attr}` on <{tag}>"), start);
            }
            if attr == "style" {
                let v = value.trim().trim_end_matches(';');
                if !matches!(
                    v,
                    "text-align:left" | "text-align:center" | "text-align:right"
                ) {
                    fail(format!("a style attribute `{value}` on <{tag}>"), start);
                }
            }
            if attr == "http-equiv" {
                fail(format!("http-equiv on <{tag}>"), start);
            }
            if URL_ATTRIBUTES.contains(&attr.as_str()) && !(attr == "content" && meta_text) {
                let url = url_scheme_view(value);
                for scheme in [
                    "javascript:",
                    "vbscript:",
                    "data:text/html",
                    "data:image/svg",
                    "data:text/javascript",
                    "livescript:",
                ] {
                    if url.contains(scheme) {
                        fail(format!("`{scheme}` in {attr} of <{tag}>"), start);
                    }
                }
            }
        }
        if tag == "link" {
            let rel = attributes
                .iter()
                .find(|(a, _)| a == "rel")
                .map_or("", |(_, v)| v.as_str());
            if !matches!(
                rel,
                "stylesheet" | "canonical" | "alternate" | "self" | "icon"
            ) {
                fail(format!("a <link rel=\"{rel}\">"), start);
            }
        }
    }
}

/// Checks every file of a built site: pages, SVGs and feeds are inert (a feed's HTML
/// content too, once unescaped as a feed reader does); JSON files are valid JSON.
/// Returns how many files were checked.
#[track_caller]
fn assert_site_inert(files: &std::collections::BTreeMap<String, Vec<u8>>) -> usize {
    let allowed = theme_blocks();
    let mut checked = 0;
    for (name, bytes) in files {
        let Ok(text) = std::str::from_utf8(bytes) else {
            continue;
        };
        if name.ends_with(".html") || name.ends_with(".svg") || name.ends_with(".xml") {
            assert_inert(name, text, &allowed);
            checked += 1;
        }
        if name.ends_with(".xml") {
            // `<content type="html">` is HTML once the XML is read: check that HTML.
            let mut rest = text;
            while let Some(i) = rest.find("<content type=\"html\">") {
                rest = &rest[i + "<content type=\"html\">".len()..];
                let end = rest.find("</content>").unwrap_or(rest.len());
                let html = rest[..end]
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&quot;", "\"")
                    .replace("&#x27;", "'")
                    .replace("&#39;", "'")
                    .replace("&amp;", "&");
                assert_inert(&format!("{name} (entry content)"), &html, &allowed);
            }
        }
        if name.ends_with(".json") {
            serde_json::from_str::<serde_json::Value>(text)
                .unwrap_or_else(|e| panic!("{name} is not valid JSON ({e})"));
            checked += 1;
        }
    }
    checked
}

// ---------------------------------------------------------------------------------
// The hostile site
// ---------------------------------------------------------------------------------

/// A YAML single-quoted scalar.
fn yaml(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// A CSV field, quoted.
fn csv_field(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// A site with every payload in every place content reaches a page.
fn hostile_files(config: &str) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = vec![("cyclebook.yml".into(), config.to_string())];
    let all_payloads = PAYLOADS
        .iter()
        .chain(BODY_PAYLOADS)
        .copied()
        .collect::<Vec<_>>()
        .join("\n\n");
    let list = |items: &[&str]| {
        items
            .iter()
            .map(|p| format!("  - {}\n", yaml(p)))
            .collect::<String>()
    };
    // One note per payload: the payload as title, summary, tag and body.
    for (i, p) in PAYLOADS.iter().enumerate() {
        files.push((
            format!("notes/p{i}.md"),
            format!(
                "---\ntitle: {y}\nsummary: {y}\ntags: [{y}, plain]\nkind: {kind}\ndate: 2026-01-{day:02}\n---\n\n{p}\n\nSee [[p{next}]] and [[hostile-cycle]].\n",
                y = yaml(p),
                kind = if i % 2 == 0 { "note" } else { "lesson" },
                day = i % 28 + 1,
                next = (i + 1) % PAYLOADS.len(),
            ),
        ));
    }
    // A note with every payload in its body, and one with a chart embedded (apart:
    // raw HTML may swallow the rest of the body, as an unclosed `<style>` does).
    files.push((
        "notes/all-bodies.md".into(),
        format!("---\ntitle: All bodies\n---\n\n{all_payloads}\n"),
    ));
    files.push((
        "notes/embeds.md".into(),
        format!(
            "---\ntitle: {}\n---\n\n{mark}0{mark}\n\n```chart\nmeasure: hostile-measure\n```\n\n{mark}0{mark}\n\n```html\n<script>alert('shown-as-code')</script>\n```\n",
            yaml(payload("'xss-attr-dq'")),
            mark = '\u{E000}',
        ),
    ));
    files.push((
        "cycles/hostile-cycle.md".into(),
        format!(
            "---\ntitle: {title}\nsummary: {summary}\nchange: hostile-change\nstatus: doing\nstarted: 2026-01-05\nmeasures: [hostile-measure]\ntags: [{tag}]\npredictions:\n{predictions}team:\n{team}---\n\n{all_payloads}\n",
            title = yaml(payload("'xss-script'")),
            summary = yaml(payload("'xss-img'")),
            tag = yaml(payload("'xss-svg'")),
            predictions = list(PAYLOADS),
            team = list(PAYLOADS),
        ),
    ));
    files.push((
        "cycles/second-cycle.md".into(),
        format!(
            "---\ntitle: {title}\nchange: hostile-change\nstatus: done\nstarted: 2025-11-03\nended: 2025-11-30\ndecision: adapt\nmeasures: [hostile-measure]\n---\n\n{all_payloads}\n",
            title = yaml(payload("'xss-attr-dq'")),
        ),
    ));
    let driver_ids: Vec<String> = (0..PAYLOADS.len()).map(|i| format!("d{i}")).collect();
    files.push((
        "changes/hostile-change.md".into(),
        format!(
            "---\ntitle: {title}\nsummary: {summary}\ndrivers: [{drivers}]\nstatus: testing\n---\n\n{all_payloads}\n",
            title = yaml(payload("'xss-js'")),
            summary = yaml(payload("'xss-attr-handler'")),
            drivers = driver_ids.join(", "),
        ),
    ));
    let secondary: String = PAYLOADS
        .iter()
        .enumerate()
        .map(|(i, p)| format!("      - id: d{i}\n        title: {}\n", yaml(p)))
        .collect();
    files.push((
        "aims/hostile-aim.md".into(),
        format!(
            "---\ntitle: {title}\nsummary: {summary}\nmeasure: hostile-measure\ntarget: 90\nby: 2027-03-31\ndrivers:\n  - id: primary\n    title: {primary}\n    secondary:\n{secondary}---\n\n{all_payloads}\n",
            title = yaml(payload("'xss-style'")),
            summary = yaml(payload("overlay")),
            primary = yaml(payload("'xss-mglyph'")),
        ),
    ));
    files.push((
        "measures/hostile-measure.md".into(),
        format!(
            "---\ntitle: {title}\nsummary: {summary}\nunit: {unit}\ndefinition: {definition}\nkind: process\nchart: xmr\nimprovement: increase\ntags: [{tag}]\n---\n\n{all_payloads}\n",
            title = yaml(payload("'xss-attr-dq'")),
            summary = yaml(payload("'xss-script'")),
            unit = yaml(payload("'xss-attr-sq'")),
            definition = yaml(payload("'xss-js'")),
            tag = yaml(payload("'xss-end-all'")),
        ),
    ));
    let mut csv = String::from("date,value,note\n");
    for (i, p) in PAYLOADS.iter().enumerate() {
        let week = i % 52 + 1;
        let year = 2024 + i / 52;
        csv.push_str(&format!(
            "{year}-W{week:02},{},{}\n",
            10 + (i * 7) % 13,
            csv_field(p)
        ));
    }
    files.push(("measures/hostile-measure.csv".into(), csv));
    // A lone CSV whose notes are payloads too.
    let mut lone = String::from("date,value,note\n");
    for (i, p) in PAYLOADS.iter().enumerate().take(12) {
        lone.push_str(&format!("2025-{:02},{i},{}\n", i + 1, csv_field(p)));
    }
    files.push(("measures/lone-data.csv".into(), lone));
    files
}

fn write_files(root: &Path, files: &[(String, String)]) {
    for (path, content) in files {
        let path = root.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, content).unwrap();
    }
}

fn site_from(files: &[(String, String)]) -> Site {
    let borrowed: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, c)| (p.as_str(), c.as_str()))
        .collect();
    Site::from_files(&borrowed)
}

#[test]
fn no_payload_runs_on_any_page_svg_or_json() {
    let config = format!(
        "title: {}\ndescription: {}\n",
        yaml(payload("'xss-script'")),
        yaml(payload("'xss-attr-dq'"))
    );
    let site = site_from(&hostile_files(&config));
    let built = site.build();
    let files = built.tree();
    let checked = assert_site_inert(&files);
    assert!(
        checked > PAYLOADS.len() + 20,
        "only {checked} files checked"
    );
    // The places the payloads were put in did reach the pages (as text).
    let cycle = built.page("cycles/hostile-cycle/index.html");
    cycle
        .contains("&lt;script&gt;alert(")
        .contains("hover me")
        .contains("click");
    let measure = built.page("measures/hostile-measure/index.html");
    measure.contains("<svg");
    assert!(files.contains_key("measures/hostile-measure/data.json"));
    assert!(files.contains_key("measures/lone-data/data.json"));
    // The chart really is embedded, and a body cannot fake the place of one.
    let embeds = built.page("notes/embeds/index.html");
    assert_eq!(
        embeds.count("<figure class=\"chart-embed\">"),
        1,
        "{}",
        embeds.html
    );
    assert!(!embeds.html.contains('\u{E000}'));
    embeds.in_order(&["\u{FFFD}0\u{FFFD}", "chart-embed", "\u{FFFD}0\u{FFFD}"]);
    // Code blocks show HTML as text.
    embeds.contains("&lt;script&gt;alert('shown-as-code')&lt;/script&gt;");
}

#[test]
fn config_title_and_description_cannot_break_out_anywhere() {
    // Each payload of the attribute- and element-breaking kinds in turn, as the site's
    // title and description (they reach <title>, <meta content>, headers, footers, the
    // feed's title and site.json).
    for p in [
        "'xss-script'",
        "'xss-img'",
        "'xss-attr-dq'",
        "'xss-attr-sq'",
        "'xss-attr-handler'",
        "x='",
        "'xss-end-title'",
        "'xss-end-all'",
        "'xss-end-feed'",
        "'xss-template-syntax'",
        "'xss-comment-bang'",
    ]
    .map(payload)
    {
        let config = format!("title: {}\ndescription: {}\n", yaml(p), yaml(p));
        let site = Site::from_files(&[
            ("cyclebook.yml", config.as_str()),
            ("notes/n.md", "---\ntitle: N\n---\n\nText.\n"),
            (
                "measures/m.csv",
                "date,value\n2026-01,1\n2026-02,2\n2026-03,3\n",
            ),
        ]);
        let built = site.build();
        assert_site_inert(&built.tree());
        assert_eq!(built.site_json()["site"]["title"], p);
    }
}

/// The feed and `/recent/` carry commit subjects and author names: from a git
/// repository whose commits are as hostile as its files.
#[test]
fn git_history_texts_cannot_break_out_of_pages_or_the_feed() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    fs::create_dir_all(&root).unwrap();
    let config = format!(
        "title: {}\nbase_url: https://qi.example.org/ward9/\n",
        yaml(payload("'xss-end-title'"))
    );
    let files = vec![
        ("cyclebook.yml".to_string(), config),
        (
            "notes/n.md".to_string(),
            format!(
                "---\ntitle: {}\n---\n\nText.\n",
                yaml(payload("'xss-end-feed'"))
            ),
        ),
        (
            "cycles/c.md".to_string(),
            format!(
                "---\ntitle: {}\nstatus: doing\n---\n\nText.\n",
                yaml(payload("'xss-attr-dq'"))
            ),
        ),
    ];
    write_files(&root, &files);
    let git = |args: &[&str], author: &str, message_env: Option<&str>| {
        let mut command = std::process::Command::new("git");
        command
            .args([
                "-c",
                "init.defaultBranch=main",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .current_dir(&root)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", author)
            .env("GIT_AUTHOR_EMAIL", "a@example.org")
            .env("GIT_AUTHOR_DATE", "2026-01-05T10:00:00+00:00")
            .env("GIT_COMMITTER_NAME", "c")
            .env("GIT_COMMITTER_EMAIL", "c@example.org")
            .env("GIT_COMMITTER_DATE", "2026-01-05T10:00:00+00:00");
        if let Some(m) = message_env {
            command.args(["-m", m]);
        }
        let output = command.output().expect("git runs");
        assert!(
            output.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    git(&["init", "-q"], "x", None);
    git(&["add", "-A"], "x", None);
    git(
        &["commit", "-q"],
        "Ann \"><script>alert('xss-author')</script> onmouseover=x",
        Some("<script>alert('xss-subject')</script> \"><img src=x onerror=alert(1)> ]]></title><script>x</script>"),
    );
    let out = dir.path().join("public");
    common::cyclebook_git([
        OsStr::new("build"),
        root.as_os_str(),
        OsStr::new("-o"),
        out.as_os_str(),
    ])
    .exits(0);
    let files = tree(&out);
    assert!(
        files.contains_key("recent/atom.xml"),
        "{:?}",
        files.keys().collect::<Vec<_>>()
    );
    assert_site_inert(&files);
    let feed = String::from_utf8(files["recent/atom.xml"].clone()).unwrap();
    assert!(feed.contains("xss-subject"), "{feed}");
}

/// `repo_url` builds the "Source" and commit links of every page.
#[test]
fn repo_url_cannot_be_a_script_url() {
    let site = Site::from_files(&[
        (
            "cyclebook.yml",
            "title: T\nrepo_url: \"javascript:alert(document.domain)//\"\n",
        ),
        ("notes/n.md", "---\ntitle: N\n---\n\nText.\n"),
    ]);
    let run = cyclebook([OsStr::new("check"), site.root().as_os_str()]);
    run.exits(1);
    assert!(
        run.stderr
            .contains("error[E0107]: `repo_url` must be an http(s) address"),
        "{}",
        run.stderr
    );
}

#[test]
fn every_payload_is_inert_where_markdown_is_rendered() {
    use cyclebook::render::markdown::{render, LinkTarget, Resolved};
    let allowed = theme_blocks();
    // Every link resolves, or none does: both ways must be inert.
    let resolve_all = |_: &LinkTarget| -> Option<Resolved> {
        Some(Resolved {
            href: "../../notes/p0/".into(),
            title: payload("'xss-attr-dq'").into(),
        })
    };
    let resolve_none = |_: &LinkTarget| -> Option<Resolved> { None };
    for p in PAYLOADS.iter().chain(BODY_PAYLOADS).chain(REJECTED_LINKS) {
        for resolve in [
            &resolve_all as &dyn Fn(&LinkTarget) -> Option<Resolved>,
            &resolve_none,
        ] {
            let out = render(p, Path::new("notes/n.md"), false, resolve);
            assert_inert(&format!("the body {p:?}"), &out.html, &allowed);
            for heading in &out.headings {
                assert!(
                    !heading.id.contains(['"', '<', '>', ' ']),
                    "{:?}",
                    heading.id
                );
            }
        }
    }
}

#[test]
fn links_check_rejects_are_reported_where_they_are_written() {
    for p in REJECTED_LINKS {
        let body = format!("---\ntitle: N\n---\n\nFirst line.\n\n{p}\n");
        let site = Site::from_files(&[("notes/n.md", body.as_str())]);
        let errors = site.check_err();
        assert!(
            errors.iter().all(|d| d.code == "E0202"),
            "{p}:\n{}",
            render_all(&errors)
        );
        assert_eq!(place(&errors[0]).2, 7, "{p}:\n{}", render_all(&errors));
    }
}

/// The checker itself: it must catch each kind of thing it looks for, or the tests
/// above prove nothing.
#[test]
fn the_checker_catches_what_it_looks_for() {
    let allowed = theme_blocks();
    let bad = [
        "<script>alert(1)</script>",
        "<SCRIPT >alert(1)</SCRIPT>",
        "<style>p{}</style>",
        "<img src=x onerror=alert(1)>",
        "<img src=x\nONERROR = alert(1)>",
        "<svg/onload=alert(1)>",
        "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
        "<a href='&#106;avascript:alert(1)'>x</a>",
        "<a href=JAVASCRIPT:alert(1)>x</a>",
        "<a href=\"vbscript:x\">x</a>",
        "<iframe src=\"data:text/html,x\"></iframe>",
        "<object data=x></object>",
        "<embed src=x>",
        "<base href=x>",
        "<meta http-equiv=\"refresh\" content=\"0\">",
        "<meta property=\"og:url\" content=\"javascript:alert(1)\">",
        "<meta property=\"og:image\" content=\"javascript:alert(1)\">",
        "<meta content=\"javascript:alert(1)\">",
        "<form action=x></form>",
        "<form class=\"site-search\" role=\"search\" action=\"javascript:alert(1)//search/\">",
        "<form class=\"site-search\" role=\"search\" action=\"https://evil.example/search/\">",
        "<script src=\"https://evil.example/assets/search.js\" defer></script>",
        "<script src=\"//evil/assets/search.js\" defer></script>",
        "<p style=\"position:fixed\">x</p>",
        "<math><mi>x</mi></math>",
        "<svg><animate values=\"javascript:alert(1)\"/></svg>",
        "<link rel=import href=x>",
        "<![CDATA[x]]>",
    ];
    for html in bad {
        let caught = std::panic::catch_unwind(|| assert_inert("test", html, &allowed));
        assert!(caught.is_err(), "the checker missed {html}");
    }
    let fine = [
        "<p>Plain <a href=\"https://example.org/\" title=\"javascript:alert(1)\">link</a></p>",
        "<th style=\"text-align:center\">a</th>",
        "<p>&lt;script&gt;alert(1)&lt;/script&gt; onerror=alert(1)</p>",
        "<!-- a comment <script> -->",
        // The theme's search form and script, at any depth.
        "<form class=\"site-search\" role=\"search\" action=\"../../search/\">",
        "<form class=\"site-search\" role=\"search\" action=\"/ward9/search/\">",
        "<script src=\"../assets/search.js\" defer></script>",
        "<meta property=\"og:title\" content=\"javascript:alert(1)\">",
        "<meta name=\"description\" content=\"See javascript:alert(1)\">",
    ];
    for html in fine {
        assert_inert("test", html, &allowed);
    }
    // A site that trusts its authors lets the payloads through: the checker sees them.
    let site = Site::from_files(&[
        ("cyclebook.yml", "title: Trusted\ntrusted_html: true\n"),
        (
            "notes/n.md",
            "---\ntitle: N\n---\n\n<img src=x onerror=alert(1)>\n",
        ),
    ]);
    let files = site.build().tree();
    let caught = std::panic::catch_unwind(|| assert_site_inert(&files));
    assert!(caught.is_err(), "the checker missed trusted HTML");
}

// ---------------------------------------------------------------------------------
// Paths: nothing outside the site is read, nothing outside the output is written
// ---------------------------------------------------------------------------------

fn os(s: &str) -> &OsStr {
    OsStr::new(s)
}

/// A folder beside the site holding files that must never be published.
fn outside(site: &Site) -> PathBuf {
    let dir = site.parent().join("outside");
    fs::create_dir_all(dir.join("dir")).unwrap();
    fs::create_dir_all(dir.join("theme/templates")).unwrap();
    let secret = "---\ntitle: TOP-SECRET\n---\n\nTOP-SECRET patient list\n";
    fs::write(dir.join("secret.md"), secret).unwrap();
    fs::write(dir.join("dir/inner.md"), secret).unwrap();
    fs::write(
        dir.join("secret.csv"),
        "date,value,note\n2026-01,1,TOP-SECRET\n",
    )
    .unwrap();
    fs::write(dir.join("template.html"), "TOP-SECRET {{ site.title }}").unwrap();
    fs::write(dir.join("theme/templates/base.html"), "TOP-SECRET").unwrap();
    fs::write(dir.join("cyclebook.yml"), "title: TOP-SECRET\n").unwrap();
    dir
}

#[cfg(unix)]
fn link(target: &Path, at: &Path) {
    fs::create_dir_all(at.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(target, at).unwrap();
}

#[cfg(unix)]
#[test]
fn symbolic_links_out_of_the_site_are_errors_naming_the_link_and_its_target() {
    let site = Site::from_files(&[
        ("notes/ok.md", "---\ntitle: OK\n---\n\nFine.\n"),
        ("measures/m.md", "---\ntitle: M\n---\n"),
    ]);
    let out = outside(&site);
    let root = site.root();
    link(&out.join("secret.md"), &root.join("notes/evil.md"));
    link(
        Path::new("../../outside/secret.md"),
        &root.join("notes/relative.md"),
    );
    link(&out.join("dir"), &root.join("notes/sub"));
    link(&out.join("secret.csv"), &root.join("measures/m.csv"));
    link(&out.join("secret.csv"), &root.join("measures/lone.csv"));
    link(&out.join("secret.md"), &root.join("static/secret.txt"));
    link(
        &out.join("template.html"),
        &root.join("templates/base.html"),
    );
    link(
        Path::new("/nonexistent/cyclebook-test.md"),
        &root.join("notes/dangling.md"),
    );
    link(Path::new("/"), &root.join("static/root"));

    let diagnostics = site.check_err();
    let shown = render_all(&diagnostics);
    let outside_links: Vec<(String, String)> = diagnostics
        .iter()
        .filter(|d| d.code == "E0004")
        .map(|d| (place(d).1, d.message.clone()))
        .collect();
    let expected = [
        ("measures/lone.csv", "secret.csv"),
        ("measures/m.csv", "secret.csv"),
        ("notes/dangling.md", "/nonexistent/cyclebook-test.md"),
        ("notes/evil.md", "secret.md"),
        ("notes/relative.md", "../../outside/secret.md"),
        ("notes/sub", "outside/dir"),
        ("static/root", "to /"),
        ("static/secret.txt", "secret.md"),
        ("templates/base.html", "template.html"),
    ];
    assert_eq!(outside_links.len(), expected.len(), "{shown}");
    for ((file, message), (link_path, target)) in outside_links.iter().zip(expected) {
        assert_eq!(file, link_path, "{shown}");
        assert!(
            message.contains(link_path) && message.contains(target),
            "{message}"
        );
    }
    for d in diagnostics.iter().filter(|d| d.code == "E0004") {
        assert!(d.is_error());
        assert!(d
            .hint
            .as_deref()
            .unwrap()
            .contains("copy the file into the site"));
    }
    // The measure whose data is a link says so where it is defined.
    let e0300 = diagnostics
        .iter()
        .find(|d| d.code == "E0300")
        .expect(&shown);
    assert!(e0300.message.contains("symbolic link"), "{shown}");
    assert!(!shown.contains("TOP-SECRET"), "{shown}");

    // The binary refuses to build, writes nothing, and prints no secret.
    let public = site.parent().join("public");
    let run = cyclebook([os("build"), root.as_os_str(), os("-o"), public.as_os_str()]);
    run.exits(1);
    assert!(run.stderr.contains("error[E0004]"), "{}", run.stderr);
    assert!(!run.stderr.contains("TOP-SECRET"));
    assert!(!public.exists());
}

#[cfg(unix)]
#[test]
fn a_content_folder_theme_or_config_that_is_a_link_out_of_the_site_is_refused() {
    // The whole notes folder.
    let site = Site::from_files(&[]);
    let out = outside(&site);
    link(&out.join("dir"), &site.root().join("notes"));
    let d = site.only_error();
    assert_eq!(
        place(&d),
        ("E0004", "notes".into(), 0, 0),
        "{}",
        render_all(std::slice::from_ref(&d))
    );

    // A theme folder, and a theme named by a path.
    let site = Site::from_files(&[("cyclebook.yml", "title: T\ntheme: ward\n")]);
    let out = outside(&site);
    link(&out.join("theme"), &site.root().join("themes/ward"));
    let d = site.only_error();
    assert_eq!(place(&d), ("E0004", "themes/ward".into(), 0, 0));
    for theme in ["../../outside/theme", "/etc", "..", "a/b", ".hidden"] {
        let config = format!("title: T\ntheme: \"{theme}\"\n");
        let site = Site::from_files(&[("cyclebook.yml", config.as_str())]);
        outside(&site);
        let d = site.only_error();
        assert_eq!(
            place(&d),
            ("E0107", "cyclebook.yml".into(), 2, 1),
            "{theme}"
        );
        assert!(
            d.message.contains("not the name of a folder"),
            "{}",
            d.message
        );
    }

    // cyclebook.yml itself.
    let site = Site::from_files(&[("notes/n.md", "---\ntitle: N\n---\n")]);
    let out = outside(&site);
    fs::remove_file(site.root().join("cyclebook.yml")).unwrap();
    link(
        &out.join("cyclebook.yml"),
        &site.root().join("cyclebook.yml"),
    );
    let all = site.check_err();
    assert!(
        all.iter().any(|d| d.code == "E0004"),
        "{}",
        render_all(&all)
    );
    assert!(!render_all(&all).contains("TOP-SECRET"));
}

#[cfg(unix)]
#[test]
fn links_within_the_site_are_skipped_with_a_warning() {
    let site = Site::from_files(&[
        ("notes/real.md", "---\ntitle: Real\n---\n\nText.\n"),
        (
            "static/logo.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
        ),
    ]);
    let root = site.root();
    link(Path::new("real.md"), &root.join("notes/alias.md"));
    link(Path::new("missing.md"), &root.join("notes/dangling.md"));
    link(&root.join("static"), &root.join("static/loop"));
    link(&root.join("notes"), &root.join("static/notes"));
    let built = site.build();
    let warnings: Vec<_> = built.warnings.iter().map(place).collect();
    assert_eq!(
        warnings,
        [
            ("W0001", "notes/alias.md".into(), 0, 0),
            ("W0001", "notes/dangling.md".into(), 0, 0),
            ("W0001", "static/loop".into(), 0, 0),
            ("W0001", "static/notes".into(), 0, 0),
        ]
    );
    assert!(built.exists("notes/real/index.html"));
    assert!(!built.exists("notes/alias"));
    assert!(!built.exists("loop"));
    assert!(built.exists("logo.svg"));
}

#[test]
fn links_and_chart_blocks_cannot_reach_outside_the_site() {
    // A root-relative URL is a web address, not a file: it is kept as written, and
    // nothing is read from the disk for it.
    let site = Site::from_files(&[(
        "notes/n.md",
        "---\ntitle: N\n---\n\n[passwd](/etc/passwd) and [up](/../../etc/passwd)\n",
    )]);
    let built = site.build();
    built
        .page("notes/n/index.html")
        .contains(r#"<a href="/etc/passwd">passwd</a>"#);
    assert_eq!(
        built.tree().keys().filter(|k| k.contains("passwd")).count(),
        0
    );

    for (body, line, column) in [
        ("[x](../../etc/passwd.md)", 5, 1),
        ("See ![x](../../../../../../etc/passwd)", 5, 5),
        ("[x](..\\..\\etc\\passwd.md)", 5, 1),
        ("```chart\nmeasure: ../../etc/passwd\n```", 5, 1),
        ("```chart\nmeasure: /etc/passwd\n```", 5, 1),
    ] {
        let text = format!("---\ntitle: N\n---\n\n{body}\n");
        let site = Site::from_files(&[("notes/n.md", text.as_str())]);
        let d = site.only_error();
        assert_eq!(
            place(&d),
            ("E0202", "notes/n.md".into(), line, column),
            "{body}"
        );
    }
}

#[test]
fn templates_cannot_include_files_from_the_disk() {
    for include in [
        "/etc/passwd",
        "../../outside/template.html",
        "../cyclebook.yml",
    ] {
        let template = format!("{{% extends \"base.html\" %}}{{% block content %}}{{% include \"{include}\" %}}{{% endblock content %}}");
        let site = Site::from_files(&[
            ("notes/n.md", "---\ntitle: N\n---\n"),
            ("templates/note.html", template.as_str()),
        ]);
        outside(&site);
        let all = site.check_err();
        assert!(
            all.iter().all(|d| d.code == "E0401"),
            "{}",
            render_all(&all)
        );
        assert!(!render_all(&all).contains("TOP-SECRET"));
    }
}

#[test]
fn odd_file_names_are_not_ids_and_nothing_is_written() {
    let names = [
        "notes/a b.md",
        "notes/Ünïcödé.md",
        "notes/a..b.md",
        "notes/-lead.md",
        "notes/trail-.md",
        "notes/UPPER.md",
        "notes/tab\tname.md",
        "notes/new\nline.md",
        "notes/semi;colon.md",
        "notes/quote\".md",
        "notes/%2e%2e.md",
        "notes/a%2F..%2Fb.md",
        "measures/odd name.csv",
    ];
    let mut files: Vec<(&str, &str)> = names
        .iter()
        .map(|n| (*n, "---\ntitle: Odd\n---\n"))
        .collect();
    files.pop();
    files.push(("measures/odd name.csv", "date,value\n2026-01,1\n"));
    let site = Site::from_files(&files);
    let diagnostics = site.check_err();
    let invalid: Vec<String> = diagnostics
        .iter()
        .filter(|d| d.code == "E0109")
        .map(|d| place(d).1)
        .collect();
    let mut expected: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    expected.sort();
    let mut invalid_sorted = invalid.clone();
    invalid_sorted.sort();
    assert_eq!(invalid_sorted, expected, "{}", render_all(&diagnostics));
    // Building writes nothing, anywhere.
    let before = entries(site.parent());
    let out = site.parent().join("public");
    cyclebook([
        os("build"),
        site.root().as_os_str(),
        os("-o"),
        out.as_os_str(),
    ])
    .exits(1);
    assert_eq!(entries(site.parent()), before);
}

#[test]
fn hidden_files_like_dot_dot_md_are_skipped_and_output_stays_inside_the_output() {
    let site = Site::from_files(&[
        ("notes/..md", "---\ntitle: Dot dot\n---\n"),
        ("notes/.hidden.md", "---\ntitle: Hidden\n---\n"),
        ("notes/._resource-fork.md", "\0\u{5}\u{16}\u{7}binary"),
        ("measures/..csv", "date,value\n2026-01,1\n"),
        ("notes/fine.md", "---\ntitle: Fine\n---\n"),
    ]);
    let built = site.build();
    assert!(built.warnings.is_empty(), "{:?}", built.warnings);
    let files = built.tree();
    for name in files.keys() {
        assert!(
            !name
                .split('/')
                .any(|part| part == ".." || part == "." || part.is_empty()),
            "{name}"
        );
        let path = built.out.join(name);
        assert!(path
            .canonicalize()
            .unwrap()
            .starts_with(built.out.canonicalize().unwrap()));
    }
    assert!(files.contains_key("notes/fine/index.html"));
    assert_eq!(built.item("fine")["title"], "Fine");
    assert_eq!(built.site_json()["items"].as_array().unwrap().len(), 1);
}

#[cfg(unix)]
#[test]
fn a_file_name_that_is_not_utf8_is_reported_and_json_output_still_works() {
    use std::os::unix::ffi::OsStrExt;
    let site = Site::from_files(&[]);
    let name = OsStr::from_bytes(b"caf\xe9.md");
    fs::create_dir_all(site.root().join("notes")).unwrap();
    fs::write(site.root().join("notes").join(name), "---\ntitle: X\n---\n").unwrap();
    let d = site.only_error();
    assert_eq!(d.code, "E0109");
    let run = cyclebook([
        os("check"),
        site.root().as_os_str(),
        os("--format"),
        os("json"),
    ]);
    run.exits(1);
    let json = run.json();
    assert!(json.to_string().contains("E0109"), "{json}");
}

// ---------------------------------------------------------------------------------
// The output folder: `-o` never points cyclebook at something it may destroy
// ---------------------------------------------------------------------------------

/// Runs `cyclebook build SITE -o out`, expecting exit 2 with `message` in stderr.
#[track_caller]
fn build_refused(site: &Path, out: &Path, message: &str) {
    let run = cyclebook([os("build"), site.as_os_str(), os("-o"), out.as_os_str()]);
    run.exits(2);
    assert!(
        run.stderr.contains(message),
        "expected `{message}` in:\n{}",
        run.stderr
    );
    assert!(run.stdout.is_empty(), "{}", run.stdout);
}

#[test]
fn output_that_is_a_file_the_root_the_site_or_a_foreign_folder_is_refused() {
    let site = Site::from_files(&[("notes/n.md", "---\ntitle: N\n---\n")]);
    let root = site.root();
    let parent = site.parent();
    let site_before = tree(root);

    // A file.
    let file = parent.join("page.html");
    fs::write(&file, "precious").unwrap();
    build_refused(root, &file, "it is not a folder");
    assert_eq!(fs::read_to_string(&file).unwrap(), "precious");
    // A file of the site.
    build_refused(root, &root.join("cyclebook.yml"), "it is not a folder");

    // The root of the file system.
    build_refused(root, Path::new("/"), "root of the file system");

    // The site, a folder holding it, and a path that leads there through a folder
    // that does not exist (which must not be created).
    build_refused(root, root, "cannot be the site folder or contain it");
    build_refused(root, parent, "cannot be the site folder or contain it");
    let sneaky = root.join("missing").join("..").join("..");
    build_refused(root, &sneaky, "cannot be the site folder or contain it");
    assert!(!root.join("missing").exists());

    // A home folder: not empty, not made by cyclebook.
    let home = parent.join("home");
    fs::create_dir_all(home.join("Documents")).unwrap();
    fs::write(home.join(".bashrc"), "export X=1\n").unwrap();
    fs::write(home.join("Documents/audit.docx"), "mine").unwrap();
    let home_before = tree(&home);
    build_refused(root, &home, "not empty and was not made by cyclebook");
    common::assert_same_tree(&home_before, &tree(&home));

    common::assert_same_tree(&site_before, &tree(root));
    let mut names = entries(parent);
    names.sort();
    assert_eq!(names, ["home", "page.html", "site"]);
}

#[cfg(unix)]
#[test]
fn output_links_are_judged_by_what_they_point_at() {
    let site = Site::from_files(&[("notes/n.md", "---\ntitle: N\n---\n")]);
    let parent = site.parent();
    // A link to nothing.
    let dangling = parent.join("dangling");
    link(Path::new("nowhere"), &dangling);
    build_refused(site.root(), &dangling, "it is not a folder");
    assert!(fs::symlink_metadata(&dangling)
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(!parent.join("nowhere").exists());
    // A link to a folder that is not cyclebook's.
    let docs = parent.join("docs");
    fs::create_dir(&docs).unwrap();
    fs::write(docs.join("keep.txt"), "mine").unwrap();
    let to_docs = parent.join("to-docs");
    link(&docs, &to_docs);
    build_refused(
        site.root(),
        &to_docs,
        "not empty and was not made by cyclebook",
    );
    assert_eq!(fs::read_to_string(docs.join("keep.txt")).unwrap(), "mine");
    // A link to the site.
    let to_site = parent.join("to-site");
    link(site.root(), &to_site);
    build_refused(
        site.root(),
        &to_site,
        "cannot be the site folder or contain it",
    );
}

#[test]
fn output_inside_a_content_folder_is_never_read_back_as_content() {
    let site = Site::from_files(&[
        ("notes/n.md", "---\ntitle: N\n---\n"),
        ("measures/m.csv", "date,value\n2026-01,1\n2026-02,2\n"),
    ]);
    // The output holds `measures/m/m.csv` and pages: read as content, they would be
    // a second measure `m` (E0201) and grow on every build.
    let out = site.root().join("measures/public");
    for _ in 0..2 {
        cyclebook([
            os("build"),
            site.root().as_os_str(),
            os("-o"),
            out.as_os_str(),
        ])
        .exits(0);
        assert!(out.join("measures/m/m.csv").is_file());
        assert!(!out.join("measures/public").exists());
        cyclebook([os("check"), site.root().as_os_str()]).exits(0);
    }
}

// ---------------------------------------------------------------------------------
// Limits: huge, deep, malformed and foreign-encoded files
// ---------------------------------------------------------------------------------

/// Runs `f`, asserting it takes less than `limit` (generous: these guard against
/// run times that grow with the square of the input, not against slow machines).
#[track_caller]
fn within<T>(limit: Duration, what: &str, f: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let result = f();
    let took = started.elapsed();
    assert!(took < limit, "{what} took {took:?}");
    result
}

const BILLION_LAUGHS: &str =
    "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
";

#[test]
fn yaml_alias_bombs_and_deep_nesting_are_malformed_yaml() {
    let indented: String = BILLION_LAUGHS.lines().map(|l| format!("  {l}\n")).collect();
    let bomb = format!("---\ntitle: Bomb\nextra:\n{indented}---\n");
    let deep = format!("---\ntitle: Deep\nextra: {}\n---\n", "[".repeat(100_000));
    let deep_maps = format!("---\ntitle: Deep\nextra: {}\n---\n", "{a: ".repeat(100_000));
    for (what, text) in [
        ("alias bomb", &bomb),
        ("deep sequences", &deep),
        ("deep maps", &deep_maps),
    ] {
        let site = Site::from_files(&[("notes/n.md", text.as_str())]);
        let d = within(Duration::from_secs(20), what, || site.only_error());
        assert_eq!(
            (d.code, place(&d).1.as_str()),
            ("E0102", "notes/n.md"),
            "{what}: {}",
            d.message
        );
        assert!(
            d.line >= 2,
            "{what}: {}",
            render_all(std::slice::from_ref(&d))
        );
    }
    // In cyclebook.yml too.
    let config = format!("title: T\nextra:\n{indented}");
    let site = Site::from_files(&[("cyclebook.yml", config.as_str())]);
    let all = within(Duration::from_secs(20), "config bomb", || site.check_err());
    assert!(
        all.iter().any(|d| d.code == "E0102"),
        "{}",
        render_all(&all)
    );
}

#[test]
fn files_over_the_size_limits_are_refused_before_they_are_read() {
    let site = Site::from_files(&[("measures/big.md", "---\ntitle: Big\n---\n")]);
    // A 100 MB CSV, sparse: it takes no room, and reading it would take seconds.
    let csv = fs::File::create(site.root().join("measures/big.csv")).unwrap();
    csv.set_len(100 * 1024 * 1024).unwrap();
    // A 10 MB Markdown file of one line.
    let mut line = String::from("---\ntitle: Long\n---\n\n");
    line.push_str(&"word ".repeat(2 * 1024 * 1024));
    line.truncate(10 * 1024 * 1024);
    site.write("notes/long.md", &line);
    let all = within(Duration::from_secs(10), "the size checks", || {
        site.check_err()
    });
    let got: Vec<_> = all.iter().map(|d| (place(d), d.message.as_str())).collect();
    assert_eq!(
        got,
        [
            (
                ("E0003", "measures/big.csv".into(), 0, 0),
                "file is too large (100 MB, the limit is 50 MB)"
            ),
            (
                ("E0003", "notes/long.md".into(), 0, 0),
                "file is too large (10 MB, the limit is 5 MB)"
            ),
        ],
        "{}",
        render_all(&all)
    );
    assert!(all[0].hint.as_deref().unwrap().contains("archive"));
    assert!(all[1].hint.as_deref().unwrap().contains("split"));
    // A byte over is over, and says so.
    site.write(
        "notes/long.md",
        &format!("---\ntitle: L\n---\n{}", "x".repeat(5 * 1024 * 1024)),
    );
    let all = site.check_err();
    assert!(
        all.iter()
            .any(|d| d.message == "file is too large (5.1 MB, the limit is 5 MB)"),
        "{}",
        render_all(&all)
    );
}

#[test]
fn a_csv_of_more_rows_than_a_chart_can_take_is_refused() {
    // Small, but 150,000 rows: charting them all would take gigabytes.
    let mut csv = String::from("date,value\n");
    for i in 0..150_000 {
        csv.push_str(&format!("2026-01-05,{}\n", i % 7));
    }
    let site = Site::from_files(&[("measures/m.csv", csv.as_str())]);
    let d = within(Duration::from_secs(30), "150,000 rows", || {
        site.only_error()
    });
    assert_eq!(
        (place(&d), d.message.as_str()),
        (
            ("E0003", "measures/m.csv".into(), 0, 0),
            "file is too large (150000 rows, the limit is 100000)"
        )
    );
}

#[test]
fn long_lines_are_read_and_reported_without_copying_them_into_messages() {
    // One line of 300 kB of Markdown, under the limit: built.
    let mut body = String::from("---\ntitle: Long line\n---\n\n");
    for i in 0..5_000 {
        body.push_str(&format!(
            "*a* [b](https://example.org/{i}) `c` <b>d</b> [[long]] "
        ));
    }
    let site = Site::from_files(&[("notes/long.md", body.as_str())]);
    let built = within(Duration::from_secs(60), "a long line", || site.build());
    built
        .page("notes/long/index.html")
        .contains("https://example.org/4999");

    // A 10 MB line in a CSV: a note cell, then a value cell, then a date cell.
    let huge = "x".repeat(10 * 1024 * 1024);
    let site = Site::from_files(&[(
        "measures/m.csv",
        format!("date,value,note\n2026-01,1,ok\n2026-02,{huge},\n2026-03,3,\n{huge},4,\n").as_str(),
    )]);
    let all = within(Duration::from_secs(60), "10 MB CSV lines", || {
        site.check_err()
    });
    let got: Vec<_> = all.iter().map(place).collect();
    assert_eq!(
        got,
        [
            ("E0305", "measures/m.csv".into(), 3, 9),
            ("E0304", "measures/m.csv".into(), 5, 1),
        ],
        "{}",
        all.iter()
            .map(|d| d.message.len().to_string())
            .collect::<Vec<_>>()
            .join(",")
    );
    for d in &all {
        assert!(
            d.message.len() < 200,
            "a message of {} bytes",
            d.message.len()
        );
    }
    let site = Site::from_files(&[(
        "measures/m.csv",
        format!(
            "date,value,note\n2026-01,1,{}\n2026-02,2,\n",
            &huge[..1024 * 1024]
        )
        .as_str(),
    )]);
    let warnings = within(Duration::from_secs(60), "a 1 MB note", || site.check_ok());
    assert!(warnings.is_empty(), "{}", render_all(&warnings));
}

#[test]
fn a_csv_with_the_same_mistake_on_every_row_gives_a_short_report() {
    let mut csv = String::from("date,value\n");
    for i in 0..99_000 {
        csv.push_str(&format!("{:02}/03/2026,{}\n", i % 28 + 1, i % 10));
    }
    let site = Site::from_files(&[("measures/m.csv", csv.as_str())]);
    let all = within(Duration::from_secs(60), "99,000 bad rows", || {
        site.check_err()
    });
    assert_eq!(all.len(), 101, "{}", render_all(&all[..all.len().min(3)]));
    assert!(all[..100].iter().all(|d| d.code == "E0304"));
    assert_eq!(place(&all[99]), ("E0304", "measures/m.csv".into(), 101, 1));
    let last = &all[100];
    assert_eq!(place(last), ("E0304", "measures/m.csv".into(), 102, 1));
    assert_eq!(
        last.message,
        "98900 more problems with rows of this CSV are not shown (the first on line 102)"
    );
    assert!(last.is_error());
}

#[test]
fn thousands_of_broken_links_are_reported_quickly_without_copying_their_line() {
    for (what, body) in [
        ("one per line", "[[nope]]\n".repeat(20_000)),
        ("all on one line", "[[nope]] ".repeat(20_000)),
    ] {
        let text = format!("---\ntitle: N\n---\n\n{body}");
        let site = Site::from_files(&[("notes/n.md", text.as_str())]);
        let all = within(Duration::from_secs(30), what, || site.check_err());
        assert_eq!(all.len(), 20_000, "{what}");
        let last = all.last().unwrap();
        let expected = if what == "one per line" {
            ("E0202", "notes/n.md".into(), 20_004, 1)
        } else {
            ("E0202", "notes/n.md".into(), 5, 9 * 19_999 + 1)
        };
        assert_eq!(place(last), expected, "{what}");
        let shown: usize = all.iter().map(|d| d.render_human().len()).sum();
        assert!(shown < 20_000 * 400, "{what}: {shown} bytes of diagnostics");
    }
}

#[test]
fn deeply_nested_markdown_is_rendered_quickly_and_flattened() {
    let n = 100_000;
    let bodies = [
        ("block quotes", format!("{}deep\n", ">".repeat(n))),
        ("lists", format!("{}deep\n", "- ".repeat(n))),
        (
            "indented lists",
            (0..2_000)
                .map(|i| format!("{}- deep\n", "  ".repeat(i)))
                .collect(),
        ),
        (
            "brackets",
            format!("{}deep{}", "[".repeat(n), "]".repeat(n)),
        ),
        (
            "emphasis",
            format!("{}deep{}", "*".repeat(n), "*".repeat(n)),
        ),
        // Raw HTML deeper than the sanitizer can take is shown as text: 20,000 levels
        // are as good a test as 100,000, and five times quicker.
        (
            "raw divs",
            format!("{}deep{}", "<div>".repeat(20_000), "</div>".repeat(20_000)),
        ),
        (
            "unclosed raw tags",
            format!("{}deep", "<b><i>".repeat(10_000)),
        ),
        (
            "links in links",
            format!(
                "{}deep{}",
                "[a ".repeat(n / 2),
                "](https://example.org/)".repeat(n / 2)
            ),
        ),
    ];
    for (what, body) in bodies {
        let text = format!("---\ntitle: Deep\n---\n\n{body}");
        let site = Site::from_files(&[("notes/deep.md", text.as_str())]);
        let built = within(Duration::from_secs(60), what, || site.build());
        let page = built.page("notes/deep/index.html");
        page.contains("deep");
        let content = page.section(r#"<div class="content">"#, "</article>");
        for tag in ["<blockquote", "<ul", "<li", "<em", "<strong", "<div", "<b>"] {
            assert!(
                content.count(tag) <= 2 * cyclebook::render::markdown::MAX_NESTING,
                "{what}: {} {tag}",
                content.count(tag)
            );
        }
    }
}

#[test]
fn files_in_other_encodings_are_reported_at_the_first_bad_byte() {
    let site = Site::from_files(&[]);
    let put = |rel: &str, bytes: &[u8]| {
        let path = site.root().join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, bytes).unwrap();
    };
    // UTF-16 with a byte-order mark (Notepad's "Unicode").
    let utf16: Vec<u8> = "---\ntitle: A\n---\n"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    put("notes/utf16.md", &[&[0xFF, 0xFE][..], &utf16].concat());
    // UTF-16 without one: ASCII text with NUL bytes between.
    put("notes/utf16-bare.md", &utf16);
    // Latin-1 after characters that take two bytes in UTF-8: columns count characters
    // (`summary: Ünïcode caf` is 20 characters, 22 bytes).
    put(
        "notes/latin1.md",
        b"---\ntitle: A\nsummary: \xc3\x9cn\xc3\xafcode caf\xe9\n---\n",
    );
    // A byte-order mark then Latin-1 on the first line: the mark is not a column.
    put("notes/bom-latin1.md", b"\xef\xbb\xbfCaf\xe9\n");
    // Excel's "CSV" (Windows-1252).
    put(
        "measures/excel.csv",
        b"date,value,note\n2026-01,1,ok\n2026-02,2,Caf\xe9 closed\n",
    );
    // A NUL in the middle of a body, and one in a CSV.
    put("notes/nul.md", b"---\ntitle: A\n---\n\nText \0 more\n");
    put("measures/nul.csv", b"date,value\n2026-01,1\0\n");
    let all = site.check_err();
    let got: Vec<_> = all.iter().map(|d| (place(d), d.message.as_str())).collect();
    let not_utf8 = "this file is not UTF-8 text";
    let nul = "this file is not UTF-8 text: it contains a NUL byte";
    assert_eq!(
        got,
        [
            (("E0002", "measures/excel.csv".into(), 3, 14), not_utf8),
            (("E0002", "measures/nul.csv".into(), 2, 10), nul),
            (("E0002", "notes/bom-latin1.md".into(), 1, 4), not_utf8),
            (("E0002", "notes/latin1.md".into(), 3, 21), not_utf8),
            (("E0002", "notes/nul.md".into(), 5, 6), nul),
            (("E0002", "notes/utf16-bare.md".into(), 1, 2), nul),
            (
                ("E0002", "notes/utf16.md".into(), 0, 0),
                "this file is not UTF-8 text: it is UTF-16"
            ),
        ],
        "{}",
        render_all(&all)
    );
    for d in &all {
        assert!(
            d.hint.as_deref().unwrap().contains("UTF-8"),
            "{}",
            render_all(std::slice::from_ref(d))
        );
    }
    // The human rendering shows the line, with the caret under the bad character.
    let latin1 = all
        .iter()
        .find(|d| place(d).1 == "notes/latin1.md")
        .unwrap();
    let shown = latin1.render_human();
    assert!(
        shown.contains("3 | summary: Ünïcode caf\u{FFFD}"),
        "{shown}"
    );
    assert!(
        shown.contains(&format!(
            "  | {}^ first byte that is not UTF-8",
            " ".repeat(20)
        )),
        "{shown}"
    );
}

#[test]
fn byte_order_marks_and_crlf_line_endings_keep_every_position() {
    let lf_note = "---\ntitle: A\nchnage: x\n---\n\nIntro.\n\nSee [[nope]].\n";
    let lf_csv = "date,value\n2026-01,1\n2026-02,x\n";
    let crlf = |s: &str| s.replace('\n', "\r\n");
    let places = |note: &str, csv: &str| {
        let site = Site::from_files(&[("notes/n.md", note), ("measures/m.csv", csv)]);
        site.check_err().iter().map(place).collect::<Vec<_>>()
    };
    let expected = vec![
        ("E0305", "measures/m.csv".to_string(), 3, 9),
        ("E0104", "notes/n.md".to_string(), 3, 1),
        ("E0202", "notes/n.md".to_string(), 8, 5),
    ];
    assert_eq!(places(lf_note, lf_csv), expected);
    assert_eq!(places(&crlf(lf_note), &crlf(lf_csv)), expected);
    let bom = |s: &str| format!("\u{feff}{s}");
    assert_eq!(places(&bom(&crlf(lf_note)), &bom(&crlf(lf_csv))), expected);
    // A CSV with a byte-order mark and CRLF is read whole: its header is `date`, not
    // `\u{feff}date`.
    let site = Site::from_files(&[(
        "measures/m.csv",
        "\u{feff}date,value,note\r\n2026-01,1,a\r\n2026-02,2,\"b\r\nc\"\r\n2026-03,3,\r\n",
    )]);
    let built = site.build();
    assert_eq!(built.item("m")["points"], 3);
}

#[test]
fn empty_and_degenerate_files_are_reported_not_crashed_on() {
    let cases: [(&str, &str, (&str, usize, usize)); 9] = [
        ("notes/empty.md", "", ("E0101", 1, 1)),
        ("notes/fence.md", "---", ("E0101", 1, 1)),
        ("notes/fence-newline.md", "---\n", ("E0101", 1, 1)),
        ("notes/two-fences.md", "---\n---\n", ("E0106", 1, 1)),
        ("notes/dots.md", "---\n...\n", ("E0106", 1, 1)),
        (
            "notes/tabs.md",
            "---\ntitle: A\ntags:\n\t- x\n---\n",
            ("E0102", 4, 1),
        ),
        ("notes/only-bom.md", "\u{feff}", ("E0101", 1, 1)),
        ("measures/empty.csv", "", ("E0302", 1, 1)),
        ("measures/newlines.csv", "\n\n\n", ("E0302", 1, 1)),
    ];
    for (path, text, (code, line, column)) in cases {
        let site = Site::from_files(&[(path, text)]);
        let all = site.check_err();
        assert_eq!(
            (all[0].code, all[0].line, all[0].column),
            (code, line, column),
            "{path}:\n{}",
            render_all(&all)
        );
        if path == "notes/tabs.md" {
            assert!(
                all[0].hint.as_deref().unwrap().contains("tab"),
                "{}",
                render_all(&all)
            );
        }
    }
    // An empty cyclebook.yml: the site has no title.
    let site = Site::from_files(&[("cyclebook.yml", "")]);
    assert_eq!(site.only_error().code, "E0106");
}
