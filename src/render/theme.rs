//! The default theme, embedded so that an installed binary needs no files beside it.

pub const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../themes/default/templates/base.html")),
    ("index.html", include_str!("../../themes/default/templates/index.html")),
    ("cycle.html", include_str!("../../themes/default/templates/cycle.html")),
    ("cycles.html", include_str!("../../themes/default/templates/cycles.html")),
    ("note.html", include_str!("../../themes/default/templates/note.html")),
    ("notes.html", include_str!("../../themes/default/templates/notes.html")),
    ("measure.html", include_str!("../../themes/default/templates/measure.html")),
    ("measures.html", include_str!("../../themes/default/templates/measures.html")),
    ("change.html", include_str!("../../themes/default/templates/change.html")),
    ("changes.html", include_str!("../../themes/default/templates/changes.html")),
    ("aim.html", include_str!("../../themes/default/templates/aim.html")),
    ("aims.html", include_str!("../../themes/default/templates/aims.html")),
    ("tag.html", include_str!("../../themes/default/templates/tag.html")),
    ("tags.html", include_str!("../../themes/default/templates/tags.html")),
    ("404.html", include_str!("../../themes/default/templates/404.html")),
    ("partials/card.html", include_str!("../../themes/default/templates/partials/card.html")),
    ("partials/card_list.html", include_str!("../../themes/default/templates/partials/card_list.html")),
    ("partials/tags.html", include_str!("../../themes/default/templates/partials/tags.html")),
    ("partials/backlinks.html", include_str!("../../themes/default/templates/partials/backlinks.html")),
    ("partials/source.html", include_str!("../../themes/default/templates/partials/source.html")),
    ("partials/item_header.html", include_str!("../../themes/default/templates/partials/item_header.html")),
];

/// Files written under `/assets/`.
pub const ASSETS: &[(&str, &str)] = &[("cyclebook.css", include_str!("../../themes/default/static/cyclebook.css"))];
