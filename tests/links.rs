//! No broken links: every internal link and anchor of a built site resolves.
//!
//! The checker reads the output as a browser would: every `href`, `src`, `srcset`,
//! `poster`, `xlink:href`, `data` and `action` of every `.html` page (plus `og:url` and
//! `og:image`), `url(…)` in `.css`, and `href`s and `<loc>`s in `.xml` feeds and the
//! sitemap. Each is resolved against the page's address (`x/index.html` is served as
//! `x/`), absolute URLs under the site's `base_url` and absolute paths under its path
//! count as internal, and then `x/` must be `x/index.html`, a file must exist, and a
//! `#fragment` must name an `id` (or an `<a name>`) in the target page. External
//! `http(s):`, `mailto:`, `tel:`, `data:` and `javascript:` references are not followed.

mod common;

use common::{copy_dir, Site};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

// ------------------------------------------------------------------ the checker

/// A reference found in a file of the output.
#[derive(Debug, Clone)]
struct Reference {
    /// The file it is in, relative to the output folder.
    file: String,
    line: usize,
    /// The attribute (`href`, `src`, …), `url()` or `<loc>`.
    attr: String,
    url: String,
}

#[derive(Debug)]
struct Broken {
    reference: Reference,
    reason: String,
}

#[derive(Debug, Default)]
struct Report {
    files: usize,
    /// Internal references checked.
    checked: usize,
    /// Of those, references with a `#fragment` checked against an id.
    anchors: usize,
    external: usize,
    broken: Vec<Broken>,
}

