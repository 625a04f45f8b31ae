//! Markdown bodies: find their links (for resolution and diagnostics) and render them to
//! HTML with wiki links resolved, heading anchors, and raw HTML sanitized.

use crate::diagnostics::Pos;
use pulldown_cmark::{
    CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd,
};
use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;

pub(crate) fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_WIKILINKS
        | Options::ENABLE_GFM
        | Options::ENABLE_SMART_PUNCTUATION
}

/// What a link in a body points at, before resolution.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LinkTarget {
    /// `[[id]]`, `[[id#anchor]]`, `[[id|label]]`.
    Wiki {
        id: String,
        fragment: Option<String>,
    },
    /// A relative link to a Markdown file, as a site-relative path (`cycles/a.md`).
    File {
        path: PathBuf,
        fragment: Option<String>,
    },
    /// A relative link or image to another file of the site (`../static/plan.pdf`).
    Asset {
        path: PathBuf,
        fragment: Option<String>,
    },
    /// A relative link that climbs out of the site.
    OutsideSite { written: String },
    /// A ```` ```chart ```` block: a measure's chart embedded in the body.
    Chart(ChartBlock),
    /// A ```` ```chart ```` block that could not be read.
    BadChart { message: String, hint: String },
}

/// What a ```` ```chart ```` block asks for. Its body is `key: value` lines, which
/// read sensibly as text where the block is not rendered (on GitHub, say):
/// ```text
/// measure: falls-rate
/// from: 2025-09-01
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ChartBlock {
    pub measure: String,
    pub from: Option<crate::date::Date>,
    pub to: Option<crate::date::Date>,
}

const CHART_KEYS: [&str; 3] = ["measure", "from", "to"];

/// Reads a chart block's `key: value` lines.
pub fn parse_chart_block(text: &str) -> Result<ChartBlock, (String, String)> {
    let mut measure = None;
    let mut from = None;
    let mut to = None;
    for line in text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let Some((key, value)) = line.split_once(':') else {
            return Err((
                format!("`{line}` is not a `key: value` line"),
                "write e.g. `measure: falls-rate`".into(),
            ));
        };
        let (key, value) = (key.trim(), value.trim());
        match key {
            "measure" => measure = Some(value.to_string()),
            "from" | "to" => {
                let date = crate::date::Date::parse_period(value)
                    .map_err(|m| {
                        (
                            format!("bad date in `{key}`: {m}"),
                            "write dates as YYYY-MM-DD (or a month, YYYY-MM, or an ISO week, YYYY-Www)".to_string(),
                        )
                    })?
                    .0;
                if key == "from" {
                    from = Some(date);
                } else {
                    to = Some(date);
                }
            }
            other => {
                let hint = match crate::diagnostics::did_you_mean(other, CHART_KEYS) {
                    Some(close) => format!("did you mean `{close}`?"),
                    None => format!("a chart block takes {}", CHART_KEYS.join(", ")),
                };
                return Err((format!("unknown key `{other}` in a chart block"), hint));
            }
        }
    }
    let measure = measure.filter(|m| !m.is_empty()).ok_or_else(|| {
        (
            "a chart block needs `measure: <id>`".to_string(),
            "name the measure to chart, e.g. `measure: falls-rate`".to_string(),
        )
    })?;
    if let (Some(f), Some(t)) = (from, to) {
        if t < f {
            return Err((
                format!("`to` ({t}) is before `from` ({f})"),
                "swap the two dates".into(),
            ));
        }
    }
    Ok(ChartBlock { measure, from, to })
}

fn is_chart_fence(kind: &CodeBlockKind) -> bool {
    matches!(kind, CodeBlockKind::Fenced(lang) if lang.trim() == "chart")
}

#[derive(Debug, Clone)]
pub struct BodyLink {
    pub target: LinkTarget,
    /// Where the link is written in the file.
    pub pos: Pos,
    pub written: String,
}

fn split_fragment(s: &str) -> (&str, Option<String>) {
    match s.split_once('#') {
        Some((a, f)) => (a, Some(f.to_string())),
        None => (s, None),
    }
}

fn is_external(url: &str) -> bool {
    url.starts_with('#')
        || url.starts_with('/')
        || url.starts_with("//")
        || url.split_once(':').is_some_and(|(scheme, _)| {
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
        })
}

/// Classifies a link destination written in `source` (a site-relative path).
pub fn link_target(source: &Path, dest: &str, wiki: bool) -> Option<LinkTarget> {
    if wiki {
        let (id, fragment) = split_fragment(dest.trim());
        return Some(LinkTarget::Wiki {
            id: id.trim().to_string(),
            fragment,
        });
    }
    if is_external(dest) {
        return None;
    }
    let (path, fragment) = split_fragment(dest);
    let path = path.split('?').next().unwrap_or(path);
    if path.is_empty() {
        return None;
    }
    let markdown = path.to_ascii_lowercase().ends_with(".md");
    let decoded = path.replace("%20", " ");
    let mut out: Vec<Component> = Vec::new();
    let base = source.parent().unwrap_or(Path::new(""));
    let joined = base.join(&decoded);
    for component in joined.components() {
        match component {
            Component::ParentDir => {
                if out.pop().is_none() {
                    return Some(LinkTarget::OutsideSite {
                        written: dest.to_string(),
                    });
                }
            }
            Component::CurDir => {}
            Component::Normal(_) => out.push(component),
            _ => {
                return Some(LinkTarget::OutsideSite {
                    written: dest.to_string(),
                })
            }
        }
    }
    let path: PathBuf = out.iter().collect();
    Some(if markdown {
        LinkTarget::File { path, fragment }
    } else {
        LinkTarget::Asset { path, fragment }
    })
}

/// Lines and columns (1-based, in characters) of byte offsets of a body, found moving
/// forward from the last one asked for: links come in order, so a body with many
/// links costs one pass, not one pass per link.
struct Places<'a> {
    body: &'a str,
    first_line: usize,
    /// The last offset asked for, its line, and its column less one.
    offset: usize,
    line: usize,
    col: usize,
}

impl<'a> Places<'a> {
    fn new(body: &'a str, body_line: usize) -> Self {
        Places {
            body,
            first_line: body_line,
            offset: 0,
            line: body_line,
            col: 0,
        }
    }

    fn of(&mut self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.body.len());
        while !self.body.is_char_boundary(offset) {
            offset -= 1;
        }
        if offset < self.offset {
            (self.offset, self.line, self.col) = (0, self.first_line, 0);
        }
        let passed = &self.body[self.offset..offset];
        match passed.rfind('\n') {
            Some(i) => {
                self.line += passed.matches('\n').count();
                self.col = passed[i + 1..].chars().count();
            }
            None => self.col += passed.chars().count(),
        }
        self.offset = offset;
        (self.line, self.col + 1)
    }
}

/// Every internal link in a body, with its place in the file.
pub fn scan_links(body: &str, body_line: usize, source: &Path) -> Vec<BodyLink> {
    scan_body(body, body_line, source, false).0
}

