//! Render: turn the resolved [`Library`] into the site's files (pages through Tera
//! templates, charts as SVG, `site.json`, measure CSVs), all in memory.

pub mod chart;
mod driver;
mod incremental;
pub mod markdown;
pub mod measure;
mod pages;
mod search;
mod theme;
mod timeline;

use crate::content::source::SourceFile;
use crate::diagnostics::{Diagnostic, Pos};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// One file of the built site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Shared, so a rebuild can reuse a page without copying it.
    Bytes(std::sync::Arc<Vec<u8>>),
    /// Copied from this file on disk when written (the site's `static/` files).
    Copy(PathBuf),
    /// These texts one after another: a large file made of parts held anyway
    /// (`site.json`'s entries), so that it is never copied whole into memory.
    Parts(std::sync::Arc<Vec<std::sync::Arc<str>>>),
}

impl Output {
    /// The file's content (read from disk for a copy).
    pub fn to_bytes(&self) -> std::io::Result<Vec<u8>> {
        match self {
            Output::Bytes(bytes) => Ok(bytes.to_vec()),
            Output::Copy(from) => std::fs::read(from),
            Output::Parts(parts) => Ok(parts.concat().into_bytes()),
        }
    }
}

/// The whole built site, by output path: a sorted map, so writing order is stable.
pub type SiteFiles = BTreeMap<PathBuf, Output>;

/// Where a one-off build puts each file as soon as it is made, instead of holding the
/// whole site in memory (from any thread).
pub type Sink<'a> = dyn Fn(&std::path::Path, &Output) + Sync + 'a;

pub use incremental::RenderCache;
pub use pages::{planned_paths, render_site, static_collisions};

/// Loads the embedded theme, then the site's overrides file by file.
pub fn templates(overrides: &BTreeMap<String, SourceFile>) -> Result<tera::Tera, Vec<Diagnostic>> {
    let sources = template_sources(overrides);
    let mut tera = tera::Tera::default();
    tera.autoescape_on([".html", ".xml", ".svg"]);
    let batch: Vec<(&str, &str)> = sources
        .iter()
        .map(|(n, (_, t))| (n.as_str(), t.as_str()))
        .collect();
    tera.add_raw_templates(batch)
        .map_err(|e| vec![template_diagnostic(&e, &sources, None)])?;
    Ok(tera)
}

/// A Tera error as a diagnostic pointing into the template file.
pub(crate) fn template_diagnostic(
    error: &tera::Error,
    sources: &BTreeMap<String, (PathBuf, String)>,
    page: Option<&str>,
) -> Diagnostic {
    let context = page
        .map(|p| format!(" while rendering {p}"))
        .unwrap_or_default();
    match error.kind() {
        tera::ErrorKind::SyntaxError(report) | tera::ErrorKind::RenderingError(report) => {
            let (path, text) = sources.get(report.filename()).cloned().unwrap_or_else(|| {
                (
                    PathBuf::from(format!("templates/{}", report.filename())),
                    String::new(),
                )
            });
            let span = report.span();
            let len = if span.start_line == span.end_line {
                span.end_col.saturating_sub(span.start_col).max(1)
            } else {
                1
            };
            Diagnostic::error(
                "E0401",
                format!("template error{context}: {}", report.message()),
            )
            .at(
                &path,
                &text,
                Pos::new(span.start_line, span.start_col + 1, len),
            )
            .hint("see docs/templates.md for the variables each template receives")
        }
        other => Diagnostic::error("E0401", format!("template error{context}: {other}"))
            .hint("see docs/templates.md for the template names and the variables each receives"),
    }
}

pub(crate) fn template_sources(
    overrides: &BTreeMap<String, SourceFile>,
) -> BTreeMap<String, (PathBuf, String)> {
    let mut sources: BTreeMap<String, (PathBuf, String)> = BTreeMap::new();
    for (name, text) in theme::TEMPLATES {
        sources.insert(
            name.to_string(),
            (
                PathBuf::from(format!("themes/default/templates/{name}")),
                text.to_string(),
            ),
        );
    }
    for (name, file) in overrides {
        sources.insert(name.clone(), (file.path.clone(), file.text.clone()));
    }
    sources
}

pub(crate) fn assets() -> &'static [(&'static str, &'static str)] {
    theme::ASSETS
}
