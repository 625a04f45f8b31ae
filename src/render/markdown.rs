//! Markdown bodies: find their links (for resolution and diagnostics) and render them to
//! HTML with wiki links resolved, heading anchors, and raw HTML sanitized.

use crate::diagnostics::Pos;
use pulldown_cmark::{
    CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd,
};
use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;

fn options() -> Options {
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
    let mut links = Vec::new();
    let mut places = Places::new(body, body_line);
    let mut chart: Option<(usize, String)> = None;
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
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
    links
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
    let mut events: Vec<Event> = Vec::with_capacity(body.len() / EVENT_BYTES + 16);
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
            other => events.push(other),
        }
    }
    let mut html = String::with_capacity(body.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, capped(events.iter().cloned()));
    if !trusted_html {
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
    Rendered { html, headings }
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
}