/// [`scan_links`], and if `with_text` the body's plain text for the search index (the
/// same as [`super::search::plain_text`] gives), from the one parse.
pub fn scan_body(
    body: &str,
    body_line: usize,
    source: &Path,
    with_text: bool,
) -> (Vec<BodyLink>, Option<String>) {
    let mut links = Vec::new();
    let mut text = with_text.then(|| super::search::PlainText::new(body.len(), false));
    let mut places = Places::new(body, body_line);
    let mut chart: Option<(usize, String)> = None;
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        if let Some(text) = &mut text {
            text.event(&event);
        }
        match &event {
            Event::Start(Tag::CodeBlock(kind)) if is_chart_fence(kind) => {
                chart = Some((range.start, String::new()));
                continue;
            }
            Event::Text(text) if chart.is_some() => {
                if let Some((_, content)) = &mut chart {
                    content.push_str(text);
                }
                continue;
            }
            Event::End(TagEnd::CodeBlock) if chart.is_some() => {
                let (start, content) = chart.take().expect("open chart block");
                let (line, col) = places.of(start);
                let first_line = body[start..].lines().next().unwrap_or("");
                let target = match parse_chart_block(&content) {
                    Ok(block) => LinkTarget::Chart(block),
                    Err((message, hint)) => LinkTarget::BadChart { message, hint },
                };
                links.push(BodyLink {
                    target,
                    pos: Pos::new(line, col, first_line.chars().count().max(1)),
                    written: first_line.to_string(),
                });
                continue;
            }
            _ => {}
        }
        let (link_type, dest_url) = match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                ..
            })
            | Event::Start(Tag::Image {
                link_type,
                dest_url,
                ..
            }) => (link_type, dest_url),
            _ => continue,
        };
        {
            let wiki = matches!(link_type, LinkType::WikiLink { .. });
            let Some(target) = link_target(source, &dest_url, wiki) else {
                continue;
            };
            let (line, col) = places.of(range.start);
            let written = &body[range.clone()];
            let first_line = written.lines().next().unwrap_or("");
            links.push(BodyLink {
                target,
                pos: Pos::new(line, col, first_line.chars().count().max(1)),
                written: first_line.to_string(),
            });
        }
    }
    (links, text.map(super::search::PlainText::into_text))
}

/// A resolved link: where it goes (relative to the page) and the target's title.
pub struct Resolved {
    pub href: String,
    pub title: String,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub text: String,
}

pub struct Rendered {
    pub html: String,
    pub headings: Vec<Heading>,
}

