//! A site's `templates/` folder overrides the theme file by file; template mistakes
//! are diagnostics that name the template file and line.

mod common;

use common::{cyclebook, place, Site};
use std::ffi::OsStr;

const CUSTOM_CYCLE: &str = r#"{% extends "base.html" %}
{% block content %}
<p class="custom-cycle">Custom cycle page: {{ item.title }} ({{ item.status_label }})</p>
{% endblock content %}
"#;

#[test]
fn a_site_template_replaces_the_theme_one_for_its_pages_only() {
    let site = Site::fixture_copy("linked");
    site.write("templates/cycle.html", CUSTOM_CYCLE);
    let built = site.build();
    for (id, title, status) in [
        ("huddle-1", "Huddle test one", "Done"),
        ("huddle-3", "Huddle test three", "Doing"),
        ("bay-day", "Bay tagging on days", "Planned"),
    ] {
        built
            .page(&format!("cycles/{id}/index.html"))
            .contains(&format!(
                r#"<p class="custom-cycle">Custom cycle page: {title} ({status})</p>"#
            ))
            .lacks(r#"<article class="item cycle">"#)
            // The base template still comes from the theme.
            .contains(r#"<link rel="stylesheet" href="../../assets/cyclebook.css">"#);
    }
    built
        .page("notes/lesson-huddles/index.html")
        .contains(r#"<article class="item note">"#)
        .lacks("custom-cycle");
    built.page("cycles/index.html").lacks("custom-cycle");
}

#[test]
fn a_site_partial_overrides_the_theme_partial_everywhere() {
    let site = Site::fixture_copy("linked");
    // The partial may read any variable of the page it is included in.
    site.write(
        "templates/partials/card.html",
        "<li class=\"my-card\">{{ card.title }} on {{ page.kind }}</li>\n",
    );
    let built = site.build();
    built
        .page("cycles/index.html")
        .contains(r#"<li class="my-card">Huddle test three on cycles</li>"#)
        .lacks(r#"class="card card-cycle""#);
    built
        .page("cycles/huddle-2/index.html")
        .contains(r#"<li class="my-card">Short huddles happen on cycle</li>"#);
    built
        .page("tags/huddle/index.html")
        .contains(r#"<li class="my-card">Huddle test three on tag</li>"#);
}

/// `partials/card_list.html` prints each card's `html` (the card rendered once for
/// item and tag pages) where the page's `root` is the one it was rendered for, else
/// includes the partial: either way the same page as including it every time.
#[test]
fn cards_rendered_ahead_are_the_cards_the_partial_renders() {
    let site = Site::example_copy();
    let ahead = site.build().tree();
    site.write(
        "templates/partials/card_list.html",
        "{% if cards %}<ul class=\"cards\">\n{% for card in cards %}{% include \"partials/card.html\" %}{% endfor %}\n</ul>{% else %}<p class=\"empty\">{{ empty }}</p>{% endif %}\n",
    );
    let included = site.build().tree();
    common::assert_same_tree(&ahead, &included);
    // Cards at every depth: the dashboard, a list page, an item page's backlinks.
    let html = |rel: &str| String::from_utf8(ahead[rel].clone()).unwrap();
    assert!(html("index.html").contains(r#"<li class="card card-cycle">"#));
    assert!(html("index.html").contains(r#"href="cycles/"#));
    assert!(html("cycles/index.html").contains(r#"<a class="card-title" href="../cycles/"#));
    let backlinks = ahead
        .iter()
        .filter(|(rel, _)| rel.starts_with("cycles/") && rel.ends_with("/index.html"))
        .map(|(_, page)| String::from_utf8_lossy(page).into_owned())
        .find(|page| {
            page.contains(r#"<section class="backlinks""#) && page.contains(r#"<li class="card "#)
        })
        .expect("a cycle page lists what links to it");
    assert!(backlinks.contains(r#"<a class="card-title" href="../../"#));
}

#[test]
fn a_template_syntax_error_is_e0401_in_that_template() {
    let site = Site::fixture_copy("linked");
    site.write("templates/note.html", "{% extends \"base.html\" %}\n{% block content %}\n<p>{{ item.title | }}</p>\n{% endblock content %}\n");
    let d = site.only_error();
    // `}}` where a filter name should be: line 3, column 20.
    assert_eq!(
        place(&d),
        ("E0401", "templates/note.html".to_string(), 3, 20)
    );
    assert!(d.message.starts_with("template error"), "{}", d.message);

    let run = cyclebook([OsStr::new("check"), site.root().as_os_str()]);
    run.exits(1);
    assert!(run.stderr.contains("error[E0401]"), "{}", run.stderr);
    assert!(
        run.stderr.contains("--> templates/note.html:3:20"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("3 | <p>{{ item.title | }}</p>"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_unclosed_block_is_e0401_in_that_template() {
    let site = Site::fixture_copy("linked");
    site.write("templates/cycle.html", "{% extends \"base.html\" %}\n{% block content %}\n{% if item.title %}\n<p>x</p>\n{% endblock content %}\n");
    let d = site.only_error();
    assert_eq!(d.code, "E0401");
    assert_eq!(
        d.file.as_deref(),
        Some(std::path::Path::new("templates/cycle.html"))
    );
    assert!(d.line >= 3, "line {}", d.line);
}

#[test]
fn a_template_rendering_error_is_reported_once_with_its_place() {
    let site = Site::fixture_copy("linked");
    site.write("templates/cycle.html", "{% extends \"base.html\" %}\n{% block content %}\n<p>{{ item.no_such_field.deeper }}</p>\n{% endblock content %}\n");
    // Five cycle pages fail the same way: one diagnostic.
    let d = site.only_error();
    assert_eq!(
        place(&d),
        ("E0401", "templates/cycle.html".to_string(), 3, 12)
    );
    assert!(
        d.message.contains("while rendering cycles/"),
        "{}",
        d.message
    );
    assert!(d.message.contains("no_such_field"), "{}", d.message);
}

#[test]
fn a_site_theme_is_used_and_site_templates_win_over_it() {
    let site = Site::fixture_copy("linked");
    site.write("cyclebook.yml", "title: Themed\ntheme: plain\n");
    site.write("themes/plain/templates/note.html", "{% extends \"base.html\" %}\n{% block content %}<p class=\"plain-note\">{{ item.title }}</p>{% endblock content %}\n");
    site.write("themes/plain/templates/cycle.html", "{% extends \"base.html\" %}\n{% block content %}<p class=\"plain-cycle\"></p>{% endblock content %}\n");
    site.write("templates/cycle.html", CUSTOM_CYCLE);
    let built = site.build();
    built
        .page("notes/lesson-huddles/index.html")
        .contains(r#"<p class="plain-note">Short huddles happen</p>"#);
    built
        .page("cycles/huddle-1/index.html")
        .contains("custom-cycle")
        .lacks("plain-cycle");
}

#[test]
fn an_unknown_theme_is_an_error_in_cyclebook_yml() {
    let site = Site::fixture_copy("linked");
    site.write("cyclebook.yml", "title: Themed\ntheme: missing\n");
    let d = site.only_error();
    assert_eq!(place(&d), ("E0107", "cyclebook.yml".to_string(), 2, 1));
    assert!(
        d.message.contains("theme `missing` not found"),
        "{}",
        d.message
    );
}
