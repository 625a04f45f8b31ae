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
    site.write(
        "templates/partials/card.html",
        "<li class=\"my-card\">{{ card.title }}</li>\n",
    );
    let built = site.build();
    built
        .page("cycles/index.html")
        .contains(r#"<li class="my-card">Huddle test three</li>"#)
        .lacks(r#"class="card card-cycle""#);
    built
        .page("cycles/huddle-2/index.html")
        .contains(r#"<li class="my-card">Short huddles happen</li>"#);
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