fn level_number(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// Renders a body. `resolve` maps a link target to its page; unresolved links render
/// as plain text marked `broken-link` (`check` reports them).
pub fn render(
    body: &str,
    source: &Path,
    trusted_html: bool,
    resolve: &dyn Fn(&LinkTarget) -> Option<Resolved>,
) -> Rendered {
    render_with_charts(body, source, trusted_html, resolve, &|_| None)
}

/// How many charts one body may embed; further chart blocks show as the code they are.
/// Each embedded chart is a whole SVG, so thousands of blocks naming a large measure
/// would make a page of gigabytes.
pub const MAX_EMBEDDED_CHARTS: usize = 50;

/// Private-use characters mark where an embedded chart goes; the SVG is put in after
/// sanitizing, which would otherwise strip it.
const CHART_MARK: char = '\u{E000}';

/// [`render`], with ```` ```chart ```` blocks replaced by `embed_chart`'s SVG (a block it
/// cannot draw is shown as the code it is).
pub fn render_with_charts(
    body: &str,
    source: &Path,
    trusted_html: bool,
    resolve: &dyn Fn(&LinkTarget) -> Option<Resolved>,
    embed_chart: &dyn Fn(&ChartBlock) -> Option<String>,
) -> Rendered {
    render_body(body, source, trusted_html, resolve, embed_chart, true).0
}

/// [`render_with_charts`], and whether the HTML was cleaned without the sanitizer
/// (`fast_path` false always uses it, for tests to compare the two).
fn render_body(
    body: &str,
    source: &Path,
    trusted_html: bool,
    resolve: &dyn Fn(&LinkTarget) -> Option<Resolved>,
    embed_chart: &dyn Fn(&ChartBlock) -> Option<String>,
    fast_path: bool,
) -> (Rendered, bool) {
    // The chart marks are this module's own: a body that contains one cannot place a
    // chart, or anything else, where it likes.
    let unmarked;
    let body = if body.contains(CHART_MARK) {
        unmarked = body.replace(CHART_MARK, "\u{FFFD}");
        unmarked.as_str()
    } else {
        body
    };
    let mut charts: Vec<String> = Vec::new();
    let mut chart_text: Option<(usize, String)> = None;
    // Reserved from the body's length: growing one event at a time was 3% of a build.
    // At most 5 MB: a huge body may be a few long lines, with few events.
    let reserve = (body.len() / EVENT_BYTES + 16).min(1 << 16);
    let mut events: Vec<Event> = Vec::with_capacity(reserve);
    // Whether the parser found raw HTML: the author's, which only the sanitizer may clean
    // (the HTML this module writes itself is pushed below, not seen here).
    let mut author_html = false;
    let mut headings = Vec::new();
    let mut used_ids: HashMap<String, usize> = HashMap::new();
    let mut given_ids: HashSet<String> = HashSet::new();
    // Index in `events` of the open heading, with its text so far.
    let mut open_heading: Option<(usize, String)> = None;
    // The open wiki link without a label: its text is replaced by the target's title.
    let mut replace_wiki_text: Option<String> = None;
    let mut broken_depth = 0usize;

    for event in Parser::new_ext(body, options()) {
        if let Some((start, text)) = &mut chart_text {
            match event {
                Event::Text(t) => {
                    text.push_str(&t);
                    continue;
                }
                Event::End(TagEnd::CodeBlock) => {
                    let svg = parse_chart_block(text)
                        .ok()
                        .filter(|_| charts.len() < MAX_EMBEDDED_CHARTS)
                        .and_then(|block| embed_chart(&block));
                    if let Some(svg) = svg {
                        events.truncate(*start);
                        events.push(Event::Html(CowStr::from(format!(
                            "<p>{CHART_MARK}{}{CHART_MARK}</p>\n",
                            charts.len()
                        ))));
                        charts.push(svg);
                    } else {
                        events.push(Event::Text(CowStr::from(std::mem::take(text))));
                        events.push(Event::End(TagEnd::CodeBlock));
                    }
                    chart_text = None;
                    continue;
                }
                _ => {}
            }
        }
        match event {
            Event::Start(Tag::CodeBlock(ref kind)) if is_chart_fence(kind) => {
                chart_text = Some((events.len(), String::new()));
                events.push(event);
            }
            Event::Start(Tag::Heading { .. }) => {
                open_heading = Some((events.len(), String::new()));
                events.push(event);
            }
            Event::End(TagEnd::Heading(level)) => {
                if let Some((start, text)) = open_heading.take() {
                    if let Event::Start(Tag::Heading {
                        id, classes, attrs, ..
                    }) = &events[start]
                    {
                        let base = match id {
                            Some(id) => id.to_string(),
                            None => {
                                let slug = crate::content::slugify(&text);
                                if slug.is_empty() {
                                    "section".to_string()
                                } else {
                                    slug
                                }
                            }
                        };
                        // Numbered apart from every id already given, written or made
                        // (`Plan 1` slugs to the `plan-1` a second `Plan` may have).
                        let n = used_ids.entry(base.clone()).or_insert(0);
                        let mut unique = if *n == 0 {
                            base.clone()
                        } else {
                            format!("{base}-{n}")
                        };
                        while given_ids.contains(&unique) {
                            *n += 1;
                            unique = format!("{base}-{n}");
                        }
                        *n += 1;
                        given_ids.insert(unique.clone());
                        headings.push(Heading {
                            level: level_number(level),
                            id: unique.clone(),
                            text: text.trim().to_string(),
                        });
                        events[start] = Event::Start(Tag::Heading {
                            level,
                            id: Some(CowStr::from(unique)),
                            classes: classes.clone(),
                            attrs: attrs.clone(),
                        });
                    }
                }
                events.push(Event::End(TagEnd::Heading(level)));
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let wiki = matches!(link_type, LinkType::WikiLink { .. });
                match link_target(source, &dest_url, wiki) {
                    None => events.push(Event::Start(Tag::Link {
                        link_type,
                        dest_url,
                        title,
                        id,
                    })),
                    Some(target) => match resolve(&target) {
                        Some(resolved) => {
                            if matches!(link_type, LinkType::WikiLink { has_pothole: false }) {
                                replace_wiki_text = Some(resolved.title.clone());
                            }
                            let title = if title.is_empty() && !resolved.title.is_empty() {
                                CowStr::from(resolved.title)
                            } else {
                                title
                            };
                            events.push(Event::Start(Tag::Link {
                                link_type,
                                dest_url: CowStr::from(resolved.href),
                                title,
                                id,
                            }));
                        }
                        None => {
                            broken_depth += 1;
                            events.push(Event::InlineHtml(CowStr::from(
                                "<span class=\"broken-link\">",
                            )));
                        }
                    },
                }
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest_url = match link_target(source, &dest_url, false).and_then(|t| resolve(&t))
                {
                    Some(resolved) => CowStr::from(resolved.href),
                    None => dest_url,
                };
                events.push(Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            Event::End(TagEnd::Link) => {
                if broken_depth > 0 {
                    broken_depth -= 1;
                    events.push(Event::InlineHtml(CowStr::from("</span>")));
                } else {
                    if let Some(title) = replace_wiki_text.take() {
                        // Drop the id text the parser produced and show the title.
                        while matches!(events.last(), Some(Event::Text(_))) {
                            events.pop();
                        }
                        events.push(Event::Text(CowStr::from(title)));
                    }
                    events.push(Event::End(TagEnd::Link));
                }
            }
            Event::Text(ref text) | Event::Code(ref text) => {
                if let Some((_, heading_text)) = &mut open_heading {
                    heading_text.push_str(text);
                }
                events.push(event);
            }
            // A task list's box is a picture of a box, not a form control: a disabled
            // checkbox has no label (axe `label`), and says nothing on paper or in a feed.
            Event::TaskListMarker(done) => events.push(Event::InlineHtml(CowStr::from(if done {
                TASK_DONE
            } else {
                TASK_NOT_DONE
            }))),
            other => {
                author_html |= matches!(other, Event::Html(_) | Event::InlineHtml(_));
                events.push(other);
            }
        }
    }
    let mut html = String::with_capacity(body.len() * 3 / 2);
    let mut fast = false;
    if trusted_html || !author_html {
        // Without the author's HTML, showing it as text (below) changes nothing, so the
        // events are not needed again: hand them over rather than clone them.
        pulldown_cmark::html::push_html(&mut html, capped(events.into_iter()));
        // And the sanitizer, whose re-parse was 5% of a build, need not parse it again.
        if !trusted_html {
            match fast_path.then(|| sanitized_own_html(&html)).flatten() {
                Some(clean) => (html, fast) = (clean, true),
                None => html = sanitizer().clean(&html).to_string(),
            }
        }
    } else {
        pulldown_cmark::html::push_html(&mut html, capped(events.iter().cloned()));
        if html_depth(&html) > MAX_HTML_DEPTH {
            // Raw HTML nested this deep is never writing, and would take the sanitizer
            // time that grows with the square of the depth: show it as text instead.
            html.clear();
            let as_text = events.into_iter().map(|event| match event {
                Event::Html(raw) | Event::InlineHtml(raw) if !is_own_html(&raw) => Event::Text(raw),
                other => other,
            });
            pulldown_cmark::html::push_html(&mut html, capped(as_text));
        }
        html = sanitizer().clean(&html).to_string();
    }
    for (n, svg) in charts.iter().enumerate() {
        let mark = format!("<p>{CHART_MARK}{n}{CHART_MARK}</p>");
        html = html.replacen(
            &mark,
            &format!("<figure class=\"chart-embed\">{svg}</figure>"),
            1,
        );
    }
    (Rendered { html, headings }, fast)
}

/// How deeply Markdown may nest (block quotes in lists in block quotes…) before the
/// deeper levels are flattened: no writing needs this many, and the sanitizer's time
/// grows with the square of the depth.
pub const MAX_NESTING: usize = 64;

/// How deeply the HTML of a body may nest before its raw HTML is shown as text.
pub const MAX_HTML_DEPTH: usize = 256;

/// The events with the elements nested deeper than [`MAX_NESTING`] left out (their
/// text stays, in the element that holds them).
fn capped<'a>(events: impl Iterator<Item = Event<'a>>) -> impl Iterator<Item = Event<'a>> {
    // For each open element: whether it was kept.
    let mut open: Vec<bool> = Vec::new();
    let mut kept = 0usize;
    events.filter(move |event| match event {
        Event::Start(_) => {
            let keep = kept < MAX_NESTING;
            open.push(keep);
            kept += usize::from(keep);
            keep
        }
        Event::End(_) => {
            let keep = open.pop().unwrap_or(true);
            kept -= usize::from(keep && kept > 0);
            keep
        }
        _ => true,
    })
}

/// The box of a task list item (`- [x]`, `- [ ]`): drawn by the stylesheet, and read
/// as "Done:" or "Not done:" before the task by screen readers (and where there is no
/// stylesheet, as in a feed reader).
pub const TASK_DONE: &str =
    r#"<span class="task-mark task-done"><span class="visually-hidden">Done: </span></span>"#;
pub const TASK_NOT_DONE: &str = r#"<span class="task-mark task-not-done"><span class="visually-hidden">Not done: </span></span>"#;

/// HTML that this module writes itself (chart places, broken-link marks, task boxes):
/// never shown as text.
fn is_own_html(raw: &str) -> bool {
    raw.starts_with(&format!("<p>{CHART_MARK}"))
        || raw == "<span class=\"broken-link\">"
        || raw == "</span>"
        || raw == TASK_DONE
        || raw == TASK_NOT_DONE
}

/// Elements that have no end tag.
const VOID_ELEMENTS: [&str; 14] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

/// How deeply elements nest in `html`, counting every start tag that is not closed
/// (an upper bound: HTML closes some elements by itself).
fn html_depth(html: &str) -> usize {
    let bytes = html.as_bytes();
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut i = 0;
    while let Some(at) = html[i..].find('<') {
        i += at + 1;
        let closing = bytes.get(i) == Some(&b'/');
        let name_start = i + usize::from(closing);
        let name_len = bytes[name_start..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        if name_len == 0 || !bytes[name_start].is_ascii_alphabetic() {
            continue;
        }
        let name = html[name_start..name_start + name_len].to_ascii_lowercase();
        if closing {
            depth = depth.saturating_sub(1);
        } else if !VOID_ELEMENTS.contains(&name.as_str()) {
            // Up to the next `<` at most, so that each byte is looked at a bounded
            // number of times however the tags are written.
            let self_closing = html[name_start..].find(['<', '>']).is_some_and(|end| {
                bytes[name_start + end] == b'>' && html[name_start..name_start + end].ends_with('/')
            });
            if !self_closing {
                depth += 1;
                deepest = deepest.max(depth);
            }
        }
    }
    deepest
}

/// The allowlist for untrusted HTML: what Markdown itself produces, nothing that runs.
fn sanitizer() -> &'static ammonia::Builder<'static> {
    static BUILDER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    BUILDER.get_or_init(|| {
        let mut builder = ammonia::Builder::default();
        builder
            .add_tags(["input"])
            .add_generic_attributes(["class"])
            .add_tag_attributes("input", ["type", "checked", "disabled"])
            .add_tag_attribute_values("input", "type", ["checkbox"])
            .add_tag_attributes("th", ["style"])
            .add_tag_attributes("td", ["style"])
            .filter_style_properties(HashSet::from(["text-align"]))
            .link_rel(None);
        for tag in [
            "h1", "h2", "h3", "h4", "h5", "h6", "li", "sup", "div", "section", "a",
        ] {
            builder.add_tag_attributes(tag, ["id"]);
        }
        builder
    })
}

/// Bytes of body per event, at most, in most bodies (those of the synthetic corpus have
/// one event to 12 to 31 bytes): reserving for this many grows few event lists.
const EVENT_BYTES: usize = 12;

/// What an element written by pulldown-cmark (or this module) may hold, for html5ever
/// to build each element just where it is written.
#[derive(Clone, Copy, PartialEq)]
enum Holds {
    /// Blocks and text: the top, an item, a block quote, a footnote (`div`).
    Flow,
    /// Only text-level elements: never a block, which would close a `p` or heading early.
    Phrasing,
    /// `li` only (pulldown-cmark writes nothing else straight in a list).
    Items,
    /// `thead`, `tbody`: html5ever moves anything else out of a table's own elements.
    Sections,
    /// `tr`.
    Rows,
    /// `th`, `td`.
    Cells,
}

/// The elements the fast path accepts: what may hold each one, what it holds, whether
/// it is void, and the attributes it may carry, each one the sanitizer keeps. Anything
/// else (a heading's `{key=val}`, which the sanitizer drops) takes the slow path.
fn element(name: &str) -> Option<(Holds, Holds, bool, &'static [&'static str])> {
    use Holds::*;
    Some(match name {
        "a" => (Phrasing, Phrasing, false, &["href", "title"]),
        "img" => (Phrasing, Phrasing, true, &["src", "alt", "title"]),
        "br" => (Phrasing, Phrasing, true, &[]),
        "em" | "strong" | "del" => (Phrasing, Phrasing, false, &[]),
        "code" | "sup" | "span" => (Phrasing, Phrasing, false, &["class"]),
        "p" | "pre" => (Flow, Phrasing, false, &[]),
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => (Flow, Phrasing, false, &["id", "class"]),
        "div" => (Flow, Flow, false, &["id", "class"]),
        "blockquote" => (Flow, Flow, false, &["class"]),
        "hr" => (Flow, Flow, true, &[]),
        "ul" => (Flow, Items, false, &[]),
        "ol" => (Flow, Items, false, &["start"]),
        "li" => (Items, Flow, false, &[]),
        "table" => (Flow, Sections, false, &[]),
        "thead" | "tbody" => (Sections, Rows, false, &[]),
        "tr" => (Rows, Cells, false, &[]),
        "th" | "td" => (Cells, Phrasing, false, &["style"]),
        _ => return None,
    })
}

/// What [`sanitizer`] makes of `html`, in one pass and without a DOM; `None` where that
/// is not certain, for the sanitizer to do it. Only for HTML that pulldown-cmark and
/// this module wrote, with none of the author's: well nested, every `<`, `>` and `&` in
/// text and attributes escaped, attribute values double-quoted. For such HTML,
/// html5ever builds the tree as written as long as each element stands where
/// [`element`] allows (and no `a` is in an `a`), and the sanitizer then only removes:
/// so this accepts only elements and attributes it keeps, with URLs it keeps, and
/// writes them back as html5ever's serializer does (`<br>` for `<br />`, `"` bare in
/// text, `'` bare everywhere, `&nbsp;`, line ends as `\n`, the table `style` tidied).
fn sanitized_own_html(html: &str) -> Option<String> {
    let mut out = String::with_capacity(html.len() + html.len() / 64 + 16);
    // The open elements and what each holds.
    let mut open: Vec<(&str, Holds)> = Vec::with_capacity(16);
    let mut links = 0usize;
    let mut rest = html;
    loop {
        // What the innermost open element holds.
        let room = open.last().map_or(Holds::Flow, |&(_, holds)| holds);
        let (text, tail) = rest.split_at(rest.find('<').unwrap_or(rest.len()));
        if !text.is_empty() {
            if !matches!(room, Holds::Flow | Holds::Phrasing)
                && !text.bytes().all(|b| b" \t\n\r\x0C".contains(&b))
            {
                return None;
            }
            push_reescaped(&mut out, text, false)?;
        }
        let Some(tail) = tail.strip_prefix('<') else {
            break;
        };
        let end = tail.find('>')?;
        let tag = &tail[..end];
        rest = &tail[end + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            if open.pop()?.0 != name {
                return None;
            }
            links -= usize::from(name == "a");
            out.push_str("</");
            out.push_str(name);
            out.push('>');
            continue;
        }
        let (tag, self_closed) = match tag.strip_suffix(" /") {
            Some(tag) => (tag, true),
            None => (tag, false),
        };
        let (name, mut attrs) = tag.split_once(' ').unwrap_or((tag, ""));
        let (goes_in, holds, void, allowed) = element(name)?;
        let placed = goes_in == room || (goes_in == Holds::Phrasing && room == Holds::Flow);
        if !placed || void != self_closed || (name == "a" && links > 0) {
            return None;
        }
        out.push('<');
        out.push_str(name);
        // Which of `allowed` were written: html5ever keeps the first of two of one name.
        let mut seen = 0u8;
        while !attrs.is_empty() {
            let (attr, after) = attrs.split_at(attrs.find('=')?);
            let (value, after) = after.strip_prefix("=\"")?.split_once('"')?;
            attrs = match after.strip_prefix(' ') {
                Some(more) if !more.is_empty() => more,
                None if after.is_empty() => after,
                _ => return None,
            };
            let k = allowed.iter().position(|a| *a == attr)?;
            if seen & (1 << k) != 0 {
                return None;
            }
            seen |= 1 << k;
            out.push(' ');
            out.push_str(attr);
            out.push_str("=\"");
            match attr {
                "href" | "src" => {
                    if !url_kept(&unescape(value)?) {
                        return None;
                    }
                    push_reescaped(&mut out, value, true)?;
                }
                // The sanitizer rewrites the declarations pulldown-cmark writes.
                "style" => out.push_str(match value {
                    "text-align: left" => "text-align:left",
                    "text-align: center" => "text-align:center",
                    "text-align: right" => "text-align:right",
                    _ => return None,
                }),
                _ => push_reescaped(&mut out, value, true)?,
            }
            out.push('"');
        }
        out.push('>');
        if !void {
            open.push((name, holds));
            links += usize::from(name == "a");
        }
        // html5ever drops a line end straight after `<pre>`.
        if name == "pre" && rest.starts_with(['\n', '\r']) {
            return None;
        }
    }
    open.is_empty().then_some(out)
}

/// Text or a double-quoted attribute value as pulldown-cmark escapes it, written as
/// html5ever writes it back: `&amp;`, `&lt;`, `&gt;` kept, `&quot;` only in attributes,
/// quotes bare, no-break spaces as `&nbsp;`, `\r\n` and `\r` as `\n` (as its tokenizer
/// reads them). `None` for anything pulldown-cmark would not have written.
fn push_reescaped(out: &mut String, s: &str, attribute: bool) -> Option<()> {
    // The bytes to look at; every other is copied as it is.
    const LOOK: [bool; 256] = {
        let mut look = [false; 256];
        let mut k = 0;
        while k < 6 {
            look[b"&\r\xC2<>\0"[k] as usize] = true;
            k += 1;
        }
        look
    };
    let bytes = s.as_bytes();
    let (mut i, mut copied) = (0, 0);
    while let Some(at) = bytes[i..].iter().position(|&b| LOOK[b as usize]) {
        i += at;
        let (len, with) = match &bytes[i..] {
            [b'&', b'a', b'm', b'p', b';', ..] | [b'&', b'l' | b'g', b't', b';', ..] => {
                i += 1;
                continue;
            }
            [b'&', b'q', b'u', b'o', b't', b';', ..] => {
                (6, if attribute { "&quot;" } else { "\"" })
            }
            [b'&', b'#', b'3', b'9', b';', ..] => (5, "'"),
            [b'&', b'#', b'x', b'2', b'7', b';', ..] => (6, "'"),
            [b'\r', b'\n', ..] => (1, ""),
            [b'\r', ..] => (1, "\n"),
            [0xC2, 0xA0, ..] => (2, "&nbsp;"),
            [0xC2, ..] => {
                i += 1;
                continue;
            }
            // `<`, `>`, NUL, another entity: not from pulldown-cmark's escaping.
            _ => return None,
        };
        out.push_str(&s[copied..i]);
        out.push_str(with);
        i += len;
        copied = i;
    }
    out.push_str(&s[copied..]);
    Some(())
}

/// An attribute value as html5ever reads it (for the entities and line ends that
/// [`push_reescaped`] accepts).
fn unescape(value: &str) -> Option<std::borrow::Cow<'_, str>> {
    const READ: [(&str, char); 8] = [
        ("&amp;", '&'),
        ("&lt;", '<'),
        ("&gt;", '>'),
        ("&quot;", '"'),
        ("&#39;", '\''),
        ("&#x27;", '\''),
        ("\r\n", '\n'),
        ("\r", '\n'),
    ];
    if !value.contains(['&', '\r']) {
        return Some(value.into());
    }
    let mut s = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(at) = rest.find(['&', '\r']) {
        s.push_str(&rest[..at]);
        rest = &rest[at..];
        let (written, read) = READ.iter().find(|(w, _)| rest.starts_with(w))?;
        s.push(*read);
        rest = &rest[written.len()..];
    }
    s.push_str(rest);
    Some(s.into())
}

