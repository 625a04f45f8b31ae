//! `cyclebook.yml`: the site's settings. `title` is the only required key; unknown keys
//! are errors with a suggestion, like every front matter.

use crate::content::frontmatter::Fields;
use crate::content::items::RuleProfile;
use crate::content::source::SourceFile;
use crate::diagnostics::Diagnostic;

pub const CONFIG_FILE: &str = "cyclebook.yml";

pub const CONFIG_KEYS: &[&str] = &[
    "title",
    "description",
    "base_url",
    "repo_url",
    "repo_branch",
    "repo_path",
    "rules",
    "theme",
    "trusted_html",
    "language",
    "stale_data_days",
    "privacy",
    "visibility",
    "extra",
];

const PRIVACY_KEYS: &[&str] = &["suppress_below"];

/// Who may read the published site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    Public,
    /// On an intranet only: pages ask search engines not to index them, and the sitemap
    /// and feeds are left out.
    Internal,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub title: String,
    pub description: Option<String>,
    /// Absolute URL the site is published at, with a trailing `/`.
    pub base_url: Option<String>,
    pub repo_url: Option<String>,
    pub repo_branch: String,
    /// The site's folder inside the repository, for "view source" links.
    pub repo_path: String,
    pub rules: RuleProfile,
    pub theme: String,
    /// Lets raw HTML in Markdown through unsanitized. Only for sites whose every
    /// author is trusted.
    pub trusted_html: bool,
    pub language: String,
    /// `check` warns when a measure with cycles in progress has data older than this
    /// many days (counted back from the site's newest commit).
    pub stale_data_days: usize,
    /// Counts from 1 to `suppress_below - 1` are never published (statistical disclosure
    /// control); 0 turns suppression off. Measures may override it.
    pub suppress_below: usize,
    /// Whether `privacy:` is written at all: a site that chose `suppress_below: 0` is
    /// not warned about small counts.
    pub privacy_decided: bool,
    pub visibility: Visibility,
    pub extra: serde_json::Value,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            title: String::new(),
            description: None,
            base_url: None,
            repo_url: None,
            repo_branch: "main".into(),
            repo_path: String::new(),
            rules: RuleProfile::Anhoej,
            theme: "default".into(),
            trusted_html: false,
            language: "en".into(),
            stale_data_days: 35,
            suppress_below: 0,
            privacy_decided: false,
            visibility: Visibility::Public,
            extra: serde_json::Value::Object(Default::default()),
        }
    }
}

