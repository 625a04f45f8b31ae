//! Render: Markdown bodies, SVG charts and Tera templates into pages.

pub mod markdown;