/// Whether the sanitizer keeps `url` in an `href` or `src`: the same test it makes
/// (relative, or parsed with one of its schemes; a URL that does not parse is removed).
fn url_kept(url: &str) -> bool {
    static SCHEMES: OnceLock<HashSet<&'static str>> = OnceLock::new();
    match ammonia::Url::parse(url) {
        Ok(url) => SCHEMES
            .get_or_init(|| sanitizer().clone_url_schemes())
            .contains(url.scheme()),
        Err(e) => e == ammonia::url::ParseError::RelativeUrlWithoutBase,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolver(target: &LinkTarget) -> Option<Resolved> {
        match target {
            LinkTarget::Wiki { id, fragment } if id == "falls-huddle-1" => Some(Resolved {
                href: format!(
                    "../../cycles/falls-huddle-1/{}",
                    fragment
                        .as_ref()
                        .map(|f| format!("#{f}"))
                        .unwrap_or_default()
                ),
                title: "Falls huddle, one shift".into(),
            }),
            LinkTarget::File { path, .. } if path == Path::new("cycles/falls-huddle-1.md") => {
                Some(Resolved {
                    href: "../../cycles/falls-huddle-1/".into(),
                    title: "Falls huddle, one shift".into(),
                })
            }
            _ => None,
        }
    }

    fn html(body: &str) -> String {
        render(body, Path::new("notes/n.md"), false, &resolver).html
    }

    #[test]
    fn finds_wiki_and_relative_links_with_their_places() {
        let body = "Intro\n\nSee [[falls-huddle-1]] and [[nope|that]].\n\nAlso [the test](../cycles/falls-huddle-1.md#study), [web](https://example.org) and `[[code]]`.\n";
        let links = scan_links(body, 5, Path::new("notes/n.md"));
        let got: Vec<_> = links
            .iter()
            .map(|l| (l.target.clone(), l.pos.line, l.pos.col))
            .collect();
        assert_eq!(
            got,
            [
                (
                    LinkTarget::Wiki {
                        id: "falls-huddle-1".into(),
                        fragment: None
                    },
                    7,
                    5
                ),
                (
                    LinkTarget::Wiki {
                        id: "nope".into(),
                        fragment: None
                    },
                    7,
                    28
                ),
                (
                    LinkTarget::File {
                        path: "cycles/falls-huddle-1.md".into(),
                        fragment: Some("study".into())
                    },
                    9,
                    6
                ),
            ]
        );
        assert_eq!(links[1].written, "[[nope|that]]");
    }

    #[test]
    fn places_are_found_forward_and_backward() {
        let body = "ab\ncé d\n\nx";
        let mut places = Places::new(body, 10);
        assert_eq!(places.of(1), (10, 2));
        assert_eq!(places.of(body.find('d').unwrap()), (11, 4));
        assert_eq!(places.of(body.len()), (13, 2));
        assert_eq!(places.of(0), (10, 1));
        assert_eq!(places.of(body.find('é').unwrap() + 1), (11, 2));
    }

    #[test]
    fn chart_blocks_are_links_to_their_measure_and_render_as_svg() {
        let body = "Before\n\n```chart\nmeasure: falls-rate\nfrom: 2025-09-01\n```\n\n```chart\nmeasur: x\n```\n";
        let links = scan_links(body, 10, Path::new("notes/n.md"));
        let block = ChartBlock {
            measure: "falls-rate".into(),
            from: crate::date::Date::new(2025, 9, 1),
            to: None,
        };
        assert_eq!(links[0].target, LinkTarget::Chart(block.clone()));
        assert_eq!((links[0].pos.line, links[0].pos.col), (12, 1));
        assert!(
            matches!(&links[1].target, LinkTarget::BadChart { hint, .. } if hint == "did you mean `measure`?")
        );
        let embed = |b: &ChartBlock| {
            (b == &block).then(|| "<svg class=\"chart\"><text>ok</text></svg>".to_string())
        };
        let html = render_with_charts(body, Path::new("notes/n.md"), false, &resolver, &embed).html;
        assert!(
            html.contains(
                "<figure class=\"chart-embed\"><svg class=\"chart\"><text>ok</text></svg></figure>"
            ),
            "{html}"
        );
        assert!(
            html.contains("<code class=\"language-chart\">measur: x\n</code>"),
            "{html}"
        );
        assert!(!html.contains(CHART_MARK));
    }

    #[test]
    fn flags_links_that_leave_the_site() {
        let t = link_target(Path::new("notes/n.md"), "../../secret.md", false);
        assert!(matches!(t, Some(LinkTarget::OutsideSite { .. })));
    }

    #[test]
    fn renders_wiki_links_with_titles_and_keeps_labels() {
        let out = html("[[falls-huddle-1]], [[falls-huddle-1#study|the study]] and [[missing]]");
        assert!(out.contains(r#"<a href="../../cycles/falls-huddle-1/" title="Falls huddle, one shift">Falls huddle, one shift</a>"#), "{out}");
        assert!(out.contains(r##"<a href="../../cycles/falls-huddle-1/#study" title="Falls huddle, one shift">the study</a>"##), "{out}");
        assert!(
            out.contains(r#"<span class="broken-link">missing</span>"#),
            "{out}"
        );
    }

    #[test]
    fn gives_headings_unique_anchors() {
        let r = render(
            "## Plan\n\ntext\n\n## Plan\n\n### Do *it*\n",
            Path::new("c.md"),
            false,
            &resolver,
        );
        let ids: Vec<_> = r.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["plan", "plan-1", "do-it"]);
        assert!(
            r.html.contains(r#"<h2 id="plan-1">Plan</h2>"#),
            "{}",
            r.html
        );
        // Ids that a title or an explicit id would repeat are numbered apart too.
        let r = render(
            "# Plan\n## Plan\n## Plan {#plan-1}\n# Plan 1\n",
            Path::new("c.md"),
            false,
            &resolver,
        );
        let ids: Vec<_> = r.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["plan", "plan-1", "plan-1-1", "plan-1-2"]);
    }

    #[test]
    fn supports_tables_footnotes_tasks_and_strikethrough() {
        let out = html("| a | b |\n|:-:|---|\n| 1 | 2 |\n\n- [x] done\n- [ ] todo\n\n~~old~~ text[^1]\n\n[^1]: A footnote.\n");
        assert!(
            out.contains(r#"<th style="text-align:center">a</th>"#),
            "{out}"
        );
        // Task boxes are drawn, with words for screen readers: no unlabelled checkbox.
        assert!(out.contains(&format!("<li>{TASK_DONE}done</li>")), "{out}");
        assert!(
            out.contains(&format!("<li>{TASK_NOT_DONE}todo</li>")),
            "{out}"
        );
        assert!(!out.contains("<input"), "{out}");
        // The same when the body's HTML is trusted (not sanitized).
        let trusted = render("- [x] a\n", Path::new("n.md"), true, &resolver).html;
        assert!(
            trusted.contains(&format!("<li>{TASK_DONE}a</li>")),
            "{trusted}"
        );
        assert!(out.contains("<del>old</del>"), "{out}");
        assert!(out.contains("footnote"), "{out}");
    }

    #[test]
    fn flattens_nesting_deeper_than_the_cap() {
        let out = html(&format!("{}deep\n", "> ".repeat(10_000)));
        assert_eq!(out.matches("<blockquote>").count(), MAX_NESTING);
        assert_eq!(out.matches("</blockquote>").count(), MAX_NESTING);
        assert!(out.contains("deep"));
        // Up to the cap, nothing changes.
        let out = html(&format!("{}shallow\n", "> ".repeat(5)));
        assert_eq!(out.matches("<blockquote>").count(), 5);
    }

    #[test]
    fn shows_raw_html_nested_too_deeply_as_text() {
        let deep = format!(
            "Before\n\n{}x{}\n\nAfter [[falls-huddle-1]]",
            "<div>".repeat(300),
            "</div>".repeat(300)
        );
        let out = html(&deep);
        assert!(out.contains("&lt;div&gt;&lt;div&gt;"), "{out}");
        assert!(!out.contains("<div>"), "{out}");
        assert!(
            out.contains(r#"<a href="../../cycles/falls-huddle-1/""#),
            "{out}"
        );
        // Shallow raw HTML is kept (and sanitized).
        let out = html(&format!("{}x{}", "<div>".repeat(20), "</div>".repeat(20)));
        assert_eq!(out.matches("<div>").count(), 20, "{out}");
        assert_eq!(html_depth("<p><br><img src=x><b/><i>a</i></p><i>"), 2);
    }

    #[test]
    fn embeds_at_most_the_limit_of_charts() {
        let body = "```chart\nmeasure: m\n```\n\n".repeat(MAX_EMBEDDED_CHARTS + 2);
        let embed = |_: &ChartBlock| Some("<svg></svg>".to_string());
        let out = render_with_charts(&body, Path::new("n.md"), false, &resolver, &embed).html;
        assert_eq!(out.matches("<svg></svg>").count(), MAX_EMBEDDED_CHARTS);
        assert_eq!(out.matches("language-chart").count(), 2);
    }

    #[test]
    fn a_body_cannot_fake_the_place_of_a_chart() {
        let body = format!("{CHART_MARK}0{CHART_MARK}\n\n```chart\nmeasure: m\n```\n");
        let embed = |_: &ChartBlock| Some("<svg id=\"real\"></svg>".to_string());
        let out = render_with_charts(&body, Path::new("n.md"), false, &resolver, &embed).html;
        assert_eq!(
            out,
            "<p>\u{FFFD}0\u{FFFD}</p>\n<figure class=\"chart-embed\"><svg id=\"real\"></svg></figure>\n"
        );
    }

    #[test]
    fn strips_scripts_and_handlers_unless_trusted() {
        let body = "<script>alert(1)</script>\n\n<img src=x onerror=alert(2)> <a href=\"javascript:alert(3)\">x</a> <b style=\"color:red\">b</b>";
        let out = html(body);
        assert!(!out.contains("<script"), "{out}");
        assert!(!out.contains("onerror"), "{out}");
        assert!(!out.contains("javascript:"), "{out}");
        assert!(!out.contains("style="), "{out}");
        let trusted = render(body, Path::new("n.md"), true, &resolver).html;
        assert!(trusted.contains("<script>"));
    }

    /// Renders `body` with the fast path allowed and with the sanitizer only: both
    /// outputs, and whether the fast path was taken.
    fn both_ways(body: &str) -> (String, String, bool) {
        let embed = |b: &ChartBlock| (b.measure == "m").then(|| "<svg></svg>".to_string());
        let source = Path::new("notes/n.md");
        let (fast, took) = render_body(body, source, false, &resolver, &embed, true);
        let (slow, used) = render_body(body, source, false, &resolver, &embed, false);
        assert!(!used);
        (fast.html, slow.html, took)
    }

    /// Bodies the fast path must take.
    const FAST: &[&str] = &[
        "",
        "\n\n",
        "# Title\n\nPlain *em*, **strong**, ~~del~~, ~one~ and `code`.",
        "## Heading {#custom-id .a .b}\n\ntext",
        "### Only a class {.c-1}\n",
        "#### `code` *em* [[falls-huddle-1]] and [l](https://example.org) ####\n",
        "Setext\n===\n\nSub\n---\n",
        "## Plan\n## Plan\n# Plan 1\n",
        "| a | b | c | d |\n|:--|:-:|--:|---|\n| 1 | 2 | 3 | 4 |\n| `x\\|y` | **b** | [l](a.pdf) | ![i](p.png) |\n",
        "| only a head |\n|:-:|\n",
        "Text[^1] and[^note] and[^1].\n\n[^1]: One.\n[^note]: Two\n    - in a list\n    - two\n\n    | t |\n    |---|\n    | c |\n",
        "- [x] done\n- [ ] todo\n  - [x] nested\n\n1. [ ] loose\n\n2. [x] item\n",
        "1. a\n\n2. b\n\n   para\n\n       indented code\n",
        "3. three\n4. four\n\n0. zero\n",
        "```rust,ignore\nfn x() {}\n```\n",
        "~~~\"quoted\" 'single' &amp; `tick` <x>\ncode & <b> \"q\" 'a'\n~~~\n",
        "```c++ {.x #y}\nint\n```\n\n~~~ spaced info words\nx\n~~~\n",
        "```\n\nleading blank line\n\n```\n",
        "    indented <x> & \"q\"\n",
        "```chart\nmeasure: m\n```\n\n```chart\nmeasur: x\n```\n\n```chart\nmeasure: other\n```\n",
        "![alt *text* \"dq\" & 'apos' a < b &lt;x&gt;](img/p.png \"Title 'q' \\\"dq\\\" <x> &amp;\")",
        "![](<../static/a b.png>) ![x](https://example.org/i.png?a=1&b=2) ![y](/abs.png)",
        "<https://example.org/a?b=1&c=2> <mailto:a@b.org> <a.b@c.org> <HTTP://EXAMPLE.ORG/X> <ftp://x.org/f> <irc://x.org/c> <tel:+123> <xmpp:a@b>",
        "[rel](other.pdf) [frag](#plan) [abs](/x/y) [proto-rel](//cdn.example.org/x) [q](?a=b&c) [empty]() [sp](<a b.pdf>)",
        "[t](https://example.org \"title & <more> 'q' \\\"dq\\\"\") [apos](https://example.org/it's) [pct](https://example.org/%20x%zz)",
        "[ref] and [Ref][] and [other][ref]\n\n[ref]: https://example.org/r \"Ref title\"",
        "[[falls-huddle-1]], [[falls-huddle-1#study|the study]], [[missing]] and [[missing|label *em*]]",
        "[f](../cycles/falls-huddle-1.md) [g](../cycles/none.md) [out](../../../x.md) [asset](../static/x.pdf)",
        "![[[missing]]](a.png) ![a [b](c) d](p.png) [![i](p.png)](https://example.org)",
        "[x [[falls-huddle-1]] y](https://example.org) [a [^1] b](c)\n\n[^1]: x",
        "&copy; &nbsp; &amp; &lt; &gt; &quot; &#39; &#x27; &#0; &#x80; &#xFFFE; &bogus; &#65;",
        "AT&T <3 a<b && c>d \"dq\" 'sq' a > b",
        "\"Quoted\" -- dash --- 'single' ... don't",
        "line one  \nline two\\\nline three\nsoft",
        "a\n\n---\n\nb\n***\n___",
        "> quote\n> > nested\n>\n> - list\n\n> [!NOTE]\n> note text\n\n> [!WARNING]\n> careful",
        "a\u{a0}b\u{a0}\n\n`\u{a0}`",
        "Ünïcödé — 日本語 🎉 \u{E000}0\u{E000} \u{1}\u{7f}\u{80}\u{FFFE} a\u{c}b",
        "*****x***** ***a **b *c* d** e*** *a **b** c*",
        "`<script>` and `a & b` and ``` `` ```",
        "- a\n\n  ```\n  code\n  ```\n\n  | t | u |\n  |---|---|\n  | 1 | 2 |\n- b\n  > q\n",
        "[a](https://example.org \"line\nbreak\")",
        "Hard  \r\nbreak\r\n\r\n```\r\ncode\r\nlines\r\n```\r\n\r\n| a |\r\n|---|\r\n| b |\r\n",
        "a\rb\r\rc",
        "javascript: in prose is text, and so is `<b>` written as code",
    ];

    /// Bodies that must go through the sanitizer.
    const SLOW: &[&str] = &[
        "[js](javascript:alert(1)) and [JS](JaVaScRiPt:alert(1))",
        "[d](data:text/html;base64,PHNjcmlwdD4=) and ![i](data:image/png;base64,AAAA)",
        "[vb](vbscript:msgbox(1))",
        "[unknown](foo:bar) and [other](cyclebook:x)",
        "<javascript:alert(1)> and <jAvAsCrIpT:alert(2)>",
        "![i](javascript:alert(1))",
        "[enc](javascript&#58;alert(1))",
        "[broken](http://[::1)",
        "[bad host](<https://a b/>)",
        "<div class=\"x\">\nhi\n</div>\n",
        "a <b>bold</b> c",
        "<!-- comment -->\n\ntext",
        "a <!-- c --> b",
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(2)>",
        "<a href=\"javascript:alert(3)\">x</a>",
        "a<br>b",
        "# H {#id .c key=val}",
        "# H {title=t lang=en}",
        "# H {onclick=alert(1)}",
        "# H {.c class=d}",
        // pulldown-cmark writes the autolink's `a` in the other, which html5ever splits.
        "[a <https://x.org> b](https://y.org)",
        // pulldown-cmark keeps a NUL, which html5ever drops from text.
        "a\0b",
    ];

    /// Whether any tag of `html` is a script, has a handler or a URL that runs.
    fn runs_something(html: &str) -> bool {
        html.to_ascii_lowercase().split('<').skip(1).any(|tag| {
            let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
            let url_runs = [" href=\"", " src=\""].iter().any(|attr| {
                tag.split(attr).skip(1).any(|url| {
                    ["javascript:", "vbscript:", "data:"]
                        .iter()
                        .any(|scheme| url.starts_with(scheme))
                })
            });
            tag.starts_with("script")
                || tag.contains(" onerror=")
                || tag.contains(" onclick=")
                || url_runs
        })
    }

    #[test]
    fn the_fast_path_writes_what_the_sanitizer_writes() {
        let mut bodies: Vec<String> = FAST.iter().chain(SLOW).map(|b| b.to_string()).collect();
        bodies.push(FAST.join("\n\n"));
        bodies.push(format!("{}deep\n", "> ".repeat(100)));
        bodies.push(format!("{}deep\n", "- ".repeat(100)));
        bodies.push(format!("{}x{}", "*".repeat(200), "*".repeat(200)));
        bodies.push("| a |\n|---|\n| b |\n".repeat(3));
        // Pieces run together, inline or as blocks, in a fixed pseudo-random order.
        let pieces: Vec<&str> = FAST.iter().chain(SLOW).copied().collect();
        let mut next = crate::test_support::xorshift(0x2545_f491_4f6c_dd1d);
        for _ in 0..600 {
            let mut body = String::new();
            for _ in 0..2 + next(4) {
                body.push_str(pieces[next(pieces.len())]);
                body.push_str(["\n\n", "\n", " ", "\n- ", "\n> "][next(5)]);
            }
            bodies.push(body);
        }
        let crlf: Vec<String> = bodies.iter().map(|b| b.replace('\n', "\r\n")).collect();
        bodies.extend(crlf);
        let mut taken = 0;
        for body in &bodies {
            let (fast, slow, took) = both_ways(body);
            if fast != slow {
                let at = fast
                    .chars()
                    .zip(slow.chars())
                    .take_while(|(a, b)| a == b)
                    .count();
                let near = |s: &str| {
                    s.chars()
                        .skip(at.saturating_sub(80))
                        .take(160)
                        .collect::<String>()
                };
                panic!(
                    "the fast path changed the output of {body:?}:\nfast …{:?}\nslow …{:?}",
                    near(&fast),
                    near(&slow),
                );
            }
            assert!(!runs_something(&fast), "{body:?} gave {fast}");
            taken += usize::from(took);
        }
        for body in FAST {
            assert!(both_ways(body).2, "the fast path refused {body:?}");
        }
        for body in SLOW {
            assert!(!both_ways(body).2, "the fast path took {body:?}");
        }
        // Most pages have no raw HTML: most of these take the fast path.
        assert!(taken * 4 > bodies.len(), "{taken} of {}", bodies.len());
    }

    #[test]
    fn the_fast_path_agrees_on_random_markdown() {
        // Runs of Markdown's own characters and a few words, in a fixed pseudo-random order.
        const TOKENS: &[&str] = &[
            "*",
            "_",
            "[",
            "]",
            "(",
            ")",
            "<",
            ">",
            "&",
            "#",
            "|",
            "-",
            "`",
            "~",
            "!",
            "\n",
            "\n\n",
            " ",
            "  ",
            "\"",
            "'",
            ":",
            "\\",
            "{",
            "}",
            ".",
            "=",
            "a",
            "b c",
            "1. ",
            "> ",
            "- [x] ",
            "    ",
            "\r\n",
            "\u{a0}",
            "&amp;",
            "&quot;",
            "&#39;",
            "&nbsp;",
            "[^1]",
            "[^1]: ",
            "[[",
            "]]",
            "falls-huddle-1",
            "|:-:|",
            "```",
            "~~~",
            "{#i .c}",
            "http://x.org/",
            "javascript:",
            "mailto:a@b.org",
            "data:",
            "foo:",
            "x.md",
            "../",
            "<b>",
            "<!--",
            "-->",
            "\"><script>",
        ];
        let mut next = crate::test_support::xorshift(0x9e37_79b9_7f4a_7c15);
        let mut taken = 0;
        for _ in 0..4000 {
            let body: String = (0..1 + next(40))
                .map(|_| TOKENS[next(TOKENS.len())])
                .collect();
            let (fast, slow, took) = both_ways(&body);
            assert_eq!(fast, slow, "the fast path changed the output of {body:?}");
            assert!(!runs_something(&fast), "{body:?} gave {fast}");
            taken += usize::from(took);
        }
        assert!(taken > 400, "the fast path took only {taken} bodies");
    }

    #[test]
    fn the_fast_path_knows_the_sanitizers_url_schemes() {
        let mut schemes: Vec<_> = sanitizer().clone_url_schemes().into_iter().collect();
        schemes.sort_unstable();
        // ammonia's defaults: a change here is a change in what the fast path accepts.
        assert_eq!(
            schemes,
            [
                "bitcoin",
                "ftp",
                "ftps",
                "geo",
                "http",
                "https",
                "im",
                "irc",
                "ircs",
                "magnet",
                "mailto",
                "mms",
                "mx",
                "news",
                "nntp",
                "openpgp4fpr",
                "sip",
                "sms",
                "smsto",
                "ssh",
                "tel",
                "url",
                "webcal",
                "wtai",
                "xmpp"
            ]
        );
        for (url, kept) in [
            ("https://example.org/", true),
            ("MAILTO:a@b.org", true),
            ("../a/b/", true),
            ("#x", true),
            ("//cdn.example.org/x", true),
            ("", true),
            ("javascript:alert(1)", false),
            ("data:text/plain,x", false),
            ("foo:bar", false),
            ("http://[::1", false),
        ] {
            assert_eq!(url_kept(url), kept, "{url}");
        }
    }

    #[test]
    fn the_fast_path_refuses_what_it_does_not_know() {
        for html in [
            "<p>a</p",
            "<p>a",
            "<p>a</div>",
            "<p><div>a</div></p>",
            "<a href=\"x\"><a href=\"y\">b</a></a>",
            "<table><tr><td>a</td></tr></table>",
            "<table>text<tbody></tbody></table>",
            "<ul>text</ul>",
            "<li>a</li>",
            "<pre>\ncode</pre>",
            "<p onclick=\"x\">a</p>",
            "<h1 id=\"a\" id=\"b\">a</h1>",
            "<img src=\"x\">",
            "<br>",
            "<p />",
            "<p>a &copy; b</p>",
            "<p>a > b</p>",
            "<td style=\"color: red\">",
            "<a href=\"javascript:x\">a</a>",
            "<a href=\"x\"title=\"y\">a</a>",
            "<a href='x'>a</a>",
            "<script>x</script>",
        ] {
            assert_eq!(sanitized_own_html(html), None, "{html}");
        }
        assert_eq!(
            sanitized_own_html("<p>&quot;a&#39;\u{a0}<br />\r\n<img src=\"a&amp;b&#x27;\" alt=\"&quot;&lt;\" /></p>\n").as_deref(),
            Some("<p>\"a'&nbsp;<br>\n<img src=\"a&amp;b'\" alt=\"&quot;&lt;\"></p>\n")
        );
    }

    /// Not a timed assertion: `cargo test --release -- --ignored --nocapture bench`. The
    /// best of ten rounds, the machine being shared.
    #[test]
    #[ignore]
    fn bench_fast_and_slow_paths() {
        fn best(mut f: impl FnMut()) -> std::time::Duration {
            (0..10)
                .map(|_| {
                    let start = std::time::Instant::now();
                    for _ in 0..200 {
                        f();
                    }
                    start.elapsed() / 200
                })
                .min()
                .unwrap()
        }
        let body = FAST[2..20].join("\n\n").repeat(4);
        let html = {
            let mut html = String::new();
            let events = Parser::new_ext(&body, options())
                .filter(|e| !matches!(e, Event::TaskListMarker(_)));
            pulldown_cmark::html::push_html(&mut html, events);
            html
        };
        let clean = best(|| assert!(sanitized_own_html(std::hint::black_box(&html)).is_some()));
        let ammonia = best(|| drop(sanitizer().clean(std::hint::black_box(&html)).to_string()));
        println!(
            "{} bytes of HTML: fast path {clean:?}, ammonia {ammonia:?}",
            html.len()
        );
        let embed = |_: &ChartBlock| None;
        for fast_path in [false, true] {
            let took = best(|| {
                let r = render_body(
                    &body,
                    Path::new("n.md"),
                    false,
                    &resolver,
                    &embed,
                    fast_path,
                );
                assert_eq!(r.1, fast_path);
            });
            println!(
                "{} bytes of Markdown, fast path {fast_path}: {took:?}",
                body.len()
            );
        }
    }
}