impl Config {
    /// Reads the config; returns what could be read and every problem found.
    pub fn parse(file: &SourceFile) -> (Config, Vec<Diagnostic>) {
        let mut config = Config::default();
        let mut fields = match Fields::parse(file, &file.text, 1, "cyclebook.yml") {
            Ok(f) => f,
            Err(d) => return (config, vec![d]),
        };
        fields.deny_unknown_keys(CONFIG_KEYS);
        config.title = fields.required_string("title").unwrap_or_default();
        config.description = fields.string("description");
        config.base_url = fields.string("base_url").map(|url| {
            let url = url.trim().to_string();
            if url.ends_with('/') {
                url
            } else {
                url + "/"
            }
        });
        if let Some(url) = &config.base_url {
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                let d = fields.error_at_value(
                    "base_url",
                    "E0107",
                    format!("`base_url` must be an absolute http(s) URL, found `{url}`"),
                );
                d.hint = Some("e.g. https://example.org/ward7/".into());
            }
        }
        config.repo_url = fields
            .string("repo_url")
            .map(|u| u.trim().trim_end_matches('/').to_string());
        // It becomes the href of every page's source and commit links.
        if let Some(url) = &config.repo_url {
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                let d = fields.error_at_value(
                    "repo_url",
                    "E0107",
                    format!("`repo_url` must be an http(s) address, found `{url}`"),
                );
                d.hint = Some("e.g. https://github.com/your-team/ward7-improvement".into());
                config.repo_url = None;
            }
        }
        if let Some(branch) = fields.string("repo_branch") {
            config.repo_branch = branch.trim().to_string();
        }
        if let Some(path) = fields.string("repo_path") {
            let path = path.trim().trim_matches('/');
            config.repo_path = if path.is_empty() {
                String::new()
            } else {
                format!("{path}/")
            };
        }
        if let Some(word) = fields.choice("rules", RuleProfile::WORDS) {
            config.rules = RuleProfile::from_word(word).unwrap_or(RuleProfile::Anhoej);
        }
        if let Some(theme) = fields.string("theme") {
            config.theme = theme.trim().to_string();
        }
        if let Some(trusted) = fields.boolean("trusted_html") {
            config.trusted_html = trusted;
        }
        if let Some(language) = fields.string("language") {
            config.language = language.trim().to_string();
        }
        if let Some(days) = fields.positive_integer("stale_data_days") {
            config.stale_data_days = days;
        }
        config.privacy_decided = fields.raw("privacy").is_some();
        if let Some(value) = fields.raw("privacy").cloned() {
            if let Some(map) = fields.sub_mapping("privacy", &value) {
                for (key, v) in &map {
                    let key = crate::content::frontmatter::scalar_text(key).unwrap_or_default();
                    let path = format!("privacy.{key}");
                    match (key.as_str(), v.as_u64()) {
                        ("suppress_below", Some(n)) => config.suppress_below = n as usize,
                        ("suppress_below", None) => {
                            fields.type_error_at(&path, "a whole number (0 or more)", v)
                        }
                        (other, _) => {
                            fields.unknown_nested_key(&path, other, PRIVACY_KEYS, "`privacy`")
                        }
                    }
                }
            }
        }
        if let Some(word) = fields.choice("visibility", &["public", "internal"]) {
            config.visibility = if word == "internal" {
                Visibility::Internal
            } else {
                Visibility::Public
            };
        }
        if let Some(extra) = fields.json("extra") {
            config.extra = extra;
        }
        (config, fields.finish())
    }

    fn is_gitlab(&self) -> bool {
        self.repo_url
            .as_deref()
            .is_some_and(|r| r.contains("gitlab"))
    }

    /// Link to a commit on the repository host.
    pub fn commit_url(&self, id: &str) -> Option<String> {
        let repo = self.repo_url.as_ref()?;
        let sep = if self.is_gitlab() {
            "/-/commit/"
        } else {
            "/commit/"
        };
        Some(format!("{repo}{sep}{id}"))
    }

    /// Link to the list of commits that changed a source file.
    pub fn history_url(&self, path: &str) -> Option<String> {
        let repo = self.repo_url.as_ref()?;
        let sep = if self.is_gitlab() {
            "/-/commits/"
        } else {
            "/commits/"
        };
        Some(format!(
            "{repo}{sep}{}/{}{path}",
            self.repo_branch, self.repo_path
        ))
    }

    /// Link to a source file on the repository host (GitHub and GitLab shapes).
    pub fn source_url(&self, path: &str) -> Option<String> {
        let repo = self.repo_url.as_ref()?;
        let blob = if self.is_gitlab() { "-/blob" } else { "blob" };
        Some(format!(
            "{repo}/{blob}/{}/{}{path}",
            self.repo_branch, self.repo_path
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn parse(text: &str) -> (Config, Vec<Diagnostic>) {
        Config::parse(&SourceFile::new(PathBuf::from(CONFIG_FILE), text.into()))
    }

    #[test]
    fn reads_settings_with_defaults() {
        let (c, d) = parse("title: Ward 7\nbase_url: https://example.org/w7\nrepo_url: https://github.com/o/r/\nrepo_path: site\nrules: mdc\n");
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(c.base_url.as_deref(), Some("https://example.org/w7/"));
        assert_eq!(c.rules, RuleProfile::Mdc);
        assert_eq!(
            c.source_url("cycles/a.md").as_deref(),
            Some("https://github.com/o/r/blob/main/site/cycles/a.md")
        );
    }

    #[test]
    fn links_commits_and_file_histories_in_github_and_gitlab_shapes() {
        let (github, _) = parse("title: T\nrepo_url: https://github.com/o/r\n");
        assert_eq!(
            github.commit_url("abc").as_deref(),
            Some("https://github.com/o/r/commit/abc")
        );
        assert_eq!(
            github.history_url("notes/n.md").as_deref(),
            Some("https://github.com/o/r/commits/main/notes/n.md")
        );
        let (gitlab, _) = parse(
            "title: T\nrepo_url: https://gitlab.com/o/r\nrepo_branch: trunk\nrepo_path: site\n",
        );
        assert_eq!(
            gitlab.commit_url("abc").as_deref(),
            Some("https://gitlab.com/o/r/-/commit/abc")
        );
        assert_eq!(
            gitlab.history_url("notes/n.md").as_deref(),
            Some("https://gitlab.com/o/r/-/commits/trunk/site/notes/n.md")
        );
        assert_eq!(
            gitlab.source_url("notes/n.md").as_deref(),
            Some("https://gitlab.com/o/r/-/blob/trunk/site/notes/n.md")
        );
    }

    #[test]
    fn requires_a_title_and_rejects_unknown_keys() {
        let (_, d) = parse("titel: Ward 7\n");
        let codes: Vec<_> = d.iter().map(|d| d.code).collect();
        assert_eq!(codes, ["E0104", "E0106"]);
        assert_eq!(
            d[0].hint.as_deref(),
            Some("did you mean `title`? (free-form data goes under `extra:`)")
        );
    }
}
