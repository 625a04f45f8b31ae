//! What readers find on the site: the driver diagram on aim pages, the timeline of
//! cycles, lessons first with what they draw on, the Atom feeds and what every page
//! tells browsers, feed readers and link previews about itself.

mod common;

use common::{Page, Site};

// ---------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------

fn cycle(id: &str, change: &str, fields: &str) -> (String, String) {
    (
        format!("cycles/{id}.md"),
        format!("---\ntitle: \"Cycle {id}\"\nchange: {change}\n{fields}\n---\n\nBody.\n"),
    )
}

fn as_refs(files: &[(String, String)]) -> Vec<(&str, &str)> {
    files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect()
}

/// The values of `attr="…"` in `text`, in order.
fn attr_values<'a>(text: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!(" {attr}=\"");
    text.match_indices(&needle)
        .map(|(i, _)| {
            let rest = &text[i + needle.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect()
}

/// The page's driver diagram, `<svg class="driver-svg" …>…</svg>`.
fn driver_svg(page: &Page) -> Page {
    page.section(r#"<svg class="driver-svg""#, "</svg>")
}

fn view_box_height(svg: &Page) -> f64 {
    attr_values(&svg.html, "viewBox")[0]
        .split(' ')
        .nth(3)
        .unwrap()
        .parse()
        .unwrap()
}

/// Checks that `xml` is well-formed (one root, tags balanced and properly nested,
/// attributes quoted, only XML's own or numeric entities, no stray `<` or `&`) and
/// returns its elements' names in document order.
#[track_caller]
fn well_formed(name: &str, xml: &str) -> Vec<String> {
    let body = xml
        .strip_prefix(r#"<?xml version="1.0" encoding="utf-8"?>"#)
        .unwrap_or_else(|| panic!("{name} has no XML declaration"));
    let check_text = |text: &str| {
        assert!(!text.contains('<'), "{name}: stray < in {text:?}");
        let mut rest = text;
        while let Some(i) = rest.find('&') {
            rest = &rest[i + 1..];
            let end = rest
                .find(';')
                .unwrap_or_else(|| panic!("{name}: bare & in {text:?}"));
            let entity = &rest[..end];
            assert!(
                ["amp", "lt", "gt", "quot", "apos"].contains(&entity)
                    || entity
                        .strip_prefix("#x")
                        .is_some_and(|h| u32::from_str_radix(h, 16).is_ok())
                    || entity
                        .strip_prefix('#')
                        .is_some_and(|d| d.parse::<u32>().is_ok()),
                "{name}: unknown entity &{entity}; in {text:?}"
            );
        }
    };
    let mut stack: Vec<String> = Vec::new();
    let mut names = Vec::new();
    let mut roots = 0;
    let mut rest = body;
    while let Some(open) = rest.find('<') {
        let text = &rest[..open];
        if stack.is_empty() {
            assert!(
                text.trim().is_empty(),
                "{name}: text outside the root: {text:?}"
            );
        }
        check_text(text);
        rest = &rest[open + 1..];
        let close = rest
            .find('>')
            .unwrap_or_else(|| panic!("{name}: unclosed tag"));
        let tag = &rest[..close];
        rest = &rest[close + 1..];
        if let Some(end) = tag.strip_prefix('/') {
            let top = stack
                .pop()
                .unwrap_or_else(|| panic!("{name}: </{end}> closes nothing"));
            assert_eq!(top, end.trim(), "{name}: </{}> closes <{top}>", end.trim());
            continue;
        }
        let self_closing = tag.ends_with('/');
        let tag = tag.trim_end_matches('/');
        let element = tag.split_whitespace().next().unwrap_or("").to_string();
        assert!(
            !element.is_empty()
                && element
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == ':' || c == '-'),
            "{name}: bad element name in <{tag}>"
        );
        // Attributes: name="value" pairs.
        let mut attrs = tag[element.len()..].trim();
        while !attrs.is_empty() {
            let eq = attrs
                .find("=\"")
                .unwrap_or_else(|| panic!("{name}: unquoted attribute in <{tag}>"));
            let value_end = attrs[eq + 2..]
                .find('"')
                .unwrap_or_else(|| panic!("{name}: unclosed attribute in <{tag}>"))
                + eq
                + 2;
            check_text(&attrs[eq + 2..value_end]);
            attrs = attrs[value_end + 1..].trim_start();
        }
        if stack.is_empty() {
            roots += 1;
        }
        names.push(element.clone());
        if !self_closing {
            stack.push(element);
        }
    }
    assert!(stack.is_empty(), "{name}: unclosed {stack:?}");
    assert!(rest.trim().is_empty(), "{name}: text after the root");
    assert_eq!(roots, 1, "{name}: one root element");
    names
}

/// The Atom feed at `rel`, checked for well-formedness and for what Atom requires.
#[track_caller]
fn feed(built: &common::Built, rel: &str) -> Page {
    let text = String::from_utf8(built.bytes(rel)).unwrap();
    let names = well_formed(rel, &text);
    assert_eq!(names[0], "feed");
    for required in ["title", "id", "updated", "author"] {
        assert!(
            names.contains(&required.to_string()),
            "{rel} has no <{required}>"
        );
    }
    let page = Page {
        name: rel.to_string(),
        html: text,
    };
    page.contains(r#"<feed xmlns="http://www.w3.org/2005/Atom""#);
    // Each entry has its title, id, link and time.
    for entry in page.html.split("<entry>").skip(1) {
        for required in ["<title>", "<id>", "<link rel=\"alternate\"", "<updated>"] {
            assert!(
                entry.contains(required),
                "{rel}: an entry without {required}:\n{entry}"
            );
        }
    }
    page
}

// ---------------------------------------------------------------------------------
// Driver diagram
// ---------------------------------------------------------------------------------

const AIM: &str = r#"---
title: "Fewer falls on Ward 9"
summary: "Ward 9's falls aim."
drivers:
  - id: risks-known
    title: "Falls risks are known to the whole team"
    secondary:
      - id: shared-at-handover
        title: "Risks shared at every handover"
      - id: assessed-early
        title: "Assessed within 6 hours"
  - id: supervision
    title: "High-risk patients are supervised"
    secondary:
      - id: shared-at-handover
        title: "Risks shared at every handover"
---

Why this aim.
"#;

fn states_site() -> Site {
    let mut files: Vec<(String, String)> = vec![("aims/fewer-falls.md".into(), AIM.into())];
    for (id, driver) in [
        ("adopted-idea", "shared-at-handover"),
        ("testing-idea", "shared-at-handover"),
        ("adapted-idea", "assessed-early"),
        ("abandoned-idea", "assessed-early"),
        ("dropped-idea", "supervision"),
        ("new-idea", "assessed-early"),
    ] {
        files.push((
            format!("changes/{id}.md"),
            format!("---\ntitle: \"The {id}\"\ndrivers: [{driver}]\n---\n\nThe idea.\n"),
        ));
    }
    files.extend([
        cycle(
            "adopt-1",
            "adopted-idea",
            "status: done\nstarted: 2026-01-05\nended: 2026-01-20\ndecision: adapt",
        ),
        cycle(
            "adopt-2",
            "adopted-idea",
            "status: done\nstarted: 2026-02-02\nended: 2026-03-01\ndecision: adopt",
        ),
        cycle(
            "test-1",
            "testing-idea",
            "status: doing\nstarted: 2026-03-02",
        ),
        cycle(
            "adapt-1",
            "adapted-idea",
            "status: done\nstarted: 2026-01-12\nended: 2026-01-30\ndecision: adapt",
        ),
        cycle(
            "abandon-1",
            "abandoned-idea",
            "status: abandoned\nstarted: 2026-02-09",
        ),
        cycle(
            "drop-1",
            "dropped-idea",
            "status: done\nstarted: 2026-01-01\nended: 2026-01-15\ndecision: adopt",
        ),
        cycle(
            "drop-2",
            "dropped-idea",
            "status: done\nstarted: 2026-02-01\nended: 2026-02-15\ndecision: abandon",
        ),
    ]);
    Site::from_files(&as_refs(&files))
}

#[test]
fn the_driver_diagram_links_every_change_idea_with_the_state_of_its_latest_cycle() {
    let built = states_site().build();
    let aim = built.page("aims/fewer-falls/index.html");
    let svg = driver_svg(&aim);
    // A container of links named by its title, not an image (an image's links are lost).
    svg.contains(r#" aria-labelledby="driver-diagram-fewer-falls-title""#)
        .contains(r#"<title id="driver-diagram-fewer-falls-title">Driver diagram: Fewer falls on Ward 9</title>"#)
        .lacks("role=");
    for (id, state, label) in [
        ("adopted-idea", "adopted", "Adopted · 2 cycles"),
        ("testing-idea", "testing", "Testing · 1 cycle"),
        ("adapted-idea", "testing", "Testing · 1 cycle"),
        ("abandoned-idea", "abandoned", "Abandoned · 1 cycle"),
        ("dropped-idea", "abandoned", "Abandoned · 2 cycles"),
        ("new-idea", "untested", "Not yet tested"),
    ] {
        let link = svg.section(
            &format!(
                r#"<a class="driver-node driver-change state-{state}" href="../../changes/{id}/">"#
            ),
            "</a>",
        );
        // The state is in words and a mark, not only in colour.
        link.contains(&format!("<title>The {id}: {label}</title>"))
            .contains(r#"<text class="state-label""#)
            .contains(&format!(">{label}</text>"))
            .contains(r#"<g class="state-icon""#);
    }
    // Every driver once (the shared secondary too), and the legend.
    assert_eq!(svg.count(r#"class="driver-node driver-primary""#), 2);
    assert_eq!(svg.count(r#"class="driver-node driver-secondary""#), 2);
    assert_eq!(svg.count(r#"data-driver="shared-at-handover""#), 1);
    svg.in_order(&[
        r#"<g class="driver-legend">"#,
        ">Adopted</text>",
        ">Testing</text>",
        ">Abandoned</text>",
        ">Not yet tested</text>",
    ]);
    // The list stays as the diagram in words, with each change idea's state.
    aim.in_order(&[
        r#"<figure class="driver-figure"><svg"#,
        r#"<ol class="drivers">"#,
        r#"<li class="primary" id="driver-risks-known">"#,
    ]);
    aim.section(r#"<li id="driver-shared-at-handover">"#, "</li>\n")
        .contains(r#"<a href="../../changes/adopted-idea/">The adopted-idea</a> <span class="tested state-adopted">Latest cycle: Adopted · 2 cycles</span>"#);
    aim.section(r#"<li class="primary" id="driver-supervision">"#, "</p>")
        .contains(r#"<a href="../../changes/dropped-idea/">The dropped-idea</a> <span class="tested state-abandoned">(Abandoned · 2 cycles)</span>"#);
    aim.contains(r#"<span class="tested state-untested">Not yet tested</span>"#);
}

#[test]
fn an_aim_without_drivers_has_no_diagram() {
    let built = Site::from_files(&[("aims/a.md", "---\ntitle: An aim\n---\n")]).build();
    built
        .page("aims/a/index.html")
        .lacks("driver-svg")
        .contains("No drivers recorded yet.");
}

/// An aim with `p` primary drivers, 3 secondary drivers under each and 2 change ideas
/// under each secondary, with titles as long as teams write them.
fn big_aim(files: &mut Vec<(String, String)>, id: &str, p: usize) {
    let mut aim = format!("---\ntitle: \"Reduce inpatient falls with harm across the medical wards by 30% from 2.1 to 1.5 per 1,000 occupied bed days by March 2027 ({id})\"\ndrivers:\n");
    for pi in 0..p {
        aim.push_str(&format!("  - id: {id}-p{pi}\n    title: \"Primary {pi}: every patient's falls risks are found early and known to the whole team\"\n    secondary:\n"));
        for si in 0..3 {
            let s = format!("{id}-p{pi}-s{si}");
            aim.push_str(&format!("      - id: {s}\n        title: \"Secondary {si}: multifactorial falls assessment completed within 6 hours of arrival\"\n"));
            for ci in 0..2 {
                files.push((
                    format!("changes/{s}-c{ci}.md"),
                    format!("---\ntitle: \"Change {ci}: a five-minute falls safety huddle at every shift handover, red and amber patients only\"\ndrivers: [{s}]\n---\n"),
                ));
            }
        }
    }
    aim.push_str("---\n");
    files.push((format!("aims/{id}.md"), aim));
}

#[test]
fn a_diagram_with_5_primary_15_secondary_drivers_and_30_change_ideas_stays_legible() {
    let mut files = Vec::new();
    big_aim(&mut files, "small", 1);
    big_aim(&mut files, "large", 5);
    let built = Site::from_files(&as_refs(&files)).build();
    let small = driver_svg(&built.page("aims/small/index.html"));
    let large = driver_svg(&built.page("aims/large/index.html"));
    assert_eq!(large.count(r#"class="driver-node driver-primary""#), 5);
    assert_eq!(large.count(r#"class="driver-node driver-secondary""#), 15);
    assert_eq!(large.count(r#"<a class="driver-node driver-change"#), 30);
    for pi in 0..5 {
        for si in 0..3 {
            for ci in 0..2 {
                large.contains(&format!(
                    r#"href="../../changes/large-p{pi}-s{si}-c{ci}/">"#
                ));
            }
        }
    }
    // The drawing grows taller, keeps its width (so its scale), and wraps long titles.
    let (h_small, h_large) = (view_box_height(&small), view_box_height(&large));
    assert!(h_large > 4.0 * h_small, "{h_small} → {h_large}");
    let width: f64 = attr_values(&large.html, "viewBox")[0]
        .split(' ')
        .nth(2)
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(width, 960.0);
    assert!(
        large.count("<tspan x=") > 60,
        "long titles take several lines"
    );
    let sizes: Vec<f64> = attr_values(&large.html, "font-size")
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
    assert!(!sizes.is_empty());
    let smallest = sizes.iter().copied().fold(f64::INFINITY, f64::min);
    assert!(smallest >= 12.0, "font-size {smallest}");
    // The stylesheet never shows the drawing so narrow that its text is below 12 px:
    // on a phone it scrolls sideways.
    let css = String::from_utf8(built.bytes("assets/cyclebook.css")).unwrap();
    let rule = &css[css.find(".driver-svg {").expect("a .driver-svg rule")..];
    let rule = &rule[..rule.find('}').unwrap()];
    let min_width: f64 = rule[rule.find("min-width:").expect("a min-width") + 10..]
        .trim_start()
        .split("px")
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        min_width * smallest / width >= 12.0,
        "at {min_width}px wide, {smallest}-unit text shows at {} px",
        min_width * smallest / width
    );
    assert!(rule.contains("width: 100%"));
    assert!(css.contains(".driver-figure { margin: 1rem 0; padding: 0; overflow-x: auto; }"));
    // Boxes stay inside the drawing.
    for y in attr_values(&large.html, "y") {
        let y: f64 = y.parse().unwrap();
        assert!((0.0..=h_large).contains(&y));
    }
}

// ---------------------------------------------------------------------------------
// Timeline
// ---------------------------------------------------------------------------------

#[test]
fn the_timeline_shows_each_ramp_in_order_with_its_bars() {
    let mut files = vec![
        (
            "changes/huddle.md".to_string(),
            "---\ntitle: Safety huddle\n---\n".to_string(),
        ),
        (
            "changes/sensors.md".to_string(),
            "---\ntitle: Bed sensors\n---\n".to_string(),
        ),
    ];
    files.extend([
        // Ramp order comes from `follows`, not the start dates: h-1, h-3, h-2.
        cycle(
            "h-1",
            "huddle",
            "status: done\nstarted: 2026-01-05\nended: 2026-01-18\ndecision: adapt",
        ),
        cycle(
            "h-3",
            "huddle",
            "status: done\nstarted: 2026-02-01\nended: 2026-02-20\ndecision: adopt\nfollows: h-1",
        ),
        cycle(
            "h-2",
            "huddle",
            "status: doing\nstarted: 2026-01-20\nfollows: h-3",
        ),
        cycle(
            "s-1",
            "sensors",
            "status: done\nstarted: 2025-10-01\nended: 2025-10-20\ndecision: abandon",
        ),
        cycle("s-2", "sensors", "status: planned\nstarted: 2026-04-01"),
        cycle("s-3", "sensors", "status: planned"),
    ]);
    let built = Site::from_files(&as_refs(&files)).build();
    let cycles = built.page("cycles/index.html");
    // The grouped list stays, and comes first.
    cycles.in_order(&[
        "In progress",
        "cycles/h-2/",
        r#"<section class="timeline" aria-labelledby="timeline-heading">"#,
    ]);
    let timeline = cycles.section(r#"<section class="timeline""#, "\n</section>");
    // The change idea with the latest activity first (a cycle planned for April).
    timeline.in_order(&[
        r#"<a href="../changes/sensors/">Bed sensors</a>"#,
        r#"<a href="../changes/huddle/">Safety huddle</a>"#,
    ]);
    let huddle = timeline.section(r#"<a href="../changes/huddle/">"#, "</ol>");
    huddle.in_order(&[
        r#"<span class="ramp-number"><span class="visually-hidden">Cycle </span>1</span> <a href="../cycles/h-1/">Cycle h-1</a>"#,
        r#"<span class="ramp-number"><span class="visually-hidden">Cycle </span>2</span> <a href="../cycles/h-3/">Cycle h-3</a>"#,
        r#"<span class="ramp-number"><span class="visually-hidden">Cycle </span>3</span> <a href="../cycles/h-2/">Cycle h-2</a>"#,
    ]);
    // Bars in percent of the axis (from 1 Oct 2025, the first start, to 1 Apr 2026,
    // the last date): a done cycle from its start to its end.
    let span = 182.0; // days from 2025-10-01 to 2026-04-01
    let pct = |days: f64| format!("{:.2}", days * 100.0 / span);
    let h1 = huddle.section(
        r#"<li class="timeline-row bar-done bar-decision-adapt">"#,
        "</li>",
    );
    h1.contains(&format!(
        r#"<rect class="timeline-bar" x="{}%" y="5" width="{}%""#,
        pct(96.0),
        pct(13.0)
    ))
    .contains(r#"<time datetime="2026-01-05">5 Jan 2026</time> – <time datetime="2026-01-18">18 Jan 2026</time> · Done · Adapt"#);
    // A cycle under way runs to the latest date a cycle records that is not a plan
    // (20 Feb 2026), and ends in an arrow.
    let h2 = huddle.section(r#"<li class="timeline-row bar-doing bar-open">"#, "</li>");
    h2.contains(&format!(
        r#"x="{}%" y="5" width="{}%""#,
        pct(111.0),
        pct(142.0 - 111.0)
    ))
    .contains("under way · Doing")
    .contains(r#"class="timeline-arrow""#);
    let sensors = timeline.section(r#"<a href="../changes/sensors/">"#, "</ol>");
    sensors
        .contains(r#"<li class="timeline-row bar-planned">"#)
        .contains("No start date · Planned")
        .contains("Not drawn: no start date")
        .contains(r#"<li class="timeline-row bar-done bar-decision-abandon">"#);
    // The bars are decoration: the words say it all.
    assert_eq!(
        timeline
            .count(r#"<svg class="timeline-track" width="100%" height="22" aria-hidden="true""#),
        5
    );
    timeline
        .contains(r#"cycles still under way run to 20 Feb 2026"#)
        .lacks("Shown: the");
}

#[test]
fn with_many_cycles_the_timeline_shows_the_latest_change_ideas_and_says_so() {
    let mut files = Vec::new();
    for c in 0..10 {
        files.push((
            format!("changes/idea-{c:02}.md"),
            format!("---\ntitle: \"Idea {c:02}\"\n---\n"),
        ));
        for k in 0..12 {
            // Idea 09 is the most recent, idea 00 the oldest.
            let start = format!("20{:02}-{:02}-01", 14 + c, k + 1);
            let end = format!("20{:02}-{:02}-20", 14 + c, k + 1);
            files.push(cycle(
                &format!("i{c:02}-{k:02}"),
                &format!("idea-{c:02}"),
                &format!("status: done\nstarted: {start}\nended: {end}\ndecision: adapt"),
            ));
        }
    }
    let built = Site::from_files(&as_refs(&files)).build();
    let cycles = built.page("cycles/index.html");
    let timeline = cycles.section(r#"<section class="timeline""#, "\n</section>");
    timeline.contains("Shown: the 8 change ideas with the most recent activity (of 10) and the latest 8 cycles of each. Every cycle is listed above.");
    assert_eq!(timeline.count(r#"<section class="timeline-change""#), 8);
    assert_eq!(timeline.count(r#"<li class="timeline-row"#), 64);
    timeline
        .in_order(&["Idea 09", "Idea 08", "Idea 02"])
        .lacks("Idea 01")
        .lacks("Idea 00")
        .contains("Cycles 1 to 4 of this ramp are not shown here.")
        .lacks("cycles/i09-03/")
        .contains(
            r#"<span class="visually-hidden">Cycle </span>5</span> <a href="../cycles/i09-04/">"#,
        );
    // Every cycle is still in the list.
    cycles.contains(r#"href="../cycles/i00-00/""#);
    // A few ticks, at month or year starts, labelled.
    let ticks = timeline.count(r#"<text class="tick-label"#) / 8;
    assert!((2..=6).contains(&ticks), "{ticks} ticks");
}

// ---------------------------------------------------------------------------------
// Lessons
// ---------------------------------------------------------------------------------

fn lessons_site(config: &str) -> Site {
    let files: Vec<(String, String)> = vec![
        ("cyclebook.yml".into(), config.into()),
        ("changes/huddle.md".into(), "---\ntitle: Huddle\n---\n".into()),
        cycle("h-1", "huddle", "status: done\nstarted: 2026-01-05\nended: 2026-01-18\ndecision: adapt\nsummary: \"First huddle test.\""),
        cycle("h-2", "huddle", "status: done\nstarted: 2026-02-01\nended: 2026-02-20\ndecision: adopt"),
        cycle("h-3", "huddle", "status: planned"),
        ("measures/overrun.csv".into(), "date,value\n2026-01-05,5\n2026-01-12,6\n".into()),
        ("measures/falls.csv".into(), "date,value\n2026-01-05,3\n2026-01-12,2\n".into()),
        (
            "notes/short-huddles.md".into(),
            "---\ntitle: Short huddles happen\ndate: 2026-03-01\nkind: lesson\ncycles: [h-2]\nmeasures: [overrun]\nsummary: \"Talk only about red and amber patients.\"\ntags: [huddle]\n---\n\nSee also [[h-1]] and [[falls]], and the note [[observation]].\n".into(),
        ),
        (
            "notes/older-lesson.md".into(),
            "---\ntitle: An older lesson & more\ndate: 2025-12-01\nkind: lesson\n---\n\nNothing linked.\n".into(),
        ),
        (
            "notes/observation.md".into(),
            "---\ntitle: An observation\ndate: 2026-04-01\n---\n\nSeen on the ward.\n".into(),
        ),
    ];
    Site::from_files(&as_refs(&files))
}

const PUBLIC: &str =
    "title: Ward 9\ndescription: \"How Ward 9 learns.\"\nprivacy: { suppress_below: 0 }\n";

#[test]
fn notes_list_lessons_first_with_the_cycles_and_measures_they_draw_on() {
    let built = lessons_site(PUBLIC).build();
    let notes = built.page("notes/index.html");
    notes.in_order(&[
        r#"<h2 id="lessons-heading">"#,
        "Short huddles happen",
        "An older lesson &amp; more",
        r#"<h2 id="notes-heading">"#,
        "An observation",
    ]);
    let lesson = notes.section(
        r#"<a class="card-title" href="../notes/short-huddles/">"#,
        "</dl>",
    );
    // Named in the front matter first, then linked from the body; notes are not sources.
    lesson
        .section("<dt>Draws on cycles</dt>", "</dd>")
        .in_order(&[
            r#"<a href="../cycles/h-2/">Cycle h-2</a> <span class="badge decision-adopt">Adopt</span>"#,
            r#"<a href="../cycles/h-1/">Cycle h-1</a>"#,
        ]);
    lesson.section("<dt>Measures</dt>", "</dd>").in_order(&[
        r#"href="../measures/overrun/""#,
        r#"href="../measures/falls/""#,
    ]);
    lesson.lacks("notes/observation/");
    notes
        .section(r#"href="../notes/older-lesson/""#, "</li>")
        .contains("Draws on no cycle or measure named on its page.");
}

// ---------------------------------------------------------------------------------
// Feeds and discovery
// ---------------------------------------------------------------------------------

#[test]
fn feeds_of_lessons_and_cycles_are_atom_with_absolute_links_from_base_url() {
    let built = lessons_site(PUBLIC).build_with_base_url("https://example.org/ward9/");
    let lessons = feed(&built, "notes/lessons.xml");
    lessons
        .contains(r#"xml:base="https://example.org/ward9/""#)
        .contains("<title>Ward 9: lessons</title>")
        .contains(r#"<link rel="self" type="application/atom+xml" href="https://example.org/ward9/notes/lessons.xml"/>"#)
        .contains(r#"<link rel="alternate" type="text/html" href="https://example.org/ward9/notes/"/>"#)
        // The newest lesson's date, not the time of the build.
        .contains("<updated>2026-03-01T00:00:00Z</updated>\n  <author>")
        .contains("<id>https://example.org/ward9/notes/short-huddles/</id>")
        .contains(r#"<link rel="alternate" type="text/html" href="https://example.org/ward9/notes/short-huddles/"/>"#)
        .contains(r#"<category term="huddle"/>"#)
        .contains(r#"<summary type="text">Talk only about red and amber patients.</summary>"#)
        .contains("<title>An older lesson &amp; more</title>")
        .lacks("An observation")
        .in_order(&["Short huddles happen", "An older lesson"]);
    assert_eq!(lessons.count("<entry>"), 2);

    let cycles = feed(&built, "cycles/atom.xml");
    cycles
        .contains("<title>Ward 9: PDSA cycles</title>")
        .contains(
            r#"<link rel="alternate" type="text/html" href="https://example.org/ward9/cycles/"/>"#,
        )
        // Newest first, by the date each ended (or started); an undated plan is left out.
        .in_order(&["Cycle h-2", "Cycle h-1"])
        .contains("<updated>2026-02-20T00:00:00Z</updated>")
        .contains("<updated>2026-01-18T00:00:00Z</updated>")
        .contains("Done, decision: Adopt. Change idea: Huddle.")
        .contains("Done, decision: Adapt. Change idea: Huddle. First huddle test.")
        .lacks("Cycle h-3");
    assert_eq!(cycles.count("<entry>"), 2);
}

#[test]
fn without_base_url_feed_links_are_relative_to_the_feed() {
    let built = lessons_site(PUBLIC).build();
    let lessons = feed(&built, "notes/lessons.xml");
    lessons
        .lacks("xml:base")
        .lacks(r#"rel="self""#)
        .contains(r#"<link rel="alternate" type="text/html" href="../notes/"/>"#)
        .contains(r#"<link rel="alternate" type="text/html" href="../notes/short-huddles/"/>"#)
        .contains("<id>urn:cyclebook:note:short-huddles</id>")
        .contains("<id>urn:cyclebook:feed:notes/lessons.xml</id>");
    feed(&built, "cycles/atom.xml")
        .contains(r#"href="../cycles/h-2/""#)
        .contains("<id>urn:cyclebook:cycle:h-2</id>");
}

#[test]
fn a_feed_holds_the_latest_50_and_an_empty_feed_is_still_atom() {
    let mut files = vec![(
        "changes/c.md".to_string(),
        "---\ntitle: C\n---\n".to_string(),
    )];
    for k in 0..55 {
        let day = 1 + k % 28;
        let month = 1 + k / 28;
        files.push(cycle(
            &format!("c-{k:02}"),
            "c",
            &format!("status: doing\nstarted: 2026-{month:02}-{day:02}"),
        ));
    }
    let built = Site::from_files(&as_refs(&files)).build();
    let cycles = feed(&built, "cycles/atom.xml");
    assert_eq!(cycles.count("<entry>"), 50);
    cycles
        .in_order(&["Cycle c-54", "Cycle c-53"])
        .lacks("Cycle c-04<")
        .contains("<updated>2026-02-27T00:00:00Z</updated>\n  <author>");
    // No lessons: a feed with no entries, and a fixed time.
    let lessons = feed(&built, "notes/lessons.xml");
    assert_eq!(lessons.count("<entry>"), 0);
    lessons.contains("<updated>1970-01-01T00:00:00Z</updated>");
}

#[test]
fn every_page_announces_the_feeds_and_the_listing_pages_their_own_first() {
    let built = lessons_site(PUBLIC).build();
    let lessons_link = |root: &str| {
        format!(
            r#"<link rel="alternate" type="application/atom+xml" title="Ward 9: lessons" href="{root}notes/lessons.xml">"#
        )
    };
    let cycles_link = |root: &str| {
        format!(
            r#"<link rel="alternate" type="application/atom+xml" title="Ward 9: PDSA cycles" href="{root}cycles/atom.xml">"#
        )
    };
    for (page, root) in [
        ("index.html", ""),
        ("notes/index.html", "../"),
        ("aims/index.html", "../"),
        ("notes/short-huddles/index.html", "../../"),
        ("tags/huddle/index.html", "../../"),
    ] {
        let head = built.page(page).section("<head>", "</head>");
        head.in_order(&[&lessons_link(root), &cycles_link(root)]);
    }
    // Pages about cycles offer the cycles' feed first, and both listing pages link to
    // theirs.
    for (page, root) in [
        ("cycles/index.html", "../"),
        ("cycles/h-1/index.html", "../../"),
    ] {
        built
            .page(page)
            .section("<head>", "</head>")
            .in_order(&[&cycles_link(root), &lessons_link(root)]);
    }
    built
        .page("cycles/index.html")
        .contains(r#"<a href="../cycles/atom.xml">Follow new cycles in a feed reader (Atom)</a>"#);
    built.page("notes/index.html").contains(
        r#"<a href="../notes/lessons.xml">Follow new lessons in a feed reader (Atom)</a>"#,
    );
}

#[test]
fn pages_carry_their_own_description_and_open_graph_tags() {
    let built = lessons_site(PUBLIC).build_with_base_url("https://example.org/ward9/");
    let lesson = built.page("notes/short-huddles/index.html");
    let head = lesson.section("<head>", "</head>");
    head.contains(r#"<meta name="description" content="Talk only about red and amber patients.">"#)
        .contains(r#"<link rel="canonical" href="https://example.org/ward9/notes/short-huddles/">"#)
        .contains(r#"<meta property="og:site_name" content="Ward 9">"#)
        .contains(r#"<meta property="og:title" content="Short huddles happen">"#)
        .contains(r#"<meta property="og:type" content="article">"#)
        .contains(
            r#"<meta property="og:description" content="Talk only about red and amber patients.">"#,
        )
        .contains(
            r#"<meta property="og:url" content="https://example.org/ward9/notes/short-huddles/">"#,
        );
    // Without a summary, and on other pages, the site's description.
    built
        .page("cycles/h-2/index.html")
        .section("<head>", "</head>")
        .contains(r#"<meta name="description" content="How Ward 9 learns.">"#)
        .contains(r#"<meta property="og:description" content="How Ward 9 learns.">"#);
    built
        .page("notes/index.html")
        .section("<head>", "</head>")
        .contains(r#"<meta property="og:type" content="website">"#)
        .contains(r#"<meta property="og:title" content="Notes and lessons">"#)
        .contains(r#"<meta property="og:url" content="https://example.org/ward9/notes/">"#);
    // Without base_url there is no absolute address to give.
    let built = lessons_site(PUBLIC).build();
    built
        .page("notes/short-huddles/index.html")
        .lacks("og:url")
        .lacks(r#"rel="canonical""#)
        .contains(r#"<meta property="og:title" content="Short huddles happen">"#);
    // Nor a description without a summary or a site description.
    let built = lessons_site("title: Ward 9\n").build();
    built
        .page("cycles/h-2/index.html")
        .lacks(r#"name="description""#)
        .lacks("og:description");
}

/// Where `href`, found on the page at `page` (e.g. `notes/x/index.html`), leads within
/// the site: the output path it names, or `None` for a link elsewhere.
fn resolve(page: &str, href: &str) -> Option<String> {
    if href.contains("://") || href.starts_with('#') || href.starts_with("mailto:") {
        return None;
    }
    let href = href.split('#').next().unwrap();
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop();
    for segment in href.split('/') {
        match segment {
            ".." => {
                assert!(parts.pop().is_some(), "{href} on {page} leaves the site");
            }
            "." | "" => {}
            s => parts.push(s),
        }
    }
    let mut path = parts.join("/");
    if href.is_empty() || href.ends_with('/') {
        path = if path.is_empty() {
            "index.html".into()
        } else {
            format!("{path}/index.html")
        };
    }
    Some(path)
}

#[test]
fn a_site_served_from_a_subpath_links_relatively_and_addresses_absolutely() {
    let site = lessons_site(PUBLIC);
    let built = site.build_with_base_url("https://example.org/ward7/");
    let tree = built.tree();
    for (name, bytes) in &tree {
        if !name.ends_with(".html") || name == "404.html" {
            continue;
        }
        let html = String::from_utf8(bytes.clone()).unwrap();
        // Nothing starts from the server's root: the site lives under /ward7/.
        assert!(
            !html.contains(r#"href="/"#),
            "{name} links from the server's root"
        );
        assert!(
            !html.contains(r#"src="/"#),
            "{name} loads from the server's root"
        );
        for attr in ["href", "src", "action"] {
            for href in attr_values(&html, attr) {
                let Some(target) = resolve(name, href) else {
                    assert!(
                        !href.starts_with("https://example.org/")
                            || href.starts_with("https://example.org/ward7/"),
                        "{name}: {href} is outside the site"
                    );
                    continue;
                };
                // The search page may not exist yet on this site; everything else must.
                if target.starts_with("search/") {
                    continue;
                }
                assert!(
                    tree.contains_key(&target),
                    "{name}: {href} leads to missing {target}"
                );
            }
        }
    }
    built
        .page("notes/short-huddles/index.html")
        .contains(r#"<link rel="canonical" href="https://example.org/ward7/notes/short-huddles/">"#)
        .contains(r#"<link rel="alternate" type="application/atom+xml" title="Ward 9: lessons" href="../../notes/lessons.xml">"#);
    feed(&built, "notes/lessons.xml")
        .contains(r#"href="https://example.org/ward7/notes/short-huddles/""#)
        .contains(r#"href="https://example.org/ward7/notes/lessons.xml""#);
    feed(&built, "cycles/atom.xml").contains(r#"href="https://example.org/ward7/cycles/h-1/""#);
    // The 404 page, shown at any depth, starts from the subpath.
    built
        .page("404.html")
        .contains(r#"href="/ward7/notes/lessons.xml""#)
        .contains(r#"href="/ward7/cycles/""#);
    // The sitemap lists pages, not feeds.
    let sitemap = String::from_utf8(built.bytes("sitemap.xml")).unwrap();
    well_formed(
        "sitemap.xml",
        &sitemap.replace(r#"encoding="UTF-8""#, r#"encoding="utf-8""#),
    );
    assert!(sitemap.contains("<loc>https://example.org/ward7/notes/short-huddles/</loc>"));
    assert!(!sitemap.contains(".xml</loc>"));
}

#[test]
fn an_internal_site_has_no_feeds_and_announces_none() {
    let built = lessons_site(&format!("{PUBLIC}visibility: internal\n"))
        .build_with_base_url("https://intranet.example.org/ward9/");
    assert!(!built.exists("notes/lessons.xml"));
    assert!(!built.exists("cycles/atom.xml"));
    assert!(!built.exists("sitemap.xml"));
    for page in [
        "index.html",
        "notes/index.html",
        "cycles/index.html",
        "notes/short-huddles/index.html",
    ] {
        built
            .page(page)
            .lacks("application/atom+xml")
            .lacks("lessons.xml")
            .lacks("atom.xml")
            .contains(r#"<meta name="robots" content="noindex, nofollow">"#);
    }
}