impl Report {
    fn listing(&self) -> String {
        self.broken
            .iter()
            .map(|b| {
                format!(
                    "  {}:{}: {}=\"{}\": {}",
                    b.reference.file, b.reference.line, b.reference.attr, b.reference.url, b.reason
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// A start tag, with lower-cased name and attribute names and decoded attribute values.
#[derive(Debug)]
struct Tag {
    name: String,
    attrs: Vec<(String, String)>,
    line: usize,
    /// Byte offset just after the tag's `>`.
    end: usize,
}

impl Tag {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The start tags of an HTML or XML document, skipping comments, doctypes, end tags,
/// CDATA and the raw text of `script`, `style`, `textarea` and `title`.
fn scan_tags(text: &str) -> Vec<Tag> {
    let b = text.as_bytes();
    let lower = text.to_ascii_lowercase();
    let lb = lower.as_bytes();
    let find = |from: usize, needle: &[u8]| -> Option<usize> {
        if from >= lb.len() {
            return None;
        }
        lb[from..]
            .windows(needle.len())
            .position(|w| w == needle)
            .map(|p| p + from)
    };
    let mut tags = Vec::new();
    let mut i = 0;
    let mut line = 1;
    let mut counted = 0;
    while let Some(start) = find(i, b"<") {
        line += b[counted..start].iter().filter(|&&c| c == b'\n').count();
        counted = start;
        let rest = &lb[start..];
        if rest.starts_with(b"<!--") {
            i = find(start + 4, b"-->").map_or(b.len(), |e| e + 3);
            continue;
        }
        if rest.starts_with(b"<![cdata[") {
            i = find(start + 9, b"]]>").map_or(b.len(), |e| e + 3);
            continue;
        }
        if rest.len() < 2 || !rest[1].is_ascii_alphabetic() {
            // `</end>`, `<!DOCTYPE>`, `<?xml?>`, or a stray `<` in text.
            i = if matches!(rest.get(1), Some(b'/' | b'!' | b'?')) {
                find(start, b">").map_or(b.len(), |e| e + 1)
            } else {
                start + 1
            };
            continue;
        }
        let mut j = start + 1;
        while j < b.len() && (b[j].is_ascii_alphanumeric() || matches!(b[j], b'-' | b':' | b'_')) {
            j += 1;
        }
        let name = lower[start + 1..j].to_string();
        let mut attrs = Vec::new();
        loop {
            while j < b.len() && (b[j].is_ascii_whitespace() || b[j] == b'/') {
                j += 1;
            }
            if j >= b.len() {
                break;
            }
            if b[j] == b'>' {
                j += 1;
                break;
            }
            let name_start = j;
            while j < b.len() && !b[j].is_ascii_whitespace() && !matches!(b[j], b'=' | b'>' | b'/')
            {
                j += 1;
            }
            if j == name_start {
                j += 1; // a stray character: skip it
                continue;
            }
            let attr = lower[name_start..j].to_string();
            while j < b.len() && b[j].is_ascii_whitespace() {
                j += 1;
            }
            let mut value = String::new();
            if j < b.len() && b[j] == b'=' {
                j += 1;
                while j < b.len() && b[j].is_ascii_whitespace() {
                    j += 1;
                }
                if j < b.len() && (b[j] == b'"' || b[j] == b'\'') {
                    let quote = b[j];
                    let from = j + 1;
                    let to = b[from..]
                        .iter()
                        .position(|&c| c == quote)
                        .map_or(b.len(), |p| p + from);
                    value = decode_entities(&text[from..to]);
                    j = (to + 1).min(b.len());
                } else {
                    let from = j;
                    while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' {
                        j += 1;
                    }
                    value = decode_entities(&text[from..j]);
                }
            }
            attrs.push((attr, value));
        }
        let raw_text = matches!(name.as_str(), "script" | "style" | "textarea" | "title");
        let self_closing = j >= 2 && b[j - 2] == b'/';
        tags.push(Tag {
            name: name.clone(),
            attrs,
            line,
            end: j,
        });
        i = j;
        if raw_text && !self_closing {
            let close = format!("</{name}");
            i = find(j, close.as_bytes()).unwrap_or(b.len());
        }
    }
    tags
}

/// Decodes the character references that matter in URLs and ids.
fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let end = rest[1..].find(';').map(|e| e + 1).filter(|&e| e <= 12);
        let decoded = end.and_then(|e| {
            let name = &rest[1..e];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ if name.starts_with("#x") || name.starts_with("#X") => {
                    u32::from_str_radix(&name[2..], 16)
                        .ok()
                        .and_then(char::from_u32)
                }
                _ if name.starts_with('#') => name[1..].parse().ok().and_then(char::from_u32),
                _ => None,
            };
            c.map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && b[i + 1].is_ascii_hexdigit()
            && b[i + 2].is_ascii_hexdigit()
        {
            let hex = |c: u8| (c as char).to_digit(16).unwrap() as u8;
            out.push(hex(b[i + 1]) * 16 + hex(b[i + 2]));
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Where the site is served: its `base_url` (with a trailing slash) and that URL's path.
#[derive(Debug, Clone)]
struct Base {
    url: Option<String>,
    path: String,
}

impl Base {
    fn new(base_url: Option<&str>) -> Base {
        let url = base_url.map(|u| {
            let mut u = u.trim().to_string();
            if !u.ends_with('/') {
                u.push('/');
            }
            u
        });
        let path = url
            .as_deref()
            .and_then(|u| u.split_once("://"))
            .map(|(_, rest)| rest.find('/').map_or("/", |p| &rest[p..]).to_string())
            .unwrap_or_else(|| "/".to_string());
        Base { url, path }
    }
}

/// What a reference points at.
#[derive(Debug, PartialEq)]
enum Target {
    /// Not followed: another site, `mailto:` and the like.
    External,
    /// A path inside the output (decoded, no leading `/`; `""` or ending in `/` for a
    /// folder) and the fragment, if any (decoded).
    Internal {
        path: String,
        fragment: Option<String>,
    },
    Invalid(String),
}

/// Whether `url` starts with a scheme (`https:`, `mailto:`, …).
fn has_scheme(url: &str) -> bool {
    url.find(':').is_some_and(|c| {
        let scheme = &url[..c];
        !scheme.is_empty()
            && !scheme.contains(['/', '?', '#'])
            && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
    })
}

/// Resolves `url` found in the file at `file` (relative to the output).
fn resolve(file: &str, url: &str, base: &Base) -> Target {
    let url = url.trim_matches(|c: char| c.is_ascii_whitespace());
    let (before_fragment, fragment) = match url.split_once('#') {
        Some((p, f)) => (p, Some(percent_decode(f))),
        None => (url, None),
    };
    let path_part = before_fragment
        .split_once('?')
        .map_or(before_fragment, |(p, _)| p);

    let from_root: Option<&str>; // a path relative to the output's root
    if let Some(rest) = base.url.as_deref().and_then(|b| url.strip_prefix(b)) {
        let rest = rest.split(['#', '?']).next().unwrap_or("");
        from_root = Some(rest);
    } else if url.starts_with("//") || has_scheme(url) {
        // Another host, or `mailto:`, `tel:`, `data:`, `javascript:`, …
        return Target::External;
    } else if let Some(abs) = path_part.strip_prefix('/') {
        let abs = format!("/{abs}");
        match abs.strip_prefix(base.path.as_str()) {
            Some(rest) => from_root = Some(&path_part[path_part.len() - rest.len()..]),
            None if format!("{abs}/") == base.path => from_root = Some(""),
            None => {
                return Target::Invalid(format!(
                    "an absolute path outside the site's base path {}",
                    base.path
                ))
            }
        }
    } else {
        from_root = None;
    }

    let joined = match from_root {
        Some(p) => p.to_string(),
        None if path_part.is_empty() => {
            // A reference to the document itself (`#x`, `?q`, `""`).
            file.to_string()
        }
        None => {
            let dir = file.rfind('/').map_or("", |i| &file[..=i]);
            format!("{dir}{path_part}")
        }
    };

    let mut segments: Vec<&str> = Vec::new();
    let parts: Vec<&str> = joined.split('/').collect();
    let last = parts.len() - 1;
    let mut folder = false;
    for (i, seg) in parts.iter().enumerate() {
        match *seg {
            "." => folder = i == last,
            ".." => {
                if segments.pop().is_none() {
                    return Target::Invalid("goes above the root of the site".to_string());
                }
                folder = i == last;
            }
            "" => folder = i == last,
            s => {
                segments.push(s);
                folder = false;
            }
        }
    }
    let mut path = segments.join("/");
    if folder && !path.is_empty() {
        path.push('/');
    }
    Target::Internal {
        path: percent_decode(&path),
        fragment,
    }
}

/// Ids (and `<a name>`s) of an HTML or SVG document.
fn ids_of(text: &str) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for tag in scan_tags(text) {
        if let Some(id) = tag.attr("id") {
            ids.insert(id.to_string());
        }
        if tag.name == "a" {
            if let Some(name) = tag.attr("name") {
                ids.insert(name.to_string());
            }
        }
    }
    ids
}

/// The references of one file of the output.
fn references_of(file: &str, text: &str) -> Vec<Reference> {
    let mut refs = Vec::new();
    let mut push = |line: usize, attr: &str, url: &str| {
        refs.push(Reference {
            file: file.to_string(),
            line,
            attr: attr.to_string(),
            url: url.to_string(),
        })
    };
    if file.ends_with(".css") {
        let mut rest = text;
        let mut offset = 0;
        while let Some(at) = rest.find("url(") {
            let start = at + 4;
            let Some(len) = rest[start..].find(')') else {
                break;
            };
            let url = rest[start..start + len].trim().trim_matches(['"', '\'']);
            let line = 1 + text[..offset + at].matches('\n').count();
            if !url.starts_with("data:") && !url.starts_with('#') {
                push(line, "url()", url);
            }
            offset += start + len;
            rest = &rest[start + len..];
        }
        return refs;
    }
    let xml = file.ends_with(".xml");
    for tag in scan_tags(text) {
        for (name, value) in &tag.attrs {
            match name.as_str() {
                "href" | "src" | "poster" | "xlink:href" | "data" | "action" => {
                    if tag.name == "base" || (xml && name != "href") {
                        continue;
                    }
                    if name == "action" && value.is_empty() {
                        continue;
                    }
                    push(tag.line, name, value);
                }
                "srcset" if !xml => {
                    for candidate in value.split(',') {
                        if let Some(url) = candidate.split_whitespace().next() {
                            push(tag.line, name, url);
                        }
                    }
                }
                "content" if tag.name == "meta" => {
                    let property = tag.attr("property").or(tag.attr("name")).unwrap_or("");
                    if matches!(property, "og:url" | "og:image" | "twitter:image") {
                        push(tag.line, "content", value);
                    }
                }
                _ => {}
            }
        }
        if xml && tag.name == "loc" {
            let end = text[tag.end..]
                .find('<')
                .map_or(text.len(), |e| e + tag.end);
            push(tag.line, "<loc>", text[tag.end..end].trim());
        }
        // A feed entry's escaped HTML: its links are the reader's links too.
        if xml
            && matches!(tag.name.as_str(), "content" | "summary")
            && tag.attr("type") == Some("html")
        {
            let close = format!("</{}", tag.name);
            let end = text[tag.end..]
                .find(&close)
                .map_or(text.len(), |e| e + tag.end);
            let inner = decode_entities(&text[tag.end..end]);
            for r in references_of("feed-entry.html", &inner) {
                push(tag.line, &format!("{} in <{}>", r.attr, tag.name), &r.url);
            }
        }
    }
    refs
}

/// The `<base href>` of a page, as the file whose folder relative references start from.
fn base_element(file: &str, text: &str, base: &Base) -> Option<String> {
    let href = scan_tags(text)
        .into_iter()
        .find(|t| t.name == "base")?
        .attr("href")?
        .to_string();
    // Relative references start from the base's folder: `x/` or `x/page.html` → `x/`.
    match resolve(file, &href, base) {
        Target::Internal { path, .. } => Some(path),
        _ => None,
    }
}

/// Checks every reference in the output folder `out`, whose site has `base_url`.
fn check_output(out: &Path, base_url: Option<&str>) -> Report {
    let base = Base::new(base_url);
    let tree = common::tree(out);
    let files: BTreeSet<&str> = tree.keys().map(String::as_str).collect();
    let folders: BTreeSet<String> = files
        .iter()
        .flat_map(|f| {
            let parts: Vec<&str> = f.split('/').collect();
            (1..parts.len()).map(move |n| parts[..n].join("/"))
        })
        .collect();
    let mut ids: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for (name, bytes) in &tree {
        if name.ends_with(".html") || name.ends_with(".htm") || name.ends_with(".svg") {
            ids.insert(name, ids_of(&String::from_utf8_lossy(bytes)));
        }
    }

    let mut report = Report::default();
    for (name, bytes) in &tree {
        let checked_kind = [".html", ".htm", ".css", ".xml", ".svg"]
            .iter()
            .any(|e| name.ends_with(e));
        if !checked_kind {
            continue;
        }
        report.files += 1;
        let text = String::from_utf8_lossy(bytes);
        let from = base_element(name, &text, &base).unwrap_or_else(|| name.clone());
        for reference in references_of(name, &text) {
            let broken = |reason: String| Broken {
                reference: reference.clone(),
                reason,
            };
            // Same-document references stay on the page even under a <base>.
            let from = if reference.url.starts_with('#') {
                name.as_str()
            } else {
                from.as_str()
            };
            match resolve(from, &reference.url, &base) {
                Target::External => report.external += 1,
                Target::Invalid(reason) => {
                    report.checked += 1;
                    report.broken.push(broken(reason));
                }
                Target::Internal { path, fragment } => {
                    report.checked += 1;
                    let file = if path.is_empty() || path.ends_with('/') {
                        format!("{path}index.html")
                    } else {
                        path.clone()
                    };
                    if !files.contains(file.as_str()) {
                        let reason = if folders.contains(&path) {
                            format!("`{path}` is a folder: link to `{path}/`")
                        } else {
                            format!("no file `{file}` in the output")
                        };
                        report.broken.push(broken(reason));
                        continue;
                    }
                    let Some(fragment) = fragment.filter(|f| !f.is_empty()) else {
                        continue;
                    };
                    if fragment.starts_with(":~:") {
                        continue; // a text fragment
                    }
                    if let Some(target_ids) = ids.get(file.as_str()) {
                        report.anchors += 1;
                        if !target_ids.contains(&fragment) && fragment != "top" {
                            report.broken.push(broken(format!(
                                "no element with id=\"{fragment}\" in `{file}`"
                            )));
                        }
                    }
                }
            }
        }
    }
    report
}

/// The `base_url` of a built site: from `site.json`, else the dashboard's canonical link.
fn base_url_of(out: &Path) -> Option<String> {
    if let Ok(bytes) = fs::read(out.join("site.json")) {
        if let Ok(json) = serde_json::from_slice::<serde_json::Value>(&bytes) {
            if let Some(url) = json["site"]["base_url"].as_str().filter(|u| !u.is_empty()) {
                return Some(url.to_string());
            }
        }
    }
    let index = fs::read_to_string(out.join("index.html")).ok()?;
    scan_tags(&index)
        .into_iter()
        .find(|t| t.name == "link" && t.attr("rel") == Some("canonical"))
        .and_then(|t| t.attr("href").map(str::to_string))
}

fn check_built(out: &Path) -> Report {
    check_output(out, base_url_of(out).as_deref())
}

// ------------------------------------------------------------------ the tests

#[test]
fn every_internal_link_and_anchor_of_the_example_site_resolves() {
    let built = Site::example().build();
    let report = check_built(&built.out);
    eprintln!(
        "{} files: {} internal references checked ({} with an anchor), {} external not followed",
        report.files, report.checked, report.anchors, report.external
    );
    assert!(
        report.broken.is_empty(),
        "{} broken internal links or anchors in the example site ({} checked):\n{}",
        report.broken.len(),
        report.checked,
        report.listing()
    );
    // The check must have looked at something: every page links to the sections and
    // has a skip link to #main.
    assert!(report.files >= built.pages, "{report:?}");
    assert!(
        report.checked >= 20 * built.pages,
        "only {} internal links in {} pages",
        report.checked,
        built.pages
    );
    assert!(
        report.anchors >= built.pages,
        "only {} anchors checked",
        report.anchors
    );
}

/// `CYCLEBOOK_LINKS_OUT=/path/to/public cargo test --test links` also checks a site built
/// elsewhere, e.g. with git history (`recent/` and its feed) by `tests/browser/ci.sh`.
#[test]
fn a_built_site_named_by_cyclebook_links_out_has_no_broken_links() {
    let Some(out) = std::env::var_os("CYCLEBOOK_LINKS_OUT") else {
        eprintln!("CYCLEBOOK_LINKS_OUT is not set: no extra site to check");
        return;
    };
    let out = Path::new(&out);
    assert!(
        out.join("index.html").is_file(),
        "CYCLEBOOK_LINKS_OUT={} holds no built site",
        out.display()
    );
    let report = check_built(out);
    eprintln!(
        "{}: {} files, {} internal references checked ({} with an anchor)",
        out.display(),
        report.files,
        report.checked,
        report.anchors
    );
    assert!(report.checked > 0, "no internal reference found");
    assert!(
        report.broken.is_empty(),
        "{} broken internal links or anchors in {}:\n{}",
        report.broken.len(),
        out.display(),
        report.listing()
    );
}

fn tiny_site() -> Site {
    Site::from_files(&[
        (
            "cyclebook.yml",
            "title: Tiny ward\nbase_url: https://example.org/tiny/\nprivacy: { suppress_below: 0 }\n",
        ),
        (
            "cycles/c.md",
            "---\ntitle: The cycle\nstatus: planned\n---\n\n## Plan\n\nSee [[n]].\n",
        ),
        ("notes/n.md", "---\ntitle: N\n---\n\nAbout [[c#plan|the plan]].\n"),
    ])
}

#[test]
fn the_checker_passes_a_fresh_build_and_catches_what_is_broken_in_a_tampered_copy() {
    let built = tiny_site().build();
    let clean = check_built(&built.out);
    assert!(
        clean.broken.is_empty(),
        "false alarms on a fresh build:\n{}",
        clean.listing()
    );
    assert!(
        clean.checked > 0 && clean.anchors > 0,
        "nothing checked: {clean:?}"
    );

    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("public");
    copy_dir(&built.out, &copy);
    let page = copy.join("notes/n/index.html");
    let html = fs::read_to_string(&page).unwrap();
    assert!(html.contains("../../cycles/c/#plan"), "{html}");
    let broken_refs = [
        "../../cycles/gone/",
        "../../cycles/c/#no-such-heading",
        "#nowhere",
        "../../assets/missing.png",
        "../../../../outside.html",
        "/elsewhere/cycles/c/",
        "https://example.org/tiny/notes/missing/",
        "../../cycles",
    ];
    let fine_refs = [
        "../../cycles/c/#plan",
        "../../cycles/c/index.html#plan",
        "#main",
        "",
        "../../",
        "/tiny/cycles/c/",
        "https://example.org/tiny/cycles/c/#plan",
        "https://example.com/elsewhere/",
        "mailto:someone@example.org",
        "../../cycles/c/?view=print#plan",
    ];
    let mut extra = String::from("<p>");
    for url in broken_refs.iter().chain(&fine_refs) {
        extra.push_str(&format!("<a href=\"{url}\">x</a> "));
    }
    extra.push_str(r#"<img src="../../assets/missing.png" alt=""></p>"#);
    // References in comments and scripts are not links.
    extra.push_str("<!-- <a href=\"../../commented/\"> --><script>const a = '<a href=\"../../scripted/\">';</script>");
    let tampered = html.replacen("</main>", &format!("{extra}</main>"), 1);
    assert_ne!(tampered, html, "the page has no </main> to tamper before");
    fs::write(&page, tampered).unwrap();

    let report = check_built(&copy);
    let found: BTreeSet<&str> = report
        .broken
        .iter()
        .map(|b| b.reference.url.as_str())
        .collect();
    let expected: BTreeSet<&str> = broken_refs.iter().copied().collect();
    assert_eq!(found, expected, "\n{}", report.listing());
    assert!(report
        .broken
        .iter()
        .all(|b| b.reference.file == "notes/n/index.html"));
    assert_eq!(
        report.broken.len(),
        broken_refs.len() + 1,
        "the <img src> is reported too:\n{}",
        report.listing()
    );
    let listing = report.listing();
    assert!(
        listing.contains("notes/n/index.html:")
            && listing.contains("no element with id=\"no-such-heading\" in `cycles/c/index.html`")
            && listing.contains("no file `cycles/gone/index.html` in the output")
            && listing.contains("goes above the root of the site")
            && listing.contains("`cycles` is a folder: link to `cycles/`"),
        "{listing}"
    );

    // Removing a page breaks every link to it, wherever it is.
    fs::remove_file(copy.join("cycles/c/index.html")).unwrap();
    let report = check_built(&copy);
    let pages: BTreeSet<&str> = report
        .broken
        .iter()
        .filter(|b| b.reason.contains("cycles/c/index.html"))
        .map(|b| b.reference.file.as_str())
        .collect();
    assert!(
        pages.contains("cycles/index.html") && pages.contains("notes/n/index.html"),
        "{pages:?}\n{}",
        report.listing()
    );
}

#[test]
fn the_scanner_reads_attributes_as_a_browser_does() {
    let html = "<!DOCTYPE html>\n<p>a < b</p>\n<A HREF=one.html>1</A>\n<a href='two.html?x=1&amp;y=2'>2</a>\n\
        <!-- <a href=\"hidden.html\"> -->\n<script>var s = \"<a href='script.html'>\";</script>\n\
        <img srcset=\"small.png 1x, big.png 2x\" src=\"small.png\" alt=\"\">\n\
        <svg><a xlink:href=\"#p&#x31;\"><title>t <a href=\"no.html\"></title></a><use href=\"#p1\"/></svg>\n\
        <a id=\"p1\" href=\"&#47;x/\">3</a><a name=\"old\"></a>";
    let refs: Vec<(usize, String, String)> = references_of("a/index.html", html)
        .into_iter()
        .map(|r| (r.line, r.attr, r.url))
        .collect();
    let expected: Vec<(usize, String, String)> = [
        (3, "href", "one.html"),
        (4, "href", "two.html?x=1&y=2"),
        (7, "srcset", "small.png"),
        (7, "srcset", "big.png"),
        (7, "src", "small.png"),
        (8, "xlink:href", "#p1"),
        (8, "href", "#p1"),
        (9, "href", "/x/"),
    ]
    .into_iter()
    .map(|(l, a, u)| (l, a.to_string(), u.to_string()))
    .collect();
    assert_eq!(refs, expected);
    assert_eq!(
        ids_of(html),
        ["old", "p1"].into_iter().map(String::from).collect()
    );
}

#[test]
fn references_resolve_against_the_page_address_and_the_base_url() {
    let base = Base::new(Some("https://example.org/ward7"));
    assert_eq!(base.path, "/ward7/");
    let internal = |path: &str, fragment: Option<&str>| Target::Internal {
        path: path.to_string(),
        fragment: fragment.map(str::to_string),
    };
    let page = "cycles/c/index.html";
    assert_eq!(resolve(page, "../../", &base), internal("", None));
    assert_eq!(resolve(page, "", &base), internal(page, None));
    assert_eq!(resolve(page, "#plan", &base), internal(page, Some("plan")));
    assert_eq!(
        resolve(page, "../../notes/n/#a%20b", &base),
        internal("notes/n/", Some("a b"))
    );
    assert_eq!(
        resolve(page, "./x.svg", &base),
        internal("cycles/c/x.svg", None)
    );
    assert_eq!(resolve(page, ".", &base), internal("cycles/c/", None));
    assert_eq!(resolve(page, "..", &base), internal("cycles/", None));
    assert_eq!(
        resolve(page, "/ward7/tags/", &base),
        internal("tags/", None)
    );
    assert_eq!(resolve(page, "/ward7", &base), internal("", None));
    assert_eq!(
        resolve(page, "https://example.org/ward7/aims/a/#d", &base),
        internal("aims/a/", Some("d"))
    );
    assert_eq!(
        resolve("404.html", "assets/site.css", &base),
        internal("assets/site.css", None)
    );
    assert!(matches!(resolve(page, "/tags/", &base), Target::Invalid(_)));
    assert!(matches!(
        resolve(page, "../../../x/", &base),
        Target::Invalid(_)
    ));
    for external in [
        "https://example.com/",
        "http://example.org/ward7/",
        "//cdn.example.com/x.js",
        "mailto:a@example.org",
        "tel:+441234",
        "data:image/png;base64,AAAA",
        "javascript:void(0)",
    ] {
        assert_eq!(
            resolve(page, external, &base),
            Target::External,
            "{external}"
        );
    }
}
